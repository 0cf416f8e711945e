-- +goose Up
-- Statistics (issue 6). Measured on 100,000 cases: grouping the filings by
-- court week computed date() for every row (about 180 ms of CPU); with the
-- week in an index on that very expression, the query reads it from the
-- index in order, with no sort (about 45 ms). The expression must stay
-- exactly the one storage/stats_sqlite.go writes (sqlCourtWeek), or SQLite
-- does not use the index. Partial: a draft has no time of filing.
CREATE INDEX cases_filed_week ON cases(date(submitted_at, '+8 hours', '-6 days', 'weekday 1'), category, submitted_at, total)
    WHERE submitted_at IS NOT NULL;
-- The merchants with most filings: counted per organisation in index order
-- (no sort of every filing), about 20 ms instead of 70.
CREATE INDEX cases_filed_org ON cases(organization_id, submitted_at) WHERE submitted_at IS NOT NULL;
-- Outcomes are counted by the time of the docket entry that concluded the
-- case (withdrawn, settled, converted, ruling_signed, rejected): a range
-- scan per kind instead of a walk over every entry.
CREATE INDEX docket_entries_kind_at ON docket_entries(kind, at, case_id);
-- Hearings held in a period: ended hearings by the time they started; and
-- the last change of any hearing, which the statistics cache checks.
CREATE INDEX hearings_held ON hearings(status, started_at) WHERE started_at IS NOT NULL;
CREATE INDEX hearings_updated ON hearings(updated_at);

-- +goose Down
DROP INDEX hearings_updated;
DROP INDEX hearings_held;
DROP INDEX docket_entries_kind_at;
DROP INDEX cases_filed_org;
DROP INDEX cases_filed_week;

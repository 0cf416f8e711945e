-- +goose Up
-- Statistics (issue 6). Filings are counted by the time of filing within a
-- period, and each filing's week, category, merchant and amount are read
-- from this covering index alone, without touching the (wide) case rows.
-- Partial: a draft has no submitted_at and is not a filing.
CREATE INDEX cases_submitted_stats ON cases(submitted_at, category, organization_id, total)
    WHERE submitted_at IS NOT NULL;
-- Outcomes are counted by the time of the docket entry that concluded the
-- case (withdrawn, settled, converted, ruling_signed, rejected): a range
-- scan per kind.
CREATE INDEX docket_entries_kind_at ON docket_entries(kind, at, case_id);
-- Hearings held in a period: ended hearings by the time they started.
CREATE INDEX hearings_held ON hearings(status, started_at) WHERE started_at IS NOT NULL;

-- +goose Down
DROP INDEX hearings_held;
DROP INDEX docket_entries_kind_at;
DROP INDEX cases_submitted_stats;

-- +goose Up
-- Statistics computed afresh on 100,000 cases within the 200 ms target (issue 6).
-- Reading every filing and joining every concluding docket entry to its case
-- cost about 250 ms of CPU per report; the tables below hold what the report
-- needs, kept exact by triggers in the same transaction as every write that
-- moves a number, so a report reads a few thousand small rows instead.
-- court/stats still computes every figure the straightforward way too
-- (stats.Service.Direct), and the tests compare both after a whole procedure.
-- The triggers are SQLite's (a view with an INSTEAD OF trigger stands for a
-- procedure); a PostgreSQL backend would write them as trigger functions.

-- Filings per court day (Asia/Shanghai, UTC+8 all year) and category: count
-- and sum claimed. A period of whole court days is a range of days; a court
-- week is the Monday of a day.
CREATE TABLE stats_filing_days (
    day      TEXT NOT NULL,    -- YYYY-MM-DD, court time
    category TEXT NOT NULL,
    cases    INTEGER NOT NULL,
    claimed  INTEGER NOT NULL, -- fen
    PRIMARY KEY (day, category)
) WITHOUT ROWID;

-- One row per concluding docket entry (the kinds of
-- storage.ConcludingEntries) of a case whose state is one it leads to: the
-- rows of the join the direct query makes (storage.StatsConcluded), with
-- what the outcome depends on worked out once. days is what the median of
-- days to conclusion reads: NULL for a case rejected at review.
CREATE TABLE stats_concluded (
    entry_id INTEGER PRIMARY KEY, -- docket_entries.id
    case_id  INTEGER NOT NULL,
    at       TIMESTAMP NOT NULL,  -- the entry's time, as stored
    status   TEXT NOT NULL,       -- the case's state now
    total    INTEGER NOT NULL,    -- claimed
    answered BOOLEAN NOT NULL,    -- rulings only: the merchant answered
    awarded  INTEGER NOT NULL,    -- rulings only: ordered respondent -> claimant
    agreed   INTEGER NOT NULL,    -- settlements only: confirmed offers
    days     REAL                 -- filing to conclusion
);
CREATE INDEX stats_concluded_case ON stats_concluded(case_id);
-- Covering: the outcome groups of a period read the index alone.
CREATE INDEX stats_concluded_at ON stats_concluded(at, status, answered, total, awarded, agreed);
CREATE INDEX stats_concluded_days ON stats_concluded(at, days) WHERE days IS NOT NULL;

-- Inserting a case id into this view recomputes that case's rows of
-- stats_concluded from the tables themselves (the INSTEAD OF trigger below):
-- one body for every trigger that may change them, and the same expressions
-- as the direct query, so the two cannot drift apart.
CREATE VIEW stats_refresh AS SELECT 0 AS case_id WHERE 0;

-- +goose StatementBegin
CREATE TRIGGER stats_refresh_case INSTEAD OF INSERT ON stats_refresh
BEGIN
    DELETE FROM stats_concluded WHERE case_id = NEW.case_id;
    INSERT INTO stats_concluded (entry_id, case_id, at, status, total, answered, awarded, agreed, days)
    SELECT e.id, c.id, e.at, c.status, c.total,
        CASE WHEN c.status IN ('ruled', 'closed') THEN EXISTS (SELECT 1 FROM answers a WHERE a.case_id = c.id)
            ELSE FALSE END,
        CASE WHEN c.status IN ('ruled', 'closed') THEN COALESCE((SELECT SUM(o.amount) FROM rulings r
            JOIN ruling_orders o ON o.ruling_id = r.id
            WHERE r.case_id = c.id AND r.kind = 'judgment' AND r.status = 'signed'
            AND o.payer = 'respondent' AND o.payee = 'claimant'), 0) ELSE 0 END,
        CASE WHEN c.status = 'settled' THEN COALESCE((SELECT SUM(f.amount) FROM offers f
            WHERE f.case_id = c.id AND f.status = 'confirmed'), 0) ELSE 0 END,
        CASE WHEN c.status <> 'rejected' AND c.submitted_at IS NOT NULL
            THEN julianday(e.at) - julianday(c.submitted_at) END
    FROM docket_entries e JOIN cases c ON c.id = e.case_id
    WHERE e.case_id = NEW.case_id AND e.kind IN ('withdrawn', 'settled', 'converted', 'ruling_signed', 'rejected')
    AND c.status IN ('withdrawn', 'settled', 'converted', 'ruled', 'closed', 'rejected');
END;
-- +goose StatementEnd

-- What moves a concluded case's row: its concluding entry (entries are
-- append-only), its state, claim or time of filing, its answer, its signed
-- judgment's orders, its settlement offers.
-- +goose StatementBegin
CREATE TRIGGER stats_entry_insert AFTER INSERT ON docket_entries
WHEN NEW.kind IN ('withdrawn', 'settled', 'converted', 'ruling_signed', 'rejected')
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (NEW.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_case_update AFTER UPDATE OF status, total, submitted_at ON cases
WHEN OLD.status IS NOT NEW.status OR OLD.total IS NOT NEW.total OR OLD.submitted_at IS NOT NEW.submitted_at
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (NEW.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_case_delete AFTER DELETE ON cases
BEGIN
    DELETE FROM stats_concluded WHERE case_id = OLD.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_answer_insert AFTER INSERT ON answers
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (NEW.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_answer_delete AFTER DELETE ON answers
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (OLD.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_ruling_insert AFTER INSERT ON rulings
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (NEW.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_ruling_update AFTER UPDATE OF status, kind, case_id ON rulings
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (NEW.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_ruling_delete AFTER DELETE ON rulings
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (OLD.case_id);
END;
-- +goose StatementEnd

-- Orders are never changed or removed (migration 00012 refuses it).
-- +goose StatementBegin
CREATE TRIGGER stats_order_insert AFTER INSERT ON ruling_orders
BEGIN
    INSERT INTO stats_refresh (case_id) SELECT case_id FROM rulings WHERE id = NEW.ruling_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_offer_insert AFTER INSERT ON offers
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (NEW.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_offer_update AFTER UPDATE OF status, amount, case_id ON offers
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (NEW.case_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_offer_delete AFTER DELETE ON offers
BEGIN
    INSERT INTO stats_refresh (case_id) VALUES (OLD.case_id);
END;
-- +goose StatementEnd

-- Filings: a case counts on the court day of submitted_at (a draft has
-- none). The day must stay the expression storage/stats_sqlite.go reads
-- (sqlCourtDay). A time SQLite cannot read counts on no day ('').
-- +goose StatementBegin
CREATE TRIGGER stats_filing_insert AFTER INSERT ON cases WHEN NEW.submitted_at IS NOT NULL
BEGIN
    INSERT INTO stats_filing_days (day, category, cases, claimed)
    VALUES (COALESCE(date(NEW.submitted_at, '+8 hours'), ''), NEW.category, 1, NEW.total)
    ON CONFLICT (day, category) DO UPDATE SET cases = cases + 1, claimed = claimed + excluded.claimed;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_filing_update AFTER UPDATE OF submitted_at, category, total ON cases
WHEN OLD.submitted_at IS NOT NEW.submitted_at OR OLD.category IS NOT NEW.category OR OLD.total IS NOT NEW.total
BEGIN
    UPDATE stats_filing_days SET cases = cases - 1, claimed = claimed - OLD.total
    WHERE OLD.submitted_at IS NOT NULL
    AND day = COALESCE(date(OLD.submitted_at, '+8 hours'), '') AND category = OLD.category;
    INSERT INTO stats_filing_days (day, category, cases, claimed)
    SELECT COALESCE(date(NEW.submitted_at, '+8 hours'), ''), NEW.category, 1, NEW.total
    WHERE NEW.submitted_at IS NOT NULL
    ON CONFLICT (day, category) DO UPDATE SET cases = cases + 1, claimed = claimed + excluded.claimed;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_filing_delete AFTER DELETE ON cases WHEN OLD.submitted_at IS NOT NULL
BEGIN
    UPDATE stats_filing_days SET cases = cases - 1, claimed = claimed - OLD.total
    WHERE day = COALESCE(date(OLD.submitted_at, '+8 hours'), '') AND category = OLD.category;
END;
-- +goose StatementEnd

-- Filings per merchant organisation: per court month and per court day.
-- The merchants with most filings in a period add the whole months inside
-- it and the days at either end: about 12,000 rows for a year of 100,000
-- filings against 1,000 merchants instead of every filing.
CREATE TABLE stats_org_months (
    month           TEXT NOT NULL,    -- YYYY-MM, court time
    organization_id INTEGER NOT NULL,
    cases           INTEGER NOT NULL,
    PRIMARY KEY (month, organization_id)
) WITHOUT ROWID;
CREATE TABLE stats_org_days (
    day             TEXT NOT NULL,    -- YYYY-MM-DD, court time
    organization_id INTEGER NOT NULL,
    cases           INTEGER NOT NULL,
    PRIMARY KEY (day, organization_id)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER stats_org_insert AFTER INSERT ON cases WHEN NEW.submitted_at IS NOT NULL
BEGIN
    INSERT INTO stats_org_days (day, organization_id, cases)
    VALUES (COALESCE(date(NEW.submitted_at, '+8 hours'), ''), NEW.organization_id, 1)
    ON CONFLICT (day, organization_id) DO UPDATE SET cases = cases + 1;
    INSERT INTO stats_org_months (month, organization_id, cases)
    VALUES (COALESCE(strftime('%Y-%m', NEW.submitted_at, '+8 hours'), ''), NEW.organization_id, 1)
    ON CONFLICT (month, organization_id) DO UPDATE SET cases = cases + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_org_update AFTER UPDATE OF submitted_at, organization_id ON cases
WHEN OLD.submitted_at IS NOT NEW.submitted_at OR OLD.organization_id IS NOT NEW.organization_id
BEGIN
    UPDATE stats_org_days SET cases = cases - 1 WHERE OLD.submitted_at IS NOT NULL
    AND day = COALESCE(date(OLD.submitted_at, '+8 hours'), '') AND organization_id = OLD.organization_id;
    UPDATE stats_org_months SET cases = cases - 1 WHERE OLD.submitted_at IS NOT NULL
    AND month = COALESCE(strftime('%Y-%m', OLD.submitted_at, '+8 hours'), '') AND organization_id = OLD.organization_id;
    INSERT INTO stats_org_days (day, organization_id, cases)
    SELECT COALESCE(date(NEW.submitted_at, '+8 hours'), ''), NEW.organization_id, 1 WHERE NEW.submitted_at IS NOT NULL
    ON CONFLICT (day, organization_id) DO UPDATE SET cases = cases + 1;
    INSERT INTO stats_org_months (month, organization_id, cases)
    SELECT COALESCE(strftime('%Y-%m', NEW.submitted_at, '+8 hours'), ''), NEW.organization_id, 1
    WHERE NEW.submitted_at IS NOT NULL
    ON CONFLICT (month, organization_id) DO UPDATE SET cases = cases + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_org_delete AFTER DELETE ON cases WHEN OLD.submitted_at IS NOT NULL
BEGIN
    UPDATE stats_org_days SET cases = cases - 1
    WHERE day = COALESCE(date(OLD.submitted_at, '+8 hours'), '') AND organization_id = OLD.organization_id;
    UPDATE stats_org_months SET cases = cases - 1
    WHERE month = COALESCE(strftime('%Y-%m', OLD.submitted_at, '+8 hours'), '') AND organization_id = OLD.organization_id;
END;
-- +goose StatementEnd

-- The dashboard's cases by state now: one row per state, moved by every
-- insert, change of state and delete of a case, instead of counting
-- 100,000 index entries per report.
CREATE TABLE stats_status_counts (
    status TEXT PRIMARY KEY,
    cases  INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER stats_status_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO stats_status_counts (status, cases) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET cases = cases + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_status_update AFTER UPDATE OF status ON cases WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE stats_status_counts SET cases = cases - 1 WHERE status = OLD.status;
    INSERT INTO stats_status_counts (status, cases) VALUES (NEW.status, 1)
    ON CONFLICT (status) DO UPDATE SET cases = cases + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER stats_status_delete AFTER DELETE ON cases
BEGIN
    UPDATE stats_status_counts SET cases = cases - 1 WHERE status = OLD.status;
END;
-- +goose StatementEnd

-- Hearings held in a period: read from the index alone (kind and end with
-- the start), not one table row per hearing.
CREATE INDEX stats_hearings_held ON hearings(status, started_at, kind, ended_at) WHERE started_at IS NOT NULL;

-- /verify looks a published decision up by the SHA-256 of its text
-- (storage.PublicationByHash); not statistics, but this part's migration.
CREATE INDEX publications_sha256 ON publications(sha256);

-- What is already there.
INSERT INTO stats_filing_days (day, category, cases, claimed)
SELECT COALESCE(date(submitted_at, '+8 hours'), ''), category, COUNT(*), SUM(total)
FROM cases WHERE submitted_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO stats_org_days (day, organization_id, cases)
SELECT COALESCE(date(submitted_at, '+8 hours'), ''), organization_id, COUNT(*)
FROM cases WHERE submitted_at IS NOT NULL GROUP BY 1, 2;
INSERT INTO stats_org_months (month, organization_id, cases)
SELECT COALESCE(strftime('%Y-%m', submitted_at, '+8 hours'), ''), organization_id, COUNT(*)
FROM cases WHERE submitted_at IS NOT NULL GROUP BY 1, 2;

INSERT INTO stats_status_counts (status, cases) SELECT status, COUNT(*) FROM cases GROUP BY status;

INSERT INTO stats_refresh (case_id)
SELECT DISTINCT case_id FROM docket_entries
WHERE kind IN ('withdrawn', 'settled', 'converted', 'ruling_signed', 'rejected');

-- +goose Down
DROP TRIGGER stats_org_delete;
DROP TRIGGER stats_org_update;
DROP TRIGGER stats_org_insert;
DROP TABLE stats_org_days;
DROP TABLE stats_org_months;
DROP TRIGGER stats_status_delete;
DROP TRIGGER stats_status_update;
DROP TRIGGER stats_status_insert;
DROP TABLE stats_status_counts;
DROP INDEX publications_sha256;
DROP INDEX stats_hearings_held;
DROP TRIGGER stats_filing_delete;
DROP TRIGGER stats_filing_update;
DROP TRIGGER stats_filing_insert;
DROP TRIGGER stats_offer_delete;
DROP TRIGGER stats_offer_update;
DROP TRIGGER stats_offer_insert;
DROP TRIGGER stats_order_insert;
DROP TRIGGER stats_ruling_delete;
DROP TRIGGER stats_ruling_update;
DROP TRIGGER stats_ruling_insert;
DROP TRIGGER stats_answer_delete;
DROP TRIGGER stats_answer_insert;
DROP TRIGGER stats_case_delete;
DROP TRIGGER stats_case_update;
DROP TRIGGER stats_entry_insert;
DROP TRIGGER stats_refresh_case;
DROP VIEW stats_refresh;
DROP TABLE stats_concluded;
DROP TABLE stats_filing_days;

-- +goose Up
-- The filing fee's events, and drafts of filings that are not complete yet.

-- Every fee event of a case: a payment recorded through a provider (the
-- court's counter, a bank transfer, later an online provider), a waiver or a
-- reduction with its reason. cases.fee and cases.fee_status hold the result;
-- this table says how it came about. Append-only, like the docket.
CREATE TABLE fee_events (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL CHECK (kind IN ('paid','waived','reduced')),
    provider   TEXT NOT NULL DEFAULT '',
    reference  TEXT NOT NULL DEFAULT '',
    -- paid: the amount received; reduced: the new fee; waived: 0.
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    fee_before INTEGER NOT NULL CHECK (fee_before >= 0),
    reason     TEXT NOT NULL DEFAULT '',
    actor_id   INTEGER NOT NULL REFERENCES users(id),
    at         TIMESTAMP NOT NULL
);
CREATE INDEX fee_events_case ON fee_events(case_id, id);
-- A receipt pays one fee once: the same provider reference twice is a
-- conflict, not a second payment.
CREATE UNIQUE INDEX fee_events_reference ON fee_events(provider, reference) WHERE kind = 'paid';

-- +goose StatementBegin
CREATE TRIGGER fee_events_no_update BEFORE UPDATE ON fee_events
BEGIN
    SELECT RAISE(ABORT, 'fee events are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER fee_events_no_delete BEFORE DELETE ON fee_events
BEGIN
    SELECT RAISE(ABORT, 'fee events are append-only');
END;
-- +goose StatementEnd

-- A filing the consumer has begun but not completed: the form as typed
-- (checked for types, lengths and money format, not completeness), as JSON.
-- It becomes a case when it is submitted (or saved once complete), and the
-- draft row is then deleted in the same transaction.
-- AUTOINCREMENT: the id of a deleted draft is never given to a new one, so
-- an old link never opens another draft.
CREATE TABLE filing_drafts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id   INTEGER NOT NULL REFERENCES users(id),
    data       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX filing_drafts_owner ON filing_drafts(owner_id, id);

-- +goose Down
DROP TABLE filing_drafts;
DROP TRIGGER fee_events_no_delete;
DROP TRIGGER fee_events_no_update;
DROP TABLE fee_events;

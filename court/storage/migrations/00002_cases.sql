-- +goose Up
-- Cases, their docket and the in-app inbox.
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    -- Every state of court.CaseStatuses, including those later parts of the
    -- procedure use, so that adding their transitions needs no table rebuild.
    status           TEXT NOT NULL CHECK (status IN ('draft','submitted','returned','rejected','served','answered',
                                                     'settled','withdrawn','converted','ruled','closed')),
    docket_no        TEXT,
    docket_year      INTEGER,
    docket_seq       INTEGER,
    claimant_id      INTEGER NOT NULL REFERENCES users(id),
    filed_by_id      INTEGER NOT NULL REFERENCES users(id),
    organization_id  INTEGER NOT NULL REFERENCES organizations(id),
    merchant_name    TEXT NOT NULL,
    credit_code      TEXT NOT NULL,
    platform         TEXT NOT NULL DEFAULT '',
    order_ref        TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL,
    facts            TEXT NOT NULL,
    purchase_date    TEXT NOT NULL DEFAULT '',
    refund           INTEGER NOT NULL CHECK (refund >= 0),
    compensation     INTEGER NOT NULL CHECK (compensation >= 0),
    costs            INTEGER NOT NULL CHECK (costs >= 0),
    total            INTEGER NOT NULL CHECK (total = refund + compensation + costs),
    fee              INTEGER NOT NULL CHECK (fee >= 0),
    fee_status       TEXT NOT NULL DEFAULT 'unpaid' CHECK (fee_status IN ('unpaid','paid','waived')),
    over_cap         BOOLEAN NOT NULL DEFAULT FALSE,
    service_consent  BOOLEAN NOT NULL,
    villager_consent BOOLEAN NOT NULL DEFAULT FALSE,
    judge_id         INTEGER REFERENCES users(id),
    mediator_id      INTEGER REFERENCES users(id),
    reason           TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    submitted_at     TIMESTAMP,
    accepted_at      TIMESTAMP,
    served_at        TIMESTAMP,
    merchant_seen_at TIMESTAMP,
    answer_due       TIMESTAMP,
    conclude_by      TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL,
    CHECK ((docket_no IS NULL) = (docket_seq IS NULL))
);
-- Docket numbers are unique; the indexes are partial because a filing has
-- none yet, so filings, the most frequent write, do not touch them.
CREATE UNIQUE INDEX cases_docket_no ON cases(docket_no) WHERE docket_no IS NOT NULL;
CREATE UNIQUE INDEX cases_docket_seq ON cases(docket_year, docket_seq) WHERE docket_seq IS NOT NULL;
CREATE INDEX cases_claimant ON cases(claimant_id, id);
CREATE INDEX cases_filed_by ON cases(filed_by_id, id);
CREATE INDEX cases_organization ON cases(organization_id, id);
CREATE INDEX cases_status ON cases(status, id);
CREATE INDEX cases_judge ON cases(judge_id, id) WHERE judge_id IS NOT NULL;
-- One open claim per consumer, merchant and order: a second one is a
-- conflict that points at the first. Closed cases do not count.
CREATE UNIQUE INDEX cases_open_claim ON cases(claimant_id, organization_id, order_ref)
    WHERE order_ref <> '' AND status NOT IN ('rejected','settled','withdrawn');

-- The last docket sequence number given out per year. It is raised in the
-- same transaction that docket a case, so a rolled-back acceptance gives its
-- number back: no gaps, no duplicates.
CREATE TABLE docket_counters (
    year     INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

-- Every event of a case, in order. Append-only: the triggers below refuse
-- any change or removal.
CREATE TABLE docket_entries (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    seq        INTEGER NOT NULL,
    actor_id   INTEGER REFERENCES users(id),
    actor_role TEXT NOT NULL,
    kind       TEXT NOT NULL,
    public     BOOLEAN NOT NULL DEFAULT TRUE,
    text       TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '{}',
    at         TIMESTAMP NOT NULL,
    UNIQUE (case_id, seq)
);

-- +goose StatementBegin
CREATE TRIGGER docket_entries_no_update BEFORE UPDATE ON docket_entries
BEGIN
    SELECT RAISE(ABORT, 'docket entries are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER docket_entries_no_delete BEFORE DELETE ON docket_entries
BEGIN
    SELECT RAISE(ABORT, 'docket entries are append-only');
END;
-- +goose StatementEnd

-- The in-app inbox: one row per notice to one user.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    case_id    INTEGER REFERENCES cases(id),
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_user ON notifications(user_id, id);

-- +goose Down
DROP TABLE notifications;
DROP TRIGGER docket_entries_no_delete;
DROP TRIGGER docket_entries_no_update;
DROP TABLE docket_entries;
DROP TABLE docket_counters;
DROP TABLE cases;

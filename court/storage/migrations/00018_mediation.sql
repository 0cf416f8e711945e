-- +goose Up
-- Mediation proposals (issue 3): the assigned mediator puts a proposal to both
-- parties. A proposal is an offer made by the mediator (by_role 'mediator'), so
-- the one-open-offer rule, the judge's confirmation, the mediation document and
-- the statistics take it like any other offer. It differs in that each party
-- answers it separately: claimant_answer and merchant_answer are '' until that
-- side answers, then 'accepted' or 'rejected'. The proposal becomes 'accepted'
-- (waiting for the judge) only when both have accepted. The mediator may
-- withdraw an open proposal ('withdrawn').
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt:
-- copied whole (same ids) into offers_new, the old table dropped and the new
-- one renamed. No trigger or view depends on offers and no other table refers
-- to it; its own counter_of refers to offers_new, which the rename turns into
-- offers. Its two indexes are made again as they were.
CREATE TABLE offers_new (
    id                   INTEGER PRIMARY KEY,
    case_id              INTEGER NOT NULL REFERENCES cases(id),
    by_user              INTEGER NOT NULL REFERENCES users(id),
    by_role              TEXT NOT NULL CHECK (by_role IN ('claimant','merchant','mediator')),
    amount               INTEGER NOT NULL CHECK (amount > 0),
    terms                TEXT NOT NULL DEFAULT '',
    expires_at           TIMESTAMP NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('open','accepted','rejected','countered','expired','confirmed','declined','withdrawn')),
    counter_of           INTEGER REFERENCES offers_new(id),
    responded_by         INTEGER REFERENCES users(id),
    responded_at         TIMESTAMP,
    decided_by           INTEGER REFERENCES users(id),
    decided_at           TIMESTAMP,
    reason               TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMP NOT NULL,
    claimant_answer      TEXT NOT NULL DEFAULT '' CHECK (claimant_answer IN ('','accepted','rejected')),
    claimant_answered_by INTEGER REFERENCES users(id),
    claimant_answered_at TIMESTAMP,
    merchant_answer      TEXT NOT NULL DEFAULT '' CHECK (merchant_answer IN ('','accepted','rejected')),
    merchant_answered_by INTEGER REFERENCES users(id),
    merchant_answered_at TIMESTAMP,
    -- Only a mediator's proposal has separate answers and can be withdrawn.
    CHECK (by_role = 'mediator' OR (claimant_answer = '' AND merchant_answer = '' AND status <> 'withdrawn')),
    -- A proposal waits for the judge only when both parties accepted it.
    CHECK (by_role <> 'mediator' OR status NOT IN ('accepted','confirmed','declined')
           OR (claimant_answer = 'accepted' AND merchant_answer = 'accepted'))
);
INSERT INTO offers_new (id, case_id, by_user, by_role, amount, terms, expires_at, status, counter_of, responded_by,
        responded_at, decided_by, decided_at, reason, created_at)
    SELECT id, case_id, by_user, by_role, amount, terms, expires_at, status, counter_of, responded_by,
        responded_at, decided_by, decided_at, reason, created_at
    FROM offers ORDER BY id;
DROP TABLE offers;
ALTER TABLE offers_new RENAME TO offers;
CREATE INDEX offers_case ON offers(case_id, id);
-- One offer at a time per case is open or waiting for the judge.
CREATE UNIQUE INDEX offers_one_open ON offers(case_id) WHERE status IN ('open','accepted');

-- +goose Down
-- Back to parties' offers only: the mediator's proposals are dropped (an offer
-- that countered one no longer points to it).
UPDATE offers SET counter_of = NULL WHERE counter_of IN (SELECT id FROM offers WHERE by_role = 'mediator');
DELETE FROM offers WHERE by_role = 'mediator';
CREATE TABLE offers_old (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    by_user      INTEGER NOT NULL REFERENCES users(id),
    by_role      TEXT NOT NULL CHECK (by_role IN ('claimant','merchant')),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    terms        TEXT NOT NULL DEFAULT '',
    expires_at   TIMESTAMP NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open','accepted','rejected','countered','expired','confirmed','declined')),
    counter_of   INTEGER REFERENCES offers_old(id),
    responded_by INTEGER REFERENCES users(id),
    responded_at TIMESTAMP,
    decided_by   INTEGER REFERENCES users(id),
    decided_at   TIMESTAMP,
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
INSERT INTO offers_old (id, case_id, by_user, by_role, amount, terms, expires_at, status, counter_of, responded_by,
        responded_at, decided_by, decided_at, reason, created_at)
    SELECT id, case_id, by_user, by_role, amount, terms, expires_at, status, counter_of, responded_by,
        responded_at, decided_by, decided_at, reason, created_at
    FROM offers ORDER BY id;
DROP TABLE offers;
ALTER TABLE offers_old RENAME TO offers;
CREATE INDEX offers_case ON offers(case_id, id);
CREATE UNIQUE INDEX offers_one_open ON offers(case_id) WHERE status IN ('open','accepted');

-- +goose Up
-- Written rulings and mediation documents (issue 6). A document is drafted
-- (content is the judge's JSON draft, changed freely), then signed: the
-- canonical form, its SHA-256, the Ed25519 signature and the leaf are set
-- once, and from then on triggers refuse any UPDATE or DELETE of the row.
CREATE TABLE rulings (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL CHECK (kind IN ('judgment', 'mediation')),
    status     TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    number     TEXT NOT NULL,
    content    TEXT NOT NULL,
    canonical  TEXT,
    sha256     TEXT,
    signature  TEXT,
    key_name   TEXT,
    judge_id   INTEGER NOT NULL REFERENCES users(id),
    signed_at  TIMESTAMP,
    served_at  TIMESTAMP,
    leaf_index INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, kind),
    CHECK (status = 'draft' OR (canonical IS NOT NULL AND sha256 IS NOT NULL AND signature IS NOT NULL
        AND signed_at IS NOT NULL AND leaf_index IS NOT NULL))
);
CREATE UNIQUE INDEX rulings_signed_number ON rulings(number) WHERE status = 'signed';

-- The orders of a signed document, one row each: who pays whom how many fen
-- by when. Payments (issue 6, second half) refer to these rows.
CREATE TABLE ruling_orders (
    ruling_id INTEGER NOT NULL REFERENCES rulings(id),
    seq       INTEGER NOT NULL,
    payer     TEXT NOT NULL CHECK (payer IN ('claimant', 'respondent')),
    payee     TEXT NOT NULL CHECK (payee IN ('claimant', 'respondent', 'court')),
    amount    INTEGER NOT NULL CHECK (amount > 0),
    due_days  INTEGER NOT NULL,
    due_at    TIMESTAMP NOT NULL,
    what      TEXT NOT NULL,
    PRIMARY KEY (ruling_id, seq)
);

-- The PDF of a signed document, rendered once (at signing, or at the first
-- request when the font came later) and kept, so every copy is the same
-- bytes and an uploaded copy can be checked by its SHA-256.
CREATE TABLE ruling_pdfs (
    ruling_id  INTEGER PRIMARY KEY REFERENCES rulings(id),
    pdf        BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ruling_pdfs_sha256 ON ruling_pdfs(sha256);

-- The first time each party user opened a signed document (service, Art 90:
-- the time of service is when it reached the party; this is when it was read).
CREATE TABLE ruling_views (
    ruling_id       INTEGER NOT NULL REFERENCES rulings(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    first_viewed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (ruling_id, user_id)
);

-- +goose StatementBegin
CREATE TRIGGER rulings_signed_no_update BEFORE UPDATE ON rulings WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed ruling cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER rulings_signed_no_delete BEFORE DELETE ON rulings WHEN OLD.status = 'signed'
BEGIN
    SELECT RAISE(ABORT, 'a signed ruling cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ruling_orders_no_update BEFORE UPDATE ON ruling_orders
BEGIN
    SELECT RAISE(ABORT, 'a signed ruling cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ruling_orders_no_delete BEFORE DELETE ON ruling_orders
BEGIN
    SELECT RAISE(ABORT, 'a signed ruling cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ruling_pdfs_no_update BEFORE UPDATE ON ruling_pdfs
BEGIN
    SELECT RAISE(ABORT, 'a signed ruling cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ruling_pdfs_no_delete BEFORE DELETE ON ruling_pdfs
BEGIN
    SELECT RAISE(ABORT, 'a signed ruling cannot change');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE ruling_views;
DROP TABLE ruling_pdfs;
DROP TABLE ruling_orders;
DROP TABLE rulings;

-- +goose Up
-- Exhibits: the evidence files of a case, numbered per side (C-1, R-1, J-1).
-- The file itself is a blob in DATA/blobs/<first 2 hex>/<64 hex>, named by
-- its SHA-256; the row holds what identifies it. The content fields never
-- change once written (triggers below): the ledger's audit reads sha256,
-- size and leaf_index and re-hashes the blob.
CREATE TABLE exhibits (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    side         TEXT NOT NULL CHECK (side IN ('C','R','J')),
    number       INTEGER NOT NULL CHECK (number > 0),
    label        TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 = lower(sha256)),
    leaf_index   INTEGER NOT NULL DEFAULT -1,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (case_id, side, number)
);
CREATE INDEX exhibits_case ON exhibits(case_id, id);
-- Blob clean-up asks whether any exhibit still names a hash.
CREATE INDEX exhibits_sha256 ON exhibits(sha256);

-- +goose StatementBegin
CREATE TRIGGER exhibits_no_update BEFORE UPDATE ON exhibits
BEGIN
    SELECT RAISE(ABORT, 'exhibits are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER exhibits_no_delete BEFORE DELETE ON exhibits
BEGIN
    SELECT RAISE(ABORT, 'exhibits are append-only');
END;
-- +goose StatementEnd

-- The cross-examination record: each side's one response to an exhibit
-- (the other side's; for a court exhibit, each party's), and the judge's
-- one ruling. Both are final once made, like docket entries.
CREATE TABLE exhibit_responses (
    id         INTEGER PRIMARY KEY,
    exhibit_id INTEGER NOT NULL REFERENCES exhibits(id),
    side       TEXT NOT NULL CHECK (side IN ('C','R')),
    kind       TEXT NOT NULL CHECK (kind IN ('acknowledge','object')),
    reason     TEXT NOT NULL DEFAULT '',
    by_user    INTEGER NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (exhibit_id, side),
    CHECK (kind <> 'object' OR reason <> '')
);

CREATE TABLE exhibit_rulings (
    exhibit_id INTEGER PRIMARY KEY REFERENCES exhibits(id),
    ruling     TEXT NOT NULL CHECK (ruling IN ('admit','exclude')),
    reason     TEXT NOT NULL DEFAULT '',
    by_user    INTEGER NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER exhibit_responses_final BEFORE UPDATE ON exhibit_responses
BEGIN
    SELECT RAISE(ABORT, 'exhibit responses are final');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER exhibit_rulings_final BEFORE UPDATE ON exhibit_rulings
BEGIN
    SELECT RAISE(ABORT, 'exhibit rulings are final');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE exhibit_rulings;
DROP TABLE exhibit_responses;
DROP TABLE exhibits;

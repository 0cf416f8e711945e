-- +goose Up
-- Publication of rulings without personal data (issue 6). A judge may seal a
-- case: then nothing of it is published, and what was is withdrawn.
CREATE TABLE case_seals (
    case_id   INTEGER PRIMARY KEY REFERENCES cases(id),
    reason    TEXT NOT NULL,
    judge_id  INTEGER NOT NULL REFERENCES users(id),
    sealed_at TIMESTAMP NOT NULL
);

-- One row per published document: the anonymised text as the public sees
-- it (body, JSON), fixed at publication with its SHA-256, and the filters.
-- A sealed case's rows are withdrawn (withdrawn_at), never changed: the
-- record of what was shown stays for audit.
CREATE TABLE publications (
    id           INTEGER PRIMARY KEY,
    ruling_id    INTEGER NOT NULL UNIQUE REFERENCES rulings(id),
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    number       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    category     TEXT NOT NULL,
    year         INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    body         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
CREATE INDEX publications_case ON publications(case_id);
CREATE INDEX publications_year ON publications(year, id);

-- Full-text index of the published text only (never of the case), segmented
-- in Go as for cases (storage/search.go); rowid = publications.id. A
-- withdrawn publication's row is deleted.
CREATE VIRTUAL TABLE publications_fts USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER publications_fixed BEFORE UPDATE ON publications
    WHEN NEW.body IS NOT OLD.body OR NEW.sha256 IS NOT OLD.sha256 OR NEW.ruling_id IS NOT OLD.ruling_id
        OR NEW.case_id IS NOT OLD.case_id OR NEW.published_at IS NOT OLD.published_at
        OR (OLD.withdrawn_at IS NOT NULL AND NEW.withdrawn_at IS NOT OLD.withdrawn_at)
BEGIN
    SELECT RAISE(ABORT, 'a publication cannot change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
BEGIN
    SELECT RAISE(ABORT, 'a publication cannot change');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE publications_fts;
DROP TABLE publications;
DROP TABLE case_seals;

-- +goose Up
-- The court's Merkle ledger (RFC 6962, golang.org/x/mod/sumdb/tlog): every
-- docket entry and exhibit is a leaf, appended in the transaction of its row.
-- All three tables are append-only: triggers refuse UPDATE and DELETE.

-- The data of each leaf (ids and hashes, no personal data), by leaf index.
-- Kept so that an audit can recompute the whole tree from it.
CREATE TABLE ledger_leaves (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

-- The tree's stored hashes in tlog's storage order (tlog.StoredHashIndex):
-- each leaf hash and every complete subtree hash, as written by appends.
-- Proofs and roots read only these.
CREATE TABLE ledger_hashes (
    id   INTEGER PRIMARY KEY,
    hash BLOB NOT NULL CHECK (length(hash) = 32)
);

-- Signed checkpoints (C2SP tlog-checkpoint signed notes), one per tree size.
CREATE TABLE ledger_checkpoints (
    size      INTEGER PRIMARY KEY,
    note      TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL
);

-- The leaf of each docket entry. Entries written before this migration have
-- none (NULL): the ledger covers the docket from the version that added it,
-- and audit counts those entries apart.
ALTER TABLE docket_entries ADD COLUMN leaf_index INTEGER;
CREATE UNIQUE INDEX docket_entries_leaf ON docket_entries(leaf_index) WHERE leaf_index IS NOT NULL;

-- +goose StatementBegin
CREATE TRIGGER ledger_leaves_no_update BEFORE UPDATE ON ledger_leaves
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_leaves_no_delete BEFORE DELETE ON ledger_leaves
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_hashes_no_update BEFORE UPDATE ON ledger_hashes
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_hashes_no_delete BEFORE DELETE ON ledger_hashes
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP INDEX docket_entries_leaf;
ALTER TABLE docket_entries DROP COLUMN leaf_index;
DROP TABLE ledger_checkpoints;
DROP TABLE ledger_hashes;
DROP TABLE ledger_leaves;

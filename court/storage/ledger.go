package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
)

// The court's Merkle tree (issue 4) in three append-only tables (migration
// 00006): ledger_leaves holds each leaf's data, ledger_hashes the hashes
// tlog stores (tlog.StoredHashes), ledger_checkpoints the signed notes.
// Appends run on the filing hot path, so their statements are prepared on
// the writer connection (hotStatements), and an append is three statements
// on average. Nothing is cached in memory: the next index and the hashes
// an append needs are read inside the transaction, so a savepoint or
// transaction that rolls back takes its leaves with it and the next append
// simply reuses the index.
const (
	sqlLedgerSize = `SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves`
	// The new leaf takes the next index in the same statement that stores
	// it: one statement fewer per append than asking first.
	sqlInsertLeaf   = `INSERT INTO ledger_leaves (idx, data) VALUES ((SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves), ?) RETURNING idx`
	sqlLedgerHash   = `SELECT hash FROM ledger_hashes WHERE id = ?`
	sqlNextEntrySeq = `SELECT COALESCE(MAX(seq), 0) + 1 FROM docket_entries WHERE case_id = ?`
)

// sqlInsertHashes[k] inserts k consecutive stored hashes. An append stores
// 1 + (trailing 1 bits of its index) hashes, 2 on average, so one statement
// of the right size replaces a loop; more than maxHashRows (1 leaf in 16)
// take several.
const maxHashRows = 4

var sqlInsertHashes [maxHashRows + 1]string

func init() {
	for k := 1; k <= maxHashRows; k++ {
		sqlInsertHashes[k] = `INSERT INTO ledger_hashes (id, hash) VALUES (?, ?)` + strings.Repeat(`, (?, ?)`, k-1)
		hotStatements = append(hotStatements, sqlInsertHashes[k])
	}
	hotStatements = append(hotStatements, sqlInsertLeaf, sqlLedgerHash, sqlNextEntrySeq)
}

// appendLeaf appends data as the next leaf of the court's Merkle tree in tx,
// the transaction of the row it covers, and returns its index.
func appendLeaf(ctx context.Context, tx *wtx, data []byte) (int64, error) {
	// The driver watches a cancellable context with a goroutine per
	// statement, which costs more than these statements (see ImportCases).
	// The append is never left half done either way: a cancelled caller's
	// transaction or savepoint rolls back as a whole.
	ctx = context.WithoutCancel(ctx)
	var n int64
	if err := txGet(ctx, tx, &n, sqlInsertLeaf, data); err != nil {
		return -1, fmt.Errorf("ledger leaf: %w", err)
	}
	// The earlier hashes StoredHashes asks for (one per trailing 1 bit of
	// n: one on average) are read in this transaction.
	read := txHashReader(ctx, tx, nil)
	hashes, err := tlog.StoredHashes(n, data, read)
	if err != nil {
		return -1, err
	}
	id := tlog.StoredHashIndex(0, n)
	for len(hashes) > 0 {
		k := min(len(hashes), maxHashRows)
		args := make([]any, 0, 2*k)
		for i, h := range hashes[:k] {
			args = append(args, id+int64(i), h[:])
		}
		if _, err := txExec(ctx, tx, sqlInsertHashes[k], args...); err != nil {
			return -1, fmt.Errorf("ledger hashes from %d: %w", id, err)
		}
		hashes, id = hashes[k:], id+int64(k)
	}
	return n, nil
}

// txHashReader reads the stored hashes StoredHashes asks for in tx; those in
// pending (written by the caller but not yet inserted, by storage index)
// are taken from there.
func txHashReader(ctx context.Context, tx *wtx, pending map[int64]tlog.Hash) tlog.HashReader {
	return tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, id := range ix {
			if h, ok := pending[id]; ok {
				out[i] = h
				continue
			}
			var b []byte
			if err := txGet(ctx, tx, &b, sqlLedgerHash, id); err != nil {
				return nil, fmt.Errorf("ledger hash %d: %w", id, err)
			}
			if len(b) != tlog.HashSize {
				return nil, fmt.Errorf("ledger hash %d has %d bytes", id, len(b))
			}
			copy(out[i][:], b)
		}
		return out, nil
	})
}

// sqlNextLeaf is the index the next appendLeaf in the transaction takes.
// A row whose leaf data names the row's own id (an exhibit) is inserted
// first with "leaf_index = " + sqlNextLeaf and "RETURNING id, leaf_index";
// appendLeafAt then appends its leaf at exactly that index.
const sqlNextLeaf = `(SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves)`

// appendLeafAt appends data as the next leaf, which must get index want
// (the index the covering row recorded): anything else is an error that
// rolls the row back with it.
func appendLeafAt(ctx context.Context, tx *wtx, want int64, data []byte) error {
	got, err := appendLeaf(ctx, tx, data)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("ledger: leaf appended at %d, its row recorded %d", got, want)
	}
	return nil
}

// LedgerSize is the number of committed leaves.
func (db *DB) LedgerSize(ctx context.Context) (int64, error) {
	var n int64
	return n, db.get(ctx, &n, sqlLedgerSize)
}

// LedgerHashes returns the stored hashes at the given tlog storage indexes,
// in that order. An index not stored is an error: the caller asked about a
// tree larger than the one committed.
func (db *DB) LedgerHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	// One query for all (a proof at a million leaves needs about 40).
	q, args, err := inQuery(`SELECT id, hash FROM ledger_hashes WHERE id IN (?)`, indexes)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Hash []byte `db:"hash"`
	}
	if err := db.sel(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	byID := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		byID[r.ID] = r.Hash
	}
	for i, id := range indexes {
		b, ok := byID[id]
		if !ok || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("ledger hash %d is not stored", id)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// inQuery expands the one "IN (?)" of q to as many placeholders as ids.
func inQuery(q string, ids []int64) (string, []any, error) {
	if strings.Count(q, "(?)") != 1 {
		return "", nil, errors.New("inQuery: want exactly one (?)")
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.Replace(q, "(?)", "(?"+strings.Repeat(", ?", len(ids)-1)+")", 1), args, nil
}

// LatestCheckpoint returns the signed note of the largest stored
// checkpoint; ok is false when none is stored.
func (db *DB) LatestCheckpoint(ctx context.Context) (string, bool, error) {
	var note string
	err := db.get(ctx, &note, `SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1`)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return note, true, nil
}

// SaveCheckpoint stores a signed checkpoint of size leaves. A checkpoint of
// that size stored already is kept (Ed25519 signs deterministically: it is
// the same note).
func (db *DB) SaveCheckpoint(ctx context.Context, size int64, note string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `INSERT INTO ledger_checkpoints (size, note, signed_at) VALUES (?, ?, ?)
			ON CONFLICT (size) DO NOTHING`, size, note, db.Now().UTC())
		return err
	})
}

var _ ledger.Store = (*DB)(nil)

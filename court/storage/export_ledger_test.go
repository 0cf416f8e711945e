package storage

import (
	"context"

	"golang.org/x/mod/sumdb/tlog"
)

// AppendLeaves appends leaves in one transaction, as the rows they cover
// would (tests of the tree itself).
func (db *DB) AppendLeaves(ctx context.Context, leaves ...[]byte) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(tx *wtx) error {
		for _, l := range leaves {
			id, err := appendLeaf(ctx, tx, l)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

// FillLedger appends n leaves (leaf(i) for each) as fast as possible: the
// hashes are computed in memory and inserted in one transaction. It gives
// the proof benchmarks a large tree without a million appends; the tree is
// the same as appendLeaf would build (the tests compare roots).
func (db *DB) FillLedger(ctx context.Context, n int64, leaf func(i int64) []byte) error {
	return db.inTx(ctx, func(tx *wtx) error {
		var hs []tlog.Hash
		read := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(ix))
			for i, x := range ix {
				out[i] = hs[x]
			}
			return out, nil
		})
		leafSt, err := tx.PreparexContext(ctx, `INSERT INTO ledger_leaves (idx, data) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer leafSt.Close()
		hashSt, err := tx.PreparexContext(ctx, sqlInsertHashes[1])
		if err != nil {
			return err
		}
		defer hashSt.Close()
		for i := range n {
			data := leaf(i)
			add, err := tlog.StoredHashes(i, data, read)
			if err != nil {
				return err
			}
			if _, err := leafSt.ExecContext(ctx, i, data); err != nil {
				return err
			}
			for _, h := range add {
				if _, err := hashSt.ExecContext(ctx, int64(len(hs)), h[:]); err != nil {
					return err
				}
				hs = append(hs, h)
			}
		}
		return nil
	})
}

// AppendLeafAt appends in a transaction of its own the way a row that names
// its leaf first does: it reads sqlNextLeaf, then calls appendLeafAt with
// want (the index read, when want < 0).
func (db *DB) AppendLeafAt(ctx context.Context, want int64, data []byte) (int64, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		if want < 0 {
			if err := txGet(ctx, tx, &want, `SELECT `+sqlNextLeaf); err != nil {
				return err
			}
		}
		return appendLeafAt(ctx, tx, want, data)
	})
	return want, err
}

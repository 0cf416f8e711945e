package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shangcheng-court/courtd/court/ledger"
)

// AuditLedger runs fn on one consistent snapshot of the ledger and the rows
// it covers (a read transaction: a court serving meanwhile does not change
// what the audit sees).
func (db *DB) AuditLedger(ctx context.Context, fn func(src ledger.AuditSource) error) error {
	tx, err := db.r.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(auditSource{tx})
}

type auditSource struct{ tx *sqlx.Tx }

// each runs q and calls scan for every row.
func (a auditSource) each(ctx context.Context, q string, scan func(*sqlx.Rows) error) error {
	rows, err := a.tx.QueryxContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (a auditSource) Leaves(ctx context.Context, fn func(int64, []byte) error) error {
	return a.each(ctx, `SELECT idx, data FROM ledger_leaves ORDER BY idx`, func(r *sqlx.Rows) error {
		var idx int64
		var data []byte
		if err := r.Scan(&idx, &data); err != nil {
			return err
		}
		return fn(idx, data)
	})
}

func (a auditSource) StoredHashes(ctx context.Context, fn func(int64, []byte) error) error {
	return a.each(ctx, `SELECT id, hash FROM ledger_hashes ORDER BY id`, func(r *sqlx.Rows) error {
		var id int64
		var h []byte
		if err := r.Scan(&id, &h); err != nil {
			return err
		}
		return fn(id, h)
	})
}

func (a auditSource) CheckpointNotes(ctx context.Context) ([]string, error) {
	var notes []string
	return notes, a.tx.SelectContext(ctx, &notes, `SELECT note FROM ledger_checkpoints ORDER BY size`)
}

func (a auditSource) Entries(ctx context.Context, fn func(ledger.Entry, *int64) error) error {
	return a.each(ctx, `SELECT case_id, seq, actor_id, actor_role, kind, public, text, data, at, leaf_index
		FROM docket_entries ORDER BY id`, func(r *sqlx.Rows) error {
		var e ledger.Entry
		var leaf *int64
		var at time.Time
		if err := r.Scan(&e.CaseID, &e.Seq, &e.ActorID, &e.ActorRole, &e.Kind, &e.Public, &e.Text, &e.Data, &at, &leaf); err != nil {
			return err
		}
		e.At = at
		return fn(e, leaf)
	})
}

func (a auditSource) Exhibits(ctx context.Context, fn func(ledger.AuditExhibit) error) (bool, error) {
	var n int
	if err := a.tx.GetContext(ctx, &n, a.tx.Rebind(tableExistsSQL), "exhibits"); err != nil || n == 0 {
		return false, err
	}
	return true, a.each(ctx, `SELECT id, case_id, sha256, size, leaf_index FROM exhibits ORDER BY id`, func(r *sqlx.Rows) error {
		var x ledger.AuditExhibit
		if err := r.Scan(&x.ID, &x.CaseID, &x.SHA256, &x.Size, &x.LeafIndex); err != nil {
			return err
		}
		return fn(x)
	})
}

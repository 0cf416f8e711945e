package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Draft is a filing its owner has begun and not completed (see
// court.Filing.CheckDraft). It is not a case: no docket, no merchant.
type Draft struct {
	ID        int64        `db:"id" json:"id"`
	OwnerID   int64        `db:"owner_id" json:"-"`
	DataJSON  string       `db:"data" json:"-"`
	Filing    court.Filing `db:"-" json:"filing"`
	CreatedAt time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt time.Time    `db:"updated_at" json:"updated_at"`
}

// MaxDrafts bounds how many drafts one user keeps.
const MaxDrafts = 50

func (d *Draft) decode() error { return json.Unmarshal([]byte(d.DataJSON), &d.Filing) }

// SaveDraft stores f as a new draft of owner (id 0) or as the new content of
// owner's draft id. Errors: ENOTFOUND for a draft that is not owner's;
// ECONFLICT err.too_many_drafts beyond MaxDrafts.
func (db *DB) SaveDraft(ctx context.Context, owner, id int64, f court.Filing) (*Draft, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		if id == 0 {
			var n int
			if err := txGet(ctx, tx, &n, `SELECT COUNT(*) FROM filing_drafts WHERE owner_id = ?`, owner); err != nil {
				return err
			}
			if n >= MaxDrafts {
				return court.Errorf(court.ECONFLICT, "err.too_many_drafts", "Max", MaxDrafts)
			}
			return txGet(ctx, tx, &id, `INSERT INTO filing_drafts (owner_id, data, created_at, updated_at)
				VALUES (?, ?, ?, ?) RETURNING id`, owner, string(b), now, now)
		}
		res, err := txExec(ctx, tx, `UPDATE filing_drafts SET data = ?, updated_at = ? WHERE id = ? AND owner_id = ?`,
			string(b), now, id, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.ErrNotFound()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var d Draft
	if err := db.w.GetContext(ctx, &d, `SELECT id, owner_id, data, created_at, updated_at FROM filing_drafts WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &d, d.decode()
}

// DraftOf returns owner's draft id; anyone else's is ENOTFOUND.
func (db *DB) DraftOf(ctx context.Context, owner, id int64) (*Draft, error) {
	var d Draft
	if err := db.get(ctx, &d, `SELECT id, owner_id, data, created_at, updated_at FROM filing_drafts
		WHERE id = ? AND owner_id = ?`, id, owner); err != nil {
		return nil, err
	}
	return &d, d.decode()
}

// Drafts returns owner's drafts, the most recently changed first.
func (db *DB) Drafts(ctx context.Context, owner int64) ([]Draft, error) {
	out := []Draft{}
	if err := db.sel(ctx, &out, `SELECT id, owner_id, data, created_at, updated_at FROM filing_drafts
		WHERE owner_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?`, owner, MaxDrafts); err != nil {
		return nil, err
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeleteDraft removes owner's draft id (ENOTFOUND if there is none).
func (db *DB) DeleteDraft(ctx context.Context, owner, id int64) error {
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := txExec(ctx, tx, `DELETE FROM filing_drafts WHERE id = ? AND owner_id = ?`, id, owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.ErrNotFound()
		}
		return nil
	})
}

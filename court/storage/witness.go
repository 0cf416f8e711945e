package storage

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// WitnessLink is a judge's one-time link for a witness to one hearing's
// room (only the hashes of its secrets are kept).
type WitnessLink struct {
	ID        int64      `db:"id"`
	HearingID int64      `db:"hearing_id"`
	Name      string     `db:"name"`
	CodeHash  string     `db:"code_hash"`
	ClaimHash *string    `db:"claim_hash"`
	CreatedBy int64      `db:"created_by"`
	CreatedAt time.Time  `db:"created_at"`
	ClaimedAt *time.Time `db:"claimed_at"`
}

const witnessColumns = `id, hearing_id, name, code_hash, claim_hash, created_by, created_at, claimed_at`

// CreateWitnessLink stores a witness link for hearing h with its docket
// entries, and returns its id.
func (db *DB) CreateWitnessLink(ctx context.Context, h *court.Hearing, l WitnessLink, r Record) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx *wtx) error {
		res, err := txExec(ctx, tx, `INSERT INTO hearing_witness_links (hearing_id, name, code_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			h.ID, l.Name, l.CodeHash, l.CreatedBy, l.CreatedAt)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return db.record(ctx, tx, h.CaseID, r)
	})
	return id, err
}

// ClaimWitnessLink finds the link whose code hashes to codeHash and binds
// it to the browser holding the claim that hashes to claimHash: the first
// claim wins, and only it is accepted afterwards. Errors: ENOTFOUND for no
// such link; ECONFLICT (err.witness_link_used) for another browser's claim.
func (db *DB) ClaimWitnessLink(ctx context.Context, codeHash, claimHash string, at time.Time) (*WitnessLink, error) {
	var l WitnessLink
	err := db.inTx(ctx, func(tx *wtx) error {
		if err := txGet(ctx, tx, &l, `SELECT `+witnessColumns+` FROM hearing_witness_links WHERE code_hash = ?`, codeHash); err != nil {
			return err
		}
		if l.ClaimHash != nil {
			if *l.ClaimHash != claimHash {
				return court.Errorf(court.ECONFLICT, "err.witness_link_used")
			}
			return nil
		}
		l.ClaimHash, l.ClaimedAt = &claimHash, &at
		_, err := txExec(ctx, tx, `UPDATE hearing_witness_links SET claim_hash = ?, claimed_at = ? WHERE id = ? AND claim_hash IS NULL`,
			claimHash, at, l.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &l, nil
}

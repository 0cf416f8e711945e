package storage

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// FeeEvent is one event of a case's filing fee: a payment, a waiver or a
// reduction (see court/fees).
type FeeEvent struct {
	ID        int64     `db:"id" json:"id"`
	CaseID    int64     `db:"case_id" json:"case_id"`
	Kind      string    `db:"kind" json:"kind"`
	Provider  string    `db:"provider" json:"provider,omitempty"`
	Reference string    `db:"reference" json:"reference,omitempty"`
	Amount    court.Fen `db:"amount" json:"amount"`
	FeeBefore court.Fen `db:"fee_before" json:"fee_before"`
	Reason    string    `db:"reason" json:"reason,omitempty"`
	ActorID   int64     `db:"actor_id" json:"actor_id"`
	At        time.Time `db:"at" json:"at"`
}

// FeeChange is a fee event with what it does to the case: the fee and fee
// status after it, and the docket entries and notices that record it.
type FeeChange struct {
	Event     FeeEvent
	Status    court.CaseStatus // the case's state as the caller saw it
	NewFee    court.Fen
	NewStatus string // unpaid, paid or waived
	Entries   []Entry
	Notify    []Notice
}

// RecordFee applies a fee change to an unpaid fee in one transaction. It is
// ECONFLICT err.case_changed when the case moved, or its fee was settled or
// changed, since the caller read it; ECONFLICT on the reference field when
// the provider's reference already paid a fee.
func (db *DB) RecordFee(ctx context.Context, ch FeeChange) (*court.Case, error) {
	e := ch.Event
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		res, err := txExec(ctx, tx, `UPDATE cases SET fee = ?, fee_status = ?, updated_at = ?
			WHERE id = ? AND status = ? AND fee_status = 'unpaid' AND fee = ?`,
			ch.NewFee, ch.NewStatus, now, e.CaseID, ch.Status, e.FeeBefore)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.Errorf(court.ECONFLICT, "err.case_changed")
		}
		_, err = txExec(ctx, tx, `INSERT INTO fee_events
			(case_id, kind, provider, reference, amount, fee_before, reason, actor_id, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.CaseID, e.Kind, e.Provider, e.Reference, e.Amount, e.FeeBefore, e.Reason, e.ActorID, now)
		if _, ok := uniqueViolation(err); ok {
			return &court.Error{Code: court.ECONFLICT, Msg: court.Msg("err.fee_reference_used"),
				Fields: map[string]court.Message{"reference": court.Msg("err.fee_reference_used")}}
		}
		if err != nil {
			return err
		}
		return entriesAndNotices(ctx, tx, e.CaseID, ch.Entries, ch.Notify, now)
	})
	if err != nil {
		return nil, err
	}
	return db.CaseByIDWriter(ctx, e.CaseID)
}

// FeeEvents returns the fee events of a case, oldest first.
func (db *DB) FeeEvents(ctx context.Context, caseID int64) ([]FeeEvent, error) {
	out := []FeeEvent{}
	return out, db.sel(ctx, &out, `SELECT id, case_id, kind, provider, reference, amount, fee_before, reason, actor_id, at
		FROM fee_events WHERE case_id = ? ORDER BY id`, caseID)
}

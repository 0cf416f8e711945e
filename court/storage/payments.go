package storage

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Payment is a row of payments (migration 00013): one payment the paying
// side says it made towards one order of a signed document.
type Payment struct {
	ID         int64      `db:"id" json:"id"`
	CaseID     int64      `db:"case_id" json:"case_id"`
	RulingID   int64      `db:"ruling_id" json:"ruling_id"`
	Seq        int        `db:"seq" json:"seq"`
	Amount     court.Fen  `db:"amount" json:"amount"`
	Method     string     `db:"method" json:"method"`
	Reference  string     `db:"reference" json:"reference"`
	PaidOn     string     `db:"paid_on" json:"paid_on"`
	ExhibitID  *int64     `db:"exhibit_id" json:"exhibit_id,omitempty"`
	Note       string     `db:"note" json:"note,omitempty"`
	Status     string     `db:"status" json:"status"` // recorded, confirmed or disputed
	Reason     string     `db:"reason" json:"reason,omitempty"`
	RecordedBy int64      `db:"recorded_by" json:"recorded_by"`
	DecidedBy  *int64     `db:"decided_by" json:"decided_by,omitempty"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	DecidedAt  *time.Time `db:"decided_at" json:"decided_at,omitempty"`
}

const paymentColumns = `id, case_id, ruling_id, seq, amount, method, reference, paid_on, exhibit_id, note, status, reason,
	recorded_by, decided_by, created_at, decided_at`

// CaseOrder is an order of a case's signed document with what was paid
// towards it: Paid counts recorded and confirmed payments (not disputed
// ones), Confirmed only those the payee confirmed.
type CaseOrder struct {
	RulingOrder
	Kind      string    `db:"kind" json:"kind"` // judgment or mediation
	Number    string    `db:"number" json:"number"`
	Paid      court.Fen `db:"paid" json:"paid"`
	Confirmed court.Fen `db:"confirmed" json:"confirmed"`
}

// caseOrdersSQL selects the orders of a case's signed documents with their
// sums, document by document.
const caseOrdersSQL = `SELECT o.ruling_id, o.seq, o.payer, o.payee, o.amount, o.due_days, o.due_at, o.what, r.kind, r.number,
	(SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.ruling_id = o.ruling_id AND p.seq = o.seq
		AND p.status IN ('recorded', 'confirmed')) AS paid,
	(SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.ruling_id = o.ruling_id AND p.seq = o.seq
		AND p.status = 'confirmed') AS confirmed
	FROM ruling_orders o JOIN rulings r ON r.id = o.ruling_id
	WHERE r.case_id = ? AND r.status = 'signed' ORDER BY o.ruling_id, o.seq`

// CaseOrders returns the orders of case caseID's signed documents with the
// sums paid and confirmed.
func (db *DB) CaseOrders(ctx context.Context, caseID int64) ([]CaseOrder, error) {
	os := []CaseOrder{}
	return os, db.sel(ctx, &os, caseOrdersSQL, caseID)
}

// CasePayments returns the payments of a case, oldest first.
func (db *DB) CasePayments(ctx context.Context, caseID int64) ([]Payment, error) {
	ps := []Payment{}
	return ps, db.sel(ctx, &ps, `SELECT `+paymentColumns+` FROM payments WHERE case_id = ? ORDER BY id`, caseID)
}

// NewPayment is a payment to record, with its docket entries and notices.
type NewPayment struct {
	Payment Payment // ID, Status and the decision fields are ignored
	Entries []Entry
	Notices []Notice
}

// RecordPayment records a payment in one transaction. The order must be one
// of the case's signed documents and the case in one of states. The sum of
// the order's recorded and confirmed payments may not exceed its amount:
// ECONFLICT payment.err_overpaid (with the amount still open) otherwise,
// also when two payments race.
func (db *DB) RecordPayment(ctx context.Context, np NewPayment, states []court.CaseStatus) (*Payment, error) {
	p := np.Payment
	var id int64
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		var status court.CaseStatus
		if err := txGet(ctx, tx, &status, `SELECT status FROM cases WHERE id = ?`, p.CaseID); err != nil {
			return err
		}
		if !slices.Contains(states, status) {
			return court.Errorf(court.ECONFLICT, "payment.err_state")
		}
		var o struct {
			Amount court.Fen `db:"amount"`
			Paid   court.Fen `db:"paid"`
		}
		err := txGet(ctx, tx, &o, `SELECT o.amount, (SELECT COALESCE(SUM(p.amount), 0) FROM payments p
			WHERE p.ruling_id = o.ruling_id AND p.seq = o.seq AND p.status IN ('recorded', 'confirmed')) AS paid
			FROM ruling_orders o JOIN rulings r ON r.id = o.ruling_id
			WHERE o.ruling_id = ? AND o.seq = ? AND r.case_id = ? AND r.status = 'signed'`, p.RulingID, p.Seq, p.CaseID)
		if err != nil {
			return err
		}
		if open := o.Amount - o.Paid; p.Amount > open {
			return &court.Error{Code: court.ECONFLICT, Msg: court.Msg("payment.err_overpaid", "Open", open.String()),
				Fields: map[string]court.Message{"amount": court.Msg("payment.err_overpaid", "Open", open.String())}}
		}
		if err := txGet(ctx, tx, &id, `INSERT INTO payments (case_id, ruling_id, seq, amount, method, reference, paid_on,
			exhibit_id, note, status, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'recorded', ?, ?) RETURNING id`,
			p.CaseID, p.RulingID, p.Seq, p.Amount, p.Method, p.Reference, p.PaidOn, p.ExhibitID, p.Note, p.RecordedBy, now); err != nil {
			return err
		}
		return entriesAndNotices(ctx, tx, p.CaseID, np.Entries, np.Notices, now)
	})
	if err != nil {
		return nil, err
	}
	return db.paymentWriter(ctx, id)
}

func (db *DB) paymentWriter(ctx context.Context, id int64) (*Payment, error) {
	var p Payment
	if err := db.w.GetContext(ctx, &p, `SELECT `+paymentColumns+` FROM payments WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &p, nil
}

// Decision is the payee's word on a recorded payment.
type Decision struct {
	CaseID, PaymentID int64
	Status            string // confirmed or disputed
	Reason            string
	By                int64
	Entries           []Entry
	Notices           []Notice
	// Close, called after a confirmation when every order of the case is
	// paid in full and confirmed, returns the case's closing change for the
	// case as it is in the transaction, or nil to leave it open.
	Close func(c *court.Case) *Change
}

// DecidePayment records d in one transaction. A payment no longer
// recorded (decided before, or by a concurrent request) is ECONFLICT
// payment.err_decided. closed reports whether the case was closed.
func (db *DB) DecidePayment(ctx context.Context, d Decision) (p *Payment, closed bool, err error) {
	err = db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		res, err := txExec(ctx, tx, `UPDATE payments SET status = ?, reason = ?, decided_by = ?, decided_at = ?
			WHERE id = ? AND case_id = ? AND status = 'recorded'`, d.Status, d.Reason, d.By, now, d.PaymentID, d.CaseID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.Errorf(court.ECONFLICT, "payment.err_decided")
		}
		if err := entriesAndNotices(ctx, tx, d.CaseID, d.Entries, d.Notices, now); err != nil {
			return err
		}
		if d.Status != "confirmed" || d.Close == nil {
			return nil
		}
		var open int
		if err := txGet(ctx, tx, &open, `SELECT COUNT(*) FROM ruling_orders o JOIN rulings r ON r.id = o.ruling_id
			WHERE r.case_id = ? AND r.status = 'signed' AND o.amount > (SELECT COALESCE(SUM(p.amount), 0) FROM payments p
			WHERE p.ruling_id = o.ruling_id AND p.seq = o.seq AND p.status = 'confirmed')`, d.CaseID); err != nil {
			return err
		}
		if open > 0 {
			return nil
		}
		var c court.Case
		if err := txGet(ctx, tx, &c, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, d.CaseID); err != nil {
			return err
		}
		ch := d.Close(&c)
		if ch == nil {
			return nil
		}
		closed = true
		return applyChange(ctx, tx, d.CaseID, *ch, now)
	})
	if err != nil {
		return nil, false, err
	}
	p, err = db.paymentWriter(ctx, d.PaymentID)
	return p, closed, err
}

// OverdueOrder is a case with an order whose deadline passed before it was
// paid in full and confirmed, and which was not flagged for it yet.
type OverdueOrder struct {
	CaseID int64     `db:"case_id"`
	Due    time.Time `db:"due"` // the earliest such deadline of the case
}

// KindPaymentOverdue is the deadline event of a case flagged for
// enforcement; KindEnforcementApplied that of the payee's application.
const (
	KindPaymentOverdue     = "payment_overdue"
	KindEnforcementApplied = "enforcement_applied"
)

// OverdueOrders returns up to limit cases in states with an order due
// before now and not paid in full and confirmed, that have no
// payment_overdue event yet, lowest id first.
func (db *DB) OverdueOrders(ctx context.Context, states []court.CaseStatus, now time.Time, limit int) ([]OverdueOrder, error) {
	out := []OverdueOrder{}
	if len(states) == 0 {
		return out, nil
	}
	q := `SELECT r.case_id, MIN(o.due_at) AS due FROM ruling_orders o JOIN rulings r ON r.id = o.ruling_id
		JOIN cases c ON c.id = r.case_id
		WHERE r.status = 'signed' AND o.due_at < ? AND c.status IN (?` + strings.Repeat(", ?", len(states)-1) + `)
		AND o.amount > (SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.ruling_id = o.ruling_id
			AND p.seq = o.seq AND p.status = 'confirmed')
		AND NOT EXISTS (SELECT 1 FROM deadline_events e WHERE e.case_id = r.case_id AND e.kind = ?)
		GROUP BY r.case_id ORDER BY r.case_id LIMIT ?`
	args := []any{now.UTC()}
	for _, s := range states {
		args = append(args, s)
	}
	args = append(args, KindPaymentOverdue, limit)
	var rows []struct {
		CaseID int64  `db:"case_id"`
		Due    string `db:"due"`
	}
	if err := db.sel(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	// MIN() loses the column's type in SQLite: the time comes back as text.
	for _, r := range rows {
		t, err := parseSQLiteTime(r.Due)
		if err != nil {
			return nil, err
		}
		out = append(out, OverdueOrder{CaseID: r.CaseID, Due: t.UTC()})
	}
	return out, nil
}

// CaseEvents returns which of the deadline event kinds a case has.
func (db *DB) CaseEvents(ctx context.Context, caseID int64, kinds ...string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	evs, err := db.DeadlineEvents(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		for _, k := range kinds {
			if e.Kind == k {
				out[k] = e.AppliedAt
			}
		}
	}
	return out, nil
}

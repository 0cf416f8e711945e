package storage

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

const answerColumns = `id, case_id, by_user, kind, admitted, defence, counterclaim, counterclaim_text, late,
	conversion, conversion_reason, created_at`

const offerColumns = `id, case_id, by_user, by_role, amount, terms, expires_at, status, counter_of, responded_by,
	responded_at, decided_by, decided_at, reason, created_at, claimant_answer, claimant_answered_by, claimant_answered_at,
	merchant_answer, merchant_answered_by, merchant_answered_at`

// AnswerCase stores the merchant's answer to case id together with the
// case's change (its move to answered, entries and notices), in one
// transaction. A second answer is ECONFLICT, as is a stale ch.From.
func (db *DB) AnswerCase(ctx context.Context, id int64, a court.Answer, ch Change) (*court.Case, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		if err := applyChange(ctx, tx, id, ch, now); err != nil {
			return err
		}
		_, err := txExec(ctx, tx, `INSERT INTO answers (case_id, by_user, kind, admitted, defence, counterclaim,
			counterclaim_text, late, conversion, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, a.ByID, a.Kind, a.Admitted, a.Defence, a.Counterclaim, a.CounterclaimText, a.Late, a.Conversion, now)
		if _, ok := uniqueViolation(err); ok {
			return court.Errorf(court.ECONFLICT, "answer.err_already")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.CaseByIDWriter(ctx, id)
}

// AnswerOf returns the answer to a case: ENOTFOUND when there is none.
func (db *DB) AnswerOf(ctx context.Context, caseID int64) (*court.Answer, error) {
	var a court.Answer
	if err := db.get(ctx, &a, `SELECT `+answerColumns+` FROM answers WHERE case_id = ?`, caseID); err != nil {
		return nil, err
	}
	return &a, nil
}

// DecideConversion records the judge's decision on a counterclaim's
// conversion (to ConversionDone or ConversionDeclined, with a reason)
// together with the case's change. It is ECONFLICT when the question is no
// longer pending.
func (db *DB) DecideConversion(ctx context.Context, id int64, to court.Conversion, reason string, ch Change) (*court.Case, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		res, err := txExec(ctx, tx, `UPDATE answers SET conversion = ?, conversion_reason = ? WHERE case_id = ? AND conversion = ?`,
			to, reason, id, court.ConversionPending)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.Errorf(court.ECONFLICT, "answer.err_no_conversion")
		}
		return applyChange(ctx, tx, id, ch, db.Now())
	})
	if err != nil {
		return nil, err
	}
	return db.CaseByIDWriter(ctx, id)
}

// Offers returns the settlement offers of a case, newest first, as stored
// (an open offer past its expiry is shown expired by Offer.StatusAt).
func (db *DB) Offers(ctx context.Context, caseID int64) ([]court.Offer, error) {
	offers := []court.Offer{}
	return offers, db.sel(ctx, &offers, `SELECT `+offerColumns+` FROM offers WHERE case_id = ? ORDER BY id DESC`, caseID)
}

// OfferByID returns an offer of a case: ENOTFOUND for an offer of another.
func (db *DB) OfferByID(ctx context.Context, caseID, offerID int64) (*court.Offer, error) {
	var o court.Offer
	if err := db.get(ctx, &o, `SELECT `+offerColumns+` FROM offers WHERE id = ? AND case_id = ?`, offerID, caseID); err != nil {
		return nil, err
	}
	return &o, nil
}

// OfferChange moves one offer of a case from one status to another: a
// party's answer (responded_*) or the judge's decision (decided_*).
type OfferChange struct {
	CaseID, OfferID int64
	From, To        court.OfferStatus
	By              int64
	Judge           bool   // the judge's decision rather than a party's answer
	Reason          string // why the judge declined
	// Unexpired refuses the change (ECONFLICT) when the offer has expired.
	Unexpired bool
}

// ChangeOffer applies oc together with the case's change in one
// transaction. It is ECONFLICT when the offer is no longer in oc.From, or
// has expired when oc.Unexpired.
func (db *DB) ChangeOffer(ctx context.Context, oc OfferChange, ch Change) (*court.Case, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		if err := changeOffer(ctx, tx, oc, now); err != nil {
			return err
		}
		return applyChange(ctx, tx, oc.CaseID, ch, now)
	})
	if err != nil {
		return nil, err
	}
	return db.CaseByIDWriter(ctx, oc.CaseID)
}

func changeOffer(ctx context.Context, tx *wtx, oc OfferChange, now time.Time) error {
	var o court.Offer
	if err := txGet(ctx, tx, &o, `SELECT `+offerColumns+` FROM offers WHERE id = ? AND case_id = ?`, oc.OfferID, oc.CaseID); err != nil {
		return err
	}
	if oc.Unexpired && o.StatusAt(now) == court.OfferExpired {
		return court.Errorf(court.ECONFLICT, "offer.err_expired")
	}
	if o.Status != oc.From {
		return court.Errorf(court.ECONFLICT, "offer.err_not_open")
	}
	q := `UPDATE offers SET status = ?, responded_by = ?, responded_at = ? WHERE id = ? AND status = ?`
	args := []any{oc.To, oc.By, now, oc.OfferID, oc.From}
	if oc.Judge {
		q = `UPDATE offers SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = ?`
		args = []any{oc.To, oc.By, now, oc.Reason, oc.OfferID, oc.From}
	}
	res, err := txExec(ctx, tx, q, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return court.Errorf(court.ECONFLICT, "offer.err_not_open")
	}
	return nil
}

// CreateOffer stores a new open offer on its case, with the case's change
// (ch, its entries and notices), in one transaction. Open offers past their
// expiry are marked expired first. counter, when not nil, marks the offer
// it answers countered in the same transaction. Another open offer, or one
// waiting for the judge, is ECONFLICT.
func (db *DB) CreateOffer(ctx context.Context, o court.Offer, counter *OfferChange, ch Change) (*court.Offer, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		var open []court.Offer
		if err := tx.SelectContext(ctx, &open, tx.Rebind(`SELECT `+offerColumns+` FROM offers WHERE case_id = ? AND status = ?`),
			o.CaseID, court.OfferOpen); err != nil {
			return err
		}
		for _, x := range open {
			if x.StatusAt(now) == court.OfferExpired {
				if _, err := txExec(ctx, tx, `UPDATE offers SET status = ? WHERE id = ? AND status = ?`,
					court.OfferExpired, x.ID, court.OfferOpen); err != nil {
					return err
				}
			}
		}
		if counter != nil {
			if err := changeOffer(ctx, tx, *counter, now); err != nil {
				return err
			}
		}
		o.Status, o.CreatedAt = court.OfferOpen, now
		err := txGet(ctx, tx, &o.ID, `INSERT INTO offers (case_id, by_user, by_role, amount, terms, expires_at, status,
			counter_of, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			o.CaseID, o.ByID, o.ByRole, o.Amount, o.Terms, o.ExpiresAt, o.Status, o.CounterOf, now)
		if _, ok := uniqueViolation(err); ok {
			return court.Errorf(court.ECONFLICT, "offer.err_one_open")
		}
		if err != nil {
			return err
		}
		for i := range ch.Entries {
			if ch.Entries[i].Data == nil {
				ch.Entries[i].Data = map[string]any{}
			}
			ch.Entries[i].Data["Offer"] = o.ID
		}
		return applyChange(ctx, tx, o.CaseID, ch, now)
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// ActiveUser returns an active user of the given role: ENOTFOUND for any
// other id.
func (db *DB) ActiveUser(ctx context.Context, id int64, role court.Role) (*court.User, error) {
	u, err := db.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Role != role || u.Status != court.StatusActive {
		return nil, court.ErrNotFound()
	}
	return u, nil
}

// Assignees lists the active users of a role, oldest first (the judges or
// mediators a clerk assigns).
func (db *DB) Assignees(ctx context.Context, role court.Role) ([]court.User, error) {
	users := []court.User{}
	return users, db.sel(ctx, &users, `SELECT `+userColumns+` FROM users WHERE role = ? AND status = 'active' ORDER BY id LIMIT 500`, role)
}

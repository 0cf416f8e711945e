package storage

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
)

// ProposalAnswer is one party's answer to a mediator's proposal.
type ProposalAnswer struct {
	CaseID, OfferID int64
	Side            court.Role // RoleClaimant or RoleMerchant
	By              int64
	Accept          bool
}

// AnswerProposal records a party's answer to an open mediator's proposal,
// with the case's change, in one transaction. The proposal is read inside
// the transaction, so two parties answering at once cannot both believe
// they were first: change gets the proposal as it stands after this answer
// (status OfferAccepted when both parties have now accepted, OfferRejected
// when this party rejected, else still OfferOpen) and returns the case's
// change (entries and notices) for that outcome. Errors: ENOTFOUND for a
// proposal not of this case (or a party's offer), ECONFLICT when it is no
// longer open, has expired or was withdrawn, or this side has answered it
// already.
func (db *DB) AnswerProposal(ctx context.Context, pa ProposalAnswer, change func(o *court.Offer) Change) (*court.Offer, error) {
	// The columns of each side: fixed names, never taken from input.
	var col string
	switch pa.Side {
	case court.RoleClaimant:
		col = "claimant"
	case court.RoleMerchant:
		col = "merchant"
	default:
		return nil, court.ErrForbidden()
	}
	var o court.Offer
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		if err := txGet(ctx, tx, &o, `SELECT `+offerColumns+` FROM offers WHERE id = ? AND case_id = ?`, pa.OfferID, pa.CaseID); err != nil {
			return err
		}
		if !o.IsProposal() {
			return court.ErrNotFound()
		}
		switch {
		case o.StatusAt(now) == court.OfferExpired:
			return court.Errorf(court.ECONFLICT, "offer.err_expired")
		case o.Status == court.OfferWithdrawn:
			return court.Errorf(court.ECONFLICT, "offer.err_proposal_withdrawn")
		case o.Status != court.OfferOpen:
			return court.Errorf(court.ECONFLICT, "offer.err_not_open")
		case o.AnswerOf(pa.Side) != court.AnswerNone:
			return court.Errorf(court.ECONFLICT, "offer.err_proposal_answered")
		}
		answer, other := court.AnswerRejected, court.RoleMerchant
		if pa.Side == court.RoleMerchant {
			other = court.RoleClaimant
		}
		if pa.Accept {
			answer = court.AnswerAccepted
		}
		status := court.OfferOpen
		switch {
		case !pa.Accept:
			status = court.OfferRejected
		case o.AnswerOf(other) == court.AnswerAccepted:
			status = court.OfferAccepted
		}
		// responded_* records the answer that settled the proposal's fate.
		q := `UPDATE offers SET status = ?, ` + col + `_answer = ?, ` + col + `_answered_by = ?, ` + col + `_answered_at = ?`
		args := []any{status, answer, pa.By, now}
		if status != court.OfferOpen {
			q += `, responded_by = ?, responded_at = ?`
			args = append(args, pa.By, now)
		}
		q += ` WHERE id = ? AND status = ? AND ` + col + `_answer = ''`
		args = append(args, o.ID, court.OfferOpen)
		res, err := txExec(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.Errorf(court.ECONFLICT, "offer.err_not_open")
		}
		by, at := pa.By, now
		if pa.Side == court.RoleClaimant {
			o.ClaimantAnswer, o.ClaimantAnsweredBy, o.ClaimantAnsweredAt = answer, &by, &at
		} else {
			o.MerchantAnswer, o.MerchantAnsweredBy, o.MerchantAnsweredAt = answer, &by, &at
		}
		if status != court.OfferOpen {
			o.RespondedBy, o.RespondedAt = &by, &at
		}
		o.Status = status
		return applyChange(ctx, tx, pa.CaseID, change(&o), now)
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

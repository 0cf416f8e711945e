package docket

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Docket entry and notice kinds of settlement.
const (
	EntryOffered           = "offered"
	EntryCountered         = "countered"
	EntryOfferAccepted     = "offer_accepted"
	EntryOfferRejected     = "offer_rejected"
	EntrySettled           = "settled"
	EntrySettlementRefused = "settlement_declined"

	NoticeOffered            = "offered"
	NoticeOfferAccepted      = "offer_accepted"
	NoticeOfferRejected      = "offer_rejected"
	NoticeSettleConfirm      = "settle_confirm"
	NoticeSettled            = "settled"
	NoticeSettlementDeclined = "settlement_declined"
)

// negotiable reports whether the parties may make and answer offers on a
// case in s: once served, until the case ends.
func negotiable(s court.CaseStatus) bool { return s == court.CaseServed || s == court.CaseAnswered }

// side is the side of the case u takes in a negotiation: RoleClaimant for
// the claimant (or whoever filed for them), RoleMerchant for the merchant's
// staff, "" for anyone else.
func side(u *court.User, c *court.Case) court.Role {
	switch {
	case isClaimantOf(u, c):
		return court.RoleClaimant
	case isMerchantOf(u, c):
		return court.RoleMerchant
	}
	return ""
}

// Offers returns the settlement offers of a case u may see, newest first,
// each with its status as of now (an open offer past its expiry is
// expired).
func (s *Service) Offers(ctx context.Context, u *court.User, id int64) ([]court.Offer, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	offers, err := s.DB.Offers(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	for i := range offers {
		offers[i].Status = offers[i].StatusAt(now)
	}
	return offers, nil
}

// notifyOther are the notices of kind to the side other than by.
func (s *Service) notifyOther(ctx context.Context, c *court.Case, by court.Role, kind string, data map[string]any) ([]storage.Notice, error) {
	if by == court.RoleMerchant {
		return claimantNotices(c, kind, data), nil
	}
	return s.merchantNotices(ctx, c, kind, data)
}

// MakeOffer is a party's settlement offer to the other. Only one offer of a
// case is open (or waiting for the judge) at a time. Errors: ENOTFOUND for
// a case u may not see, EFORBIDDEN for anyone but the parties, ECONFLICT when
// the case is not open to settlement or another offer is open, EINVALID
// with every field error.
func (s *Service) MakeOffer(ctx context.Context, u *court.User, id int64, t court.OfferTerms) (*court.Offer, error) {
	return s.offer(ctx, u, id, 0, t)
}

// Counter answers the open offer offerID with a new offer: the old one is
// countered, the new one open. Errors as MakeOffer, and EFORBIDDEN for the
// side that made the offer, ENOTFOUND for an offer not of this case,
// ECONFLICT for one no longer open or expired, or for a mediator's proposal
// the side has accepted already.
func (s *Service) Counter(ctx context.Context, u *court.User, id, offerID int64, t court.OfferTerms) (*court.Offer, error) {
	return s.offer(ctx, u, id, offerID, t)
}

func (s *Service) offer(ctx context.Context, u *court.User, id, counterOf int64, t court.OfferTerms) (*court.Offer, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	by := side(u, c)
	if by == "" {
		return nil, court.ErrForbidden()
	}
	var old *court.Offer
	if counterOf != 0 {
		if old, err = s.DB.OfferByID(ctx, id, counterOf); err != nil {
			return nil, err
		}
		if old.ByRole == by {
			return nil, court.ErrForbidden()
		}
	}
	var toMediator []storage.Notice
	if old != nil && old.IsProposal() {
		if toMediator, err = checkCounterProposal(c, old, by); err != nil {
			return nil, err
		}
	}
	if !negotiable(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_state")
	}
	now := s.Now()
	exp, err := t.Validate(c.Total, now)
	if err != nil {
		return nil, err
	}
	o := court.Offer{CaseID: id, ByID: u.ID, ByRole: by, Amount: t.Amount, Terms: t.Terms, ExpiresAt: exp}
	aid, role := actor(u)
	kind := EntryOffered
	var counter *storage.OfferChange
	if old != nil {
		kind = EntryCountered
		o.CounterOf = &old.ID
		counter = &storage.OfferChange{CaseID: id, OfferID: old.ID, From: court.OfferOpen, To: court.OfferCountered,
			By: u.ID, Unexpired: true}
	}
	data := map[string]any{"Amount": t.Amount.String(), "Expires": exp, "Side": string(by)}
	ns, err := s.notifyOther(ctx, c, by, NoticeOffered, map[string]any{"DocketNo": c.DocketNo, "Amount": t.Amount.String(), "Expires": exp})
	if err != nil {
		return nil, err
	}
	ch := storage.Change{From: c.Status, To: c.Status,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Text: t.Terms, Data: data}},
		Notify:  append(ns, toMediator...),
	}
	return s.DB.CreateOffer(ctx, o, counter, ch)
}

// RespondOffer is the other side's answer to an open offer: accept (it
// then waits for the judge's confirmation) or reject. An expired offer
// cannot be accepted. Errors: ENOTFOUND for a case u may not see or an
// offer not of it, EFORBIDDEN for anyone but the side the offer was made
// to, ECONFLICT for an offer no longer open or expired, or a case no
// longer open to settlement. A mediator's proposal is answered by each
// party (answerProposal).
func (s *Service) RespondOffer(ctx context.Context, u *court.User, id, offerID int64, accept bool) (*court.Case, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	o, err := s.DB.OfferByID(ctx, id, offerID)
	if err != nil {
		return nil, err
	}
	if o.IsProposal() { // each party answers a mediator's proposal on its own
		return s.answerProposal(ctx, u, c, o, accept)
	}
	by := side(u, c)
	if by == "" || by == o.ByRole {
		return nil, court.ErrForbidden()
	}
	if !negotiable(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_state")
	}
	aid, role := actor(u)
	to, kind, notice := court.OfferRejected, EntryOfferRejected, NoticeOfferRejected
	if accept {
		to, kind, notice = court.OfferAccepted, EntryOfferAccepted, NoticeOfferAccepted
	}
	data := map[string]any{"DocketNo": c.DocketNo, "Amount": o.Amount.String(), "Offer": o.ID}
	ns, err := s.notifyOther(ctx, c, by, notice, data)
	if err != nil {
		return nil, err
	}
	if accept {
		ns = append(ns, judgeNotice(c, NoticeSettleConfirm, data)...)
	}
	ch := storage.Change{From: c.Status, To: c.Status,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Data: data}},
		Notify:  ns,
	}
	return s.DB.ChangeOffer(ctx, storage.OfferChange{CaseID: id, OfferID: offerID, From: court.OfferOpen, To: to,
		By: u.ID, Unexpired: true}, ch)
}

// ConfirmSettlement is the assigned judge's decision on the accepted offer:
// confirm it (the case is settled for its amount, final) or decline it with
// a reason (the offer is declined by the court, the case goes on). Errors:
// ENOTFOUND for a case u may not see, EFORBIDDEN for anyone but its judge,
// ECONFLICT when no accepted offer waits, EINVALID for a decline without a
// reason.
func (s *Service) ConfirmSettlement(ctx context.Context, u *court.User, id int64, confirm bool, reason string) (*court.Case, error) {
	c, reason, err := s.judgeDecision(ctx, u, id, confirm, reason)
	if err != nil {
		return nil, err
	}
	offers, err := s.DB.Offers(ctx, id)
	if err != nil {
		return nil, err
	}
	var o *court.Offer
	for i := range offers {
		if offers[i].Status == court.OfferAccepted {
			o = &offers[i]
			break
		}
	}
	if o == nil {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_none_accepted")
	}
	to, status, kind, notice := c.Status, court.OfferDeclined, EntrySettlementRefused, NoticeSettlementDeclined
	if confirm {
		if to, err = court.Next(c.Status, court.ActSettle); err != nil {
			return nil, err
		}
		status, kind, notice = court.OfferConfirmed, EntrySettled, NoticeSettled
	} else if !negotiable(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_state")
	}
	aid, role := actor(u)
	data := map[string]any{"DocketNo": c.DocketNo, "Amount": o.Amount.String(), "Offer": o.ID, "Reason": reason}
	ch := storage.Change{From: c.Status, To: to,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Text: reason, Data: data}},
		Notify:  claimantNotices(c, notice, data),
	}
	ms, err := s.merchantNotices(ctx, c, notice, data)
	if err != nil {
		return nil, err
	}
	ch.Notify = append(ch.Notify, ms...)
	cs, err := s.DB.ChangeOffer(ctx, storage.OfferChange{CaseID: id, OfferID: o.ID, From: court.OfferAccepted, To: status,
		By: u.ID, Judge: true, Reason: reason}, ch)
	if err == nil && confirm && s.AfterSettle != nil {
		s.AfterSettle(ctx, u, cs)
	}
	return cs, err
}

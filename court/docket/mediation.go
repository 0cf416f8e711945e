package docket

import (
	"context"
	"errors"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Docket entry and notice kinds of mediation proposals. A party's counter
// to a proposal is an ordinary counter-offer (EntryCountered).
const (
	EntryProposed          = "proposed"
	EntryProposalAccepted  = "proposal_accepted" // one party accepted; the other has yet to answer
	EntryProposalAgreed    = "proposal_agreed"   // the second party accepted: it goes to the judge
	EntryProposalRejected  = "proposal_rejected"
	EntryProposalWithdrawn = "proposal_withdrawn"

	NoticeProposed          = "proposed"
	NoticeProposalAccepted  = "proposal_accepted"
	NoticeProposalAgreed    = "proposal_agreed"
	NoticeProposalRejected  = "proposal_rejected"
	NoticeProposalWithdrawn = "proposal_withdrawn"
	NoticeProposalCountered = "proposal_countered"
)

// isMediatorOf reports whether u is the mediator assigned to c.
func isMediatorOf(u *court.User, c *court.Case) bool {
	return u.Role == court.RoleMediator && c.MediatorID != nil && *c.MediatorID == u.ID
}

// mediatorNotice is a notice to the assigned mediator, if any.
func mediatorNotice(c *court.Case, kind string, data map[string]any) []storage.Notice {
	if c.MediatorID == nil {
		return nil
	}
	id := c.ID
	return []storage.Notice{{UserID: *c.MediatorID, CaseID: &id, Kind: kind, Data: data}}
}

// partiesNotices are notices of kind to both parties: the claimant (and
// whoever filed for them) and the merchant's active staff.
func (s *Service) partiesNotices(ctx context.Context, c *court.Case, kind string, data map[string]any) ([]storage.Notice, error) {
	ms, err := s.merchantNotices(ctx, c, kind, data)
	if err != nil {
		return nil, err
	}
	return append(claimantNotices(c, kind, data), ms...), nil
}

// Propose is the assigned mediator's proposal to both parties: amount,
// terms and last day as for an offer. It is open until both parties accept
// it (then it waits for the judge like an accepted offer), either rejects
// or counters it, the mediator withdraws it or it expires. Errors:
// ENOTFOUND for a case u may not see (a mediator not assigned to it),
// EFORBIDDEN for anyone but its mediator, ECONFLICT when the case is not
// open to settlement or another offer or proposal is open or waiting for
// the judge, EINVALID with every field error.
func (s *Service) Propose(ctx context.Context, u *court.User, id int64, t court.OfferTerms) (*court.Offer, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !isMediatorOf(u, c) {
		return nil, court.ErrForbidden()
	}
	if !negotiable(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_proposal_state")
	}
	now := s.Now()
	exp, err := t.Validate(c.Total, now)
	if err != nil {
		return nil, err
	}
	// The mediator waits for an open offer to be answered rather than
	// talking over it (storage enforces it too; this check says why).
	offers, err := s.DB.Offers(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, o := range offers {
		if st := o.StatusAt(now); st == court.OfferOpen || st == court.OfferAccepted {
			return nil, court.Errorf(court.ECONFLICT, "offer.err_proposal_busy")
		}
	}
	ns, err := s.partiesNotices(ctx, c, NoticeProposed, map[string]any{"DocketNo": c.DocketNo, "Amount": t.Amount.String(), "Expires": exp})
	if err != nil {
		return nil, err
	}
	aid, role := actor(u)
	o := court.Offer{CaseID: id, ByID: u.ID, ByRole: court.RoleMediator, Amount: t.Amount, Terms: t.Terms, ExpiresAt: exp}
	ch := storage.Change{From: c.Status, To: c.Status,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryProposed, Public: true, Text: t.Terms,
			Data: map[string]any{"Amount": t.Amount.String(), "Expires": exp}}},
		Notify: ns,
	}
	out, err := s.DB.CreateOffer(ctx, o, nil, ch)
	if ce := (*court.Error)(nil); errors.As(err, &ce) && ce.Msg.Key == "offer.err_one_open" {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_proposal_busy")
	}
	return out, err
}

// WithdrawProposal is the assigned mediator taking back an open proposal.
// Errors: ENOTFOUND for a case u may not see or an offer not of it,
// EFORBIDDEN for anyone but the case's mediator and for a party's offer,
// ECONFLICT for a proposal no longer open or expired, or a case no longer
// open to settlement.
func (s *Service) WithdrawProposal(ctx context.Context, u *court.User, id, offerID int64) (*court.Case, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	o, err := s.DB.OfferByID(ctx, id, offerID)
	if err != nil {
		return nil, err
	}
	if !isMediatorOf(u, c) || !o.IsProposal() {
		return nil, court.ErrForbidden()
	}
	if !negotiable(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_proposal_state")
	}
	data := map[string]any{"DocketNo": c.DocketNo, "Amount": o.Amount.String(), "Offer": o.ID}
	ns, err := s.partiesNotices(ctx, c, NoticeProposalWithdrawn, data)
	if err != nil {
		return nil, err
	}
	aid, role := actor(u)
	ch := storage.Change{From: c.Status, To: c.Status,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryProposalWithdrawn, Public: true, Data: data}},
		Notify:  ns,
	}
	return s.DB.ChangeOffer(ctx, storage.OfferChange{CaseID: id, OfferID: offerID, From: court.OfferOpen,
		To: court.OfferWithdrawn, By: u.ID, Unexpired: true}, ch)
}

// answerProposal records a party's answer to the mediator's proposal o
// (RespondOffer on a proposal). An acceptance is recorded and waits for
// the other party; the second acceptance sends the proposal to the judge;
// a rejection ends it. Errors as RespondOffer, and ECONFLICT when u's side
// has answered it already.
func (s *Service) answerProposal(ctx context.Context, u *court.User, c *court.Case, o *court.Offer, accept bool) (*court.Case, error) {
	by := side(u, c)
	if by == "" {
		return nil, court.ErrForbidden()
	}
	if !negotiable(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_proposal_state")
	}
	// Who is told is known before the transaction; what they are told
	// depends on the other party's answer, read inside it.
	staff, err := s.DB.ActiveStaff(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	merchant := func(kind string, data map[string]any) []storage.Notice {
		return staffNotices(c, staff, kind, data)
	}
	other := func(kind string, data map[string]any) []storage.Notice {
		if by == court.RoleMerchant {
			return claimantNotices(c, kind, data)
		}
		return merchant(kind, data)
	}
	aid, role := actor(u)
	_, err = s.DB.AnswerProposal(ctx, storage.ProposalAnswer{CaseID: c.ID, OfferID: o.ID, Side: by, By: u.ID, Accept: accept},
		func(o *court.Offer) storage.Change {
			data := map[string]any{"DocketNo": c.DocketNo, "Amount": o.Amount.String(), "Offer": o.ID, "Side": string(by),
				"Expires": o.ExpiresAt}
			var kind string
			var ns []storage.Notice
			switch o.Status {
			case court.OfferRejected:
				kind = EntryProposalRejected
				ns = append(other(NoticeProposalRejected, data), mediatorNotice(c, NoticeProposalRejected, data)...)
			case court.OfferAccepted:
				kind = EntryProposalAgreed
				ns = append(claimantNotices(c, NoticeProposalAgreed, data), merchant(NoticeProposalAgreed, data)...)
				ns = append(ns, mediatorNotice(c, NoticeProposalAgreed, data)...)
				ns = append(ns, judgeNotice(c, NoticeSettleConfirm, data)...)
			default:
				kind = EntryProposalAccepted
				ns = append(other(NoticeProposalAccepted, data), mediatorNotice(c, NoticeProposalAccepted, data)...)
			}
			return storage.Change{From: c.Status, To: c.Status,
				Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Data: data}},
				Notify:  ns,
			}
		})
	if err != nil {
		return nil, err
	}
	return s.DB.CaseByIDWriter(ctx, c.ID)
}

// checkCounterProposal refuses a counter to the proposal old by a side
// that has accepted it already (it would take its word back) and returns
// the notice to the mediator that the proposal was countered.
func checkCounterProposal(c *court.Case, old *court.Offer, by court.Role) ([]storage.Notice, error) {
	if old.AnswerOf(by) != court.AnswerNone {
		return nil, court.Errorf(court.ECONFLICT, "offer.err_proposal_answered")
	}
	return mediatorNotice(c, NoticeProposalCountered, map[string]any{"DocketNo": c.DocketNo, "Amount": old.Amount.String(),
		"Side": string(by)}), nil
}

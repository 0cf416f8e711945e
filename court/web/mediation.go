package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// Mediation proposals: the assigned mediator's proposal to both parties is
// an offer (court/mediation.go), so it is listed, accepted, rejected and
// countered through the offer routes; only making and withdrawing one are
// routes of their own.

// mediationAPIRoutes registers the mediator's API (from answerAPIRoutes).
func (s *Server) mediationAPIRoutes(api fiber.Router) {
	api.Post("/cases/:id/proposals", s.apiRequireUser, s.apiPropose)
	api.Post("/cases/:id/offers/:offer/withdraw", s.apiRequireUser, s.apiWithdrawProposal)
}

// mediationPageRoutes registers the mediator's forms on the case page
// (from answerPageRoutes).
func (s *Server) mediationPageRoutes(pages fiber.Router) {
	pages.Post("/cases/:id/proposals", s.requireUser, s.casePropose)
	pages.Post("/cases/:id/offers/:offer/withdraw", s.requireUser, s.caseWithdrawProposal)
}

func init() {
	for _, n := range []string{"proposed", "proposal_withdrawn", "proposal_accepted"} {
		noticeKeys[n] = true
	}
}

// apiPropose is the mediator's proposal: 201 with it.
func (s *Server) apiPropose(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req court.OfferTerms
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.dk.Propose(c.UserContext(), currentUser(c), id, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(o)
}

// apiWithdrawProposal takes a proposal back; it answers with the case.
func (s *Server) apiWithdrawProposal(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	offerID, err := apiOfferID(c)
	if err != nil {
		return err
	}
	cs, err := s.dk.WithdrawProposal(c.UserContext(), currentUser(c), id, offerID)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

func (s *Server) casePropose(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "amount", "terms", "expires")
		t, err := offerTerms(p)
		if err != nil {
			return "", err
		}
		_, err = s.dk.Propose(c.UserContext(), p.User, id, t)
		return "notice=proposed", err
	})
}

func (s *Server) caseWithdrawProposal(c *fiber.Ctx) error {
	offerID, err := pageOfferID(c)
	if err != nil {
		return err
	}
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		_, err := s.dk.WithdrawProposal(c.UserContext(), p.User, id, offerID)
		return "notice=proposal_withdrawn", err
	})
}

// acceptNotice is the notice after a party accepted offer offerID of case
// id: a proposal the other party has yet to accept waits for them, not for
// the judge.
func (s *Server) acceptNotice(c *fiber.Ctx, u *court.User, id, offerID int64) string {
	offers, err := s.dk.Offers(c.UserContext(), u, id)
	if err == nil {
		for _, o := range offers {
			if o.ID == offerID && o.IsProposal() && o.Status == court.OfferOpen {
				return "notice=proposal_accepted"
			}
		}
	}
	return "notice=offer_accepted"
}

// mediationView fills in, for the mediator's proposals among views, who
// may answer (each party once) and whether the viewer may withdraw it, and
// says whether the viewer may make a proposal and what the proposals ask
// of the viewer next (a message, or "").
func mediationView(p *page, cs *court.Case, views []offerView, side court.Role, negotiable, busy bool) (propose bool, step string) {
	u := p.User
	mediator := u.Role == court.RoleMediator && cs.MediatorID != nil && *cs.MediatorID == u.ID
	for i := range views {
		v := &views[i]
		if !v.IsProposal() {
			continue
		}
		open := negotiable && v.Status == court.OfferOpen
		v.Respond = open && side != "" && v.AnswerOf(side) == court.AnswerNone
		v.Withdraw = open && mediator
		if step != "" {
			continue
		}
		switch {
		case v.Respond:
			step = p.T("step.proposal_to_answer", "Amount", v.Amount.String(), "Expires", p.Date(v.ExpiresAt))
		case open && side != "":
			step = p.T("step.proposal_waiting_other", "Expires", p.Date(v.ExpiresAt))
		case open && mediator:
			step = p.T("step.proposal_mediator_waiting", "Expires", p.Date(v.ExpiresAt))
		case negotiable && mediator && v.Status == court.OfferAccepted:
			step = p.T("step.proposal_agreed_mediator", "Amount", v.Amount.String())
		}
	}
	propose = mediator && negotiable && !busy
	if propose && step == "" {
		step = p.T("step.mediator_propose")
	}
	return propose, step
}

// PartyAnswerName says how a party answered a mediator's proposal.
func (p *page) PartyAnswerName(a court.PartyAnswer) string {
	switch a {
	case court.AnswerAccepted:
		return p.T("offer.party_accepted")
	case court.AnswerRejected:
		return p.T("offer.party_rejected")
	}
	return p.T("offer.party_none")
}

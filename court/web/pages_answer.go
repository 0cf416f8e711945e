package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
)

// answerPageRoutes registers the answer, settlement and assignment pages:
// forms on the case page that post here and come back to it.
func (s *Server) answerPageRoutes(pages fiber.Router) {
	pages.Post("/cases/:id/answer", s.requireUser, s.caseAnswer)
	pages.Post("/cases/:id/offers", s.requireUser, s.caseOffer)
	pages.Post("/cases/:id/offers/:offer/accept", s.requireUser, s.caseRespondOffer(true))
	pages.Post("/cases/:id/offers/:offer/reject", s.requireUser, s.caseRespondOffer(false))
	pages.Post("/cases/:id/offers/:offer/counter", s.requireUser, s.caseCounterOffer)
	pages.Post("/cases/:id/confirm", s.requireUser, s.caseConfirm)
	pages.Post("/cases/:id/convert", s.requireUser, s.caseConvert)
	pages.Post("/cases/:id/assign", s.requireUser, s.caseAssign)
	s.mediationPageRoutes(pages)
}

func init() {
	for _, n := range []string{"answered", "offered", "offer_accepted", "offer_rejected", "offer_countered",
		"settlement_confirmed", "settlement_declined", "case_converted", "conversion_declined", "assigned"} {
		noticeKeys[n] = true
	}
}

// offerView is an offer as the case page shows it.
type offerView struct {
	court.Offer
	Mine, Respond bool // made by the viewer's side; the viewer may answer it
	Withdraw      bool // a mediator's proposal its mediator may take back
}

// settleActions says which answer, settlement and assignment forms the
// viewer gets; the service checks again.
type settleActions struct {
	Answer, Offer, Confirm, Convert, Assign bool
	Propose                                 bool         // the mediator's proposal form
	Accepted                                *court.Offer // the offer waiting for the judge
}

// Any reports whether there is a form to show.
func (a settleActions) Any() bool {
	return a.Answer || a.Offer || a.Confirm || a.Convert || a.Assign || a.Propose
}

// loadAnswer puts the answer, the offers and the viewer's forms of case c
// into the page.
func (s *Server) loadAnswer(c *fiber.Ctx, p *page, cs *court.Case) error {
	ctx := c.UserContext()
	u := p.User
	ans, err := s.dk.AnswerOf(ctx, u, cs.ID)
	if err != nil {
		return err
	}
	offers, err := s.dk.Offers(ctx, u, cs.ID)
	if err != nil {
		return err
	}
	side := court.Role("")
	switch {
	case isClaimantSide(u, cs) && (u.Role == court.RoleClaimant || u.Role == court.RoleStationAgent):
		side = court.RoleClaimant
	case u.Role == court.RoleMerchant:
		side = court.RoleMerchant
	}
	negotiable := cs.Status == court.CaseServed || cs.Status == court.CaseAnswered
	var a settleActions
	busy := false
	views := make([]offerView, 0, len(offers))
	for _, o := range offers {
		v := offerView{Offer: o, Mine: side != "" && o.ByRole == side}
		v.Respond = negotiable && side != "" && !v.Mine && o.Status == court.OfferOpen
		if o.Status == court.OfferOpen || o.Status == court.OfferAccepted {
			busy = true
		}
		if o.Status == court.OfferAccepted {
			a.Accepted = &offers[len(views)]
		}
		views = append(views, v)
	}
	mediationPropose, mediationStep := mediationView(p, cs, views, side, negotiable, busy)
	a.Propose = mediationPropose
	a.Answer = u.Role == court.RoleMerchant && cs.Status == court.CaseServed
	a.Offer = side != "" && negotiable && !busy
	judge := u.Role == court.RoleJudge && cs.JudgeID != nil && *cs.JudgeID == u.ID
	a.Confirm = judge && negotiable && a.Accepted != nil
	a.Convert = judge && !cs.Status.Final() && ans != nil && ans.Conversion == court.ConversionPending
	if (u.Role == court.RoleClerk || u.Role == court.RoleAdmin) && cs.AcceptedAt != nil && !cs.Status.Final() {
		a.Assign = true
		for _, r := range []court.Role{court.RoleJudge, court.RoleMediator} {
			users, err := s.dk.Assignable(ctx, u, r)
			if err != nil {
				return err
			}
			opts := make([]option, 0, len(users))
			for _, x := range users {
				opts = append(opts, option{strconv.FormatInt(x.ID, 10), x.DisplayName + " (" + x.Username + ")"})
			}
			p.Data["Assign_"+string(r)] = opts
		}
		if p.Form["judge_id"] == "" && cs.JudgeID != nil {
			p.Form["judge_id"] = strconv.FormatInt(*cs.JudgeID, 10)
		}
		if p.Form["mediator_id"] == "" && cs.MediatorID != nil {
			p.Form["mediator_id"] = strconv.FormatInt(*cs.MediatorID, 10)
		}
	}
	if p.Form["expires"] == "" {
		p.Form["expires"] = docket.Deadline(s.dk.Now().AddDate(0, 0, 7))
	}
	if p.Form["kind"] == "" {
		p.Form["kind"] = string(court.AnswerContest)
	}
	// The next step says what the offers and the counterclaim ask of the
	// viewer, when they ask something.
	if mediationStep != "" {
		p.Data["Step"] = mediationStep
	}
	for _, v := range views {
		switch {
		case v.IsProposal() && v.Status != court.OfferAccepted:
			continue // mediationView said what an open proposal asks
		case v.Respond:
			p.Data["Step"] = p.T("step.offer_to_answer", "Amount", v.Amount.String(), "Expires", p.Date(v.ExpiresAt))
		case v.Mine && v.Status == court.OfferOpen && negotiable:
			p.Data["Step"] = p.T("step.offer_waiting", "Expires", p.Date(v.ExpiresAt))
		case side != "" && v.Status == court.OfferAccepted && negotiable:
			p.Data["Step"] = p.T("step.offer_accepted", "Amount", v.Amount.String())
		default:
			continue
		}
		break
	}
	switch {
	case a.Confirm:
		p.Data["Step"] = p.T("step.judge_confirm", "Amount", a.Accepted.Amount.String())
	case a.Convert:
		p.Data["Step"] = p.T("step.judge_convert")
	}
	p.Data["Answer"] = ans
	p.Data["Offers"] = views
	p.Data["Settle"] = a
	p.Data["OfferMaxDays"] = court.OfferMaxDays
	return nil
}

// AnswerKindField is the select of answer kinds.
func (p *page) AnswerKindField() field {
	f := p.Field("kind", "select", "answer.field_kind", "required")
	for _, k := range court.AnswerKinds {
		f.Options = append(f.Options, option{string(k), p.T("answer_kind." + string(k))})
	}
	return f
}

// AssignField is a select of the users of role a clerk may assign.
func (p *page) AssignField(role string) field {
	f := p.Field(role+"_id", "select", "assign_field."+role, "required")
	f.Options, _ = p.Data["Assign_"+role].([]option)
	return f
}

// AnswerKindName and OfferStatusName translate stored values.
func (p *page) AnswerKindName(k court.AnswerKind) string { return p.T("answer_kind." + string(k)) }
func (p *page) OfferStatusName(s court.OfferStatus) string {
	return p.T("offer_status." + string(s))
}

// SideName names the side that made an offer.
func (p *page) SideName(r court.Role) string { return p.T("offer_side." + string(r)) }

// yuanField parses a form amount in yuan into fen, recording a field error.
func yuanField(v *court.Validator, p *page, name string) court.Fen {
	f, key := court.ParseYuan(p.Form[name])
	if key != "" {
		v.Fail(name, key)
	}
	return f
}

// renameField moves the message of field from to field to in an input
// error, so that it shows next to the form's own field.
func renameField(err error, from, to string) error {
	var ce *court.Error
	if errors.As(err, &ce) && ce.Fields != nil {
		if m, ok := ce.Fields[from]; ok {
			delete(ce.Fields, from)
			ce.Fields[to] = m
		}
	}
	return err
}

// offerTerms reads an offer form; amount in yuan.
func offerTerms(p *page) (court.OfferTerms, error) {
	var v court.Validator
	amt := yuanField(&v, p, "amount")
	t := court.OfferTerms{Amount: amt, Terms: p.Form["terms"], Expires: p.Form["expires"]}
	if err := v.Err(); err != nil {
		return t, err
	}
	return t, nil
}

func (s *Server) caseAnswer(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "kind", "admitted", "defence", "counterclaim", "counterclaim_text")
		a := court.Answer{Kind: court.AnswerKind(p.Form["kind"]), Defence: p.Form["defence"],
			Counterclaim: p.Form["counterclaim"] != "", CounterclaimText: p.Form["counterclaim_text"]}
		if a.Kind == court.AnswerAdmitPart {
			var v court.Validator
			a.Admitted = yuanField(&v, p, "admitted")
			if err := v.Err(); err != nil {
				return "", err
			}
		}
		_, err := s.dk.Answer(c.UserContext(), p.User, id, a)
		return "notice=answered", err
	})
}

func (s *Server) caseOffer(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "amount", "terms", "expires")
		t, err := offerTerms(p)
		if err != nil {
			return "", err
		}
		_, err = s.dk.MakeOffer(c.UserContext(), p.User, id, t)
		return "notice=offered", err
	})
}

// pageOfferID reads the :offer of an offer form's address.
func pageOfferID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("offer"), 10, 64)
	if err != nil || id <= 0 {
		return 0, court.ErrNotFound()
	}
	return id, nil
}

func (s *Server) caseCounterOffer(c *fiber.Ctx) error {
	offerID, err := pageOfferID(c)
	if err != nil {
		return err
	}
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "amount", "terms", "expires")
		t, err := offerTerms(p)
		if err != nil {
			return "", err
		}
		_, err = s.dk.Counter(c.UserContext(), p.User, id, offerID, t)
		return "notice=offer_countered", err
	})
}

func (s *Server) caseRespondOffer(accept bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		offerID, err := pageOfferID(c)
		if err != nil {
			return err
		}
		return s.caseAction(c, func(p *page, id int64) (string, error) {
			_, err := s.dk.RespondOffer(c.UserContext(), p.User, id, offerID, accept)
			if accept {
				if err != nil {
					return "", err
				}
				return s.acceptNotice(c, p.User, id, offerID), nil
			}
			return "notice=offer_rejected", err
		})
	}
}

func (s *Server) caseConfirm(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "confirm_reason")
		confirm := p.Form["decision"] == "confirm"
		if !confirm && p.Form["decision"] != "decline" {
			return "", invalidField("decision")
		}
		_, err := s.dk.ConfirmSettlement(c.UserContext(), p.User, id, confirm, p.Form["confirm_reason"])
		if confirm {
			return "notice=settlement_confirmed", renameField(err, "reason", "confirm_reason")
		}
		return "notice=settlement_declined", renameField(err, "reason", "confirm_reason")
	})
}

func (s *Server) caseConvert(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "convert_reason")
		convert := p.Form["decision"] == "convert"
		if !convert && p.Form["decision"] != "decline" {
			return "", invalidField("decision")
		}
		_, err := s.dk.DecideConversion(c.UserContext(), p.User, id, convert, p.Form["convert_reason"])
		if convert {
			return "notice=case_converted", renameField(err, "reason", "convert_reason")
		}
		return "notice=conversion_declined", renameField(err, "reason", "convert_reason")
	})
}

func (s *Server) caseAssign(c *fiber.Ctx) error {
	u := currentUser(c)
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return court.ErrNotFound()
	}
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "judge_id", "mediator_id")
		role, name := court.RoleJudge, "judge_id"
		if p.Form["judge_id"] == "" {
			role, name = court.RoleMediator, "mediator_id"
		}
		uid, err := strconv.ParseInt(p.Form[name], 10, 64)
		if err != nil || uid <= 0 {
			return "", invalidField(name)
		}
		_, err = s.dk.Assign(c.UserContext(), p.User, id, role, uid)
		return "notice=assigned", err
	})
}

// ConversionNote says where a counterclaim's conversion question stands.
func (p *page) ConversionNote(c court.Conversion) string {
	return p.T("answer_conversion." + string(c))
}

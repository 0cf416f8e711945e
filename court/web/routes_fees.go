package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/fees"
)

// The filing fee on the case page and over the API (docs/fees.md): anyone
// who sees a case sees its fee, what to pay and by when; clerks and admins
// record a payment, a waiver or a reduction.

func init() {
	noticeKeys["fee_recorded"] = true
}

// feeService is the configured fee service, or the counter provider on the
// server's database.
func (s *Server) feeService() *fees.Service {
	if s.cfg.Fees == nil {
		s.cfg.Fees = fees.New(s.db, s.dk.Now)
	}
	return s.cfg.Fees
}

// feeAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) feeAPIRoutes(api fiber.Router) {
	s.feeService() // before serving: no lazy write under concurrent requests
	api.Get("/cases/:id/fee", s.apiRequireUser, s.apiGetFee)
	api.Post("/cases/:id/fee", s.apiRequireUser, s.apiRecordFee)
	s.draftAPIRoutes(api)
}

// feePageRoutes adds the page routes of this part.
func (s *Server) feePageRoutes(pages fiber.Router) {
	pages.Post("/cases/:id/fee", s.requireUser, s.caseFee)
	s.villagerPageRoutes(pages)
	s.draftPageRoutes(pages)
}

// apiGetFee returns the fee status of a case: fee, status, due date, the
// reference to pay with and the fee events.
func (s *Server) apiGetFee(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	st, err := s.feeService().Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// apiRecordFee records a fee event: {"action": "paid"|"waived"|"reduced",
// ...}; 200 with the case.
func (s *Server) apiRecordFee(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req fees.Request
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cs, err := s.feeService().Record(c.UserContext(), currentUser(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

// loadFee puts the fee of cs into the case page: its status for everyone
// who sees the case, the forms for clerks and admins while it is open.
func (s *Server) loadFee(c *fiber.Ctx, p *page, cs *court.Case) error {
	st, err := s.feeService().StatusOf(c.UserContext(), cs)
	if err != nil {
		return err
	}
	p.Data["FeeStatus"] = st
	if st.Say.Key != "" {
		p.Data["FeeSay"] = p.T(st.Say.Key, argList(st.Say.Args)...)
	}
	staff := p.User.Role == court.RoleClerk || p.User.Role == court.RoleAdmin
	// How and by when to pay is for the claimant's side (and the clerk who
	// answers their questions); the merchant sees the fee and its history.
	p.Data["FeePayer"] = staff || isClaimantSide(p.User, cs)
	p.Data["FeeForms"] = staff && cs.FeeStatus == court.FeeUnpaid && court.FeeOpen(cs.Status)
	p.Data["FeeMost"] = (cs.Fee * court.MaxFeeReduction / 100).String()
	if _, ok := p.Form["fee_action"]; !ok {
		p.Form["fee_action"] = fees.ActPaid
	}
	return nil
}

// argList turns a message's arguments into the name, value pairs of p.T.
func argList(m map[string]any) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// feeFormFields maps the service's field names to the fee form's, which
// are prefixed so that they do not collide with the other forms of the
// case page (the review's reason, the offer's amount).
var feeFormFields = map[string]string{
	"action": "fee_action", "provider": "fee_action", "reference": "fee_reference", "amount": "fee_amount", "reason": "fee_reason",
}

// caseFee handles the clerk's fee form on the case page. The amount is
// typed in yuan: the amount received for a payment, the new fee for a
// reduction.
func (s *Server) caseFee(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		form := formValues(c, p, "fee_action", "fee_reference", "fee_amount", "fee_reason")
		req := fees.Request{Action: form["fee_action"], Reference: form["fee_reference"], Reason: form["fee_reason"]}
		if req.Action == fees.ActPaid || req.Action == fees.ActReduced {
			amount, key := court.ParseYuan(form["fee_amount"])
			if key != "" {
				return "", &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"),
					Fields: map[string]court.Message{"fee_amount": court.Msg(key)}}
			}
			req.Amount = amount
		}
		_, err := s.feeService().Record(c.UserContext(), p.User, id, req)
		var ce *court.Error
		if asCourtError(err, &ce) && len(ce.Fields) > 0 {
			fields := map[string]court.Message{}
			for k, m := range ce.Fields {
				if n, ok := feeFormFields[k]; ok {
					k = n
				}
				fields[k] = m
			}
			err = &court.Error{Code: ce.Code, Msg: ce.Msg, Fields: fields}
		}
		return "notice=fee_recorded#fee", err
	})
}

// FeeActionField is the choice of fee event on the clerk's form.
func (p *page) FeeActionField() field {
	f := p.Field("fee_action", "select", "fee.field_action", "required")
	for _, a := range []string{fees.ActPaid, fees.ActWaived, fees.ActReduced} {
		f.Options = append(f.Options, option{a, p.T("fee.action_" + a)})
	}
	return f
}

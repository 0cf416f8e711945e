package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/payments"
)

// Payment of what a ruling orders, and enforcement (issue 6): the paying
// side records payments, the receiving side confirms or disputes them, the
// payee applies for enforcement of an overdue order. The case page shows
// the orders with what is paid and what each party does next (the
// "payments_panel" template, filled by page.Payments).

// paymentsSvc is the payments service; a server built without one gets one
// on its database.
func (s *Server) paymentsSvc() *payments.Service {
	if s.cfg.Payments == nil {
		s.cfg.Payments = payments.New(s.db)
	}
	return s.cfg.Payments
}

// paymentAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) paymentAPIRoutes(api fiber.Router) {
	s.paymentsSvc()
	api.Get("/cases/:id/payments", s.apiRequireUser, s.apiPayments)
	api.Post("/cases/:id/payments", s.apiRequireUser, s.apiRecordPayment)
	api.Post("/cases/:id/payments/:payment/confirm", s.apiRequireUser, s.apiDecidePayment(true))
	api.Post("/cases/:id/payments/:payment/dispute", s.apiRequireUser, s.apiDecidePayment(false))
	api.Post("/cases/:id/enforcement", s.apiRequireUser, s.apiEnforcement)
}

// paymentPageRoutes adds the page routes of this part: the forms of the
// case page's payments panel.
func (s *Server) paymentPageRoutes(pages fiber.Router) {
	s.paymentsSvc()
	pages.Post("/cases/:id/payments", s.requireUser, s.recordPayment)
	pages.Post("/cases/:id/payments/:payment/confirm", s.requireUser, s.decidePayment(true))
	pages.Post("/cases/:id/payments/:payment/dispute", s.requireUser, s.decidePayment(false))
	pages.Post("/cases/:id/enforcement", s.requireUser, s.applyEnforcement)
}

func init() {
	for _, n := range []string{"payment_recorded", "payment_confirmed", "payment_disputed", "case_closed_paid", "enforcement_applied"} {
		noticeKeys[n] = true
	}
}

// paymentID reads the :payment parameter; anything but a positive integer
// is a payment that does not exist.
func paymentID(c *fiber.Ctx) (int64, error) {
	p := c.Params("payment")
	id, err := strconv.ParseInt(p, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != p {
		return 0, court.ErrNotFound()
	}
	return id, nil
}

// apiPaymentsView is the answer of GET /cases/:id/payments: the view with
// the next steps in the request's language.
func (s *Server) apiPaymentsView(c *fiber.Ctx, v *payments.View) error {
	steps := make([]string, len(v.Steps))
	for i, m := range v.Steps {
		steps[i] = s.cat.M(s.lang(c), m)
	}
	return c.JSON(fiber.Map{"case_id": v.Case.ID, "status": v.Case.Status, "side": v.Side, "orders": v.Orders,
		"payments": v.Payments, "flagged_at": v.Flagged, "enforcement_applied_at": v.Applied, "can_record": v.CanRecord,
		"can_apply": v.CanApply, "next_steps": steps})
}

func (s *Server) apiPayments(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	v, err := s.paymentsSvc().Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return s.apiPaymentsView(c, v)
}

func (s *Server) apiRecordPayment(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var in payments.Input
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.paymentsSvc().Record(c.UserContext(), currentUser(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

func (s *Server) apiDecidePayment(confirm bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := apiCaseID(c)
		if err != nil {
			return err
		}
		var req struct {
			Reason string `json:"reason"`
		}
		if len(c.Body()) > 0 {
			if err := decodeJSON(c, &req); err != nil {
				return err
			}
		}
		u := currentUser(c)
		// A malformed payment id is one that does not exist: the service
		// says so after checking that the case is visible and the user on
		// the receiving side, as for any other missing payment.
		pid, _ := paymentID(c)
		if confirm {
			p, closed, err := s.paymentsSvc().Confirm(c.UserContext(), u, id, pid)
			if err != nil {
				return err
			}
			return c.JSON(fiber.Map{"payment": p, "case_closed": closed})
		}
		p, err := s.paymentsSvc().Dispute(c.UserContext(), u, id, pid, req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"payment": p})
	}
}

func (s *Server) apiEnforcement(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req struct {
		Note string `json:"note"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	if err := s.paymentsSvc().ApplyForEnforcement(c.UserContext(), currentUser(c), id, req.Note); err != nil {
		return err
	}
	v, err := s.paymentsSvc().Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return s.apiPaymentsView(c, v)
}

// The page forms name their fields with a prefix, so that an error shows
// next to the right form on the case page (the offer form has an amount
// too).
var paymentFormFields = map[string]string{"order": "pay_order", "amount": "pay_amount", "method": "pay_method",
	"reference": "pay_reference", "paid_on": "pay_paid_on", "note": "pay_note", "exhibit_id": "pay_exhibit_id"}

func (s *Server) recordPayment(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "pay_order", "pay_amount", "pay_method", "pay_reference", "pay_paid_on", "pay_note", "pay_exhibit_id")
		var v court.Validator
		in := payments.Input{Order: p.Form["pay_order"], Amount: yuanField(&v, p, "pay_amount"), Method: p.Form["pay_method"],
			Reference: p.Form["pay_reference"], PaidOn: p.Form["pay_paid_on"], Note: p.Form["pay_note"]}
		if e := p.Form["pay_exhibit_id"]; e != "" {
			n, err := strconv.ParseInt(e, 10, 64)
			if v.Check(err == nil && n > 0, "pay_exhibit_id", "payment.err_exhibit") {
				in.ExhibitID = &n
			}
		}
		if err := v.Err(); err != nil {
			return "", err
		}
		_, err := s.paymentsSvc().Record(c.UserContext(), p.User, id, in)
		for from, to := range paymentFormFields {
			err = renameField(err, from, to)
		}
		return "notice=payment_recorded#payments", err
	})
}

func (s *Server) decidePayment(confirm bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return s.caseAction(c, func(p *page, id int64) (string, error) {
			pid, _ := paymentID(c) // 0 when malformed: not found, after the access checks
			if confirm {
				_, closed, err := s.paymentsSvc().Confirm(c.UserContext(), p.User, id, pid)
				if closed {
					return "notice=case_closed_paid#payments", err
				}
				return "notice=payment_confirmed#payments", err
			}
			formValues(c, p, "dispute_reason")
			_, err := s.paymentsSvc().Dispute(c.UserContext(), p.User, id, pid, p.Form["dispute_reason"])
			return "notice=payment_disputed#payments", renameField(err, "reason", "dispute_reason")
		})
	}
}

func (s *Server) applyEnforcement(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "enforce_note")
		err := s.paymentsSvc().ApplyForEnforcement(c.UserContext(), p.User, id, p.Form["enforce_note"])
		return "notice=enforcement_applied#payments", renameField(err, "note", "enforce_note")
	})
}

// paymentsPanel is what the case page's payments panel shows.
type paymentsPanel struct {
	*payments.View
	Steps []string // translated
}

// paymentsPanel returns case id's orders and payments as the page's user
// sees them, nil when the case has no signed orders (the panel is then left
// out) or on an error (the rest of the case page still shows).
func (s *Server) paymentsPanel(ctx context.Context, p *page, id int64) *paymentsPanel {
	if p.User == nil {
		return nil
	}
	v, err := s.paymentsSvc().Get(ctx, p.User, id)
	if err != nil || len(v.Orders) == 0 {
		return nil
	}
	out := &paymentsPanel{View: v}
	for _, m := range v.Steps {
		out.Steps = append(out.Steps, s.cat.M(p.Lang, m))
	}
	return out
}

// PaymentMethodField is the select of payment methods.
func (p *page) PaymentMethodField() field {
	f := p.Field("pay_method", "select", "payment.field_method", "required")
	for _, m := range payments.Methods {
		f.Options = append(f.Options, option{m, p.T("payment.method_" + m)})
	}
	return f
}

// PaymentOrderField is the select of the orders the user pays with
// something open.
func (p *page) PaymentOrderField(v *paymentsPanel) field {
	f := p.Field("pay_order", "select", "payment.field_order", "required")
	for _, o := range v.Orders {
		if o.Payer == v.Side && o.Open > 0 {
			f.Options = append(f.Options, option{o.OrderID, p.T("payment.order_option", "Seq", o.Seq, "What", o.What, "Open", o.Open.String())})
		}
	}
	return f
}

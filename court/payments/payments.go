// Package payments is the payment of what a signed ruling or mediation
// document orders, and enforcement when it is not paid (issue 6): the
// paying side records payments, the receiving side confirms or disputes
// them, an order not paid in full and confirmed by its deadline flags the
// case for enforcement once, the payee may apply for enforcement, and a case
// whose every order is paid and confirmed is closed.
package payments

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Docket entry kinds (messages "docket.<kind>") and notice kinds (messages
// "notice_kind.<kind>") of this part.
const (
	EntryRecorded      = "payment_recorded"
	EntryConfirmed     = "payment_confirmed"
	EntryDisputed      = "payment_disputed"
	EntryOverdue       = "payment_overdue"     // the case is flagged for enforcement
	EntryEnforcement   = "enforcement_applied" // the payee applied for enforcement
	EntryClosed        = "case_closed_paid"
	NoticeRecorded     = "payment_recorded"
	NoticeConfirmed    = "payment_confirmed"
	NoticeDisputed     = "payment_disputed"
	NoticeOverdue      = "payment_overdue"
	NoticeEnforcement  = "enforcement_applied"
	NoticeClosed       = "case_closed_paid"
	sideClaimant       = "claimant"
	sideRespondent     = "respondent"
	sideCourt          = "court"
	statusRecorded     = "recorded"
	statusConfirmed    = "confirmed"
	statusDisputed     = "disputed"
	maxReference       = 100
	maxNote            = 1000
	overdueBatch       = 200
	dateLayout         = "2006-01-02"
	maxPaymentsPerCase = 200 // a bound on hostile input: no real case has more
)

// Methods are the ways of paying, in display order.
var Methods = []string{"bank", "alipay_wechat", "cash", "other"}

// PayingStates are the states in which orders are paid: a ruled case, or a
// settled one with its mediation document.
var PayingStates = []court.CaseStatus{court.CaseRuled, court.CaseSettled}

// Service records payments and flags unpaid orders.
type Service struct {
	DB  *storage.DB
	Now func() time.Time
}

// New returns the service on db's clock (read at each call, so a test that
// moves the database's clock moves this one).
func New(db *storage.DB) *Service { return &Service{DB: db, Now: func() time.Time { return db.Now() }} }

// sideOf is u's side in case c: claimant (the claimant or whoever filed for
// them), respondent (the merchant's staff), court (clerks and admins, who
// receive what is ordered paid to the court), or "" (judges, mediators).
func sideOf(u *court.User, c *court.Case) string {
	switch u.Role {
	case court.RoleClaimant, court.RoleStationAgent:
		if c.ClaimantID == u.ID || c.FiledByID == u.ID {
			return sideClaimant
		}
	case court.RoleMerchant:
		if u.OrganizationID != nil && *u.OrganizationID == c.OrgID {
			return sideRespondent
		}
	case court.RoleClerk, court.RoleAdmin:
		return sideCourt
	}
	return ""
}

// OrderView is an order with what was paid towards it.
type OrderView struct {
	storage.CaseOrder
	OrderID     string    `json:"order"`       // names the order when recording a payment: "<ruling id>-<seq>"
	Open        court.Fen `json:"open"`        // what may still be recorded: amount - paid
	Outstanding court.Fen `json:"outstanding"` // not yet confirmed: amount - confirmed
	Overdue     bool      `json:"overdue"`     // the deadline passed with something outstanding
	DueDate     string    `json:"due_date"`    // the last day to pay, in the court's zone
}

// PaymentView is a payment as shown to one user.
type PaymentView struct {
	storage.Payment
	CanDecide bool `json:"can_decide"` // the user may confirm or dispute it
}

// View is a case's orders and payments as one user sees them, with what
// that user can do next.
type View struct {
	Case     *court.Case     `json:"-"`
	Side     string          `json:"side"`
	Orders   []OrderView     `json:"orders"`
	Payments []PaymentView   `json:"payments"`
	Flagged  *time.Time      `json:"flagged_at,omitempty"`             // flagged for enforcement
	Applied  *time.Time      `json:"enforcement_applied_at,omitempty"` // the payee applied
	Steps    []court.Message `json:"-"`
	// CanRecord: the user pays an order with something open; CanApply:
	// the user is owed an overdue order and has not applied yet.
	CanRecord bool `json:"can_record"`
	CanApply  bool `json:"can_apply"`
}

// Get returns the payments view of case id for u. Errors: ENOTFOUND for a
// case u may not see.
func (s *Service) Get(ctx context.Context, u *court.User, id int64) (*View, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, u, c)
}

func (s *Service) view(ctx context.Context, u *court.User, c *court.Case) (*View, error) {
	now := s.Now()
	orders, err := s.DB.CaseOrders(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	pays, err := s.DB.CasePayments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	evs, err := s.DB.CaseEvents(ctx, c.ID, storage.KindPaymentOverdue, storage.KindEnforcementApplied)
	if err != nil {
		return nil, err
	}
	v := &View{Case: c, Side: sideOf(u, c), Orders: make([]OrderView, len(orders)), Payments: make([]PaymentView, len(pays))}
	if t, ok := evs[storage.KindPaymentOverdue]; ok {
		v.Flagged = &t
	}
	if t, ok := evs[storage.KindEnforcementApplied]; ok {
		v.Applied = &t
	}
	paying := slices.Contains(PayingStates, c.Status)
	payee := map[string]string{}
	for i, o := range orders {
		ov := OrderView{CaseOrder: o, OrderID: orderID(o.RulingID, o.Seq), Open: o.Amount - o.Paid, Outstanding: o.Amount - o.Confirmed,
			DueDate: o.DueAt.In(court.Zone).Format(dateLayout)}
		ov.Overdue = ov.Outstanding > 0 && now.After(o.DueAt)
		v.Orders[i] = ov
		payee[ov.OrderID] = o.Payee
		if v.Side == "" || !paying {
			continue
		}
		switch {
		case o.Payer == v.Side && ov.Open > 0:
			v.CanRecord = true
			v.Steps = append(v.Steps, court.Msg("payment.step_pay", "Amount", ov.Open.String(), "Date", ov.DueDate, "What", o.What))
		case o.Payee == v.Side && ov.Overdue && v.Side != sideCourt:
			if v.Applied == nil {
				v.CanApply = true
				v.Steps = append(v.Steps, court.Msg("payment.step_enforce", "Amount", ov.Outstanding.String(), "Date", ov.DueDate))
			}
		case o.Payee == v.Side && ov.Outstanding > 0:
			v.Steps = append(v.Steps, court.Msg("payment.step_wait", "Amount", ov.Outstanding.String(), "Date", ov.DueDate))
		}
	}
	pending := false
	for i, p := range pays {
		pv := PaymentView{Payment: p}
		pv.CanDecide = paying && p.Status == statusRecorded && v.Side != "" && payee[orderID(p.RulingID, p.Seq)] == v.Side
		pending = pending || pv.CanDecide
		v.Payments[i] = pv
	}
	if pending {
		v.Steps = append([]court.Message{court.Msg("payment.step_confirm")}, v.Steps...)
	}
	if c.Status == court.CaseClosed && len(orders) > 0 {
		v.Steps = []court.Message{court.Msg("payment.step_closed")}
	}
	return v, nil
}

func orderID(rulingID int64, seq int) string { return fmt.Sprintf("%d-%d", rulingID, seq) }

// Input is a payment as the payer records it. Amount is in fen; PaidOn a
// court day YYYY-MM-DD, not in the future; ExhibitID an optional exhibit
// of the case as proof.
type Input struct {
	Order     string    `json:"order"` // "<ruling id>-<seq>", as OrderView.ID
	Amount    court.Fen `json:"amount"`
	Method    string    `json:"method"`
	Reference string    `json:"reference"`
	PaidOn    string    `json:"paid_on"`
	ExhibitID *int64    `json:"exhibit_id"`
	Note      string    `json:"note"`
}

// validate checks in against the case's orders and returns the order.
func (in *Input) validate(orders []storage.CaseOrder, today time.Time) (*storage.CaseOrder, error) {
	var v court.Validator
	var order *storage.CaseOrder
	for i := range orders {
		if orderID(orders[i].RulingID, orders[i].Seq) == in.Order {
			order = &orders[i]
		}
	}
	v.Check(order != nil, "order", "payment.err_order")
	v.Check(in.Amount > 0 && in.Amount <= court.MaxFen, "amount", "payment.err_amount")
	known := false
	for _, m := range Methods {
		known = known || in.Method == m
	}
	v.Check(known, "method", "payment.err_method")
	in.Reference = v.Text("reference", in.Reference, 0, maxReference, false)
	in.Note = v.Text("note", in.Note, 0, maxNote, true)
	if d, err := time.ParseInLocation(dateLayout, in.PaidOn, court.Zone); err != nil {
		v.Fail("paid_on", "err.date")
	} else if d.After(today) {
		v.Fail("paid_on", "err.date_future")
	}
	// Record checks that the exhibit is one of this case's.
	if in.ExhibitID != nil {
		v.Check(*in.ExhibitID > 0, "exhibit_id", "payment.err_exhibit")
	}
	return order, v.Err()
}

// Record records a payment by u towards one of case id's orders. Errors:
// ENOTFOUND for a case u may not see; EFORBIDDEN for anyone but the side
// the order names as payer; ECONFLICT when the case has no orders to pay
// (not ruled or settled, or closed), for a payment above what is still
// open (payment.err_overpaid) or too many payments; EINVALID with every
// field error.
func (s *Service) Record(ctx context.Context, u *court.User, id int64, in Input) (*storage.Payment, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, err
	}
	side := sideOf(u, c)
	if side != sideClaimant && side != sideRespondent {
		return nil, court.ErrForbidden()
	}
	orders, err := s.DB.CaseOrders(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(PayingStates, c.Status) || len(orders) == 0 {
		return nil, court.Errorf(court.ECONFLICT, "payment.err_state")
	}
	now := s.Now()
	o, err := in.validate(orders, now.In(court.Zone))
	if err != nil {
		return nil, err
	}
	// The proof, when given, is an exhibit of this case (uploaded first).
	if in.ExhibitID != nil {
		if _, err := s.DB.ExhibitByID(ctx, id, *in.ExhibitID); court.ErrorCode(err) == court.ENOTFOUND {
			var v court.Validator
			v.Fail("exhibit_id", "payment.err_exhibit")
			return nil, v.Err()
		} else if err != nil {
			return nil, err
		}
	}
	if o.Payer != side {
		return nil, court.ErrForbidden()
	}
	pays, err := s.DB.CasePayments(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(pays) >= maxPaymentsPerCase {
		return nil, court.Errorf(court.ECONFLICT, "payment.err_too_many", "Max", maxPaymentsPerCase)
	}
	aid := u.ID
	data := map[string]any{"DocketNo": c.DocketNo, "Amount": in.Amount.String(), "Seq": o.Seq, "Number": o.Number,
		"Reference": in.Reference, "PaidOn": in.PaidOn, "Method": in.Method}
	notices, err := s.sideNotices(ctx, c, o.Payee, NoticeRecorded, data)
	if err != nil {
		return nil, err
	}
	return s.DB.RecordPayment(ctx, storage.NewPayment{
		Payment: storage.Payment{CaseID: id, RulingID: o.RulingID, Seq: o.Seq, Amount: in.Amount, Method: in.Method,
			Reference: in.Reference, PaidOn: in.PaidOn, ExhibitID: in.ExhibitID, Note: in.Note, RecordedBy: u.ID},
		Entries: []storage.Entry{{ActorID: &aid, ActorRole: string(u.Role), Kind: EntryRecorded, Public: true, Text: in.Note, Data: data}},
		Notices: notices,
	}, PayingStates)
}

// Confirm is the payee's confirmation that payment pid of case id arrived;
// when it completes every order of the case, the case is closed. See
// decide for the errors.
func (s *Service) Confirm(ctx context.Context, u *court.User, id, pid int64) (*storage.Payment, bool, error) {
	return s.decide(ctx, u, id, pid, statusConfirmed, "")
}

// Dispute is the payee's word that payment pid did not arrive as recorded,
// with a reason (2 to 1000 characters). The payment no longer counts.
func (s *Service) Dispute(ctx context.Context, u *court.User, id, pid int64, reason string) (*storage.Payment, error) {
	p, _, err := s.decide(ctx, u, id, pid, statusDisputed, reason)
	return p, err
}

// decide records the payee's decision. Errors: ENOTFOUND for a case u may
// not see or a payment not of the case; EFORBIDDEN for anyone but the
// order's payee side (clerks and admins for the court); EINVALID for a
// dispute without a reason; ECONFLICT for a payment decided before or a
// case no longer paying.
func (s *Service) decide(ctx context.Context, u *court.User, id, pid int64, status, reason string) (*storage.Payment, bool, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, false, err
	}
	side := sideOf(u, c)
	if side == "" {
		return nil, false, court.ErrForbidden()
	}
	pays, err := s.DB.CasePayments(ctx, id)
	if err != nil {
		return nil, false, err
	}
	var p *storage.Payment
	for i := range pays {
		if pays[i].ID == pid {
			p = &pays[i]
		}
	}
	if p == nil {
		return nil, false, court.ErrNotFound()
	}
	orders, err := s.DB.CaseOrders(ctx, id)
	if err != nil {
		return nil, false, err
	}
	var o *storage.CaseOrder
	for i := range orders {
		if orders[i].RulingID == p.RulingID && orders[i].Seq == p.Seq {
			o = &orders[i]
		}
	}
	if o == nil || o.Payee != side {
		return nil, false, court.ErrForbidden()
	}
	if status == statusDisputed {
		var v court.Validator
		reason = v.Text("reason", reason, 2, maxNote, true)
		if err := v.Err(); err != nil {
			return nil, false, err
		}
	}
	if !slices.Contains(PayingStates, c.Status) {
		return nil, false, court.Errorf(court.ECONFLICT, "payment.err_state")
	}
	aid := u.ID
	data := map[string]any{"DocketNo": c.DocketNo, "Amount": p.Amount.String(), "Seq": p.Seq, "Number": o.Number,
		"Reference": p.Reference, "PaidOn": p.PaidOn}
	entry, notice := EntryConfirmed, NoticeConfirmed
	if status == statusDisputed {
		entry, notice = EntryDisputed, NoticeDisputed
	}
	notices, err := s.sideNotices(ctx, c, o.Payer, notice, data)
	if err != nil {
		return nil, false, err
	}
	everyone, err := s.everyone(ctx, c, NoticeClosed, map[string]any{"DocketNo": c.DocketNo})
	if err != nil {
		return nil, false, err
	}
	return s.DB.DecidePayment(ctx, storage.Decision{CaseID: id, PaymentID: pid, Status: status, Reason: reason, By: u.ID,
		Entries: []storage.Entry{{ActorID: &aid, ActorRole: string(u.Role), Kind: entry, Public: true, Text: reason, Data: data}},
		Notices: notices,
		Close: func(cur *court.Case) *storage.Change {
			to, err := court.Next(cur.Status, court.ActClose)
			if err != nil {
				return nil
			}
			return &storage.Change{From: cur.Status, To: to, Notify: everyone,
				Entries: []storage.Entry{{ActorRole: "system", Kind: EntryClosed, Public: true, Data: map[string]any{"DocketNo": c.DocketNo}}}}
		}})
}

// ApplyForEnforcement records the payee's application for enforcement of
// case id's overdue orders, once per case: a docket entry and a notice to
// every active clerk (and the judge). Errors: ENOTFOUND; EFORBIDDEN for
// anyone but a party; ECONFLICT when nothing owed to u's side is overdue
// or the application was made before.
func (s *Service) ApplyForEnforcement(ctx context.Context, u *court.User, id int64, note string) error {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return err
	}
	side := sideOf(u, c)
	if side != sideClaimant && side != sideRespondent {
		return court.ErrForbidden()
	}
	var v court.Validator
	note = v.Text("note", note, 0, maxNote, true)
	if err := v.Err(); err != nil {
		return err
	}
	view, err := s.view(ctx, u, c)
	if err != nil {
		return err
	}
	var owed court.Fen
	for _, o := range view.Orders {
		if o.Payee == side && o.Overdue {
			owed += o.Outstanding
		}
	}
	if !slices.Contains(PayingStates, c.Status) || owed == 0 {
		return court.Errorf(court.ECONFLICT, "payment.err_not_overdue")
	}
	clerks, err := s.DB.ActiveUsers(ctx, court.RoleClerk)
	if err != nil {
		return err
	}
	caseID, aid := c.ID, u.ID
	data := map[string]any{"DocketNo": c.DocketNo, "Amount": owed.String()}
	var notices []storage.Notice
	for _, uid := range unique(append(judgeOf(c), clerks...)) {
		notices = append(notices, storage.Notice{UserID: uid, CaseID: &caseID, Kind: NoticeEnforcement, Data: data})
	}
	ok, err := s.DB.ApplyExpiry(ctx, storage.Expiry{CaseID: id, Kind: storage.KindEnforcementApplied, Due: s.Now(),
		Build: func(cur *court.Case) ([]storage.Entry, []storage.Notice, bool) {
			if !slices.Contains(PayingStates, cur.Status) {
				return nil, nil, false
			}
			return []storage.Entry{{ActorID: &aid, ActorRole: string(u.Role), Kind: EntryEnforcement, Public: true, Text: note, Data: data}},
				notices, true
		}})
	if err != nil {
		return err
	}
	if !ok {
		return court.Errorf(court.ECONFLICT, "payment.err_enforcement_applied")
	}
	return nil
}

// Flagged is a case ApplyOverdue flagged for enforcement.
type Flagged struct {
	CaseID   int64
	DocketNo string
	Due      time.Time
}

// ApplyOverdue flags for enforcement every paying case with an order whose
// deadline passed before it was paid in full and confirmed: a public docket
// entry and notices to both parties and the judge, exactly once per case,
// also across restarts and concurrent runs (a deadline event
// payment_overdue records it in the same transaction). It returns what it
// flagged; an error stops it, leaving the rest to the next run.
func (s *Service) ApplyOverdue(ctx context.Context) ([]Flagged, error) {
	var done []Flagged
	for {
		now := s.Now()
		due, err := s.DB.OverdueOrders(ctx, PayingStates, now, overdueBatch)
		if err != nil {
			return done, err
		}
		n := 0
		for _, d := range due {
			c, err := s.DB.CaseByID(ctx, d.CaseID)
			if err != nil {
				return done, err
			}
			data := map[string]any{"DocketNo": c.DocketNo, "Due": d.Due.In(court.Zone).Format(dateLayout)}
			notices, err := s.everyone(ctx, c, NoticeOverdue, data)
			if err != nil {
				return done, err
			}
			ok, err := s.DB.ApplyExpiry(ctx, storage.Expiry{CaseID: d.CaseID, Kind: storage.KindPaymentOverdue, Due: d.Due,
				Build: func(cur *court.Case) ([]storage.Entry, []storage.Notice, bool) {
					if !slices.Contains(PayingStates, cur.Status) {
						return nil, nil, false
					}
					return []storage.Entry{{ActorRole: "system", Kind: EntryOverdue, Public: true, Data: data}}, notices, true
				}})
			if err != nil {
				return done, err
			}
			if ok {
				n++
				done = append(done, Flagged{CaseID: c.ID, DocketNo: c.DocketNo, Due: d.Due})
			}
		}
		if len(due) < overdueBatch || n == 0 {
			return done, nil
		}
	}
}

// sideNotices are notices to every user of side in case c: the claimant
// and whoever filed for them, the merchant's active staff, or the clerks.
func (s *Service) sideNotices(ctx context.Context, c *court.Case, side, kind string, data map[string]any) ([]storage.Notice, error) {
	var ids []int64
	var err error
	switch side {
	case sideClaimant:
		ids = []int64{c.ClaimantID, c.FiledByID}
	case sideRespondent:
		ids, err = s.DB.ActiveStaff(ctx, c.OrgID)
	case sideCourt:
		ids, err = s.DB.ActiveUsers(ctx, court.RoleClerk)
	}
	if err != nil {
		return nil, err
	}
	caseID := c.ID
	var ns []storage.Notice
	for _, id := range unique(ids) {
		ns = append(ns, storage.Notice{UserID: id, CaseID: &caseID, Kind: kind, Data: data})
	}
	return ns, nil
}

// everyone are notices to both parties and the judge.
func (s *Service) everyone(ctx context.Context, c *court.Case, kind string, data map[string]any) ([]storage.Notice, error) {
	a, err := s.sideNotices(ctx, c, sideClaimant, kind, data)
	if err != nil {
		return nil, err
	}
	b, err := s.sideNotices(ctx, c, sideRespondent, kind, data)
	if err != nil {
		return nil, err
	}
	ns := append(a, b...)
	if j := judgeOf(c); len(j) > 0 {
		caseID := c.ID
		ns = append(ns, storage.Notice{UserID: j[0], CaseID: &caseID, Kind: kind, Data: data})
	}
	return ns, nil
}

func judgeOf(c *court.Case) []int64 {
	if c.JudgeID == nil {
		return nil
	}
	return []int64{*c.JudgeID}
}

func unique(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

package fees

import (
	"context"
	"strings"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Docket entry and notice kinds of fee events ("docket.<kind>" and
// "notice_kind.<kind>" in the catalogs).
const (
	KindPaid    = "fee_paid"
	KindWaived  = "fee_waived"
	KindReduced = "fee_reduced"
)

// Actions of a Request.
const (
	ActPaid    = "paid"
	ActWaived  = "waived"
	ActReduced = "reduced"
)

// Request is one fee event a clerk records: a payment (provider, reference
// and amount), a waiver (reason) or a reduction (the new fee and reason).
type Request struct {
	Action    string    `json:"action"`
	Provider  string    `json:"provider"`  // paid: "counter" unless another is configured
	Reference string    `json:"reference"` // paid: receipt number or transfer serial
	Amount    court.Fen `json:"amount"`    // paid: the amount received; reduced: the new fee
	Reason    string    `json:"reason"`    // waived, reduced: why (the claimant's grounds)
}

// Service records fee events.
type Service struct {
	DB        *storage.DB
	Providers map[string]Provider
	Now       court.Clock
}

// New returns a Service with the counter provider and any others given.
func New(db *storage.DB, now court.Clock, more ...Provider) *Service {
	s := &Service{DB: db, Now: now, Providers: map[string]Provider{}}
	for _, p := range append([]Provider{Counter{Now: now}}, more...) {
		s.Providers[p.Name()] = p
	}
	return s
}

// caseFor returns case id when u may act on its fee: ENOTFOUND for a case
// u cannot see, EFORBIDDEN for anyone but clerks and admins, ECONFLICT
// err.fee_closed when the fee is settled or the case is not at a stage
// where it is paid.
func (s *Service) caseFor(ctx context.Context, u *court.User, id int64) (*court.Case, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !docket.CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return nil, court.ErrForbidden()
	}
	if c.FeeStatus != court.FeeUnpaid || !court.FeeOpen(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "err.fee_closed")
	}
	return c, nil
}

// Record applies a clerk's fee event to case id and returns the case.
// Errors: ENOTFOUND, EFORBIDDEN, ECONFLICT as caseFor; EINVALID with field
// errors (an amount that is not the fee due, a missing reason, a reduction
// of less than 30%); ECONFLICT on reference for a receipt already used.
func (s *Service) Record(ctx context.Context, u *court.User, id int64, r Request) (*court.Case, error) {
	var v court.Validator
	r.Action = strings.TrimSpace(r.Action)
	if r.Action != ActPaid && r.Action != ActWaived && r.Action != ActReduced {
		v.Fail("action", "err.invalid_choice")
		return nil, v.Err()
	}
	c, err := s.caseFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	ch := storage.FeeChange{Status: c.Status, NewFee: c.Fee,
		Event: storage.FeeEvent{CaseID: c.ID, Kind: r.Action, FeeBefore: c.Fee, ActorID: u.ID}}
	data := map[string]any{"Fee": c.Fee.String()}
	var kind string
	switch r.Action {
	case ActPaid:
		name := r.Provider
		if name == "" {
			name = CounterName
		}
		p, ok := s.Providers[name]
		if !ok {
			v.Fail("provider", "err.invalid_choice")
			return nil, v.Err()
		}
		rc, err := p.Confirm(ctx, c, Proof{Reference: r.Reference, Amount: r.Amount})
		if err != nil {
			return nil, err
		}
		// The fee is paid in full or not at all: a part payment is not
		// recorded, so the claimant is never told "paid" for less.
		if rc.Amount != c.Fee {
			v.Fail("amount", "err.fee_amount", "Fee", c.Fee.String())
			return nil, v.Err()
		}
		ch.NewStatus = court.FeePaid
		ch.Event.Provider, ch.Event.Reference, ch.Event.Amount = name, rc.Reference, rc.Amount
		data["Provider"], data["Reference"] = name, rc.Reference
		kind = KindPaid
	case ActWaived:
		ch.Event.Reason = v.Text("reason", r.Reason, 2, 1000, true)
		if err := v.Err(); err != nil {
			return nil, err
		}
		ch.NewStatus, ch.NewFee = court.FeeWaived, 0
		kind = KindWaived
	case ActReduced:
		ch.Event.Reason = v.Text("reason", r.Reason, 2, 1000, true)
		most := c.Fee * court.MaxFeeReduction / 100
		v.Check(r.Amount > 0 && r.Amount <= most, "amount", "err.fee_reduction", "Most", most.String(), "Fee", c.Fee.String())
		if err := v.Err(); err != nil {
			return nil, err
		}
		// A reduced fee is still to be paid: the status stays unpaid.
		ch.NewStatus, ch.NewFee = court.FeeUnpaid, r.Amount
		ch.Event.Amount = r.Amount
		data["NewFee"] = r.Amount.String()
		kind = KindReduced
	}
	aid := u.ID
	caseID := c.ID
	ch.Entries = []storage.Entry{{ActorID: &aid, ActorRole: string(u.Role), Kind: kind, Public: true,
		Text: ch.Event.Reason, Data: data}}
	// The claimant is told, and the station agent who filed for them, who
	// acts for a villager without an account of their own.
	for _, to := range recipients(c) {
		ch.Notify = append(ch.Notify, storage.Notice{UserID: to, CaseID: &caseID, Kind: kind, Data: data})
	}
	return s.DB.RecordFee(ctx, ch)
}

// recipients are the users told of a fee event: the claimant, and the
// filer when someone filed for the claimant.
func recipients(c *court.Case) []int64 {
	if c.FiledByID != 0 && c.FiledByID != c.ClaimantID {
		return []int64{c.ClaimantID, c.FiledByID}
	}
	return []int64{c.ClaimantID}
}

// Status is what the fee of a case stands at, for the case page and the API:
// the fee, its state, the due date while unpaid after acceptance, how to pay
// and what happened so far.
type Status struct {
	Fee       court.Fen          `json:"fee"`
	Status    string             `json:"status"`
	Due       *string            `json:"due,omitempty"` // YYYY-MM-DD, in the court's time zone
	Overdue   bool               `json:"overdue"`
	Reference string             `json:"reference,omitempty"`
	Say       court.Message      `json:"-"`
	Events    []storage.FeeEvent `json:"events"`
}

// Get returns the fee status of case id to someone who may see the case
// (ENOTFOUND otherwise).
func (s *Service) Get(ctx context.Context, u *court.User, id int64) (*Status, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !docket.CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	return s.StatusOf(ctx, c)
}

// StatusOf returns the fee status of c; the caller has checked access.
func (s *Service) StatusOf(ctx context.Context, c *court.Case) (*Status, error) {
	ev, err := s.DB.FeeEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	st := &Status{Fee: c.Fee, Status: c.FeeStatus, Events: ev}
	if due := court.FeeDue(c); due != nil {
		d := docket.Deadline(*due)
		st.Due = &d
		st.Overdue = s.Now().After(*due)
	}
	if c.FeeStatus == court.FeeUnpaid && court.FeeOpen(c.Status) {
		start, err := s.Providers[CounterName].Start(ctx, c)
		if err != nil {
			return nil, err
		}
		st.Reference, st.Say = start.Reference, start.Say
	}
	return st, nil
}

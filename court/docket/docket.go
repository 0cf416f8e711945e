// Package docket carries a consumer dispute through the small-claims
// procedure: filing, the clerk's review, service on the merchant, withdrawal,
// and the docket that records every step. It decides who may see and do
// what to each case; storage keeps it.
package docket

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Service is the docket service.
type Service struct {
	DB      *storage.DB
	Profile court.Profile
	Now     court.Clock
	// AfterSettle, when set, is called with the settled case after a judge
	// confirmed a settlement: the rulings part signs the mediation document
	// there (issue 6). The settlement stands whatever it does.
	AfterSettle func(ctx context.Context, judge *court.User, c *court.Case)
}

// New returns a Service with the given court profile.
func New(db *storage.DB, p court.Profile) *Service {
	return &Service{DB: db, Profile: p, Now: court.SystemClock}
}

// Docket entry kinds. Each has a message "docket.<kind>" in the catalogs.
const (
	EntryFiled     = "filed"
	EntryAccepted  = "accepted"
	EntryServed    = "served"
	EntryReturned  = "returned"
	EntryRejected  = "rejected"
	EntryWithdrawn = "withdrawn"
	EntrySeen      = "merchant_seen"
)

// Notice kinds. Each has a message "notice_kind.<kind>" in the catalogs.
const (
	NoticeServed    = "served"
	NoticeReturned  = "returned"
	NoticeRejected  = "rejected"
	NoticeWithdrawn = "withdrawn"
)

func actor(u *court.User) (*int64, string) { id := u.ID; return &id, string(u.Role) }

// File opens a case for the claimant u: a draft, or submitted for review
// when submit is true. Errors: EFORBIDDEN for a user who may not file,
// EINVALID with every field error, ECONFLICT for an open claim on the same
// order (its id in the message).
func (s *Service) File(ctx context.Context, u *court.User, f court.Filing, submit bool) (*court.Case, error) {
	if u.Role != court.RoleClaimant {
		return nil, court.ErrForbidden()
	}
	now := s.Now()
	if err := f.Validate(s.Profile, now, false); err != nil {
		return nil, err
	}
	capAmt, _ := s.Profile.Cap(now.In(court.Zone).Year())
	c := court.Case{
		Status: court.CaseDraft, ClaimantID: u.ID, FiledByID: u.ID,
		MerchantName: f.MerchantName, CreditCode: f.CreditCode, Platform: f.Platform, OrderRef: f.OrderRef,
		Category: f.Category, Facts: f.Facts, PurchaseDate: f.PurchaseDate,
		Refund: f.Refund, Compensation: f.Compensation, Costs: f.Costs, Total: f.Total(),
		Fee: s.Profile.Fee(f.Total()), OverCap: f.Total() > capAmt,
	}
	nc := &storage.NewCase{Case: c, MerchantEmail: f.MerchantEmail, MerchantEmailLang: u.Lang}
	if submit {
		nc.Case.Status = court.CaseSubmitted
		nc.Case.SubmittedAt = &now
		id, role := actor(u)
		nc.Entries = []storage.Entry{{ActorID: id, ActorRole: role, Kind: EntryFiled, Public: true,
			Data: map[string]any{"Total": c.Total.String(), "Fee": c.Fee.String()}}}
	}
	return s.DB.CreateCase(ctx, nc)
}

// Submit sends a draft, or a case returned for correction, to review.
func (s *Service) Submit(ctx context.Context, u *court.User, id int64) (*court.Case, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if c.ClaimantID != u.ID && c.FiledByID != u.ID {
		return nil, court.ErrForbidden()
	}
	to, err := court.Next(c.Status, court.ActSubmit)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	aid, role := actor(u)
	return s.DB.ChangeCase(ctx, id, storage.Change{From: c.Status, To: to,
		Set:     map[string]any{"submitted_at": now, "reason": ""},
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryFiled, Public: true, Data: map[string]any{"Total": c.Total.String(), "Fee": c.Fee.String()}}},
	})
}

// Review is a clerk's decision on a submitted case: accept (docket it and
// serve it on the merchant), return for correction, or reject; the last two
// need a reason the claimant will read.
func (s *Service) Review(ctx context.Context, u *court.User, id int64, a court.Action, reason string) (*court.Case, error) {
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return nil, court.ErrNotFound()
	}
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if a != court.ActAccept && a != court.ActReturn && a != court.ActReject {
		return nil, court.Errorf(court.EINVALID, "err.invalid_choice")
	}
	to, err := court.Next(c.Status, a)
	if err != nil {
		return nil, err
	}
	aid, role := actor(u)
	now := s.Now()
	caseID := c.ID
	switch a {
	case court.ActAccept:
		local := now.In(court.Zone)
		due := court.EndOfDay(now, s.Profile.AnswerDays)
		ch := storage.Change{From: c.Status, To: to, Docket: true, Year: local.Year(), Number: s.Profile.DocketNumber,
			Set: map[string]any{"accepted_at": now, "served_at": now, "answer_due": due,
				"conclude_by": court.EndOfDay(court.AddMonths(now, s.Profile.ConcludeMonths), 0), "reason": "",
				"evidence_due": court.EndOfDay(now, s.Profile.EvidenceDays)},
			Entries: []storage.Entry{
				{ActorID: aid, ActorRole: role, Kind: EntryAccepted, Public: true},
				{ActorRole: "system", Kind: EntryServed, Public: true, Data: map[string]any{"Due": due}},
			},
		}
		staff, err := s.DB.ActiveStaff(ctx, c.OrgID)
		if err != nil {
			return nil, err
		}
		// The notice names who claims: the merchant must know whom it answers.
		claimant, err := s.DB.UserByID(ctx, c.ClaimantID)
		if err != nil {
			return nil, err
		}
		for _, sid := range staff {
			ch.Notify = append(ch.Notify, storage.Notice{UserID: sid, CaseID: &caseID, Kind: NoticeServed,
				Data: map[string]any{"Total": c.Total.String(), "Due": due, "Claimant": claimant.DisplayName, "Merchant": c.MerchantName}})
		}
		// Acceptance is the court's notice to pay an unpaid fee (fee.go).
		ch.Notify = append(ch.Notify, feeDueNotices(c, now)...)
		ch.Mail = append(ch.Mail, serviceMail(c, claimant, due, len(staff) == 0))
		return s.DB.ChangeCase(ctx, id, ch)
	default:
		var v court.Validator
		reason = v.Text("reason", reason, 2, 1000, true)
		if err := v.Err(); err != nil {
			return nil, err
		}
		kind, notice := EntryReturned, NoticeReturned
		if a == court.ActReject {
			kind, notice = EntryRejected, NoticeRejected
		}
		return s.DB.ChangeCase(ctx, id, storage.Change{From: c.Status, To: to,
			Set:     map[string]any{"reason": reason},
			Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Text: reason}},
			Notify:  []storage.Notice{{UserID: c.ClaimantID, CaseID: &caseID, Kind: notice, Data: map[string]any{"Reason": reason}}},
		})
	}
}

// Withdraw ends a case at the claimant's wish, before a ruling.
func (s *Service) Withdraw(ctx context.Context, u *court.User, id int64, reason string) (*court.Case, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if c.ClaimantID != u.ID && c.FiledByID != u.ID {
		return nil, court.ErrForbidden()
	}
	to, err := court.Next(c.Status, court.ActWithdraw)
	if err != nil {
		return nil, err
	}
	var v court.Validator
	reason = v.Text("reason", reason, 0, 1000, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	aid, role := actor(u)
	caseID := c.ID
	ch := storage.Change{From: c.Status, To: to,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryWithdrawn, Public: true, Text: reason}}}
	if c.ServedAt != nil {
		staff, err := s.DB.ActiveStaff(ctx, c.OrgID)
		if err != nil {
			return nil, err
		}
		for _, sid := range staff {
			ch.Notify = append(ch.Notify, storage.Notice{UserID: sid, CaseID: &caseID, Kind: NoticeWithdrawn,
				Data: map[string]any{"DocketNo": c.DocketNo}})
		}
	}
	return s.DB.ChangeCase(ctx, id, ch)
}

// CanSee reports whether u may see c: the claimant (and whoever filed for
// them) always; the merchant's staff once the case is served; the assigned
// judge and mediator; clerks and admins every case that left the draft.
func CanSee(u *court.User, c *court.Case) bool {
	switch u.Role {
	case court.RoleClaimant, court.RoleStationAgent:
		return c.ClaimantID == u.ID || c.FiledByID == u.ID
	case court.RoleMerchant:
		return u.OrganizationID != nil && *u.OrganizationID == c.OrgID && c.ServedAt != nil
	case court.RoleJudge:
		return c.JudgeID != nil && *c.JudgeID == u.ID
	case court.RoleMediator:
		return c.MediatorID != nil && *c.MediatorID == u.ID
	case court.RoleClerk, court.RoleAdmin:
		// A draft withdrawn before it was ever submitted never reached
		// the court either.
		return c.Status != court.CaseDraft && !(c.Status == court.CaseWithdrawn && c.SubmittedAt == nil)
	}
	return false
}

// VisibleCase returns case id if u may see it (CanSee); any other case is
// ENOTFOUND. Unlike Get it only reads: no notice is marked read.
func VisibleCase(ctx context.Context, db *storage.DB, u *court.User, id int64) (*court.Case, error) {
	c, err := db.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	return c, nil
}

// Get returns a case u may see; any other is ENOTFOUND, as if it did not
// exist. The first time merchant staff open a served case is recorded on
// its docket (it shows the notice reached the merchant).
func (s *Service) Get(ctx context.Context, u *court.User, id int64) (*court.Case, error) {
	c, err := VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, err
	}
	// Opening a case reads the notices about it.
	if err := s.DB.MarkNoticesRead(ctx, u.ID, id); err != nil {
		return nil, err
	}
	if u.Role == court.RoleMerchant && c.MerchantSeenAt == nil {
		now := s.Now()
		aid, role := actor(u)
		c2, err := s.DB.ChangeCase(ctx, id, storage.Change{From: c.Status, To: c.Status,
			Set:     map[string]any{"merchant_seen_at": now},
			IfNull:  []string{"merchant_seen_at"}, // two staff opening it at once record one first view
			Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntrySeen, Public: true}},
		})
		switch court.ErrorCode(err) {
		case "":
			return c2, nil
		case court.ECONFLICT: // the case moved meanwhile: show it as it is
			return s.DB.CaseByIDWriter(ctx, id)
		default:
			return nil, err
		}
	}
	return c, nil
}

// List returns the cases u may see, newest first, optionally only in some
// states, beforeID paging backwards.
func (s *Service) List(ctx context.Context, u *court.User, status []court.CaseStatus, beforeID int64, limit int) ([]court.Case, error) {
	f := storage.CaseFilter{Status: status, BeforeID: beforeID, Limit: limit}
	id := u.ID
	switch u.Role {
	case court.RoleClaimant, court.RoleStationAgent:
		f.ClaimantOrFiler = &id
	case court.RoleMerchant:
		if u.OrganizationID == nil {
			return []court.Case{}, nil
		}
		// A merchant's list must not show cases it was never served (a
		// case withdrawn before service, say). The query says so, not a
		// filter after it, so that a page is never short of its limit.
		f.OrgID = u.OrganizationID
		f.NotDraft = true
		f.Served = true
		if len(status) == 0 {
			f.Status = []court.CaseStatus{court.CaseServed, court.CaseAnswered, court.CaseSettled, court.CaseWithdrawn, court.CaseConverted}
		}
	case court.RoleJudge:
		f.JudgeID = &id
	case court.RoleMediator:
		f.MediatorID = &id
	case court.RoleClerk, court.RoleAdmin:
		f.NotDraft = true
	default:
		return []court.Case{}, nil
	}
	return s.DB.Cases(ctx, f)
}

// Queue is the clerk's review queue: submitted cases, oldest first, so that
// none waits behind newer ones. Errors: ENOTFOUND for anyone but a clerk or
// an admin.
func (s *Service) Queue(ctx context.Context, u *court.User, limit int) ([]court.Case, error) {
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return nil, court.ErrNotFound()
	}
	return s.DB.Cases(ctx, storage.CaseFilter{Status: []court.CaseStatus{court.CaseSubmitted}, Oldest: true, Limit: limit})
}

// Docket returns the entries of a case u may see: public ones for parties,
// all of them for court staff.
func (s *Service) Docket(ctx context.Context, u *court.User, id int64) ([]storage.Entry, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	staff := u.Role == court.RoleClerk || u.Role == court.RoleJudge || u.Role == court.RoleAdmin
	return s.DB.Docket(ctx, id, staff)
}

// Deadline reports a time in the court's zone as a date, for messages.
func Deadline(t time.Time) string { return t.In(court.Zone).Format("2006-01-02") }

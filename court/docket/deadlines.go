package docket

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Docket entry kinds of deadlines. Each has a message "docket.<kind>" in the
// catalogs (locales/deadlines.*.json).
const (
	EntryAnswerOverdue  = "answer_overdue"  // public: no answer by the answer deadline; the case goes on
	EntryEvidenceClosed = "evidence_closed" // public: the evidence period ended
	EntryLimitPassed    = "limit_passed"    // internal: the Art 168 time limit passed unconcluded
	EntryExtended       = "extended"        // public: the court president extended the limit
)

// Notice kinds of deadlines. Each has a message "notice_kind.<kind>".
const (
	NoticeAnswerOverdue = "answer_overdue" // to the claimant and the judge
	NoticeLimitPassed   = "limit_passed"   // to the judge and every active clerk
)

// PendingStates lists the states of an accepted case that is not yet
// concluded: its deadlines run. A ruling concludes a case within the meaning
// of Art 168 (what follows is payment), so a ruled case is not pending.
var PendingStates = []court.CaseStatus{court.CaseServed, court.CaseAnswered}

// Deadline kinds, named after the case field that holds each.
const (
	DueAnswer   = "answer_due"   // the merchant's answer period (only while the case is served)
	DueEvidence = "evidence_due" // the evidence period
	DueLimit    = "conclude_by"  // the time limit to conclude (Art 168)
	DueHearing  = "hearing"      // the next live hearing (on the judge's docket only)
)

// Applied is one expiry ApplyDeadlines applied.
type Applied struct {
	CaseID   int64
	DocketNo string
	Kind     string // the entry kind: answer_overdue, evidence_closed or limit_passed
	Due      time.Time
}

// deadlineRule is one kind of expiry: which deadline, in which states, what it
// records.
type deadlineRule struct {
	column string
	status []court.CaseStatus
	kind   string
	due    func(c *court.Case) *time.Time
}

var deadlineRules = []deadlineRule{
	{DueAnswer, []court.CaseStatus{court.CaseServed}, EntryAnswerOverdue, func(c *court.Case) *time.Time { return c.AnswerDue }},
	{DueEvidence, PendingStates, EntryEvidenceClosed, func(c *court.Case) *time.Time { return c.EvidenceDue }},
	{DueLimit, PendingStates, EntryLimitPassed, func(c *court.Case) *time.Time { return c.ConcludeBy }},
}

// eventKind is the deadline event of an expiry: the kind with the date of
// the deadline, so that a deadline moved (the limit extended) fires again.
func eventKind(kind string, due time.Time) string { return kind + ":" + Deadline(due) }

// dueBatch is how many expiries of one kind a run reads at a time, and
// commitBatch how many it applies in one transaction.
const (
	dueBatch    = 500
	commitBatch = 100
)

// ApplyDeadlines applies every deadline that has passed at the service's
// clock and was not applied before, each exactly once, also across restarts
// and concurrent runs:
//   - a served case whose answer deadline passed without an answer: a public
//     entry answer_overdue, and notices to the claimant and the assigned
//     judge that the case goes on;
//   - a pending case whose evidence period ended: a public entry
//     evidence_closed;
//   - a pending case whose time limit passed: an internal entry limit_passed,
//     and notices to the assigned judge and every active clerk.
//
// It returns what it applied; an error stops it, leaving the rest to the next
// run.
func (s *Service) ApplyDeadlines(ctx context.Context) ([]Applied, error) {
	now := s.Now()
	var done []Applied
	var clerks []int64
	clerksRead := false
	for _, r := range deadlineRules {
		for {
			due, err := s.DB.DueCases(ctx, storage.DueQuery{Column: r.column, Status: r.status, Now: now, Kind: r.kind, Limit: dueBatch})
			if err != nil {
				return done, fmt.Errorf("%s: %w", r.kind, err)
			}
			if r.kind == EntryLimitPassed && len(due) > 0 && !clerksRead {
				if clerks, err = s.DB.ActiveUsers(ctx, court.RoleClerk); err != nil {
					return done, err
				}
				clerksRead = true
			}
			read, n := len(due), 0
			for len(due) > 0 {
				chunk := due[:min(len(due), commitBatch)]
				due = due[len(chunk):]
				xs := make([]storage.Expiry, len(chunk))
				for i := range chunk {
					d := *r.due(&chunk[i])
					xs[i] = storage.Expiry{CaseID: chunk[i].ID, Kind: eventKind(r.kind, d), Due: d,
						Build: func(c *court.Case) ([]storage.Entry, []storage.Notice, bool) {
							return s.deadlineExpiry(r, c, d, now, clerks)
						}}
				}
				ok, err := s.DB.ApplyExpiries(ctx, xs)
				if err != nil {
					return done, fmt.Errorf("%s: %w", r.kind, err)
				}
				for i, c := range chunk {
					if ok[i] {
						n++
						done = append(done, Applied{CaseID: c.ID, DocketNo: c.DocketNo, Kind: r.kind, Due: xs[i].Due})
					}
				}
			}
			// A short batch was all; a full one where nothing applied
			// would come back the same (another run holds those).
			if read < dueBatch || n == 0 {
				break
			}
		}
	}
	return done, nil
}

// deadlineExpiry builds the entries and notices of rule r for case c as it is
// now, or ok false when the deadline d no longer applies to it.
func (s *Service) deadlineExpiry(r deadlineRule, c *court.Case, d, now time.Time, clerks []int64) ([]storage.Entry, []storage.Notice, bool) {
	cur := r.due(c)
	if cur == nil || !cur.Equal(d) || !now.After(d) || !statusIn(r.status, c.Status) {
		return nil, nil, false
	}
	caseID := c.ID
	data := map[string]any{"Due": d, "DocketNo": c.DocketNo}
	var notices []storage.Notice
	entry := storage.Entry{ActorRole: "system", Kind: r.kind, Public: true, Data: data}
	switch r.kind {
	case EntryAnswerOverdue:
		for _, uid := range noticeRecipients(c.ClaimantID, c.JudgeID) {
			notices = append(notices, storage.Notice{UserID: uid, CaseID: &caseID, Kind: NoticeAnswerOverdue, Data: data})
		}
	case EntryLimitPassed:
		entry.Public = false
		for _, uid := range uniqueIDs(append(noticeRecipients(0, c.JudgeID), clerks...)) {
			notices = append(notices, storage.Notice{UserID: uid, CaseID: &caseID, Kind: NoticeLimitPassed, Data: data})
		}
	}
	return []storage.Entry{entry}, notices, true
}

func noticeRecipients(first int64, judge *int64) []int64 {
	var ids []int64
	if first != 0 {
		ids = append(ids, first)
	}
	if judge != nil {
		ids = append(ids, *judge)
	}
	return uniqueIDs(ids)
}

func uniqueIDs(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func statusIn(list []court.CaseStatus, s court.CaseStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Extend extends a case's time limit (Art 168) by the profile's ExtendMonths
// from its current limit, once per case: only an admin, acting for the court
// president, may, with a reason. The public entry "extended" gives the new
// date. Errors: ENOTFOUND for a case u may not see; EFORBIDDEN for anyone but
// an admin; EINVALID without a reason or when the profile allows no
// extension; ECONFLICT for a case that is not pending or was extended before.
func (s *Service) Extend(ctx context.Context, u *court.User, id int64, reason string) (*court.Case, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	if u.Role != court.RoleAdmin {
		return nil, court.ErrForbidden()
	}
	var v court.Validator
	reason = v.Text("reason", reason, 2, 1000, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.Profile.ExtendMonths < 1 {
		return nil, court.Errorf(court.EINVALID, "err.extend_none")
	}
	aid, role := actor(u)
	return s.DB.ExtendCase(ctx, storage.Extension{CaseID: id,
		Build: func(c *court.Case) (time.Time, []storage.Entry, []storage.Notice, error) {
			if !statusIn(PendingStates, c.Status) || c.ConcludeBy == nil {
				return time.Time{}, nil, nil, court.Errorf(court.ECONFLICT, "err.transition", "Action", "extend", "Status", string(c.Status))
			}
			to := court.AddMonths(*c.ConcludeBy, s.Profile.ExtendMonths)
			return to, []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryExtended, Public: true, Text: reason,
				Data: map[string]any{"From": *c.ConcludeBy, "To": to, "Months": s.Profile.ExtendMonths}}}, nil, nil
		}})
}

// DeadlineItem is a case on a docket with its next deadline.
type DeadlineItem struct {
	Case court.Case `json:"case"`
	// Kind is which deadline is next: answer_due, evidence_due or
	// conclude_by (see DueAnswer...).
	Kind    string    `json:"kind"`
	Due     time.Time `json:"due"`
	Overdue bool      `json:"overdue"` // Due has passed
}

// nextDeadline is the deadline of c that needs attention first at now: the
// earliest of its answer deadline (while it is served), its evidence
// deadline (until it passes: a closed evidence period needs nothing) and its
// time limit. It is overdue when it has passed: an unanswered claim, or a
// limit passed. ok is false for a case with none.
func nextDeadline(c *court.Case, now time.Time) (it DeadlineItem, ok bool) {
	consider := func(kind string, t *time.Time) {
		if t != nil && (!ok || t.Before(it.Due)) {
			it.Kind, it.Due, ok = kind, *t, true
		}
	}
	if c.Status == court.CaseServed {
		consider(DueAnswer, c.AnswerDue)
	}
	if c.EvidenceDue != nil && !now.After(*c.EvidenceDue) {
		consider(DueEvidence, c.EvidenceDue)
	}
	consider(DueLimit, c.ConcludeBy)
	it.Case = *c
	it.Overdue = ok && now.After(it.Due)
	return it, ok
}

// sortDeadlineItems orders items by deadline, overdue ones (the earliest deadlines)
// first, then by case id.
func sortDeadlineItems(items []DeadlineItem) {
	sort.SliceStable(items, func(i, j int) bool {
		if !items[i].Due.Equal(items[j].Due) {
			return items[i].Due.Before(items[j].Due)
		}
		return items[i].Case.ID < items[j].Case.ID
	})
}

// JudgeDocket returns the judge u's assigned pending cases by their next
// deadline, nearest first (overdue ones, being the earliest, come first and
// are marked), at most limit (1 to 500; else 100). Errors: ENOTFOUND for
// anyone but a judge.
func (s *Service) JudgeDocket(ctx context.Context, u *court.User, limit int) ([]DeadlineItem, error) {
	if u.Role != court.RoleJudge {
		return nil, court.ErrNotFound()
	}
	cases, err := s.DB.JudgeCases(ctx, u.ID, PendingStates)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	// A hearing is a date the judge works to as well (issue 3 lists it
	// among the deadlines): the earlier of it and the case's deadlines.
	hearings, err := s.DB.NextHearings(ctx, u.ID, now)
	if err != nil {
		return nil, err
	}
	items := make([]DeadlineItem, 0, len(cases))
	var none []DeadlineItem
	for i := range cases {
		it, ok := nextDeadline(&cases[i], now)
		if h, has := hearings[cases[i].ID]; has && (!ok || h.Before(it.Due)) {
			it.Kind, it.Due, it.Overdue, ok = DueHearing, h, false, true
		}
		if ok {
			items = append(items, it)
		} else {
			none = append(none, it)
		}
	}
	sortDeadlineItems(items)
	// A pending case without deadlines (none is without them since
	// acceptance sets them) comes last rather than not at all.
	items = append(items, none...)
	return items[:min(len(items), deadlineLimit(limit))], nil
}

// Overdue returns, for a clerk or an admin, the pending cases with an overdue
// deadline court-wide (an unanswered claim, or a time limit passed), the
// longest overdue first, at most limit (1 to 500; else 100). Errors:
// ENOTFOUND for anyone else.
func (s *Service) Overdue(ctx context.Context, u *court.User, limit int) ([]DeadlineItem, error) {
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return nil, court.ErrNotFound()
	}
	limit = deadlineLimit(limit)
	now := s.Now()
	seen := map[int64]bool{}
	var items []DeadlineItem
	for _, r := range deadlineRules {
		if r.column == DueEvidence { // a closed evidence period is not overdue
			continue
		}
		// Each case's next deadline is its earliest, so the limit earliest
		// of each kind hold the limit earliest of all.
		cases, err := s.DB.DueCases(ctx, storage.DueQuery{Column: r.column, Status: r.status, Now: now, Limit: limit})
		if err != nil {
			return nil, err
		}
		for i := range cases {
			if seen[cases[i].ID] {
				continue
			}
			seen[cases[i].ID] = true
			if it, ok := nextDeadline(&cases[i], now); ok && it.Overdue {
				items = append(items, it)
			}
		}
	}
	sortDeadlineItems(items)
	if items == nil {
		items = []DeadlineItem{}
	}
	return items[:min(len(items), limit)], nil
}

func deadlineLimit(n int) int {
	if n <= 0 || n > 500 {
		return 100
	}
	return n
}

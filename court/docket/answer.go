package docket

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Docket entry and notice kinds of the answer, the conversion question and
// the assignments.
const (
	EntryAnswered           = "answered"
	EntryAnsweredLate       = "answered_late"
	EntryCounterclaim       = "counterclaim"
	EntryConverted          = "converted"
	EntryConversionDeclined = "conversion_declined"
	EntryJudgeAssigned      = "judge_assigned"
	EntryMediatorAssigned   = "mediator_assigned"

	NoticeAnswered           = "answered"
	NoticeCounterclaim       = "counterclaim"
	NoticeConverted          = "converted"
	NoticeConversionDeclined = "conversion_declined"
	NoticeAssigned           = "assigned"
)

// isMerchantOf reports whether u is staff of the merchant c is against.
func isMerchantOf(u *court.User, c *court.Case) bool {
	return u.Role == court.RoleMerchant && u.OrganizationID != nil && *u.OrganizationID == c.OrgID
}

// isClaimantOf reports whether u is the claimant of c or filed it for them.
func isClaimantOf(u *court.User, c *court.Case) bool {
	return (u.Role == court.RoleClaimant || u.Role == court.RoleStationAgent) && (c.ClaimantID == u.ID || c.FiledByID == u.ID)
}

// isJudgeOf reports whether u is the judge assigned to c.
func isJudgeOf(u *court.User, c *court.Case) bool {
	return u.Role == court.RoleJudge && c.JudgeID != nil && *c.JudgeID == u.ID
}

// claimantNotices are notices of kind to the claimant and, when someone
// else filed for them, to the filer.
func claimantNotices(c *court.Case, kind string, data map[string]any) []storage.Notice {
	id := c.ID
	ns := []storage.Notice{{UserID: c.ClaimantID, CaseID: &id, Kind: kind, Data: data}}
	if c.FiledByID != c.ClaimantID {
		ns = append(ns, storage.Notice{UserID: c.FiledByID, CaseID: &id, Kind: kind, Data: data})
	}
	return ns
}

// merchantNotices are notices of kind to each active staff member of the
// merchant.
func (s *Service) merchantNotices(ctx context.Context, c *court.Case, kind string, data map[string]any) ([]storage.Notice, error) {
	staff, err := s.DB.ActiveStaff(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	return staffNotices(c, staff, kind, data), nil
}

// staffNotices are notices of kind about c to each of staff (the
// merchant's active staff, read beforehand).
func staffNotices(c *court.Case, staff []int64, kind string, data map[string]any) []storage.Notice {
	id := c.ID
	ns := make([]storage.Notice, 0, len(staff))
	for _, sid := range staff {
		ns = append(ns, storage.Notice{UserID: sid, CaseID: &id, Kind: kind, Data: data})
	}
	return ns
}

// judgeNotice is a notice to the assigned judge, if any.
func judgeNotice(c *court.Case, kind string, data map[string]any) []storage.Notice {
	if c.JudgeID == nil {
		return nil
	}
	id := c.ID
	return []storage.Notice{{UserID: *c.JudgeID, CaseID: &id, Kind: kind, Data: data}}
}

// Answer records the merchant's answer to a served case and moves it to
// answered. An answer after the deadline is accepted and marked late (the
// case went on without it; it is still worth having). A counterclaim puts
// the question of conversion out of small claims (Art 166) to the judge.
// Errors: ENOTFOUND for a case u may not see, EFORBIDDEN for anyone but the
// merchant's staff, ECONFLICT when the case is not waiting for an answer,
// EINVALID with every field error.
func (s *Service) Answer(ctx context.Context, u *court.User, id int64, a court.Answer) (*court.Case, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !isMerchantOf(u, c) {
		return nil, court.ErrForbidden()
	}
	to, err := court.Next(c.Status, court.ActAnswer)
	if err != nil {
		return nil, err
	}
	if err := a.Validate(c.Total); err != nil {
		return nil, err
	}
	now := s.Now()
	a.ByID = u.ID
	a.Late = c.AnswerDue != nil && now.After(*c.AnswerDue)
	a.Conversion = court.ConversionNone
	if a.Counterclaim {
		a.Conversion = court.ConversionPending
	}
	aid, role := actor(u)
	kind := EntryAnswered
	if a.Late {
		kind = EntryAnsweredLate
	}
	data := map[string]any{"Kind": string(a.Kind), "Admitted": a.Admitted.String(), "Total": c.Total.String()}
	ch := storage.Change{From: c.Status, To: to,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Text: a.Defence, Data: data}},
	}
	if a.Counterclaim {
		ch.Entries = append(ch.Entries, storage.Entry{ActorID: aid, ActorRole: role, Kind: EntryCounterclaim, Public: true, Text: a.CounterclaimText})
	}
	notice := map[string]any{"DocketNo": c.DocketNo, "Kind": string(a.Kind), "Admitted": a.Admitted.String(), "Merchant": c.MerchantName}
	ch.Notify = append(claimantNotices(c, NoticeAnswered, notice), judgeNotice(c, NoticeAnswered, notice)...)
	if a.Counterclaim {
		ch.Notify = append(ch.Notify, judgeNotice(c, NoticeCounterclaim, map[string]any{"DocketNo": c.DocketNo})...)
	}
	return s.DB.AnswerCase(ctx, id, a, ch)
}

// AnswerOf returns the answer to a case u may see, nil when there is none
// yet.
func (s *Service) AnswerOf(ctx context.Context, u *court.User, id int64) (*court.Answer, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	a, err := s.DB.AnswerOf(ctx, id)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return nil, nil
	}
	return a, err
}

// judgeDecision is what every decision of a case's judge begins with: the
// case, if u may see it and is its judge, and the reason checked, which is
// required to decline (yes false) and optional otherwise.
func (s *Service) judgeDecision(ctx context.Context, u *court.User, id int64, yes bool, reason string) (*court.Case, string, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, "", err
	}
	if !isJudgeOf(u, c) {
		return nil, "", court.ErrForbidden()
	}
	var v court.Validator
	min := 2
	if yes {
		min = 0
	}
	reason = v.Text("reason", reason, min, 1000, true)
	return c, reason, v.Err()
}

// DecideConversion is the assigned judge's decision on a counterclaim:
// convert the case out of small-claims procedure (it goes on under
// simplified procedure: status converted), or decline with a reason (it
// stays). Errors: ENOTFOUND for a case u may not see, EFORBIDDEN for anyone
// but its judge, ECONFLICT when no counterclaim waits for a decision or the
// case cannot be converted, EINVALID for a decline without a reason.
func (s *Service) DecideConversion(ctx context.Context, u *court.User, id int64, convert bool, reason string) (*court.Case, error) {
	c, reason, err := s.judgeDecision(ctx, u, id, convert, reason)
	if err != nil {
		return nil, err
	}
	to, kind, notice, conv := c.Status, EntryConversionDeclined, NoticeConversionDeclined, court.ConversionDeclined
	if convert {
		if to, err = court.Next(c.Status, court.ActConvert); err != nil {
			return nil, err
		}
		kind, notice, conv = EntryConverted, NoticeConverted, court.ConversionDone
	} else if c.Status.Final() {
		return nil, court.Errorf(court.ECONFLICT, "err.transition", "Action", "convert", "Status", string(c.Status))
	}
	aid, role := actor(u)
	data := map[string]any{"DocketNo": c.DocketNo, "Reason": reason}
	ch := storage.Change{From: c.Status, To: to,
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Text: reason}},
		Notify:  claimantNotices(c, notice, data),
	}
	ms, err := s.merchantNotices(ctx, c, notice, data)
	if err != nil {
		return nil, err
	}
	ch.Notify = append(ch.Notify, ms...)
	return s.DB.DecideConversion(ctx, id, conv, reason, ch)
}

// Assign gives an accepted, unfinished case a judge or a mediator (the
// role says which): an active user of that role. Assigning the one already
// assigned changes nothing and is ECONFLICT. Errors: ENOTFOUND for anyone
// but a clerk or an admin (as for a case that does not exist), EINVALID for
// a role other than judge or mediator or an id that is not an active user of
// it, ECONFLICT for a case not accepted or finished.
func (s *Service) Assign(ctx context.Context, u *court.User, id int64, role court.Role, userID int64) (*court.Case, error) {
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return nil, court.ErrNotFound()
	}
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	var col, kind string
	var current *int64
	switch role {
	case court.RoleJudge:
		col, kind, current = "judge_id", EntryJudgeAssigned, c.JudgeID
	case court.RoleMediator:
		col, kind, current = "mediator_id", EntryMediatorAssigned, c.MediatorID
	default:
		return nil, court.Errorf(court.EINVALID, "err.invalid_choice")
	}
	field := col
	who, err := s.DB.ActiveUser(ctx, userID, role)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return nil, &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"),
			Fields: map[string]court.Message{field: court.Msg("assign.err_user")}}
	}
	if err != nil {
		return nil, err
	}
	if c.AcceptedAt == nil || c.Status.Final() {
		return nil, court.Errorf(court.ECONFLICT, "assign.err_state")
	}
	if current != nil && *current == userID {
		return nil, court.Errorf(court.ECONFLICT, "assign.err_same")
	}
	aid, arole := actor(u)
	caseID := c.ID
	ch := storage.Change{From: c.Status, To: c.Status, Set: map[string]any{col: userID},
		Entries: []storage.Entry{{ActorID: aid, ActorRole: arole, Kind: kind, Public: true, Data: map[string]any{"Name": who.DisplayName}}},
		Notify: []storage.Notice{{UserID: userID, CaseID: &caseID, Kind: NoticeAssigned,
			Data: map[string]any{"DocketNo": c.DocketNo, "Role": string(role)}}},
	}
	return s.DB.ChangeCase(ctx, id, ch)
}

// Assignable lists the active users of role (judge or mediator) a clerk
// may assign. Errors: ENOTFOUND for anyone but a clerk or an admin.
func (s *Service) Assignable(ctx context.Context, u *court.User, role court.Role) ([]court.User, error) {
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return nil, court.ErrNotFound()
	}
	return s.DB.Assignees(ctx, role)
}

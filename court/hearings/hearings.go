// Package hearings is the court's side of remote hearings (issue 5):
// scheduling video, audio-only and written hearings with the judge's clash
// check, rescheduling and cancelling, the notices and the calendar file,
// who may join a room (and the join token the media server issues), the
// hearing record (attendance, start and end, the judge's minutes) and the
// written hearing's questions and answers. Every step is on the docket.
//
// The media server (hearing/) is reached only through TokenIssuer; it
// reports back through RecordJoin, RecordLeave, MarkStarted and MarkEnded.
package hearings

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

// TokenIssuer issues the short-lived token that admits one user, in one
// role, to one hearing's room. The media server implements it.
type TokenIssuer interface {
	IssueToken(hearingID, userID int64, role string, name string) (token string, expires time.Time, err error)
}

// Service is the hearings service. Issuer may be nil: rooms are then not
// available (Token says so), everything else works.
type Service struct {
	DB     *storage.DB
	Now    court.Clock
	Issuer TokenIssuer
}

// Docket entry kinds ("docket.<kind>") and notice kinds ("notice_kind.<kind>").
const (
	EntryScheduled   = "hearing_scheduled"
	EntryRescheduled = "hearing_rescheduled"
	EntryCancelled   = "hearing_cancelled"
	EntryStarted     = "hearing_started"
	EntryEnded       = "hearing_ended"
	EntryJoined      = "hearing_joined"
	EntryLeft        = "hearing_left"
	EntryMinutes     = "hearing_minutes"
	EntryConsent     = "written_consent"
	EntryRefusal     = "written_refusal"
	EntryQuestion    = "written_question"
	EntryAnswer      = "written_answer"

	NoticeScheduled   = "hearing_scheduled"
	NoticeRescheduled = "hearing_rescheduled"
	NoticeCancelled   = "hearing_cancelled"
	NoticeQuestion    = "written_question"
	NoticeAnswer      = "written_answer"
)

// Bounds of the texts people write here, in characters.
const (
	maxReason   = 1000
	maxMinutes  = 20000
	maxPost     = 5000
	maxDueDays  = 30 // how far ahead a question's deadline may be set
	minDueDays  = 1
	stampLayout = "2006-01-02 15:04"
)

// Join roles given to the token issuer.
const (
	RoleJudge    = "judge"
	RoleClaimant = "claimant"
	RoleMerchant = "merchant"
	RoleClerk    = "clerk"
)

// caseFor returns case id if u may see it; any other is ENOTFOUND.
func (s *Service) caseFor(ctx context.Context, u *court.User, id int64) (*court.Case, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !docket.CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	return c, nil
}

// hearingFor returns case id and its hearing hid if u may see the case.
func (s *Service) hearingFor(ctx context.Context, u *court.User, id, hid int64) (*court.Case, *court.Hearing, error) {
	c, err := s.caseFor(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	h, err := s.DB.Hearing(ctx, id, hid)
	if err != nil {
		return nil, nil, err
	}
	return c, h, nil
}

// Side is the side of the case u acts for: SideClaimant for the claimant
// (or whoever filed for them), SideMerchant for the merchant's staff, "" for
// anyone else.
func Side(u *court.User, c *court.Case) string {
	switch {
	case (u.Role == court.RoleClaimant || u.Role == court.RoleStationAgent) && (u.ID == c.ClaimantID || u.ID == c.FiledByID):
		return court.SideClaimant
	case u.Role == court.RoleMerchant && docket.CanSee(u, c):
		return court.SideMerchant
	}
	return ""
}

// IsJudge reports whether u is the judge assigned to c.
func IsJudge(u *court.User, c *court.Case) bool {
	return u.Role == court.RoleJudge && c.JudgeID != nil && *c.JudgeID == u.ID
}

// CanSchedule reports whether u may schedule, reschedule and cancel c's
// hearings: its assigned judge, or a clerk or an admin (who keep the
// court's calendar).
func CanSchedule(u *court.User, c *court.Case) bool {
	return IsJudge(u, c) || u.Role == court.RoleClerk || u.Role == court.RoleAdmin
}

// JoinRole is the role in which u may join c's hearing room, "" for none:
// the parties, the assigned judge and a clerk (who keeps the record).
func JoinRole(u *court.User, c *court.Case) string {
	switch {
	case IsJudge(u, c):
		return RoleJudge
	case u.Role == court.RoleClerk:
		return RoleClerk
	}
	return Side(u, c)
}

func actor(u *court.User) (*int64, string) { id := u.ID; return &id, string(u.Role) }

func stamp(t time.Time) string { return t.In(court.Zone).Format(stampLayout) }

// pending reports whether c is accepted and not concluded: only then are
// hearings set.
func pending(c *court.Case) bool {
	for _, st := range docket.PendingStates {
		if c.Status == st {
			return true
		}
	}
	return false
}

// recipients are the users told about c's hearings, but not actor: the
// claimant and whoever filed for them, the merchant's active staff, the
// assigned judge.
func (s *Service) recipients(ctx context.Context, c *court.Case, actor int64) ([]int64, error) {
	ids := []int64{c.ClaimantID}
	if c.FiledByID != c.ClaimantID {
		ids = append(ids, c.FiledByID)
	}
	staff, err := s.DB.ActiveStaff(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	ids = append(ids, staff...)
	if c.JudgeID != nil {
		ids = append(ids, *c.JudgeID)
	}
	out := ids[:0]
	for _, id := range ids {
		if id != actor {
			out = append(out, id)
		}
	}
	return out, nil
}

func (s *Service) notify(ctx context.Context, c *court.Case, u *court.User, kind string, data map[string]any) ([]storage.Notice, error) {
	ids, err := s.recipients(ctx, c, u.ID)
	if err != nil {
		return nil, err
	}
	caseID := c.ID
	ns := make([]storage.Notice, 0, len(ids))
	for _, id := range ids {
		d := make(map[string]any, len(data))
		for k, v := range data {
			d[k] = v
		}
		ns = append(ns, storage.Notice{UserID: id, CaseID: &caseID, Kind: kind, Data: d})
	}
	return ns, nil
}

// slotData is what an entry or a notice says about a hearing's time.
func slotData(c *court.Case, kind court.HearingKind, start, end time.Time) map[string]any {
	return map[string]any{"CaseID": c.ID, "DocketNo": c.DocketNo, "Kind": string(kind),
		"Start": stamp(start), "End": end.In(court.Zone).Format("15:04"), "Minutes": int(end.Sub(start) / time.Minute)}
}

// List returns case id's hearings, earliest first. Errors: ENOTFOUND.
func (s *Service) List(ctx context.Context, u *court.User, id int64) ([]court.Hearing, error) {
	if _, err := s.caseFor(ctx, u, id); err != nil {
		return nil, err
	}
	return s.DB.Hearings(ctx, id)
}

// Get returns hearing hid of case id. Errors: ENOTFOUND.
func (s *Service) Get(ctx context.Context, u *court.User, id, hid int64) (*court.Hearing, error) {
	_, h, err := s.hearingFor(ctx, u, id, hid)
	return h, err
}

// Schedule sets a hearing of case id at slot. Errors: ENOTFOUND for a case u
// may not see; EFORBIDDEN for one u may see but not schedule; ECONFLICT for
// a case not pending (served or answered), a written hearing without both
// sides' agreement, or a clash with another hearing of the judge (naming
// its docket number); EINVALID for the slot.
func (s *Service) Schedule(ctx context.Context, u *court.User, id int64, slot court.HearingSlot) (*court.Hearing, error) {
	c, err := s.caseFor(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !CanSchedule(u, c) {
		return nil, court.ErrForbidden()
	}
	start, end, err := slot.Validate(s.Now())
	if err != nil {
		return nil, err
	}
	if !pending(c) {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_not_pending")
	}
	if slot.Kind == court.HearingWritten {
		ok, err := s.bothAgreed(ctx, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			m := court.Msg("err.hearing_written_consent")
			return nil, &court.Error{Code: court.ECONFLICT, Msg: m, Fields: map[string]court.Message{"kind": m}}
		}
	}
	data := slotData(c, slot.Kind, start, end)
	ns, err := s.notify(ctx, c, u, NoticeScheduled, data)
	if err != nil {
		return nil, err
	}
	aid, role := actor(u)
	h := &court.Hearing{CaseID: id, Kind: slot.Kind, Start: start, End: end, CreatedBy: u.ID}
	return s.DB.CreateHearing(ctx, h, storage.HearingChecks{ClashJudge: c.JudgeID, Consent: true}, storage.Record{
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryScheduled, Public: true, Data: data}},
		Notify:  ns,
	})
}

// Reschedule moves hearing hid of case id to slot (its kind stays), for the
// reason given. Errors as Schedule, and ECONFLICT for a hearing no longer
// scheduled.
func (s *Service) Reschedule(ctx context.Context, u *court.User, id, hid int64, slot court.HearingSlot, reason string) (*court.Hearing, error) {
	c, h, err := s.hearingFor(ctx, u, id, hid)
	if err != nil {
		return nil, err
	}
	if !CanSchedule(u, c) {
		return nil, court.ErrForbidden()
	}
	slot.Kind = h.Kind
	start, end, err := slot.Validate(s.Now())
	var v court.Validator
	reason = v.Text("reason", reason, 2, maxReason, true)
	if err := mergeErr(err, v.Err()); err != nil {
		return nil, err
	}
	if !pending(c) {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_not_pending")
	}
	data := slotData(c, h.Kind, start, end)
	data["From"] = stamp(h.Start)
	data["HearingID"], data["Link"] = hid, court.HearingLink(id, hid)
	ns, err := s.notify(ctx, c, u, NoticeRescheduled, data)
	if err != nil {
		return nil, err
	}
	for i := range ns {
		ns[i].Data["Reason"] = reason
	}
	aid, role := actor(u)
	return s.DB.UpdateHearing(ctx, id, hid, storage.HearingUpdate{
		From:       []court.HearingStatus{court.HearingScheduled},
		Set:        map[string]any{"start_at": start, "end_at": end, "sequence": h.Sequence + 1, "reason": reason},
		ClashJudge: c.JudgeID,
		Record: storage.Record{
			Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryRescheduled, Public: true, Text: reason, Data: data}},
			Notify:  ns,
		},
	})
}

// Cancel cancels hearing hid of case id for the reason given. Errors:
// ENOTFOUND, EFORBIDDEN, EINVALID for the reason, ECONFLICT for a hearing
// no longer scheduled.
func (s *Service) Cancel(ctx context.Context, u *court.User, id, hid int64, reason string) (*court.Hearing, error) {
	c, h, err := s.hearingFor(ctx, u, id, hid)
	if err != nil {
		return nil, err
	}
	if !CanSchedule(u, c) {
		return nil, court.ErrForbidden()
	}
	var v court.Validator
	reason = v.Text("reason", reason, 2, maxReason, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	data := slotData(c, h.Kind, h.Start, h.End)
	data["HearingID"] = hid
	ns, err := s.notify(ctx, c, u, NoticeCancelled, data)
	if err != nil {
		return nil, err
	}
	for i := range ns {
		ns[i].Data["Reason"] = reason
	}
	aid, role := actor(u)
	return s.DB.UpdateHearing(ctx, id, hid, storage.HearingUpdate{
		From: []court.HearingStatus{court.HearingScheduled},
		Set:  map[string]any{"status": court.HearingCancelled, "sequence": h.Sequence + 1, "reason": reason},
		Record: storage.Record{
			Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryCancelled, Public: true, Text: reason, Data: data}},
			Notify:  ns,
		},
	})
}

// mergeErr joins the field errors of two EINVALID errors, so a form shows
// all of them; any other error comes first.
func mergeErr(a, b error) error {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	ea, okA := a.(*court.Error)
	eb, okB := b.(*court.Error)
	if !okA || !okB || ea.Code != court.EINVALID || eb.Code != court.EINVALID {
		return a
	}
	for f, m := range eb.Fields {
		if _, ok := ea.Fields[f]; !ok {
			ea.Fields[f] = m
		}
	}
	return ea
}

// ErrUnavailable is the answer for a room when no media server is
// configured.
func ErrUnavailable() *court.Error {
	return court.Errorf(court.ECONFLICT, "err.hearing_rooms_unavailable")
}

// Token returns a join token for u to hearing hid of case id, from the
// issuer. Errors: ENOTFOUND for a case u may not see; EFORBIDDEN for one u
// sees but may not join (a mediator, an admin); ECONFLICT for a written or
// cancelled hearing, outside the room's hours (err.hearing_not_open, with
// the time it opens), or when rooms are not available (ErrUnavailable).
func (s *Service) Token(ctx context.Context, u *court.User, id, hid int64) (string, time.Time, error) {
	c, h, err := s.hearingFor(ctx, u, id, hid)
	if err != nil {
		return "", time.Time{}, err
	}
	role := JoinRole(u, c)
	if role == "" {
		return "", time.Time{}, court.ErrForbidden()
	}
	switch {
	case h.Kind == court.HearingWritten:
		return "", time.Time{}, court.Errorf(court.ECONFLICT, "err.hearing_written_no_room")
	case !h.Open():
		return "", time.Time{}, court.Errorf(court.ECONFLICT, "err.hearing_closed")
	case !h.Joinable(s.Now()):
		return "", time.Time{}, court.Errorf(court.ECONFLICT, "err.hearing_not_open",
			"Opens", stamp(h.Start.Add(-court.HearingOpensBefore)), "End", stamp(h.End))
	case s.Issuer == nil:
		return "", time.Time{}, ErrUnavailable()
	}
	return s.Issuer.IssueToken(hid, u.ID, role, u.DisplayName)
}

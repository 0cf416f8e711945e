package hearings

// The hearing record: the parties' agreement to a written hearing, who was
// in the room when, start and end, the judge's minutes, and the written
// hearing's questions and answers.

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Consents returns the sides' words on a written hearing of case id.
func (s *Service) Consents(ctx context.Context, u *court.User, id int64) ([]court.Consent, error) {
	if _, err := s.caseFor(ctx, u, id); err != nil {
		return nil, err
	}
	return s.DB.Consents(ctx, id)
}

func (s *Service) bothAgreed(ctx context.Context, id int64) (bool, error) {
	cs, err := s.DB.Consents(ctx, id)
	if err != nil {
		return false, err
	}
	n := 0
	for _, c := range cs {
		if c.Agreed {
			n++
		}
	}
	return n == 2, nil
}

// SetConsent records u's side agreeing (or no longer agreeing) to a written
// hearing of case id. Errors: ENOTFOUND; EFORBIDDEN for anyone but the
// parties; ECONFLICT for a case not pending.
func (s *Service) SetConsent(ctx context.Context, u *court.User, id int64, agree bool) error {
	c, err := s.caseFor(ctx, u, id)
	if err != nil {
		return err
	}
	side := Side(u, c)
	if side == "" {
		return court.ErrForbidden()
	}
	if !pending(c) {
		return court.Errorf(court.ECONFLICT, "err.hearing_not_pending")
	}
	kind := EntryConsent
	if !agree {
		kind = EntryRefusal
	}
	aid, role := actor(u)
	return s.DB.SetConsent(ctx, id, court.Consent{Side: side, UserID: u.ID, Agreed: agree}, storage.Record{
		Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: kind, Public: true, Data: map[string]any{"Side": side}}},
	})
}

// SaveMinutes saves the judge's minutes of hearing hid of case id, once its
// time has come (a saved text may be corrected: each save is on the
// docket). Errors: ENOTFOUND; EFORBIDDEN for anyone but the assigned judge;
// EINVALID for the text; ECONFLICT for a cancelled hearing or one not yet
// begun.
func (s *Service) SaveMinutes(ctx context.Context, u *court.User, id, hid int64, text string) (*court.Hearing, error) {
	c, h, err := s.hearingFor(ctx, u, id, hid)
	if err != nil {
		return nil, err
	}
	if !IsJudge(u, c) {
		return nil, court.ErrForbidden()
	}
	var v court.Validator
	text = v.Text("minutes", text, 1, maxMinutes, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if h.Status == court.HearingCancelled {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_closed")
	}
	if h.Status == court.HearingScheduled && s.Now().Before(h.Start) {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_not_begun", "Start", stamp(h.Start))
	}
	aid, role := actor(u)
	return s.DB.UpdateHearing(ctx, id, hid, storage.HearingUpdate{
		From: []court.HearingStatus{court.HearingScheduled, court.HearingStarted, court.HearingEnded},
		Set:  map[string]any{"minutes": text},
		Record: storage.Record{Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryMinutes, Public: true, Text: text,
			Data: map[string]any{"HearingID": hid, "Start": stamp(h.Start)}}}},
	})
}

// Attendance returns who was in hearing hid of case id when. Errors:
// ENOTFOUND.
func (s *Service) Attendance(ctx context.Context, u *court.User, id, hid int64) ([]court.Attendance, error) {
	if _, _, err := s.hearingFor(ctx, u, id, hid); err != nil {
		return nil, err
	}
	return s.DB.Attendance(ctx, hid)
}

// The media server's reports. They come from the room, not from a person
// acting on the case, so they check the hearing, not a viewer.

// RecordJoin records that userID entered hearing hid's room in role at at.
func (s *Service) RecordJoin(ctx context.Context, hid, userID int64, role string, at time.Time) error {
	h, err := s.DB.HearingByID(ctx, hid)
	if err != nil {
		return err
	}
	u, err := s.DB.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	return s.DB.RecordJoin(ctx, h, userID, role, at.UTC(), storage.Record{Entries: []storage.Entry{{ActorID: &u.ID, ActorRole: string(u.Role),
		Kind: EntryJoined, Public: true, Data: map[string]any{"Name": u.DisplayName, "At": stamp(at), "HearingID": hid}}}})
}

// RecordLeave records that userID left hearing hid's room at at. Errors:
// ENOTFOUND when userID was not in it.
func (s *Service) RecordLeave(ctx context.Context, hid, userID int64, at time.Time) error {
	h, err := s.DB.HearingByID(ctx, hid)
	if err != nil {
		return err
	}
	u, err := s.DB.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	return s.DB.RecordLeave(ctx, h, userID, at.UTC(), storage.Record{Entries: []storage.Entry{{ActorID: &u.ID, ActorRole: string(u.Role),
		Kind: EntryLeft, Public: true, Data: map[string]any{"Name": u.DisplayName, "At": stamp(at), "HearingID": hid}}}})
}

// MarkStarted records that hearing hid began at at. Errors: ECONFLICT for
// a hearing not scheduled.
func (s *Service) MarkStarted(ctx context.Context, hid int64, at time.Time) (*court.Hearing, error) {
	h, err := s.DB.HearingByID(ctx, hid)
	if err != nil {
		return nil, err
	}
	return s.DB.UpdateHearing(ctx, h.CaseID, hid, storage.HearingUpdate{
		From: []court.HearingStatus{court.HearingScheduled},
		Set:  map[string]any{"status": court.HearingStarted, "started_at": at.UTC()},
		Record: storage.Record{Entries: []storage.Entry{{ActorRole: "system", Kind: EntryStarted, Public: true,
			Data: map[string]any{"At": stamp(at), "HearingID": hid}}}},
	})
}

// MarkEnded records that hearing hid ended at at; the room's stays still
// open are closed then. Errors: ECONFLICT for a hearing not under way.
func (s *Service) MarkEnded(ctx context.Context, hid int64, at time.Time) (*court.Hearing, error) {
	h, err := s.DB.HearingByID(ctx, hid)
	if err != nil {
		return nil, err
	}
	return s.DB.UpdateHearing(ctx, h.CaseID, hid, storage.HearingUpdate{
		From: []court.HearingStatus{court.HearingScheduled, court.HearingStarted},
		Set:  map[string]any{"status": court.HearingEnded, "ended_at": at.UTC()},
		Record: storage.Record{Entries: []storage.Entry{{ActorRole: "system", Kind: EntryEnded, Public: true,
			Data: map[string]any{"At": stamp(at), "HearingID": hid}}}},
	})
}

// Posts returns the thread of written hearing hid of case id. Errors:
// ENOTFOUND.
func (s *Service) Posts(ctx context.Context, u *court.User, id, hid int64) ([]court.HearingPost, error) {
	if _, _, err := s.hearingFor(ctx, u, id, hid); err != nil {
		return nil, err
	}
	return s.DB.Posts(ctx, hid)
}

// Ask posts the judge's question (or follow-up) in written hearing hid of
// case id; the sides answer by the end of the day due (2006-01-02, in the
// court's zone, 1 to 30 days ahead). Errors: ENOTFOUND; EFORBIDDEN for
// anyone but the assigned judge; EINVALID; ECONFLICT for a hearing that is
// not written or no longer open.
func (s *Service) Ask(ctx context.Context, u *court.User, id, hid int64, text, due string) (*court.HearingPost, error) {
	c, h, err := s.hearingFor(ctx, u, id, hid)
	if err != nil {
		return nil, err
	}
	if !IsJudge(u, c) {
		return nil, court.ErrForbidden()
	}
	var v court.Validator
	text = v.Text("question", text, 2, maxPost, true)
	now := s.Now()
	var dueAt time.Time
	day, derr := time.ParseInLocation("2006-01-02", due, court.Zone)
	if v.Check(derr == nil, "due", "err.hearing_date") {
		dueAt = court.EndOfDay(day, 0)
		v.Check(!dueAt.Before(court.EndOfDay(now, minDueDays)) && !dueAt.After(court.EndOfDay(now, maxDueDays)),
			"due", "err.hearing_due", "Min", minDueDays, "Max", maxDueDays)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if h.Kind != court.HearingWritten {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_not_written")
	}
	if !h.Open() {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_closed")
	}
	data := map[string]any{"HearingID": hid, "DocketNo": c.DocketNo, "Due": dueAt.In(court.Zone).Format("2006-01-02")}
	ns, err := s.notify(ctx, c, u, NoticeQuestion, data)
	if err != nil {
		return nil, err
	}
	aid, role := actor(u)
	return s.DB.AddPost(ctx, id, &court.HearingPost{HearingID: hid, AuthorID: u.ID, AuthorRole: role, Text: text, Due: &dueAt},
		storage.Record{Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryQuestion, Public: true, Text: text, Data: data}},
			Notify: ns})
}

// Reply posts u's side's answer to question qid of written hearing hid of
// case id, by the question's deadline; one answer per side. Errors:
// ENOTFOUND (also for a question not of this hearing); EFORBIDDEN for
// anyone but the parties; EINVALID; ECONFLICT past the deadline, for a
// hearing no longer open, or a second answer.
func (s *Service) Reply(ctx context.Context, u *court.User, id, hid, qid int64, text string) (*court.HearingPost, error) {
	c, h, err := s.hearingFor(ctx, u, id, hid)
	if err != nil {
		return nil, err
	}
	side := Side(u, c)
	if side == "" {
		return nil, court.ErrForbidden()
	}
	posts, err := s.DB.Posts(ctx, hid)
	if err != nil {
		return nil, err
	}
	var q *court.HearingPost
	for i := range posts {
		if posts[i].ID == qid && posts[i].QuestionID == nil {
			q = &posts[i]
		}
	}
	if q == nil {
		return nil, court.ErrNotFound()
	}
	var v court.Validator
	text = v.Text("answer", text, 1, maxPost, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !h.Open() {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_closed")
	}
	if q.Due != nil && s.Now().After(*q.Due) {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_due_passed", "Due", q.Due.In(court.Zone).Format("2006-01-02"))
	}
	data := map[string]any{"HearingID": hid, "DocketNo": c.DocketNo, "Side": side, "QuestionID": qid}
	var ns []storage.Notice
	if c.JudgeID != nil {
		caseID := c.ID
		ns = append(ns, storage.Notice{UserID: *c.JudgeID, CaseID: &caseID, Kind: NoticeAnswer, Data: data})
	}
	aid, role := actor(u)
	return s.DB.AddPost(ctx, id, &court.HearingPost{HearingID: hid, QuestionID: &qid, AuthorID: u.ID, AuthorRole: role, Side: side, Text: text},
		storage.Record{Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryAnswer, Public: true, Text: text, Data: data}},
			Notify: ns})
}

package web

// The hearings on the case page: the list with its record, and the forms of
// whoever may act (schedule, reschedule, cancel, agree to a written hearing,
// minutes, questions and answers); and the room page.

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
)

// hearingView is a hearing as the case page shows it, with the forms the
// viewer gets (the service checks again).
type hearingView struct {
	court.Hearing
	Link       string // the room, for video and audio hearings
	Attendance []court.Attendance
	Questions  []questionView
	Change     bool // reschedule and cancel
	Minutes    bool // write the minutes
	Ask        bool // post a question
	Join       bool // the room is open now
}

// questionView is a question of a written hearing with its answers.
type questionView struct {
	court.HearingPost
	Answers []court.HearingPost
	Answer  bool // the viewer's side may still answer
}

// hearingsPanel is the hearings section of the case page.
type hearingsPanel struct {
	List     []hearingView
	Schedule bool            // the viewer may schedule
	Side     string          // the viewer's side, "" for none
	Agreed   map[string]bool // side -> agreed to a written hearing
	Consent  bool            // the viewer may give or withdraw agreement
}

// loadHearings puts case cs's hearings and the viewer's forms into the page.
func (s *Server) loadHearings(c *fiber.Ctx, p *page, cs *court.Case) error {
	ctx, u, svc := c.UserContext(), p.User, s.hearings()
	list, err := svc.List(ctx, u, cs.ID)
	if err != nil {
		return err
	}
	consents, err := svc.Consents(ctx, u, cs.ID)
	if err != nil {
		return err
	}
	pending := cs.Status == court.CaseServed || cs.Status == court.CaseAnswered
	now := s.dk.Now()
	panel := hearingsPanel{Schedule: pending && hearings.CanSchedule(u, cs), Side: hearings.Side(u, cs), Agreed: map[string]bool{}}
	panel.Consent = pending && panel.Side != ""
	for _, x := range consents {
		panel.Agreed[x.Side] = x.Agreed
	}
	judge := hearings.IsJudge(u, cs)
	for _, h := range list {
		v := hearingView{Hearing: h}
		if h.Kind != court.HearingWritten {
			v.Link = court.HearingLink(cs.ID, h.ID)
		}
		v.Change = h.Status == court.HearingScheduled && pending && hearings.CanSchedule(u, cs)
		v.Minutes = judge && h.Status != court.HearingCancelled && !now.Before(h.Start)
		v.Ask = judge && h.Kind == court.HearingWritten && h.Open()
		v.Join = h.Joinable(now) && hearings.JoinRole(u, cs) != ""
		if v.Attendance, err = svc.Attendance(ctx, u, cs.ID, h.ID); err != nil {
			return err
		}
		posts, err := svc.Posts(ctx, u, cs.ID, h.ID)
		if err != nil {
			return err
		}
		v.Questions = threadOf(posts, panel.Side, h.Open(), now)
		panel.List = append(panel.List, v)
	}
	p.Data["Hearings"] = panel
	if p.Form["h_minutes"] == "" {
		p.Form["h_minutes"] = "60"
	}
	return nil
}

// threadOf groups a written hearing's posts into questions with their
// answers, and says which the side may still answer.
func threadOf(posts []court.HearingPost, side string, open bool, now time.Time) []questionView {
	var qs []questionView
	at := map[int64]int{}
	for _, x := range posts {
		if x.QuestionID == nil {
			at[x.ID] = len(qs)
			qs = append(qs, questionView{HearingPost: x, Answer: side != "" && open && (x.Due == nil || !now.After(*x.Due))})
			continue
		}
		if i, ok := at[*x.QuestionID]; ok {
			qs[i].Answers = append(qs[i].Answers, x)
			if x.Side == side {
				qs[i].Answer = false
			}
		}
	}
	return qs
}

// hearingAction runs a form of a hearing on the case page (see caseAction).
func (s *Server) hearingAction(c *fiber.Ctx, do func(p *page, id, hid int64) (string, error)) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		_, hid, err := hearingIDs(c)
		if err != nil {
			return "", err
		}
		return do(p, id, hid)
	})
}

// slotForm reads the date, time, length and kind fields of a hearing form.
func slotForm(c *fiber.Ctx, p *page) court.HearingSlot {
	f := formValues(c, p, "h_kind", "h_date", "h_time", "h_minutes")
	minutes, err := strconv.Atoi(f["h_minutes"])
	if err != nil {
		minutes = -1 // out of bounds: the slot's check explains
	}
	return court.HearingSlot{Kind: court.HearingKind(f["h_kind"]), Date: f["h_date"], Time: f["h_time"], Minutes: minutes}
}

// slotFields maps the slot's field errors to the form's names.
func slotFields(err error) error {
	for _, f := range []string{"kind", "date", "time", "minutes", "reason"} {
		err = renameField(err, f, "h_"+f)
	}
	return err
}

func (s *Server) caseSchedule(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		_, err := s.hearings().Schedule(c.UserContext(), p.User, id, slotForm(c, p))
		return "notice=hearing_scheduled", slotFields(err)
	})
}

func (s *Server) caseReschedule(c *fiber.Ctx) error {
	return s.hearingAction(c, func(p *page, id, hid int64) (string, error) {
		slot := slotForm(c, p)
		formValues(c, p, "h_reason")
		_, err := s.hearings().Reschedule(c.UserContext(), p.User, id, hid, slot, p.Form["h_reason"])
		return "notice=hearing_rescheduled", slotFields(err)
	})
}

func (s *Server) caseCancelHearing(c *fiber.Ctx) error {
	return s.hearingAction(c, func(p *page, id, hid int64) (string, error) {
		formValues(c, p, "h_reason")
		_, err := s.hearings().Cancel(c.UserContext(), p.User, id, hid, p.Form["h_reason"])
		return "notice=hearing_cancelled", slotFields(err)
	})
}

func (s *Server) caseConsent(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "agree")
		if a := p.Form["agree"]; a != "yes" && a != "no" {
			return "", court.Errorf(court.EINVALID, "err.invalid_choice")
		}
		err := s.hearings().SetConsent(c.UserContext(), p.User, id, p.Form["agree"] == "yes")
		return "notice=written_consent", err
	})
}

func (s *Server) caseMinutes(c *fiber.Ctx) error {
	return s.hearingAction(c, func(p *page, id, hid int64) (string, error) {
		formValues(c, p, "minutes")
		_, err := s.hearings().SaveMinutes(c.UserContext(), p.User, id, hid, p.Form["minutes"])
		return "notice=minutes_saved", err
	})
}

func (s *Server) caseAsk(c *fiber.Ctx) error {
	return s.hearingAction(c, func(p *page, id, hid int64) (string, error) {
		formValues(c, p, "question", "due")
		_, err := s.hearings().Ask(c.UserContext(), p.User, id, hid, p.Form["question"], p.Form["due"])
		return "notice=question_posted", err
	})
}

func (s *Server) caseReply(c *fiber.Ctx) error {
	return s.hearingAction(c, func(p *page, id, hid int64) (string, error) {
		formValues(c, p, "answer", "question_id")
		qid, err := strconv.ParseInt(p.Form["question_id"], 10, 64)
		if err != nil || qid <= 0 {
			return "", court.ErrNotFound()
		}
		_, err = s.hearings().Reply(c.UserContext(), p.User, id, hid, qid, p.Form["answer"])
		return "notice=answer_posted", err
	})
}

// hearingRoom is the room page of a hearing. The room itself (device check,
// waiting room, media) comes with the media server; until then the page
// shows the hearing and when its room opens.
func (s *Server) hearingRoom(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	h, err := s.hearings().Get(ctx, u, id, hid)
	if err != nil {
		return err
	}
	cs, err := s.dk.Get(ctx, u, id)
	if err != nil {
		return err
	}
	if h.Kind == court.HearingWritten {
		return court.ErrNotFound() // a written hearing has no room: it is on the case page
	}
	p := s.newPage(c, "title.hearing_room")
	p.Data["Case"] = cs
	p.Data["Hearing"] = h
	p.Data["Opens"] = h.Start.Add(-court.HearingOpensBefore)
	p.Data["Join"] = h.Joinable(s.dk.Now()) && hearings.JoinRole(u, cs) != ""
	return s.render(c, "hearing_room", fiber.StatusOK, p)
}

// HearingKindField is the select of hearing kinds for the schedule form.
func (p *page) HearingKindField() field {
	f := p.Field("h_kind", "select", "hearing.field_kind", "required")
	for _, k := range []court.HearingKind{court.HearingVideo, court.HearingAudio, court.HearingWritten} {
		f.Options = append(f.Options, option{string(k), p.HearingKindName(k)})
	}
	return f
}

// HearingKindName, HearingStatusName and HearingSideName translate stored
// values.
func (p *page) HearingKindName(k court.HearingKind) string { return p.T("hearing.kind_" + string(k)) }
func (p *page) HearingStatusName(s court.HearingStatus) string {
	return p.T("hearing.status_" + string(s))
}
func (p *page) HearingSideName(side string) string { return p.T("hearing.side_" + side) }

// HourMinute shows a time's hours and minutes in the court's zone.
func (p *page) HourMinute(t time.Time) string { return t.In(court.Zone).Format("15:04") }

// Length is the hearing's length in minutes.
func (v hearingView) Length() int { return int(v.End.Sub(v.Start) / time.Minute) }

package web

// Hearings on the court's side (issue 5): scheduling, rescheduling and
// cancelling, the calendar file, the join token for the room, the parties'
// agreement to a written hearing, the judge's minutes and the written
// hearing's questions and answers. JSON under /api/v1, forms on the case
// page. The hearings service decides who may do what; these handlers only
// translate between HTTP and it. docs/hearings.md describes the API.

import (
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
)

// hearings returns the hearings service over the server's storage, clock
// and token issuer. It holds no state, so one per use costs nothing.
func (s *Server) hearings() *hearings.Service {
	return &hearings.Service{DB: s.db, Now: s.dk.Now, Issuer: s.cfg.HearingTokens}
}

// scheduleAPIRoutes adds the JSON routes of hearing scheduling under /api/v1.
func (s *Server) scheduleAPIRoutes(api fiber.Router) {
	const h = "/cases/:id/hearings/:hid"
	api.Get("/cases/:id/hearings", s.apiRequireUser, s.apiHearings)
	api.Post("/cases/:id/hearings", s.apiRequireUser, s.apiSchedule)
	api.Post("/cases/:id/written-consent", s.apiRequireUser, s.apiConsent)
	api.Get(h, s.apiRequireUser, s.apiHearing)
	api.Post(h+"/reschedule", s.apiRequireUser, s.apiReschedule)
	api.Post(h+"/cancel", s.apiRequireUser, s.apiCancelHearing)
	api.Get(h+"/ics", s.apiRequireUser, s.hearingICS)
	api.Post(h+"/token", s.apiRequireUser, s.hearingToken)
	api.Post(h+"/minutes", s.apiRequireUser, s.apiMinutes)
	api.Post(h+"/questions", s.apiRequireUser, s.apiAsk)
	api.Post(h+"/answers", s.apiRequireUser, s.apiReply)
}

// schedulePageRoutes adds the page routes of hearing scheduling.
func (s *Server) schedulePageRoutes(pages fiber.Router) {
	const h = "/cases/:id/hearings/:hid"
	pages.Post("/cases/:id/hearings", s.requireUser, s.caseSchedule)
	pages.Post("/cases/:id/written-consent", s.requireUser, s.caseConsent)
	pages.Get(h+"/room", s.requireUser, s.hearingRoom)
	pages.Get(h+"/ics", s.requireUser, s.hearingICS)
	// The room page asks for its token here with the session cookie and
	// the page's CSRF token (X-CSRF-Token); the answer is JSON.
	pages.Post(h+"/token", s.requireUser, s.hearingToken)
	pages.Post(h+"/reschedule", s.requireUser, s.caseReschedule)
	pages.Post(h+"/cancel", s.requireUser, s.caseCancelHearing)
	pages.Post(h+"/minutes", s.requireUser, s.caseMinutes)
	pages.Post(h+"/questions", s.requireUser, s.caseAsk)
	pages.Post(h+"/answers", s.requireUser, s.caseReply)
}

func init() {
	for _, n := range []string{"hearing_scheduled", "hearing_rescheduled", "hearing_cancelled", "written_consent",
		"minutes_saved", "question_posted", "answer_posted"} {
		noticeKeys[n] = true
	}
}

// hearingIDs reads :id and :hid; anything but positive numbers in plain
// form is "not found".
func hearingIDs(c *fiber.Ctx) (int64, int64, error) {
	id, err := apiCaseID(c)
	if err != nil {
		return 0, 0, err
	}
	p := c.Params("hid")
	hid, err := strconv.ParseInt(p, 10, 64)
	if err != nil || hid <= 0 || strconv.FormatInt(hid, 10) != p {
		return 0, 0, court.ErrNotFound()
	}
	return id, hid, nil
}

// JSON bodies.
type (
	apiHearingList struct {
		Hearings []court.Hearing `json:"hearings"`
		Consents []court.Consent `json:"consents"`
	}
	apiHearingDetail struct {
		Hearing    *court.Hearing      `json:"hearing"`
		Link       string              `json:"link"` // the room page, for video and audio hearings
		Attendance []court.Attendance  `json:"attendance"`
		Posts      []court.HearingPost `json:"posts"`
	}
	apiRescheduleRequest struct {
		court.HearingSlot
		Reason string `json:"reason"`
	}
	apiConsentRequest struct {
		Agree *bool `json:"agree"`
	}
	apiMinutesRequest struct {
		Minutes string `json:"minutes"`
	}
	apiQuestionRequest struct {
		Question string `json:"question"`
		Due      string `json:"due"` // 2006-01-02, the court's zone
	}
	apiReplyRequest struct {
		QuestionID int64  `json:"question_id"`
		Answer     string `json:"answer"`
	}
	apiTokenResponse struct {
		Token   string    `json:"token"`
		Expires time.Time `json:"expires"`
	}
)

func (s *Server) apiHearings(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), currentUser(c)
	hs, err := s.hearings().List(ctx, u, id)
	if err != nil {
		return err
	}
	cs, err := s.hearings().Consents(ctx, u, id)
	if err != nil {
		return err
	}
	return c.JSON(apiHearingList{Hearings: hs, Consents: cs})
}

func (s *Server) apiSchedule(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req court.HearingSlot
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	h, err := s.hearings().Schedule(c.UserContext(), currentUser(c), id, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h)
}

func (s *Server) apiHearing(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	ctx, u, svc := c.UserContext(), currentUser(c), s.hearings()
	h, err := svc.Get(ctx, u, id, hid)
	if err != nil {
		return err
	}
	att, err := svc.Attendance(ctx, u, id, hid)
	if err != nil {
		return err
	}
	posts, err := svc.Posts(ctx, u, id, hid)
	if err != nil {
		return err
	}
	d := apiHearingDetail{Hearing: h, Attendance: att, Posts: posts}
	if h.Kind != court.HearingWritten {
		d.Link = court.HearingLink(id, hid)
	}
	return c.JSON(d)
}

func (s *Server) apiReschedule(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	var req apiRescheduleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	h, err := s.hearings().Reschedule(c.UserContext(), currentUser(c), id, hid, req.HearingSlot, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

func (s *Server) apiCancelHearing(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	var req apiReasonRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	h, err := s.hearings().Cancel(c.UserContext(), currentUser(c), id, hid, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

func (s *Server) apiConsent(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req apiConsentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Agree == nil {
		return &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"),
			Fields: map[string]court.Message{"agree": court.Msg("err.required")}}
	}
	ctx, u := c.UserContext(), currentUser(c)
	if err := s.hearings().SetConsent(ctx, u, id, *req.Agree); err != nil {
		return err
	}
	cs, err := s.hearings().Consents(ctx, u, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"consents": cs})
}

func (s *Server) apiMinutes(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	var req apiMinutesRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	h, err := s.hearings().SaveMinutes(c.UserContext(), currentUser(c), id, hid, req.Minutes)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

func (s *Server) apiAsk(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	var req apiQuestionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	post, err := s.hearings().Ask(c.UserContext(), currentUser(c), id, hid, req.Question, req.Due)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(post)
}

func (s *Server) apiReply(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	var req apiReplyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	post, err := s.hearings().Reply(c.UserContext(), currentUser(c), id, hid, req.QuestionID, req.Answer)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(post)
}

// hearingToken answers a join token, on the API (bearer token) and for the
// room page (session cookie and CSRF header) alike: JSON either way.
func (s *Server) hearingToken(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	tok, exp, err := s.hearings().Token(c.UserContext(), currentUser(c), id, hid)
	if err != nil {
		if !isAPI(c) {
			return s.jsonError(c, err)
		}
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(apiTokenResponse{Token: tok, Expires: exp})
}

// hearingICS sends the calendar file of a hearing, on the API and the pages.
func (s *Server) hearingICS(c *fiber.Ctx) error {
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
	lang := s.lang(c)
	if isAPI(c) {
		lang = s.cat.Match("", c.Get(fiber.HeaderAcceptLanguage))
	}
	name := cs.DocketNo
	if name == "" {
		name = "#" + strconv.FormatInt(id, 10)
	}
	cal := hearings.Calendar{
		Host:        hostOnly(c.Hostname()),
		Summary:     s.cat.M(lang, court.Msg("hearing.ics_summary", "DocketNo", name, "Kind", s.cat.M(lang, court.Msg("hearing.kind_"+string(h.Kind))))),
		Description: s.cat.M(lang, court.Msg("hearing.ics_description", "Merchant", cs.MerchantName)),
		Stamp:       s.dk.Now(),
	}
	if h.Kind != court.HearingWritten {
		cal.URL = c.BaseURL() + court.HearingLink(id, hid)
	} else {
		cal.URL = c.BaseURL() + "/cases/" + strconv.FormatInt(id, 10)
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="hearing-`+strconv.FormatInt(hid, 10)+`.ics"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(hearings.ICS(h, cal))
}

// hostOnly drops the port of a Host header's value.
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// caseAPIRoutes registers the case API under /api/v1. Who may see and do
// what is decided by the docket service; these handlers only translate
// between HTTP and it.
func (s *Server) caseAPIRoutes(api fiber.Router) {
	api.Post("/cases", s.apiRequireUser, s.apiFileCase)
	api.Get("/cases", s.apiRequireUser, s.apiListCases)
	api.Get("/cases/:id", s.apiRequireUser, s.apiGetCase)
	api.Put("/cases/:id", s.apiRequireUser, s.apiUpdateCase)
	api.Get("/cases/:id/docket", s.apiRequireUser, s.apiCaseDocket)
	api.Post("/cases/:id/submit", s.apiRequireUser, s.apiSubmitCase)
	api.Post("/cases/:id/review", s.apiRequireUser, s.apiReviewCase)
	api.Post("/cases/:id/withdraw", s.apiRequireUser, s.apiWithdrawCase)
	api.Get("/notices", s.apiRequireUser, s.apiNotices)
}

// Paging of GET /api/v1/cases.
const (
	apiDefaultCaseLimit = 50
	apiMaxCaseLimit     = 200
)

// apiFileRequest is the body of POST /api/v1/cases: a filing, and whether to
// send it to review at once (else it is kept as a draft).
type apiFileRequest struct {
	court.Filing
	Submit bool `json:"submit"`
	// Villager is given by a station agent filing for a villager who is
	// present (routes_villager.go); a claimant files without it.
	Villager *court.Villager `json:"villager,omitempty"`
}

type apiCaseList struct {
	Cases []court.Case `json:"cases"`
	// NextBefore is the before= value of the next page; absent on a page
	// that is not full (the last one).
	NextBefore int64 `json:"next_before,omitempty"`
}

type apiDocketList struct {
	Entries []storage.Entry `json:"entries"`
}

type apiReviewRequest struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

type apiWithdrawRequest struct {
	Reason string `json:"reason"`
}

type apiNoticeList struct {
	Notices []storage.Notice `json:"notices"`
	Unread  int              `json:"unread"`
}

// apiReviewActions maps the decisions of POST /cases/:id/review to actions.
var apiReviewActions = map[string]court.Action{
	"accept": court.ActAccept,
	"return": court.ActReturn,
	"reject": court.ActReject,
}

// apiCaseID reads the :id of a case route. Only a positive decimal number in
// its plain form names a case; anything else is "not found", as a case that
// does not exist.
func apiCaseID(c *fiber.Ctx) (int64, error) {
	p := c.Params("id")
	id, err := strconv.ParseInt(p, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != p {
		return 0, court.ErrNotFound()
	}
	return id, nil
}

// apiFileCase files a case: 201 with the case, a draft or submitted.
func (s *Server) apiFileCase(c *fiber.Ctx) error {
	var req apiFileRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	file := s.dk.File
	if req.Villager != nil {
		file = s.fileForVillager(*req.Villager)
	}
	cs, err := file(c.UserContext(), currentUser(c), req.Filing, req.Submit)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cs)
}

// apiListCases lists the cases the caller may see, newest first.
func (s *Server) apiListCases(c *fiber.Ctx) error {
	var v court.Validator
	var status []court.CaseStatus
	if q := c.Query("status"); q != "" {
		for _, part := range strings.Split(q, ",") {
			st := court.CaseStatus(strings.TrimSpace(part))
			if !apiKnownStatus(st) {
				v.Fail("status", "err.invalid_choice")
				break
			}
			status = append(status, st)
		}
	}
	before := apiQueryInt(&v, c, "before", 0, 1, 1<<62)
	limit := apiQueryInt(&v, c, "limit", apiDefaultCaseLimit, 1, apiMaxCaseLimit)
	if err := v.Err(); err != nil {
		return err
	}
	cases, err := s.dk.List(c.UserContext(), currentUser(c), status, before, int(limit))
	if err != nil {
		return err
	}
	res := apiCaseList{Cases: cases}
	if len(cases) == int(limit) {
		res.NextBefore = cases[len(cases)-1].ID
	}
	return c.JSON(res)
}

func apiKnownStatus(st court.CaseStatus) bool {
	for _, x := range court.CaseStatuses {
		if st == x {
			return true
		}
	}
	return false
}

// apiQueryInt reads an optional integer query parameter within [min, max],
// recording a field error on v when it is not one.
func apiQueryInt(v *court.Validator, c *fiber.Ctx, name string, def, min, max int64) int64 {
	q := c.Query(name)
	if q == "" {
		return def
	}
	n, err := strconv.ParseInt(q, 10, 64)
	if !v.Check(err == nil && n >= min && n <= max, name, "err.invalid_choice") {
		return def
	}
	return n
}

// apiGetCase returns one case.
func (s *Server) apiGetCase(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	cs, err := s.dk.Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

// apiCaseDocket returns the docket entries of a case the caller may see.
func (s *Server) apiCaseDocket(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	entries, err := s.dk.Docket(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(apiDocketList{Entries: entries})
}

// apiSubmitCase sends a draft or a returned case to review.
func (s *Server) apiSubmitCase(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	cs, err := s.dk.Submit(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

// apiReviewCase is a clerk's decision on a submitted case.
func (s *Server) apiReviewCase(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req apiReviewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, ok := apiReviewActions[req.Decision]
	if !ok {
		return &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"),
			Fields: map[string]court.Message{"decision": court.Msg("err.invalid_choice")}}
	}
	cs, err := s.dk.Review(c.UserContext(), currentUser(c), id, a, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

// apiWithdrawCase withdraws a case at the claimant's wish; the body, with a
// reason, is optional.
func (s *Server) apiWithdrawCase(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req apiWithdrawRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	cs, err := s.dk.Withdraw(c.UserContext(), currentUser(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

// apiNotices returns the caller's newest notices and the unread count.
func (s *Server) apiNotices(c *fiber.Ctx) error {
	ns, unread, err := s.db.Notices(c.UserContext(), currentUser(c).ID, 50)
	if err != nil {
		return err
	}
	return c.JSON(apiNoticeList{Notices: ns, Unread: unread})
}

// apiUpdateCase changes the filing of a draft or of a returned case: 200
// with the case. The body is that of POST /api/v1/cases without "submit".
func (s *Server) apiUpdateCase(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var f court.Filing
	if err := decodeJSON(c, &f); err != nil {
		return err
	}
	cs, err := s.dk.Update(c.UserContext(), currentUser(c), id, f)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

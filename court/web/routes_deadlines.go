package web

// The court's deadlines in the web: the judge's docket (assigned cases by
// nearest deadline), the clerk's list of overdue cases, and the extension of
// a case's time limit that only an admin, acting for the court president,
// grants (Civil Procedure Law Art 168).

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
)

const (
	apiDefaultDeadlineLimit = 100
	apiMaxDeadlineLimit     = 500
	homeDeadlineLimit       = 50
)

func (s *Server) deadlineAPIRoutes(api fiber.Router) {
	api.Get("/docket", s.apiRequireUser, s.apiDeadlines(s.dk.JudgeDocket))
	api.Get("/overdue", s.apiRequireUser, s.apiDeadlines(s.dk.Overdue))
	api.Post("/cases/:id/extend", s.apiRequireUser, s.apiExtend)
}

func init() { noticeKeys["case_extended"] = true }

func (s *Server) deadlinePageRoutes(pages fiber.Router) {
	pages.Post("/cases/:id/extend", s.requireUser, s.caseExtend)
}

// apiDeadlineList is the JSON body of GET /docket and GET /overdue.
type apiDeadlineList struct {
	Items []docket.DeadlineItem `json:"items"`
}

// apiDeadlines answers a list of cases with their next deadline: the judge's
// docket or the overdue list, which the service refuses (not found) to
// anyone else.
func (s *Server) apiDeadlines(list func(ctx context.Context, u *court.User, limit int) ([]docket.DeadlineItem, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var v court.Validator
		limit := apiQueryInt(&v, c, "limit", apiDefaultDeadlineLimit, 1, apiMaxDeadlineLimit)
		if err := v.Err(); err != nil {
			return err
		}
		items, err := list(c.UserContext(), currentUser(c), int(limit))
		if err != nil {
			return err
		}
		if items == nil {
			items = []docket.DeadlineItem{}
		}
		return c.JSON(apiDeadlineList{Items: items})
	}
}

type apiReasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiExtend(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req apiReasonRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cs, err := s.dk.Extend(c.UserContext(), currentUser(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

func (s *Server) caseExtend(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "extend_reason")
		_, err := s.dk.Extend(c.UserContext(), p.User, id, p.Form["extend_reason"])
		return "notice=case_extended", renameField(err, "reason", "extend_reason")
	})
}

// loadDeadlines puts on a home page the deadlines its user works to: a
// judge's docket, or the overdue cases for a clerk or an admin.
func (s *Server) loadDeadlines(c *fiber.Ctx, p *page) error {
	var (
		items []docket.DeadlineItem
		err   error
	)
	switch p.User.Role {
	case court.RoleJudge:
		items, err = s.dk.JudgeDocket(c.UserContext(), p.User, homeDeadlineLimit)
		p.Data["DeadlineHeading"], p.Data["DeadlineEmpty"] = "deadlines.judge_heading", "deadlines.judge_empty"
	case court.RoleClerk, court.RoleAdmin:
		items, err = s.dk.Overdue(c.UserContext(), p.User, homeDeadlineLimit)
		p.Data["DeadlineHeading"], p.Data["DeadlineEmpty"] = "deadlines.overdue_heading", "deadlines.overdue_empty"
	default:
		return nil
	}
	if err != nil {
		return err
	}
	p.Data["Deadlines"] = items
	return nil
}

// canExtend reports whether u may be offered the extension form for cs: an
// admin, on a pending case with a time limit. (The service says why when it
// still refuses, e.g. an extension granted before.)
func canExtend(u *court.User, cs *court.Case) bool {
	return u.Role == court.RoleAdmin && cs.ConcludeBy != nil && slices.Contains(docket.PendingStates, cs.Status)
}

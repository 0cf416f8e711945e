package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/storage"
)

// casePageRoutes registers the case pages. The pages group has resolved the
// session and checked the CSRF token of every POST.
func (s *Server) casePageRoutes(pages fiber.Router) {
	// /cases/new before /cases/:id, which would take it otherwise.
	pages.Get("/cases/new", s.requireRole(court.RoleClaimant), s.filingForm)
	pages.Post("/cases/new", s.requireRole(court.RoleClaimant), s.fileClaim)
	pages.Get("/cases/:id", s.requireUser, s.casePage)
	pages.Get("/cases/:id/edit", s.requireUser, s.editFilingForm)
	pages.Post("/cases/:id/edit", s.requireUser, s.editFiling)
	pages.Post("/cases/:id/submit", s.requireUser, s.caseSubmit)
	pages.Post("/cases/:id/review", s.requireUser, s.caseReview)
	pages.Post("/cases/:id/withdraw", s.requireUser, s.caseWithdraw)
}

// caseID reads the :id of a case route; anything but a positive number is
// a case that does not exist.
func caseID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, court.ErrNotFound()
	}
	return id, nil
}

// entryView is a docket entry as the case page shows it.
type entryView struct {
	Seq      int
	At       time.Time
	Actor    string
	Text     string // the entry, from the catalog
	Note     string // what a person wrote (a reason)
	Internal bool
}

// caseActions says which forms the viewer gets on the case page.
type caseActions struct {
	Submit, Withdraw, Review bool
	Edit                     bool // change the filing (draft or returned)
}

// Any reports whether the viewer may do anything; Main whether something
// moves the case on (withdrawing only ends it).
func (a caseActions) Any() bool  { return a.Submit || a.Withdraw || a.Review || a.Edit }
func (a caseActions) Main() bool { return a.Submit || a.Review }

// isClaimantSide reports whether u is the claimant of c, or filed it for them.
func isClaimantSide(u *court.User, c *court.Case) bool {
	return u.ID == c.ClaimantID || u.ID == c.FiledByID
}

// actionsFor lists what u may do to c now; the service checks again.
func actionsFor(u *court.User, c *court.Case) caseActions {
	var a caseActions
	if isClaimantSide(u, c) {
		_, errSubmit := court.Next(c.Status, court.ActSubmit)
		_, errWithdraw := court.Next(c.Status, court.ActWithdraw)
		a.Submit, a.Withdraw = errSubmit == nil, errWithdraw == nil
		a.Edit = docket.Editable(u, c)
	}
	if u.Role == court.RoleClerk || u.Role == court.RoleAdmin {
		_, err := court.Next(c.Status, court.ActAccept)
		a.Review = err == nil
	}
	return a
}

// nextStep is what the viewer of c should do next, or wait for, with its
// deadline: a message key and its values.
func nextStep(u *court.User, c *court.Case) (string, []any) {
	due := ""
	if c.AnswerDue != nil {
		due = docket.Deadline(*c.AnswerDue)
	}
	claimant := isClaimantSide(u, c)
	switch c.Status {
	case court.CaseDraft:
		return "step.draft", nil
	case court.CaseSubmitted:
		if claimant {
			return "step.submitted_claimant", nil
		}
		if u.Role == court.RoleClerk || u.Role == court.RoleAdmin {
			return "step.submitted_clerk", nil
		}
		return "step.submitted_other", nil
	case court.CaseReturned:
		if claimant {
			return "step.returned_claimant", nil
		}
		return "step.returned_other", nil
	case court.CaseRejected:
		return "step.rejected", nil
	case court.CaseServed:
		switch {
		case u.Role == court.RoleMerchant:
			return "step.served_merchant", []any{"Due", due}
		case claimant:
			return "step.served_claimant", []any{"Due", due}
		}
		return "step.served_staff", []any{"Due", due}
	case court.CaseAnswered:
		return "step.answered", nil
	case court.CaseSettled:
		return "step.settled", nil
	case court.CaseConverted:
		return "step.converted", nil
	case court.CaseRuled:
		return "step.ruled", nil
	}
	return "step.closed", nil
}

// loadCase puts case id, as u may see it, into the page: the case, its
// parties, the next step, the docket and the viewer's actions. A case the
// user may not see is ENOTFOUND.
func (s *Server) loadCase(c *fiber.Ctx, p *page, id int64) error {
	ctx := c.UserContext()
	cs, err := s.dk.Get(ctx, p.User, id)
	if err != nil {
		return err
	}
	entries, err := s.dk.Docket(ctx, p.User, id)
	if err != nil {
		return err
	}
	claimant, err := s.db.UserByID(ctx, cs.ClaimantID)
	if err != nil {
		return err
	}
	views := make([]entryView, 0, len(entries))
	for _, e := range entries {
		views = append(views, entryView{Seq: e.Seq, At: e.At, Actor: p.ActorName(e.ActorRole),
			Text: p.TData("docket."+e.Kind, e.Data), Note: e.Text, Internal: !e.Public})
	}
	key, args := nextStep(p.User, cs)
	p.Data["Case"] = cs
	p.Data["Claimant"] = claimant.DisplayName
	p.Data["Entries"] = views
	p.Data["Step"] = p.T(key, args...)
	p.Data["Actions"] = actionsFor(p.User, cs)
	p.Data["AnswerDays"] = s.dk.Profile.AnswerDays
	p.Data["Extend"] = canExtend(p.User, cs)
	p.Data["ExtendMonths"] = s.dk.Profile.ExtendMonths
	p.Data["CanSeal"] = hearings.IsJudge(p.User, cs)
	signed, err := s.rulingSigned(c.UserContext(), cs.ID)
	if err != nil {
		return err
	}
	p.Data["RulingSigned"] = signed
	p.Data["Payments"] = s.paymentsPanel(c.UserContext(), p, cs.ID)
	if err := s.loadFee(c, p, cs); err != nil {
		return err
	}
	if err := s.loadHearings(c, p, cs); err != nil {
		return err
	}
	if err := s.loadExhibits(c, p, cs); err != nil {
		return err
	}
	return s.loadAnswer(c, p, cs)
}

// casePage shows one case.
func (s *Server) casePage(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.case")
	if err := s.loadCase(c, p, id); err != nil {
		return err
	}
	return s.render(c, "case_show", fiber.StatusOK, p)
}

// caseAction runs one action of the case page. On success it goes back to
// the case with the notice do names ("notice=..."); an error about the input
// shows the case page again with it (and what the user typed); any other
// goes to the error page.
func (s *Server) caseAction(c *fiber.Ctx, do func(p *page, id int64) (query string, err error)) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.case")
	formValues(c, p, "reason", "decision")
	query, err := do(p, id)
	if err == nil {
		return c.Redirect("/cases/"+strconv.FormatInt(id, 10)+"?"+query, fiber.StatusSeeOther)
	}
	switch court.ErrorCode(err) {
	case court.EINVALID, court.ECONFLICT, court.EFORBIDDEN:
	default:
		return err
	}
	if lerr := s.loadCase(c, p, id); lerr != nil {
		return lerr
	}
	return s.renderForm(c, "case_show", p, err)
}

func (s *Server) caseSubmit(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		_, err := s.dk.Submit(c.UserContext(), p.User, id)
		return "notice=case_submitted", err
	})
}

func (s *Server) caseWithdraw(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		_, err := s.dk.Withdraw(c.UserContext(), p.User, id, p.Form["reason"])
		return "notice=case_withdrawn", err
	})
}

// caseReview is the clerk's decision: accept, return or reject.
func (s *Server) caseReview(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		a := court.Action(p.Form["decision"])
		_, err := s.dk.Review(c.UserContext(), p.User, id, a, p.Form["reason"])
		switch a {
		case court.ActAccept:
			return "notice=case_accepted", err
		case court.ActReturn:
			return "notice=case_returned", err
		}
		return "notice=case_rejected", err
	})
}

// homeCases is a role's list of cases on its home page.
type homeCases struct {
	Kind           string // claimant, merchant, review or assigned: which columns
	Heading, Empty string // message keys
	Cases          []court.Case
}

// loadHome puts the viewer's cases and latest notices into the home page.
func (s *Server) loadHome(c *fiber.Ctx, p *page) error {
	ctx := c.UserContext()
	u := p.User
	var list homeCases
	switch u.Role {
	case court.RoleClaimant, court.RoleStationAgent:
		list = homeCases{Kind: "claimant", Heading: "home.list_claimant", Empty: "home.empty_claimant"}
	case court.RoleMerchant:
		list = homeCases{Kind: "merchant", Heading: "home.list_merchant", Empty: "home.empty_merchant"}
	case court.RoleClerk, court.RoleAdmin:
		list = homeCases{Kind: "review", Heading: "home.list_review", Empty: "home.empty_review"}
	case court.RoleJudge, court.RoleMediator:
		list = homeCases{Kind: "assigned", Heading: "home.list_assigned", Empty: "home.empty_assigned"}
	}
	if list.Kind != "" {
		var cases []court.Case
		var err error
		if list.Kind == "review" {
			cases, err = s.dk.Queue(ctx, u, 50)
		} else {
			cases, err = s.dk.List(ctx, u, nil, 0, 50)
		}
		if err != nil {
			return err
		}
		list.Cases = cases
		p.Data["List"] = list
	}
	notices, unread, err := s.db.Notices(ctx, u.ID, 5)
	if err != nil {
		return err
	}
	views := make([]noticeView, 0, len(notices))
	for _, n := range notices {
		v := noticeView{Notice: n, Text: p.TData("notice_kind."+n.Kind, n.Data)}
		if n.CaseID != nil {
			v.CaseNo = *n.CaseID
		}
		views = append(views, v)
	}
	p.Data["Notices"] = views
	p.Data["Unread"] = unread
	return s.loadDrafts(c, p)
}

// noticeView is a notice with its text in the viewer's language.
type noticeView struct {
	storage.Notice
	Text   string
	CaseNo int64 // the case it is about, 0 for none
}

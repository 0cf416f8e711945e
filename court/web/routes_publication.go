package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/publication"
)

// Published decisions (issue 6): anyone, without logging in, searches the
// anonymised rulings, reads one and exports them as JSON or CSV; the judge
// of a case seals it, and then nothing of it is published. See
// docs/publication.md.

// publicationSvc is the publication service. A server built without one
// (tests of other parts) gets one on its database, which publishes only
// when asked (cmd/courtd runs the publishing job).
func (s *Server) publicationSvc() *publication.Service {
	if s.cfg.Publication == nil {
		var ids publication.ResidentIDs
		if s.acc != nil && s.acc.Keys != nil {
			ids = s.acc.Keys
		}
		s.cfg.Publication = publication.New(s.db, ids, s.log)
	}
	return s.cfg.Publication
}

// publicationAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) publicationAPIRoutes(api fiber.Router) {
	s.publicationSvc()
	api.Get("/decisions", s.apiDecisions)
	api.Get("/decisions/export", s.apiDecisionExport)
	api.Get("/decisions/:id", s.apiDecision)
	api.Post("/cases/:id/seal", s.apiRequireUser, s.apiSeal)
}

// publicationPageRoutes adds the page routes of this part.
func (s *Server) publicationPageRoutes(pages fiber.Router) {
	s.publicationSvc()
	pages.Get("/decisions", s.decisionsPage)
	pages.Get("/decisions/:id", s.decisionPage)
	pages.Get("/cases/:id/seal", s.requireUser, s.sealForm)
	pages.Post("/cases/:id/seal", s.requireUser, s.sealCase)
}

func init() { noticeKeys["case_sealed"] = true }

// decisionPageSize is how many decisions one page of results shows.
const decisionPageSize = 20

// decisionQuery reads a public search from the query string; a number that
// does not parse is invalid like one out of range.
func decisionQuery(c *fiber.Ctx) (publication.Query, error) {
	q := publication.Query{Text: c.Query("q"), Category: c.Query("category"), Outcome: c.Query("outcome")}
	var v court.Validator
	num := func(name string, dst *int) {
		if s := c.Query(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				v.Fail(name, "publication.err_"+name, "Max", publication.MaxOffset)
				return
			}
			*dst = n
		}
	}
	num("year", &q.Year)
	num("offset", &q.Offset)
	if err := v.Err(); err != nil {
		return q, err
	}
	return q, q.Validate()
}

func (s *Server) apiDecisions(c *fiber.Ctx) error {
	q, err := decisionQuery(c)
	if err != nil {
		return err
	}
	limit, err := strconv.Atoi(c.Query("limit", strconv.Itoa(decisionPageSize)))
	if err != nil || limit <= 0 || limit > 100 {
		var v court.Validator
		v.Fail("limit", "publication.err_limit", "Max", 100)
		return v.Err()
	}
	q.Limit = limit
	ds, more, err := s.publicationSvc().Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := fiber.Map{"decisions": ds, "more": more}
	if more {
		out["next_offset"] = q.Offset + len(ds)
	}
	return c.JSON(out)
}

func (s *Server) apiDecision(c *fiber.Ctx) error {
	id, err := apiCaseID(c) // the same rule for any id in a path
	if err != nil {
		return err
	}
	d, err := s.publicationSvc().Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// apiDecisionExport pages through every published decision in id order:
// ?after= the last id of the previous page, ?limit= up to MaxExport,
// ?format=json (default) or csv. The next page's address is in the Link
// header (rel="next") and, for JSON, in next.
func (s *Server) apiDecisionExport(c *fiber.Ctx) error {
	var v court.Validator
	format := c.Query("format", "json")
	v.Check(format == "json" || format == "csv", "format", "publication.err_format")
	after, err := strconv.ParseInt(c.Query("after", "0"), 10, 64)
	v.Check(err == nil && after >= 0, "after", "publication.err_after")
	limit, err := strconv.Atoi(c.Query("limit", strconv.Itoa(publication.MaxExport)))
	v.Check(err == nil && limit > 0 && limit <= publication.MaxExport, "limit", "publication.err_limit", "Max", publication.MaxExport)
	if err := v.Err(); err != nil {
		return err
	}
	ds, err := s.publicationSvc().Export(c.UserContext(), after, limit)
	if err != nil {
		return err
	}
	next := ""
	if len(ds) == limit {
		q := url.Values{"format": {format}, "after": {strconv.FormatInt(ds[len(ds)-1].ID, 10)}, "limit": {strconv.Itoa(limit)}}
		next = "/api/v1/decisions/export?" + q.Encode()
		c.Set("Link", "<"+next+`>; rel="next"`)
	}
	if format == "json" {
		out := fiber.Map{"decisions": ds}
		if next != "" {
			out["next"] = next
		}
		return c.JSON(out)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="decisions.csv"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	_ = w.Write([]string{"id", "number", "kind", "category", "year", "outcome", "published_at", "sha256", "court", "claimant",
		"respondent", "credit_code", "claims", "facts", "evidence", "reasoning", "terms", "orders", "final", "judge", "date"})
	for _, d := range ds {
		doc := d.Document
		orders, _ := json.Marshal(doc.Orders)
		_ = w.Write(csvSafe(strconv.FormatInt(d.ID, 10), d.Number, d.Kind, d.Category, strconv.Itoa(d.Year), d.Outcome,
			d.PublishedAt.UTC().Format("2006-01-02T15:04:05Z"), d.SHA256, doc.Court, doc.Claimant, doc.Respondent,
			doc.CreditCode, doc.Claims, doc.Facts, doc.Evidence, doc.Reasoning, doc.Terms, string(orders), doc.Final,
			doc.Judge, doc.Date))
	}
	w.Flush()
	return w.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: a cell
// starting with = + - @ (or a tab or CR) gets a leading apostrophe.
func csvSafe(cells ...string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

// apiSealRequest is the body of POST /api/v1/cases/:id/seal.
type apiSealRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiSeal(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req apiSealRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	seal, err := s.publicationSvc().Seal(c.UserContext(), currentUser(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(seal)
}

// decisionResults is what the results part of the decisions page shows.
type decisionResults struct {
	Decisions  []publication.Decision
	First      int
	Last       int
	Prev, Next string
}

// decisionsURL is /decisions with the values of base, some of them
// replaced (name, value pairs; "" removes the value).
func decisionsURL(base url.Values, kv ...string) string {
	return "/decisions" + strings.TrimPrefix(searchURL(base, kv...), "/search")
}

// decisionsPage is the public search over published decisions.
func (s *Server) decisionsPage(c *fiber.Ctx) error {
	p := s.newPage(c, "publication.title")
	base := url.Values{}
	for _, name := range []string{"q", "category", "year", "outcome", "offset"} {
		p.Form[name] = c.Query(name)
		base.Set(name, c.Query(name))
	}
	res := &decisionResults{}
	p.Data["Results"] = res
	p.Data["Export"] = "/api/v1/decisions/export"
	q, err := decisionQuery(c)
	if err == nil {
		q.Limit = decisionPageSize
		var more bool
		res.Decisions, more, err = s.publicationSvc().Search(c.UserContext(), q)
		if err == nil {
			if len(res.Decisions) > 0 {
				res.First, res.Last = q.Offset+1, q.Offset+len(res.Decisions)
			}
			if q.Offset > 0 {
				prev := ""
				if q.Offset > decisionPageSize {
					prev = strconv.Itoa(q.Offset - decisionPageSize)
				}
				res.Prev = decisionsURL(base, "offset", prev)
			}
			if more {
				res.Next = decisionsURL(base, "offset", strconv.Itoa(q.Offset+len(res.Decisions)))
			}
			return s.render(c, "decisions", fiber.StatusOK, p)
		}
	}
	return s.renderForm(c, "decisions", p, err)
}

// DecisionFields are the fields of the public search form.
func (p *page) DecisionFields() []field {
	category := p.Field("category", "select", "search.field_category")
	category.Options = []option{{"", p.T("search.any_category")}}
	for _, cat := range court.Categories {
		category.Options = append(category.Options, option{string(cat), p.CategoryName(cat)})
	}
	outcome := p.Field("outcome", "select", "publication.field_outcome")
	outcome.Options = []option{{"", p.T("publication.any_outcome")}}
	for _, o := range publication.Outcomes {
		outcome.Options = append(outcome.Options, option{o, p.OutcomeName(o)})
	}
	return []field{
		p.Field("q", "search", "publication.field_q", "hint.publication_q", "maxlength:200", "off"),
		category,
		p.Field("year", "number", "publication.field_year", "inputmode:numeric"),
		outcome,
	}
}

// OutcomeName is the translated name of an outcome.
func (p *page) OutcomeName(o string) string { return p.T("publication.outcome_" + o) }

// KindName is the translated name of a document kind.
func (p *page) KindName(k string) string { return p.T("publication.kind_" + k) }

// decisionPage shows one published decision.
func (s *Server) decisionPage(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	d, err := s.publicationSvc().Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	p := s.newPage(c, "publication.decision_title")
	p.Data["D"] = d
	return s.render(c, "decision", fiber.StatusOK, p)
}

// sealForm is the judge's form to seal a case.
func (s *Server) sealForm(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	return s.showSeal(c, id, nil)
}

// showSeal shows the seal form of case id (with err's messages, if any):
// to the case's judge; to others who see the case it is forbidden.
func (s *Server) showSeal(c *fiber.Ctx, id int64, err error) error {
	u := currentUser(c)
	cs, e := s.dk.Get(c.UserContext(), u, id)
	if e != nil {
		return e
	}
	if !hearings.IsJudge(u, cs) {
		return court.ErrForbidden()
	}
	p := s.newPage(c, "publication.seal_title")
	p.Data["Case"] = cs
	if seal, e := s.db.SealOf(c.UserContext(), id); e == nil {
		p.Data["Seal"] = seal
	} else if court.ErrorCode(e) != court.ENOTFOUND {
		return e
	}
	if err != nil {
		p.Form["reason"] = c.FormValue("reason")
		return s.renderForm(c, "seal", p, err)
	}
	return s.render(c, "seal", fiber.StatusOK, p)
}

func (s *Server) sealCase(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	if _, err := s.publicationSvc().Seal(c.UserContext(), currentUser(c), id, c.FormValue("reason")); err != nil {
		if code := court.ErrorCode(err); code == court.EINVALID || code == court.ECONFLICT {
			return s.showSeal(c, id, err)
		}
		return err
	}
	return c.Redirect(fmt.Sprintf("/cases/%d?notice=case_sealed", id), fiber.StatusSeeOther)
}

package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
)

// searchAPIRoutes registers case search under /api/v1.
func (s *Server) searchAPIRoutes(api fiber.Router) {
	api.Get("/search", s.apiRequireUser, s.apiSearch)
}

// Paging of GET /api/v1/search.
const (
	apiDefaultSearchLimit = 20
	apiMaxSearchLimit     = 100
)

type apiSearchResult struct {
	Cases []court.Case `json:"cases"`
	// NextOffset is the offset= of the next page; absent on the last page.
	NextOffset int `json:"next_offset,omitempty"`
}

// searchQuery reads a search from the query string: q, status (a
// comma-separated list), category, merchant (an organisation id), from and to
// (YYYY-MM-DD), before, offset and limit. A value that is not of its type is
// EINVALID on its field; the docket service checks the rest.
func searchQuery(c *fiber.Ctx, defLimit, maxLimit int64) (docket.SearchQuery, error) {
	var v court.Validator
	q := docket.SearchQuery{Text: c.Query("q"), Category: court.Category(strings.TrimSpace(c.Query("category"))),
		From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to"))}
	if st := c.Query("status"); st != "" {
		for _, part := range strings.Split(st, ",") {
			if part = strings.TrimSpace(part); part != "" {
				q.Status = append(q.Status, court.CaseStatus(part))
			}
		}
	}
	q.OrgID = apiQueryInt(&v, c, "merchant", 0, 1, 1<<62)
	q.BeforeID = apiQueryInt(&v, c, "before", 0, 1, 1<<62)
	q.Offset = int(apiQueryInt(&v, c, "offset", 0, 0, 10_000))
	q.Limit = int(apiQueryInt(&v, c, "limit", defLimit, 1, maxLimit))
	if err := v.Err(); err != nil {
		return q, err
	}
	if _, _, err := q.Validate(); err != nil {
		return q, err
	}
	return q, nil
}

// runSearch runs q for the caller, one more than a page so as to know
// whether another follows, and returns the page and whether it does.
func (s *Server) runSearch(c *fiber.Ctx, q docket.SearchQuery) ([]court.Case, bool, error) {
	limit := q.Limit
	q.Limit++
	cases, err := s.dk.Search(c.UserContext(), currentUser(c), q)
	if err != nil {
		return nil, false, err
	}
	if len(cases) > limit {
		return cases[:limit], true, nil
	}
	return cases, false, nil
}

// apiSearch searches the cases the caller may search, newest first. Only
// clerks, admins and judges may; anyone else gets 404.
func (s *Server) apiSearch(c *fiber.Ctx) error {
	if !docket.CanSearch(currentUser(c)) {
		return court.ErrNotFound()
	}
	q, err := searchQuery(c, apiDefaultSearchLimit, apiMaxSearchLimit)
	if err != nil {
		return err
	}
	cases, more, err := s.runSearch(c, q)
	if err != nil {
		return err
	}
	res := apiSearchResult{Cases: cases}
	if more {
		res.NextOffset = q.Offset + len(cases)
	}
	return c.JSON(res)
}

// itoa is strconv.Itoa for templates and links.
func itoa(n int) string { return strconv.Itoa(n) }

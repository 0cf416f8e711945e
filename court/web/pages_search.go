package web

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
)

// searchPageRoutes registers the search page.
func (s *Server) searchPageRoutes(pages fiber.Router) {
	pages.Get("/search", s.requireUser, s.searchPage)
}

// searchPageSize is how many cases one page of results shows.
const searchPageSize = 20

// searchResults is what the results part of the search page shows.
type searchResults struct {
	Cases      []court.Case
	First      int // the number of the first case shown, from 1
	Last       int
	Prev, Next string // links to the neighbouring pages, "" for none
	MerchantID int64  // the merchant filter, 0 for none
	ClearURL   string // the same search without the merchant filter
	// Searched is false before the first search (an empty form).
	Searched bool
}

// MerchantURL is the same search limited to one merchant's cases.
func (r searchResults) MerchantURL(base url.Values, orgID int64) string {
	return searchURL(base, "merchant", strconv.FormatInt(orgID, 10), "offset", "")
}

// searchURL is /search with the values of base, some of them replaced
// (name, value pairs; "" removes the value).
func searchURL(base url.Values, kv ...string) string {
	v := url.Values{}
	for k, vs := range base {
		if len(vs) > 0 && vs[0] != "" {
			v.Set(k, vs[0])
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return "/search"
	}
	return "/search?" + v.Encode()
}

// searchPage shows the search form and, once asked, a page of results. Only
// clerks, admins and judges may search; for anyone else the page does not
// exist.
func (s *Server) searchPage(c *fiber.Ctx) error {
	u := currentUser(c)
	if !docket.CanSearch(u) {
		return court.ErrNotFound()
	}
	p := s.newPage(c, "title.search")
	base := url.Values{}
	for _, name := range []string{"q", "status", "category", "merchant", "from", "to", "offset"} {
		p.Form[name] = c.Query(name)
		base.Set(name, c.Query(name))
	}
	p.Data["Base"] = base
	searched := false
	for name, v := range base {
		if len(v) > 0 && v[0] != "" && name != "offset" {
			searched = true
		}
	}
	res := searchResults{Searched: searched}
	p.Data["Results"] = &res
	if !searched {
		return s.render(c, "search", fiber.StatusOK, p)
	}
	q, err := searchQuery(c, searchPageSize, searchPageSize)
	if err == nil {
		q.Limit = searchPageSize
		var more bool
		res.Cases, more, err = s.runSearch(c, q)
		if err == nil {
			res.MerchantID = q.OrgID
			res.ClearURL = searchURL(base, "merchant", "", "offset", "")
			if len(res.Cases) > 0 {
				res.First, res.Last = q.Offset+1, q.Offset+len(res.Cases)
			}
			if q.Offset > 0 {
				prev := "" // the first page has no offset
				if q.Offset > searchPageSize {
					prev = strconv.Itoa(q.Offset - searchPageSize)
				}
				res.Prev = searchURL(base, "offset", prev)
			}
			if more {
				res.Next = searchURL(base, "offset", strconv.Itoa(q.Offset+len(res.Cases)))
			}
			return s.render(c, "search", fiber.StatusOK, p)
		}
	}
	res.Searched = false
	return s.renderForm(c, "search", p, err)
}

// SearchFields are the fields of the search form, with the values and errors
// of this request.
func (p *page) SearchFields() []field {
	status := p.Field("status", "select", "search.field_status")
	status.Options = []option{{"", p.T("search.any_status")}}
	for _, st := range court.CaseStatuses {
		if st != court.CaseDraft {
			status.Options = append(status.Options, option{string(st), p.StatusName(st)})
		}
	}
	category := p.Field("category", "select", "search.field_category")
	category.Options = []option{{"", p.T("search.any_category")}}
	for _, cat := range court.Categories {
		category.Options = append(category.Options, option{string(cat), p.CategoryName(cat)})
	}
	return []field{
		p.Field("q", "search", "search.field_q", "hint.search_q", "maxlength:"+itoa(docket.MaxSearchText), "off"),
		status, category,
		p.Field("from", "date", "search.field_from"),
		p.Field("to", "date", "search.field_to"),
	}
}

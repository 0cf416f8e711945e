package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/stats"
)

// statsRoles may see the dashboard: the court's staff and the consumers
// association's mediators, who report its figures every year.
var statsRoles = []court.Role{court.RoleClerk, court.RoleJudge, court.RoleAdmin, court.RoleMediator}

// statsAPIRoutes adds the JSON routes of this part under /api/v1: the
// public statistics for anyone, the dashboard's for statsRoles. Both take
// from, to and format (json, the default, or csv).
func (s *Server) statsAPIRoutes(api fiber.Router) {
	if s.cfg.Stats == nil { // set here, while New builds the server, before any request
		// The database's clock, read at each use: tests set it.
		s.cfg.Stats = &stats.Service{DB: s.db, Now: func() time.Time { return s.db.Now() }}
	}
	api.Get("/stats", s.statsHandler(stats.Public, false))
	api.Get("/stats/dashboard", s.requireRole(statsRoles...), s.statsHandler(stats.Dashboard, false))
}

// statsPageRoutes adds the page routes of this part: the public statistics
// page and the dashboard, each with format=csv and format=json exports.
func (s *Server) statsPageRoutes(pages fiber.Router) {
	pages.Get("/stats", s.statsHandler(stats.Public, true))
	pages.Get("/stats/dashboard", s.requireRole(statsRoles...), s.statsHandler(stats.Dashboard, true))
}

// statsHandler serves one scope's report as a page (when page and no
// format is asked), JSON or CSV: the same numbers from the same Report.
func (s *Server) statsHandler(scope stats.Scope, page bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		format := c.Query("format")
		switch {
		case format == "" && page:
			format = "html"
		case format == "":
			format = "json"
		case format != "json" && format != "csv":
			return court.Errorf(court.EINVALID, "stats.err_format")
		}
		q, err := stats.ParseQuery(c.Query("from"), c.Query("to"), s.db.Now())
		if err != nil {
			if format == "html" {
				p := s.statsPageData(c, scope)
				p.Form["from"], p.Form["to"] = c.Query("from"), c.Query("to")
				return s.renderForm(c, "stats", p, err)
			}
			return err
		}
		r, err := s.cfg.Stats.Report(c.UserContext(), q, scope)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		switch format {
		case "json":
			return c.JSON(r)
		case "csv":
			var buf bytes.Buffer
			buf.WriteString("\uFEFF") // the BOM that tells spreadsheet programs the file is UTF-8 (Chinese names)
			if err := r.WriteCSV(&buf); err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
			c.Set(fiber.HeaderContentDisposition,
				fmt.Sprintf(`attachment; filename="courtd-stats-%s-%s-%s.csv"`, scope, r.From, r.To))
			return c.Send(buf.Bytes())
		}
		p := s.statsPageData(c, scope)
		p.Form["from"], p.Form["to"] = r.From, r.To
		s.statsView(p, r)
		return s.render(c, "stats", fiber.StatusOK, p)
	}
}

// statsPageData starts the page of scope: its title and form address.
func (s *Server) statsPageData(c *fiber.Ctx, scope stats.Scope) *page {
	title, action := "stats.title_public", "/stats"
	if scope == stats.Dashboard {
		title, action = "stats.title_dashboard", "/stats/dashboard"
	}
	p := s.newPage(c, title)
	p.Data["Action"] = action
	p.Data["Dashboard"] = scope == stats.Dashboard
	return p
}

// statsView puts the report and its charts on the page.
func (s *Server) statsView(p *page, r *stats.Report) {
	p.Data["Report"] = r
	v := url.Values{"from": {r.From}, "to": {r.To}}
	p.Data["Period"] = v.Encode()
	period := p.T("stats.period", "From", r.From, "To", r.To)
	count := func(n int64) string { return strconv.FormatInt(n, 10) }

	var weeks []bar
	for _, w := range r.Weeks {
		weeks = append(weeks, bar{Label: w.Week, Value: w.Cases, Text: count(w.Cases)})
	}
	p.Data["WeekChart"] = columnChart("chart-weeks", p.T("stats.weeks_h"), p.T("stats.weeks_desc", "Period", period, "Total", r.Filings), weeks)

	var cats []bar
	for _, x := range r.Categories {
		cats = append(cats, bar{Label: p.CategoryName(x.Category), Value: x.Cases, Text: count(x.Cases)})
	}
	p.Data["CategoryChart"] = barChart("chart-categories", p.T("stats.categories_h"), p.T("stats.chart_desc", "Period", period), cats)

	var ms []bar
	for _, x := range r.Merchants {
		ms = append(ms, bar{Label: x.Name, Value: x.Cases, Text: count(x.Cases)})
	}
	p.Data["MerchantChart"] = barChart("chart-merchants", p.T("stats.merchants_h"), p.T("stats.chart_desc", "Period", period), ms)

	var os []bar
	for _, x := range r.Outcomes {
		os = append(os, bar{Label: p.StatsOutcome(x.Outcome), Value: x.Cases, Text: count(x.Cases)})
	}
	p.Data["OutcomeChart"] = barChart("chart-outcomes", p.T("stats.outcomes_h"), p.T("stats.chart_desc", "Period", period), os)

	money := []bar{
		{Label: p.T("stats.money_claimed"), Value: int64(r.Money.Claimed), Text: r.Money.Claimed.String()},
		{Label: p.T("stats.money_awarded"), Value: int64(r.Money.Awarded), Text: r.Money.Awarded.String()},
		{Label: p.T("stats.money_agreed"), Value: int64(r.Money.Agreed), Text: r.Money.Agreed.String()},
	}
	paid := bar{Label: p.T("stats.money_paid"), Text: p.T("stats.not_recorded")}
	if r.Money.Paid != nil {
		paid.Value, paid.Text = int64(*r.Money.Paid), r.Money.Paid.String()
	}
	money = append(money, paid)
	p.Data["MoneyChart"] = barChart("chart-money", p.T("stats.money_h"), p.T("stats.chart_desc", "Period", period), money)

	var hs []bar
	for _, x := range r.Hearings.ByKind {
		hs = append(hs, bar{Label: p.HearingKindName(x.Kind), Value: x.Held, Text: count(x.Held)})
	}
	p.Data["HearingChart"] = barChart("chart-hearings", p.T("stats.hearings_h"), p.T("stats.chart_desc", "Period", period), hs)
}

// StatsOutcome is the translated name of an outcome.
func (p *page) StatsOutcome(o stats.Outcome) string { return p.T("stats.outcome_" + string(o)) }

// StatsNumber shows an optional one-decimal figure, or that there is none.
func (p *page) StatsNumber(v *float64) string {
	if v == nil {
		return p.T("stats.none")
	}
	return strconv.FormatFloat(*v, 'f', 1, 64)
}

// StatsChart lets the template place a chart drawn by statsView.
func (p *page) StatsChart(name string) template.HTML {
	h, _ := p.Data[name].(template.HTML)
	return h
}

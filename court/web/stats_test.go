package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/stats"
	"github.com/shangcheng-court/courtd/court/stats/statstest"
)

const statsPeriod = "?from=" + statstest.From + "&to=" + statstest.To

// The statistics routes in the access matrix of TestRouteAccessMatrix
// (appended here, as rulings_test.go does, so that parallel branches do
// not edit the same lines of routes_access_test.go).
func init() {
	dashboard := map[string]int{"anon": 303, "*": 404, "clerk1": 200, "judge1": 200, "admin1": 200, "mediator1": 200}
	dashboardAPI := map[string]int{"anon": 401, "*": 404, "clerk1": 200, "judge1": 200, "admin1": 200, "mediator1": 200}
	otherRoutes = append(otherRoutes,
		// The public statistics hold no personal data: everyone's.
		routeCheck{"GET", "/stats", "", nil, map[string]int{"anon": 200, "*": 200}},
		routeCheck{"GET", "/api/v1/stats", "", nil, map[string]int{"anon": 200, "*": 200}},
		// The dashboard: the court's staff and the association.
		routeCheck{"GET", "/stats/dashboard", "", nil, dashboard},
		routeCheck{"GET", "/api/v1/stats/dashboard", "", nil, dashboardAPI},
	)
}

// The public statistics page shows the seeded numbers as charts and
// tables, holds no personal data, and its JSON and CSV exports carry the
// same numbers.
func TestStatsPublicPage(t *testing.T) {
	ts := mustServer(t, nil)
	statstest.Seed(t, ts.DB)
	anon := ts.client(t)

	for _, lang := range []string{"zh-CN", "en"} {
		anon.Lang = lang
		res := anon.get("/stats" + statsPeriod)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /stats (%s): got %d, want 200\n%s", lang, res.StatusCode, res.Body)
		}
		title := map[string]string{"zh-CN": "法院统计数据", "en": "Court statistics"}[lang]
		if !strings.Contains(res.Body, title) {
			t.Errorf("%s page: no title %q", lang, title)
		}
		// Every chart is an image with a title and a description, and
		// the numbers have a table beside them.
		for _, id := range []string{"chart-weeks", "chart-categories", "chart-merchants", "chart-outcomes", "chart-money", "chart-hearings"} {
			if !strings.Contains(res.Body, `id="`+id+`" class="chart"`) || !strings.Contains(res.Body, `<title id="`+id+`-t">`) ||
				!strings.Contains(res.Body, `<desc id="`+id+`-d">`) {
				t.Errorf("%s page: chart %s missing or without title and description", lang, id)
			}
		}
		for _, id := range []string{"table-weeks", "table-categories", "table-merchants", "table-outcomes", "table-hearings"} {
			if !strings.Contains(res.Body, `id="`+id+`"`) {
				t.Errorf("%s page: no table %s", lang, id)
			}
		}
		if strings.Contains(res.Body, "stats-workload") {
			t.Errorf("%s page: the public page shows the workload", lang)
		}
		// No personal data: not the consumer's name, username, mobile or
		// identity number, not an order reference; no party but merchants.
		for _, secret := range []string{"张伟", "claimant1", "13800138001", demo.ResidentID1, statstest.OrderRef, demo.CreditCode1, "王芳"} {
			if strings.Contains(res.Body, secret) {
				t.Errorf("%s page: holds personal data %q", lang, secret)
			}
		}
		if !strings.Contains(res.Body, demo.Accounts[2].Org) {
			t.Errorf("%s page: the merchant organisation %q is not named", lang, demo.Accounts[2].Org)
		}
	}

	anon.Lang = "en"
	page := anon.get("/stats" + statsPeriod).Body
	shown := func(id string) string {
		m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("page: no %s", id)
		}
		return m[1]
	}

	res := anon.get("/stats" + statsPeriod + "&format=json")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("JSON export: got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var r stats.Report
	decodeInto(t, res, &r)
	api := anon.get("/api/v1/stats" + statsPeriod)
	if api.StatusCode != http.StatusOK || api.Body != res.Body {
		t.Errorf("API: got %d, want the page's JSON export\n%s\n%s", api.StatusCode, api.Body, res.Body)
	}
	for _, c := range []struct{ id, want string }{
		{"sum-filings", strconv.FormatInt(r.Filings, 10)},
		{"sum-concluded", strconv.FormatInt(r.Concluded, 10)},
		{"sum-median-days", strconv.FormatFloat(*r.MedianDays, 'f', 1, 64)},
		{"sum-claimed", r.Money.Claimed.String()},
		{"sum-awarded", r.Money.Awarded.String()},
		{"sum-agreed", r.Money.Agreed.String()},
		{"sum-paid", statstest.Paid.String()},
		{"sum-hearings", strconv.FormatInt(r.Hearings.Held, 10)},
		{"sum-median-minutes", strconv.FormatFloat(*r.Hearings.MedianMinutes, 'f', 1, 64)},
	} {
		if got := shown(c.id); got != c.want {
			t.Errorf("page %s: got %q, JSON says %q", c.id, got, c.want)
		}
	}
	if r.Filings != 9 || r.Money.Awarded != 42245 || *r.MedianDays != 8 || r.Workload != nil {
		t.Errorf("JSON: got %d filings, %d awarded, median %v, workload %v; want 9, 42245, 8, none",
			r.Filings, r.Money.Awarded, *r.MedianDays, r.Workload)
	}
	var raw map[string]any
	decodeInto(t, res, &raw)
	if v, ok := raw["money"].(map[string]any)["paid_fen"]; !ok || v != float64(statstest.Paid) {
		t.Errorf("JSON paid_fen: got %v (present %v), want %d", v, ok, statstest.Paid)
	}
	for _, row := range r.Outcomes {
		m := regexp.MustCompile(`id="outcome-` + string(row.Outcome) + `"><td>[^<]*</td><td class="num">(\d+)<`).FindStringSubmatch(page)
		if m == nil || m[1] != strconv.FormatInt(row.Cases, 10) {
			t.Errorf("page outcome %s: got %v, JSON says %d", row.Outcome, m, row.Cases)
		}
	}

	res = anon.get("/stats" + statsPeriod + "&format=csv")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV export: got %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range rows {
		got[row[0]+"/"+row[1]] = row[2]
	}
	want := map[string]string{
		"filings/total": strconv.FormatInt(r.Filings, 10), "outcomes/concluded": strconv.FormatInt(r.Concluded, 10),
		"money/claimed_fen": strconv.FormatInt(int64(r.Money.Claimed), 10), "money/awarded_fen": strconv.FormatInt(int64(r.Money.Awarded), 10),
		"money/agreed_fen": strconv.FormatInt(int64(r.Money.Agreed), 10), "money/paid_fen": strconv.FormatInt(int64(statstest.Paid), 10),
		"hearings/held": strconv.FormatInt(r.Hearings.Held, 10), "hearings/total_minutes": strconv.FormatInt(r.Hearings.TotalMinutes, 10),
	}
	for _, w := range r.Weeks {
		want["filings_by_week/"+w.Week] = strconv.FormatInt(w.Cases, 10)
	}
	for _, o := range r.Outcomes {
		want["outcomes/"+string(o.Outcome)] = strconv.FormatInt(o.Cases, 10)
	}
	for _, m := range r.Merchants {
		want["top_merchants/"+m.Name] = strconv.FormatInt(m.Cases, 10)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("CSV %s: got %q, JSON says %q", k, got[k], v)
		}
	}
	for _, secret := range []string{"张伟", statstest.OrderRef, demo.ResidentID1} {
		if strings.Contains(res.Body, secret) || strings.Contains(api.Body, secret) {
			t.Errorf("export holds personal data %q", secret)
		}
	}
}

// The dashboard is for the court's staff and the association's mediators;
// to everyone else it does not exist. The public view is everyone's.
func TestStatsAccess(t *testing.T) {
	ts := mustServer(t, nil)
	statstest.Seed(t, ts.DB)
	a := newCaseAPI(t, ts)
	for _, acct := range demo.Accounts {
		u := acct.Username
		staff := u == "clerk1" || u == "judge1" || u == "admin1" || u == "mediator1"
		c := ts.client(t)
		c.login(u)
		want := http.StatusNotFound
		if staff {
			want = http.StatusOK
		}
		res := c.get("/stats/dashboard" + statsPeriod)
		if res.StatusCode != want {
			t.Errorf("%s GET /stats/dashboard: got %d, want %d", u, res.StatusCode, want)
		}
		if staff && !strings.Contains(res.Body, `id="stats-workload"`) {
			t.Errorf("%s dashboard: no workload", u)
		}
		if res := c.get("/stats/dashboard" + statsPeriod + "&format=csv"); res.StatusCode != want {
			t.Errorf("%s dashboard CSV: got %d, want %d", u, res.StatusCode, want)
		}
		if res := c.get("/stats" + statsPeriod); res.StatusCode != http.StatusOK {
			t.Errorf("%s GET /stats: got %d, want 200", u, res.StatusCode)
		}
		res, _ = a.call(u, "GET", "/api/v1/stats/dashboard"+statsPeriod, nil)
		if res.StatusCode != want {
			t.Errorf("%s API dashboard: got %d, want %d", u, res.StatusCode, want)
		}
		if staff {
			var r stats.Report
			decodeInto(t, res, &r)
			if r.Workload == nil || r.Filings != 9 {
				t.Errorf("%s API dashboard: got workload %v, %d filings; want a workload, 9", u, r.Workload, r.Filings)
			}
		}
	}
	anon := ts.client(t)
	if res := anon.get("/stats/dashboard"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("visitor GET /stats/dashboard: got %d, want 303 to the login", res.StatusCode)
	}
	if res := anon.get("/api/v1/stats/dashboard"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("visitor API dashboard: got %d, want 401", res.StatusCode)
	}
}

// A wrong period or format is refused with a message in the visitor's
// language; the page shows the form again with the error at the field.
func TestStatsBadInput(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.Lang = "en"
	res := c.get("/stats?from=2026-03-10&to=2026-03-01")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "The first day must not be after the last.") {
		t.Errorf("from after to: got %d\n%s", res.StatusCode, res.Body)
	}
	c.Lang = "zh-CN"
	res = c.get("/stats?from=31/01/2026")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "请按 YYYY-MM-DD 填写日期") {
		t.Errorf("bad date: got %d\n%s", res.StatusCode, res.Body)
	}
	if res := c.get("/stats?format=xml"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("format xml: got %d, want 400", res.StatusCode)
	}
	res = c.get("/api/v1/stats?from=2000-01-01&to=2026-01-01")
	var e struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if res.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(res.Body), &e) != nil || e.Error.Fields["from"] == "" {
		t.Errorf("API span too long: got %d %s, want 400 with an error at from", res.StatusCode, res.Body)
	}
}

package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestPublicLinksAndSealLink: every page leads to the published decisions
// and to ruling verification; the case page offers sealing to the case's
// judge only.
func TestPublicLinksAndSealLink(t *testing.T) {
	ts := mustServer(t, nil)
	for _, path := range []string{"/", "/login", "/decisions", "/verify"} {
		body := ts.client(t).get(path).Body
		if !strings.Contains(body, `href="/decisions" id="nav-decisions"`) || !strings.Contains(body, `href="/verify" id="nav-verify"`) ||
			!strings.Contains(body, `href="/stats" id="nav-stats"`) {
			t.Errorf("GET %s: no links to the published decisions, to verification and to the statistics", path)
		}
	}
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/assign"), map[string]any{"judge_id": a.ids["judge1"]}, http.StatusOK)
	page := "/cases/" + strconv.FormatInt(cs.ID, 10)
	// The dashboard is in the menu of those who may open it.
	for who, want := range map[string]bool{"clerk1": true, "judge1": true, "admin1": true, "mediator1": true, "claimant1": false, "merchant1": false, "agent1": false} {
		c := ts.client(t)
		c.login(who)
		if got := strings.Contains(c.get("/home").Body, `href="/stats/dashboard" id="nav-dashboard"`); got != want {
			t.Errorf("%s's menu has the dashboard: %v, want %v", who, got, want)
		}
	}
	for who, want := range map[string]bool{"judge1": true, "clerk1": false, "claimant1": false, "merchant1": false} {
		c := ts.client(t)
		c.login(who)
		if got := strings.Contains(c.get(page).Body, `href="`+page+`/seal" id="seal-link"`); got != want {
			t.Errorf("%s's case page has the seal link: %v, want %v", who, got, want)
		}
	}
}

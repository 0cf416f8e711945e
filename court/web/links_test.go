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
		if !strings.Contains(body, `href="/decisions" id="nav-decisions"`) || !strings.Contains(body, `href="/verify" id="nav-verify"`) {
			t.Errorf("GET %s: no links to the published decisions and to verification", path)
		}
	}
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/assign"), map[string]any{"judge_id": a.ids["judge1"]}, http.StatusOK)
	page := "/cases/" + strconv.FormatInt(cs.ID, 10)
	for who, want := range map[string]bool{"judge1": true, "clerk1": false, "claimant1": false, "merchant1": false} {
		c := ts.client(t)
		c.login(who)
		if got := strings.Contains(c.get(page).Body, `href="`+page+`/seal" id="seal-link"`); got != want {
			t.Errorf("%s's case page has the seal link: %v, want %v", who, got, want)
		}
	}
}

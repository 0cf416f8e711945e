package web_test

// Tests of the deadline routes: the judge's docket, the overdue list and the
// extension of a case's time limit, over JSON and on the pages.

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

func init() {
	// Extending is the admin's, acting for the court president; to those who
	// see the case it is forbidden, to the rest it does not exist.
	accessMatrix = append(accessMatrix,
		matrixRoute{"POST", "/api/v1/cases/:id/extend", court.CaseServed, map[string]any{"reason": "需要鉴定商品"}, map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {200, 200},
		}})
	matrixKeepsStatus["POST /api/v1/cases/:id/extend"] = true
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"POST", "/cases/:id/extend", court.CaseServed, url.Values{"extend_reason": {"需要鉴定商品"}}, map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {303, 303},
		}})
}

type deadlineList struct {
	Items []docket.DeadlineItem `json:"items"`
}

// TestAPIDeadlines: the judge's docket lists the judge's cases by nearest
// deadline with the overdue one first and marked; the overdue list is the
// clerk's and the admin's; everyone else gets not found.
func TestAPIDeadlines(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	ctx := context.Background()
	accept := map[string]any{"decision": "accept"}

	var ids []int64
	for range 3 {
		cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
		a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), accept, http.StatusOK)
		a.mustCase("clerk1", "POST", casePath(cs.ID, "/assign"), map[string]any{"judge_id": a.ids["judge1"]}, http.StatusOK)
		ids = append(ids, cs.ID)
	}
	// One more, not the judge's: it is on no one's docket but is overdue too.
	other := a.mustCase("claimant2", "POST", "/api/v1/cases", against2(a.filing(true)), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(other.ID, "/review"), accept, http.StatusOK)
	// The last case's answer was due yesterday; the first's comes earlier
	// than the second's.
	past := time.Now().Add(-24 * time.Hour).UTC()
	for id, due := range map[int64]time.Time{ids[2]: past, other.ID: past, ids[0]: time.Now().Add(48 * time.Hour).UTC()} {
		if _, err := ts.DB.ChangeCase(ctx, id, storage.Change{From: court.CaseServed, To: court.CaseServed,
			Set: map[string]any{"answer_due": due}}); err != nil {
			t.Fatal(err)
		}
	}

	res, _ := a.call("judge1", "GET", "/api/v1/docket", nil)
	var dk deadlineList
	decodeInto(t, res, &dk)
	if res.StatusCode != http.StatusOK || len(dk.Items) != 3 {
		t.Fatalf("judge docket: got %d with %d items, want 200 with 3", res.StatusCode, len(dk.Items))
	}
	wantOrder := []int64{ids[2], ids[0], ids[1]}
	for i, it := range dk.Items {
		// The overdue answer comes first; the others' nearest deadline may
		// be the answer or the evidence period.
		if it.Case.ID != wantOrder[i] || it.Overdue != (i == 0) || (i == 0 && it.Kind != docket.DueAnswer) {
			t.Errorf("judge docket item %d: got case %d %s overdue=%v, want case %d overdue=%v",
				i, it.Case.ID, it.Kind, it.Overdue, wantOrder[i], i == 0)
		}
	}
	for _, who := range []string{"clerk1", "admin1"} {
		res, _ := a.call(who, "GET", "/api/v1/overdue", nil)
		var od deadlineList
		decodeInto(t, res, &od)
		got := map[int64]bool{}
		for _, it := range od.Items {
			if !it.Overdue {
				t.Errorf("%s overdue list: case %d not marked overdue", who, it.Case.ID)
			}
			got[it.Case.ID] = true
		}
		if res.StatusCode != http.StatusOK || len(od.Items) != 2 || !got[ids[2]] || !got[other.ID] {
			t.Errorf("%s overdue list: got %d %+v, want cases %d and %d", who, res.StatusCode, got, ids[2], other.ID)
		}
	}
	for _, r := range []struct{ who, path string }{
		{"clerk1", "/api/v1/docket"}, {"claimant1", "/api/v1/docket"}, {"merchant1", "/api/v1/docket"},
		{"judge1", "/api/v1/overdue"}, {"claimant1", "/api/v1/overdue"}, {"mediator1", "/api/v1/overdue"}, {"agent1", "/api/v1/overdue"},
	} {
		if res, e := a.call(r.who, "GET", r.path, nil); res.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" {
			t.Errorf("%s GET %s: got %d %q, want 404 not_found", r.who, r.path, res.StatusCode, e.Error.Code)
		}
	}
	if res, e := a.call("judge1", "GET", "/api/v1/docket?limit=0", nil); res.StatusCode != http.StatusBadRequest || e.Error.Fields["limit"] == "" {
		t.Errorf("judge docket with limit=0: got %d %+v, want 400 naming limit", res.StatusCode, e.Error)
	}
	if res, _ := a.c.api("GET", "/api/v1/docket", "", "", ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("docket without a token: got %d, want 401", res.StatusCode)
	}
}

// TestAPIExtend: the admin extends a served case's limit once, with a
// reason, by the profile's months; the docket says so; a second time is a
// conflict; no reason is invalid and changes nothing.
func TestAPIExtend(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	cs = a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	if cs.ConcludeBy == nil {
		t.Fatal("an accepted case has no time limit")
	}
	if res, e := a.call("admin1", "POST", casePath(cs.ID, "/extend"), map[string]any{"reason": " "}); res.StatusCode != http.StatusBadRequest || e.Error.Fields["reason"] == "" {
		t.Errorf("extend without a reason: got %d %+v, want 400 naming reason", res.StatusCode, e.Error)
	}
	if got := a.dbCase(cs.ID); !got.ConcludeBy.Equal(*cs.ConcludeBy) {
		t.Errorf("after a refused extension the limit moved: %v, want %v", got.ConcludeBy, cs.ConcludeBy)
	}
	ext := a.mustCase("admin1", "POST", casePath(cs.ID, "/extend"), map[string]any{"reason": "需要对商品进行鉴定"}, http.StatusOK)
	want := court.AddMonths(*cs.ConcludeBy, ts.Dk.Profile.ExtendMonths)
	if ext.ConcludeBy == nil || !ext.ConcludeBy.Equal(want) {
		t.Errorf("extended limit: got %v, want %v", ext.ConcludeBy, want)
	}
	if res, e := a.call("admin1", "POST", casePath(cs.ID, "/extend"), map[string]any{"reason": "再次延长"}); res.StatusCode != http.StatusConflict {
		t.Errorf("second extension: got %d %q, want 409", res.StatusCode, e.Error.Code)
	}
	entries, err := ts.DB.Docket(context.Background(), cs.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != docket.EntryExtended || !last.Public || last.Text != "需要对商品进行鉴定" {
		t.Errorf("last public docket entry: got %s public=%v %q, want the extension with its reason", last.Kind, last.Public, last.Text)
	}
}

// TestPagesDeadlines: the judge's home is its docket; the clerk's home lists
// the overdue cases; the admin's case page has the extension form and it
// works in both languages.
func TestPagesDeadlines(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/assign"), map[string]any{"judge_id": a.ids["judge1"]}, http.StatusOK)
	if _, err := ts.DB.ChangeCase(context.Background(), cs.ID, storage.Change{From: court.CaseServed, To: court.CaseServed,
		Set: map[string]any{"answer_due": time.Now().Add(-time.Hour).UTC()}}); err != nil {
		t.Fatal(err)
	}
	link := `href="/cases/` + strconv.FormatInt(cs.ID, 10) + `"`
	for _, lang := range []string{"zh-CN", "en"} {
		for who, heading := range map[string]string{"judge1": "deadlines.judge_heading", "clerk1": "deadlines.overdue_heading"} {
			c := ts.client(t)
			c.Lang = lang
			c.login(who)
			home := c.get("/home")
			sec := section(home.Body, `id="deadlines"`)
			if !strings.Contains(sec, ts.Cat.M(lang, court.Msg(heading))) || !strings.Contains(sec, link) ||
				!strings.Contains(sec, ts.Cat.M(lang, court.Msg("case.overdue"))) || !strings.Contains(sec, html.EscapeString(ts.Cat.M(lang, court.Msg("deadlines.kind_answer_due")))) {
				t.Errorf("%s %s home: want the deadlines section with the overdue case; got %q", lang, who, sec)
			}
		}
	}
	// Only the admin's case page has the form.
	page := "/cases/" + strconv.FormatInt(cs.ID, 10)
	for _, who := range []string{"clerk1", "judge1", "claimant1", "merchant1"} {
		c := ts.client(t)
		c.login(who)
		if strings.Contains(c.get(page).Body, `id="extend-form"`) {
			t.Errorf("%s's case page has the extension form", who)
		}
	}
	admin := ts.client(t)
	admin.Lang = "en"
	admin.login("admin1")
	if body := admin.get(page).Body; !strings.Contains(body, `id="extend-form"`) {
		t.Fatal("admin's case page: no extension form")
	}
	res := admin.postForm(page, page+"/extend", url.Values{"extend_reason": {""}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, ts.Cat.M("en", court.Msg("err.required"))) {
		t.Errorf("extend without a reason: got %d, want 400 with the field's message", res.StatusCode)
	}
	res = admin.postForm(page, page+"/extend", url.Values{"extend_reason": {"Appraisal needed"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=case_extended" {
		t.Fatalf("extend: got %d to %q, want 303 to %s?notice=case_extended", res.StatusCode, res.Header.Get("Location"), page)
	}
	body := admin.get(page + "?notice=case_extended").Body
	if !strings.Contains(body, ts.Cat.M("en", court.Msg("notice.case_extended"))) || !strings.Contains(body, "Appraisal needed") {
		t.Error("after extending: want the notice and the reason on the docket")
	}
}

// section returns the HTML section of body that starts with the element
// holding attr, up to its end (or "" when there is none).
func section(body, attr string) string {
	i := strings.Index(body, attr)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestSearchPage(t *testing.T) {
	f := newSearchFixture(t)
	ts := f.a.ts
	clerk := ts.client(t)
	clerk.login("clerk1")

	// The form, before any search, with the link in the menu.
	res := clerk.get("/search")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /search: got %d, want 200", res.StatusCode)
	}
	for _, want := range []string{`id="search-form"`, `role="search"`, `id="nav-search"`, `for="f-q"`, `type="date"`, ts.msg("zh-CN", "search.heading")} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("GET /search: want %q in the page", want)
		}
	}
	if strings.Contains(res.Body, `id="results"`) {
		t.Errorf("GET /search: got results before any search, want none")
	}
	if strings.Contains(res.Body, "<script") || strings.Contains(res.Body, "style=") {
		t.Errorf("GET /search: got inline script or style, want none")
	}

	// A search: newest first, links to the cases and to a merchant filter.
	res = clerk.get("/search?q=" + "%E5%BC%A0%E4%BC%9F") // 张伟
	if res.StatusCode != http.StatusOK {
		t.Fatalf("search 张伟: got %d, want 200", res.StatusCode)
	}
	iE, iB, iA := strings.Index(res.Body, `href="/cases/`+strconv.FormatInt(f.E.ID, 10)+`"`),
		strings.Index(res.Body, `href="/cases/`+strconv.FormatInt(f.B.ID, 10)+`"`),
		strings.Index(res.Body, `href="/cases/`+strconv.FormatInt(f.A.ID, 10)+`"`)
	if iE < 0 || iB < 0 || iA < 0 || !(iE < iB && iB < iA) {
		t.Errorf("search 张伟: got case links at %d, %d, %d, want E, B, A in that order", iE, iB, iA)
	}
	if strings.Contains(res.Body, `href="/cases/`+strconv.FormatInt(f.D.ID, 10)+`"`) {
		t.Errorf("search 张伟: got the draft, want it hidden")
	}
	if !strings.Contains(res.Body, f.A.DocketNo) {
		t.Errorf("search 张伟: want docket number %q shown", f.A.DocketNo)
	}
	if !strings.Contains(res.Body, "merchant="+strconv.FormatInt(f.A.OrgID, 10)) {
		t.Errorf("search 张伟: want a link filtering by merchant %d", f.A.OrgID)
	}

	// Paging: one page of 20 then the next.
	for i := 0; i < 20; i++ {
		f.a.mustCase("claimant1", "POST", "/api/v1/cases", f.a.filing(true), http.StatusCreated)
	}
	res = clerk.get("/search?q=%E5%BC%A0%E4%BC%9F")
	if !strings.Contains(res.Body, `id="page-next"`) || strings.Contains(res.Body, `id="page-prev"`) {
		t.Errorf("first page of 23: want a next link and no previous one")
	}
	res = clerk.get("/search?q=%E5%BC%A0%E4%BC%9F&offset=20")
	if strings.Contains(res.Body, `id="page-next"`) || !strings.Contains(res.Body, `id="page-prev"`) {
		t.Errorf("second page of 23: want a previous link and no next one")
	}
	if n := strings.Count(res.Body, `class="case-link"`); n != 3 {
		t.Errorf("second page of 23: got %d cases, want 3", n)
	}

	// English, and a bad date: 400 with the field marked.
	clerk.Lang = "en"
	res = clerk.get("/search?from=2026-02-30")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad date: got %d, want 400", res.StatusCode)
	}
	if !strings.Contains(res.Body, `id="e-from"`) || !strings.Contains(res.Body, ts.msg("en", "err.date")) {
		t.Errorf("bad date: want the field error of from in English")
	}
	if !strings.Contains(res.Body, ts.msg("en", "search.heading")) {
		t.Errorf("bad date: want the English page")
	}

	// Judges search too; parties and others do not see the page or the link.
	for user, want := range map[string]int{"judge1": 200, "admin1": 200, "claimant1": 404, "merchant1": 404, "mediator1": 404, "agent1": 404} {
		c := ts.client(t)
		c.login(user)
		if res := c.get("/search?q=%E5%BC%A0%E4%BC%9F"); res.StatusCode != want {
			t.Errorf("%s GET /search: got %d, want %d", user, res.StatusCode, want)
		}
		home := c.get("/home")
		if has := strings.Contains(home.Body, `id="nav-search"`); has != (want == 200) {
			t.Errorf("%s home: search link shown %v, want %v", user, has, want == 200)
		}
	}
	// A visitor is sent to log in.
	if res := ts.client(t).get("/search"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("visitor GET /search: got %d, want 303 to the login", res.StatusCode)
	}
}

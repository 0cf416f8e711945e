package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// searchFixture is a court with cases to search: A claimant1's (张伟)
// served case against merchant1 with judge1 assigned; B claimant2's
// submitted case against merchant2 whose facts name 张伟; E claimant1's
// served case against merchant2, no judge; D claimant1's draft naming 张伟.
type searchFixture struct {
	a          *caseAPIClient
	A, B, D, E court.Case
}

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	f := &searchFixture{a: a}
	f.A = a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	f.A = a.mustCase("clerk1", "POST", casePath(f.A.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	if _, err := ts.DB.ChangeCase(context.Background(), f.A.ID, storage.Change{From: court.CaseServed, To: court.CaseServed,
		Set: map[string]any{"judge_id": a.ids["judge1"]}}); err != nil {
		t.Fatal(err)
	}
	b := against2(a.filing(true))
	b["facts"], b["category"] = "直播间主播张伟承诺七天无理由退货，收到后却拒绝退货。", "livestream"
	f.B = a.mustCase("claimant2", "POST", "/api/v1/cases", b, http.StatusCreated)
	d := a.filing(false)
	d["facts"] = "草稿：张伟还没想好要不要起诉。"
	f.D = a.mustCase("claimant1", "POST", "/api/v1/cases", d, http.StatusCreated)
	f.E = a.mustCase("claimant1", "POST", "/api/v1/cases", against2(a.filing(true)), http.StatusCreated)
	f.E = a.mustCase("clerk1", "POST", casePath(f.E.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	return f
}

type searchPage struct {
	Cases      []court.Case `json:"cases"`
	NextOffset int          `json:"next_offset"`
}

// search calls GET /api/v1/search as user and returns the status, the
// page and the error body.
func (f *searchFixture) search(user string, query url.Values) (int, searchPage, apiErr) {
	f.a.t.Helper()
	res, e := f.a.call(user, "GET", "/api/v1/search?"+query.Encode(), nil)
	var p searchPage
	if res.StatusCode == http.StatusOK {
		decodeInto(f.a.t, res, &p)
	}
	return res.StatusCode, p, e
}

func ids(cases []court.Case) []int64 {
	out := []int64{}
	for _, c := range cases {
		out = append(out, c.ID)
	}
	return out
}

// TestAPISearchAccess searches as every demo role: clerks and admins find
// every filed case, judges their assigned ones, everyone else gets 404, and
// no one without a token gets in. Every search route must have a row here.
func TestAPISearchAccess(t *testing.T) {
	f := newSearchFixture(t)
	registered := map[string]bool{}
	for _, r := range f.a.ts.Srv.App().GetRoutes(true) {
		if strings.HasPrefix(r.Path, "/api/v1/search") && r.Method != http.MethodHead {
			registered[r.Method+" "+r.Path] = true
		}
	}
	if want := map[string]bool{"GET /api/v1/search": true}; !reflect.DeepEqual(registered, want) {
		t.Errorf("search routes: got %v, want %v (a new route needs its access test)", registered, want)
	}

	all := []int64{f.E.ID, f.B.ID, f.A.ID} // newest first; never the draft
	want := map[string]struct {
		status int
		ids    []int64
	}{
		"claimant1": {404, nil}, "claimant2": {404, nil}, "merchant1": {404, nil}, "merchant2": {404, nil},
		"clerk1": {200, all}, "judge1": {200, []int64{f.A.ID}}, "mediator1": {404, nil}, "agent1": {404, nil},
		"admin1": {200, all},
	}
	for _, acct := range demo.Accounts {
		w, ok := want[acct.Username]
		if !ok {
			t.Errorf("no expectation for %s (%s)", acct.Username, acct.Role)
			continue
		}
		for _, q := range []url.Values{{"q": {"张伟"}}, {}} { // by name, and filters only
			status, page, e := f.search(acct.Username, q)
			if status != w.status {
				t.Errorf("%s search %v: got %d %+v, want %d", acct.Username, q, status, e.Error, w.status)
				continue
			}
			if status == http.StatusNotFound && e.Error.Code != "not_found" {
				t.Errorf("%s search %v: got code %q, want not_found", acct.Username, q, e.Error.Code)
			}
			if status == http.StatusOK && !reflect.DeepEqual(ids(page.Cases), w.ids) {
				t.Errorf("%s search %v: got cases %v, want %v", acct.Username, q, ids(page.Cases), w.ids)
			}
		}
	}
	res, _ := f.a.c.api("GET", "/api/v1/search?q=x", "", "", "")
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("search without a token: got %d, want 401", res.StatusCode)
	}
}

func TestAPISearchQueries(t *testing.T) {
	f := newSearchFixture(t)
	A, B, E := f.A.ID, f.B.ID, f.E.ID
	for _, tc := range []struct {
		query url.Values
		want  []int64
	}{
		{url.Values{"q": {"张伟"}, "status": {"served"}}, []int64{E, A}},
		{url.Values{"q": {"张伟"}, "status": {"submitted,served"}}, []int64{E, B, A}},
		{url.Values{"q": {"张伟"}, "category": {"livestream"}}, []int64{B}},
		{url.Values{"q": {"发霉"}}, []int64{E, A}},
		{url.Values{"q": {"主播张伟"}}, []int64{B}},
		{url.Values{"q": {"张 伟 退货"}}, []int64{B}},
		{url.Values{"q": {f.A.DocketNo}}, []int64{A}},
		{url.Values{"q": {f.A.OrderRef}}, []int64{A}},
		{url.Values{"q": {demo.CreditCode2}}, []int64{E, B}},
		{url.Values{"merchant": {strconv.FormatInt(f.A.OrgID, 10)}}, []int64{A}},
		{url.Values{"q": {"张伟"}, "from": {"2000-01-01"}, "to": {"2000-12-31"}}, []int64{}},
		{url.Values{"q": {"张伟"}, "from": {"2000-01-01"}}, []int64{E, B, A}},
		{url.Values{"q": {"张伟"}, "limit": {"2"}}, []int64{E, B}},
		{url.Values{"q": {"张伟"}, "limit": {"2"}, "offset": {"2"}}, []int64{A}},
		{url.Values{"q": {"张伟"}, "before": {strconv.FormatInt(B, 10)}}, []int64{A}},
	} {
		status, page, e := f.search("clerk1", tc.query)
		if status != http.StatusOK {
			t.Errorf("search %v: got %d %+v, want 200", tc.query, status, e.Error)
			continue
		}
		if got := ids(page.Cases); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("search %v: got %v, want %v", tc.query, got, tc.want)
		}
	}
	// Paging: next_offset until the last page.
	_, p1, _ := f.search("clerk1", url.Values{"q": {"张伟"}, "limit": {"2"}})
	_, p2, _ := f.search("clerk1", url.Values{"q": {"张伟"}, "limit": {"2"}, "offset": {"2"}})
	if p1.NextOffset != 2 || p2.NextOffset != 0 {
		t.Errorf("next_offset: got %d then %d, want 2 then none", p1.NextOffset, p2.NextOffset)
	}
}

func TestAPISearchBadInput(t *testing.T) {
	f := newSearchFixture(t)
	for _, tc := range []struct {
		query url.Values
		field string
	}{
		{url.Values{"q": {strings.Repeat("张", 201)}}, "q"},
		{url.Values{"q": {"!!! ？"}}, "q"},
		{url.Values{"status": {"bogus"}}, "status"},
		{url.Values{"status": {"served,bogus"}}, "status"},
		{url.Values{"category": {"bogus"}}, "category"},
		{url.Values{"merchant": {"abc"}}, "merchant"},
		{url.Values{"merchant": {"-1"}}, "merchant"},
		{url.Values{"from": {"2026-13-01"}}, "from"},
		{url.Values{"to": {"yesterday"}}, "to"},
		{url.Values{"from": {"2026-05-02"}, "to": {"2026-05-01"}}, "to"},
		{url.Values{"limit": {"0"}}, "limit"},
		{url.Values{"limit": {"101"}}, "limit"},
		{url.Values{"offset": {"-1"}}, "offset"},
		{url.Values{"before": {"x"}}, "before"},
	} {
		status, _, e := f.search("clerk1", tc.query)
		if status != http.StatusBadRequest {
			t.Errorf("search %v: got %d, want 400", tc.query, status)
			continue
		}
		if e.Error.Code != "invalid" || e.Error.Fields[tc.field] == "" {
			t.Errorf("search %v: got code %q fields %v, want invalid with field %q", tc.query, e.Error.Code, e.Error.Fields, tc.field)
		}
	}
	// 200 characters is still a search.
	if status, _, e := f.search("clerk1", url.Values{"q": {strings.Repeat("张", 200)}}); status != http.StatusOK {
		t.Errorf("search of 200 characters: got %d %+v, want 200", status, e.Error)
	}
	// Several bad fields are reported at once.
	_, _, e := f.search("clerk1", url.Values{"from": {"x"}, "status": {"bogus"}, "category": {"bogus"}})
	for _, field := range []string{"from", "status", "category"} {
		if e.Error.Fields[field] == "" {
			t.Errorf("three bad fields: got fields %v, want %q among them", e.Error.Fields, field)
		}
	}
}

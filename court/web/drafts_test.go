package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
)

// TestDraftPages: a consumer saves a claim with only the merchant's name,
// finds it on "my cases", continues it, is told everything missing at once
// on submit, completes it and files it.
func TestDraftPages(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.Lang = "en"
	c.login("claimant1")

	// A malformed amount is refused even in a draft.
	res := c.postForm("/cases/new", "/cases/new", url.Values{"merchant_name": {"杭州西湖龙井茶业有限公司"}, "refund": {"12.345"}, "action": {"draft"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-refund"`) || strings.Contains(res.Body, `id="e-facts"`) {
		t.Fatalf("draft with a bad amount: got %d, want 400 with the amount's error only", res.StatusCode)
	}
	res = c.postForm("/cases/new", "/cases/new", url.Values{"merchant_name": {"杭州西湖龙井茶业有限公司"}, "refund": {"1,280"}, "action": {"draft"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/drafts/") || !strings.HasSuffix(loc, "?notice=draft_kept") {
		t.Fatalf("incomplete draft: got %d to %q, want 303 to /drafts/N?notice=draft_kept\n%s", res.StatusCode, loc, res.Body)
	}
	page := strings.SplitN(loc, "?", 2)[0]
	if n := ts.countCases(t); n != 0 {
		t.Errorf("cases after an incomplete draft: got %d, want 0", n)
	}
	res = c.get("/home")
	if !strings.Contains(res.Body, `id="draft-list"`) || !strings.Contains(res.Body, `href="`+page+`"`) || !strings.Contains(res.Body, "Claim against 杭州西湖龙井茶业有限公司") {
		t.Fatalf("my cases: want the draft listed with a link to %s", page)
	}
	res = c.get(page)
	if res.StatusCode != 200 || !strings.Contains(res.Body, `value="1,280.00"`) || !strings.Contains(res.Body, `action="`+page+`"`) {
		t.Fatalf("draft page: got %d, want the form with what was saved, posting to %s", res.StatusCode, page)
	}
	// Others do not find it.
	other := ts.client(t)
	other.login("claimant2")
	if res := other.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("claimant2 opens the draft: got %d, want 404", res.StatusCode)
	}
	if res := other.postForm("/home", page+"/delete", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("claimant2 deletes the draft: got %d, want 404", res.StatusCode)
	}

	// Submitting says everything that is missing at once.
	form := url.Values{"merchant_name": {"杭州西湖龙井茶业有限公司"}, "refund": {"1280"}, "action": {"submit"}}
	res = c.postForm(page, page, form)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("submit incomplete: got %d, want 400", res.StatusCode)
	}
	for _, f := range []string{"credit_code", "category", "facts", "service_consent"} {
		if !strings.Contains(res.Body, `id="e-`+f+`"`) {
			t.Errorf("submit incomplete: no error on %s", f)
		}
	}
	// Saving more keeps it a draft.
	form = withForm(pageFiling("draft"), "credit_code", "", "order_ref", "D-77")
	if res = c.postForm(page, page, form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=draft_kept" {
		t.Fatalf("save again: got %d to %q, want 303 to the draft", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.postForm(page, page, withForm(pageFiling("submit"), "order_ref", "D-77"))
	loc = res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") || !strings.HasSuffix(loc, "?notice=case_submitted") {
		t.Fatalf("submit complete: got %d to %q, want 303 to the case\n%s", res.StatusCode, loc, res.Body)
	}
	id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/cases/"), "?notice=case_submitted"), 10, 64)
	cs, err := ts.DB.CaseByIDWriter(t.Context(), id)
	if err != nil || cs.Status != court.CaseSubmitted || cs.OrderRef != "D-77" {
		t.Fatalf("filed case: got %+v, %v; want submitted for order D-77", cs, err)
	}
	if res := c.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("the draft after filing: got %d, want 404 (gone)", res.StatusCode)
	}
	if res := c.get("/home"); strings.Contains(res.Body, `id="draft-list"`) {
		t.Error("my cases after filing: the draft is still listed")
	}

	// A second draft, deleted.
	res = c.postForm("/cases/new", "/cases/new", url.Values{"platform": {"抖音"}, "action": {"draft"}})
	page = strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
	if res = c.postForm(page, page+"/delete", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: got %d, want 303", res.StatusCode)
	}
	if res := c.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("deleted draft: got %d, want 404", res.StatusCode)
	}
}

// TestAPIDrafts: the same over the API.
func TestAPIDrafts(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	res, e := a.call("claimant1", "POST", "/api/v1/drafts", map[string]any{"merchant_name": "杭州西湖龙井茶业有限公司", "refund": 128000})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST draft: got %d %+v, want 201", res.StatusCode, e.Error)
	}
	var d struct {
		ID     int64        `json:"id"`
		Filing court.Filing `json:"filing"`
	}
	decodeInto(t, res, &d)
	path := "/api/v1/drafts/" + strconv.FormatInt(d.ID, 10)
	if res, e := a.call("claimant1", "POST", "/api/v1/drafts", map[string]any{"purchase_date": "yesterday"}); res.StatusCode != 400 || e.Error.Fields["purchase_date"] == "" {
		t.Errorf("malformed date: got %d %+v, want 400 on purchase_date", res.StatusCode, e.Error)
	}
	for _, u := range []string{"claimant2", "clerk1", "agent1", "merchant1"} {
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			if res, _ := a.call(u, m, path, map[string]any{}); res.StatusCode != 404 {
				t.Errorf("%s %s as %s: got %d, want 404", m, path, u, res.StatusCode)
			}
		}
		if res, _ := a.call(u, "POST", path+"/submit", nil); res.StatusCode != 404 {
			t.Errorf("submit as %s: got %d, want 404", u, res.StatusCode)
		}
	}
	res, e = a.call("claimant1", "POST", path+"/submit", nil)
	if res.StatusCode != 400 || e.Error.Fields["facts"] == "" || e.Error.Fields["service_consent"] == "" || e.Error.Fields["credit_code"] == "" {
		t.Errorf("submit incomplete: got %d %+v, want 400 with every missing field", res.StatusCode, e.Error)
	}
	f := a.filing(false)
	delete(f, "submit")
	if res, e := a.call("claimant1", "PUT", path, f); res.StatusCode != 200 {
		t.Fatalf("PUT: got %d %+v", res.StatusCode, e.Error)
	}
	var list struct {
		Drafts []struct {
			ID int64 `json:"id"`
		} `json:"drafts"`
	}
	res, _ = a.call("claimant1", "GET", "/api/v1/drafts", nil)
	decodeInto(t, res, &list)
	if len(list.Drafts) != 1 || list.Drafts[0].ID != d.ID {
		t.Errorf("GET drafts: got %+v, want the one draft", list)
	}
	cs := a.mustCase("claimant1", "POST", path+"/submit", nil, http.StatusCreated)
	if cs.Status != court.CaseSubmitted {
		t.Errorf("submitted: got %s", cs.Status)
	}
	if res, _ := a.call("claimant1", "GET", path, nil); res.StatusCode != 404 {
		t.Errorf("draft after submit: got %d, want 404", res.StatusCode)
	}
}

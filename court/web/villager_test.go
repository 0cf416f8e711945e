package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
)

// testVillagerID is a valid resident identity number no demo account has.
var testVillagerID = func() string {
	first := "33012219560708002"
	return first + string(court.ResidentIDCheck(first))
}()

func villagerForm(action string) url.Values {
	// No order reference: the matrix files the same claim twice for the
	// same villager, and only claims with an order are one per order.
	return withForm(pageFiling(action), "order_ref", "\x00",
		"villager_name", "王阿婆", "villager_resident_id", testVillagerID, "villager_mobile", "13905710001",
		"villager_consent_method", "signed", "villager_consent", "1")
}

func init() {
	agentOnly := func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {404, 404}, "claimant2": {404, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
			"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {ok, ok}, "admin1": {404, 404},
		}
	}
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"GET", "/cases/new/villager", "", nil, agentOnly(200)},
		pageMatrixRoute{"POST", "/cases/new/villager", "", villagerForm("submit"), agentOnly(303)},
	)
}

// TestAPIVillagerFiling: a station agent files over the API for a villager;
// the agent sees the case, the villager is its claimant, nobody else sees it.
func TestAPIVillagerFiling(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	v := map[string]any{"name": "王阿婆", "resident_id": testVillagerID, "mobile": "13905710001", "consent_method": "oral", "present": true}

	f := a.filing(true)
	f["villager"] = map[string]any{"name": "", "resident_id": "330122", "mobile": "1", "consent_method": "", "present": false}
	f["facts"] = "短"
	res, e := a.call("agent1", "POST", "/api/v1/cases", f)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad villager: got %d, want 400", res.StatusCode)
	}
	for _, field := range []string{"villager_name", "villager_resident_id", "villager_mobile", "villager_consent_method", "villager_consent", "facts"} {
		if e.Error.Fields[field] == "" {
			t.Errorf("bad villager: got fields %v, want an error on %s", e.Error.Fields, field)
		}
	}
	f = a.filing(true)
	f["villager"] = v
	cs := a.mustCase("agent1", "POST", "/api/v1/cases", f, http.StatusCreated)
	if cs.FiledByID != a.ids["agent1"] || cs.ClaimantID == a.ids["agent1"] || cs.Status != court.CaseSubmitted {
		t.Errorf("case: got filer %d claimant %d %s, want agent1 filing for the villager, submitted", cs.FiledByID, cs.ClaimantID, cs.Status)
	}
	if res, _ := a.call("agent1", "GET", casePath(cs.ID, ""), nil); res.StatusCode != 200 {
		t.Errorf("agent GET: got %d, want 200", res.StatusCode)
	}
	for _, u := range []string{"claimant1", "claimant2", "merchant1"} {
		if res, _ := a.call(u, "GET", casePath(cs.ID, ""), nil); res.StatusCode != 404 {
			t.Errorf("%s GET: got %d, want 404", u, res.StatusCode)
		}
	}
	res, _ = a.call("agent1", "GET", casePath(cs.ID, "/docket"), nil)
	if !strings.Contains(res.Body, `"kind":"villager_consent"`) || !strings.Contains(res.Body, `"Method":"oral"`) {
		t.Errorf("docket: got %s, want the villager's consent", res.Body)
	}
	// A claimant cannot file "for a villager".
	f = a.filing(true)
	f["villager"] = v
	if res, _ := a.call("claimant1", "POST", "/api/v1/cases", f); res.StatusCode != http.StatusForbidden {
		t.Errorf("claimant with a villager: got %d, want 403", res.StatusCode)
	}
	// When the clerk accepts, the agent is told about the fee too.
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	res, _ = a.call("agent1", "GET", "/api/v1/notices", nil)
	if !strings.Contains(res.Body, `"kind":"fee_due"`) {
		t.Errorf("agent's notices: got %s, want fee_due", res.Body)
	}
}

// TestVillagerPage: the agent's form shows every error at once, then files;
// the case page names the villager as claimant.
func TestVillagerPage(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.Lang = "en"
	c.login("agent1")
	if res := c.get("/home"); !strings.Contains(res.Body, `href="/cases/new/villager"`) {
		t.Error("agent's home: no link to file for a villager")
	}
	res := c.get("/cases/new/villager")
	if res.StatusCode != 200 || !strings.Contains(res.Body, `id="f-villager_resident_id"`) || !strings.Contains(res.Body, `id="f-merchant_name"`) {
		t.Fatalf("form: got %d, want the villager's and the claim's fields", res.StatusCode)
	}
	bad := withForm(villagerForm("submit"), "villager_consent", "\x00", "villager_mobile", "123", "facts", "短")
	res = c.postForm("/cases/new/villager", "/cases/new/villager", bad)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad form: got %d, want 400", res.StatusCode)
	}
	for _, want := range []string{`id="e-villager_consent"`, `id="e-villager_mobile"`, `id="e-facts"`, `href="#f-villager_consent"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("bad form: missing %s", want)
		}
	}
	// The review step already checks the villager.
	res = c.postForm("/cases/new/villager", "/cases/new/villager", withForm(villagerForm("review"), "villager_consent", "\x00"))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-villager_consent"`) {
		t.Errorf("review without consent: got %d, want 400 with the consent's error", res.StatusCode)
	}
	// Review, then submit from the review page, which carries the villager.
	res = c.postForm("/cases/new/villager", "/cases/new/villager", villagerForm("review"))
	if res.StatusCode != 200 || !strings.Contains(res.Body, `name="villager_resident_id" value="`+testVillagerID+`"`) {
		t.Fatalf("review: got %d, want the villager's fields carried", res.StatusCode)
	}
	if !strings.Contains(res.Body, court.MaskResidentID(testVillagerID)) || !strings.Contains(res.Body, `id="review-villager"`) {
		t.Error("review: want the villager shown, the number masked")
	}
	res = c.postForm("/cases/new/villager", "/cases/new/villager", villagerForm("submit"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: got %d, want 303\n%s", res.StatusCode, res.Body)
	}
	loc := res.Header.Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/cases/"), 10, 64)
	res = c.get(loc)
	if !strings.Contains(res.Body, `<dd id="party-claimant">王阿婆</dd>`) || !strings.Contains(res.Body, "Station agent") {
		t.Errorf("case page %d: want the villager as claimant and the consent on the docket", id)
	}
}

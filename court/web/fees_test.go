package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// feeWaiver is a fee request every role may try.
var feeWaiver = map[string]any{"action": "waived", "reason": "申请人为最低生活保障对象"}

func init() {
	// Anyone who sees a case sees its fee; only clerks and admins record
	// it (403 for the others who see the case, 404 for those who do not).
	feeStaffOnly := map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {200, 200}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {200, 200},
	}
	accessMatrix = append(accessMatrix,
		matrixRoute{"GET", "/api/v1/cases/:id/fee", court.CaseServed, nil, seeLikeCase},
		matrixRoute{"POST", "/api/v1/cases/:id/fee", court.CaseServed, feeWaiver, feeStaffOnly},
	)
	matrixKeepsStatus["POST /api/v1/cases/:id/fee"] = true
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"POST", "/cases/:id/fee", court.CaseServed,
			url.Values{"fee_action": {"waived"}, "fee_reason": {"申请人为最低生活保障对象"}}, map[string][2]int{
				"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
				"clerk1": {303, 303}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {303, 303},
			}},
	)
}

type apiFee struct {
	Fee       court.Fen          `json:"fee"`
	Status    string             `json:"status"`
	Due       *string            `json:"due"`
	Overdue   bool               `json:"overdue"`
	Reference string             `json:"reference"`
	Events    []storage.FeeEvent `json:"events"`
}

// TestAPIFee: the claimant sees what to pay; the clerk records a payment at
// the counter, refused first for the wrong amount and a reused receipt.
func TestAPIFee(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	path := casePath(cs.ID, "/fee")

	var st apiFee
	res, _ := a.call("claimant1", "GET", path, nil)
	decodeInto(t, res, &st)
	if res.StatusCode != 200 || st.Fee != 2500 || st.Status != "unpaid" || st.Reference != "FEE-"+strconv.FormatInt(cs.ID, 10) || st.Due != nil {
		t.Fatalf("GET fee before acceptance: got %d %+v, want 200, 2500 unpaid, reference FEE-%d, no due date", res.StatusCode, st, cs.ID)
	}
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	res, _ = a.call("claimant1", "GET", path, nil)
	st = apiFee{}
	decodeInto(t, res, &st)
	if st.Due == nil || st.Overdue {
		t.Fatalf("GET fee after acceptance: got %+v, want a due date, not overdue", st)
	}

	for _, tc := range []struct {
		body  map[string]any
		code  int
		field string
	}{
		{map[string]any{"action": "paid", "reference": "R-1", "amount": 2000}, 400, "amount"},
		{map[string]any{"action": "paid", "amount": 2500}, 400, "reference"},
		{map[string]any{"action": "refund"}, 400, "action"},
		{map[string]any{"action": "reduced", "amount": 2000, "reason": "因灾困难"}, 400, "amount"},
		{map[string]any{"action": "waived"}, 400, "reason"},
	} {
		res, e := a.call("clerk1", "POST", path, tc.body)
		if res.StatusCode != tc.code || e.Error.Fields[tc.field] == "" {
			t.Errorf("POST %v: got %d %+v, want %d with an error on %s", tc.body, res.StatusCode, e.Error, tc.code, tc.field)
		}
	}
	paid := a.mustCase("clerk1", "POST", path, map[string]any{"action": "paid", "reference": "ZJ-2026-0001", "amount": 2500}, http.StatusOK)
	if paid.FeeStatus != "paid" {
		t.Errorf("after payment: got fee status %q, want paid", paid.FeeStatus)
	}
	res, e := a.call("clerk1", "POST", path, map[string]any{"action": "paid", "reference": "ZJ-2026-0002", "amount": 2500})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("second payment: got %d %+v, want 409", res.StatusCode, e.Error)
	}
	other := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	res, e = a.call("clerk1", "POST", casePath(other.ID, "/fee"), map[string]any{"action": "paid", "reference": "ZJ-2026-0001", "amount": 2500})
	if res.StatusCode != http.StatusConflict || e.Error.Fields["reference"] == "" {
		t.Errorf("reused receipt: got %d %+v, want 409 on reference", res.StatusCode, e.Error)
	}

	res, _ = a.call("claimant1", "GET", path, nil)
	st = apiFee{}
	decodeInto(t, res, &st)
	if st.Status != "paid" || len(st.Events) != 1 || st.Events[0].Reference != "ZJ-2026-0001" || st.Reference != "" || st.Due != nil {
		t.Errorf("GET fee after payment: got %+v, want paid with one event ZJ-2026-0001 and nothing to pay", st)
	}
	// On the docket and in the claimant's inbox, in the claimant's words.
	res, _ = a.call("claimant1", "GET", casePath(cs.ID, "/docket"), nil)
	if !strings.Contains(res.Body, `"kind":"fee_paid"`) {
		t.Errorf("docket: got %s, want a fee_paid entry", res.Body)
	}
	res, _ = a.call("claimant1", "GET", "/api/v1/notices", nil)
	if !strings.Contains(res.Body, `"kind":"fee_paid"`) || !strings.Contains(res.Body, `"kind":"fee_due"`) {
		t.Errorf("claimant's notices: got %s, want fee_due and fee_paid", res.Body)
	}
}

// TestFeePage: the claimant's case page says what to pay and by when; the
// clerk's has the form, which shows its errors and records a waiver.
func TestFeePage(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	page := "/cases/" + strconv.FormatInt(cs.ID, 10)

	claimant := ts.client(t)
	claimant.Lang = "en"
	claimant.login("claimant1")
	res := claimant.get(page)
	for _, want := range []string{`id="fee-line"`, "Court fee ¥25.00: not paid yet.", `id="fee-due"`, "FEE-" + strconv.FormatInt(cs.ID, 10)} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("claimant's case page: missing %q", want)
		}
	}
	if strings.Contains(res.Body, `id="fee-form"`) {
		t.Error("claimant's case page: got the clerk's fee form, want none")
	}

	// The merchant sees the fee, not the claimant's instructions to pay it.
	merchant := ts.client(t)
	merchant.login("merchant1")
	if res := merchant.get(page); !strings.Contains(res.Body, `id="fee-line"`) || strings.Contains(res.Body, `id="fee-how"`) || strings.Contains(res.Body, `id="fee-due"`) {
		t.Error("merchant's case page: want the fee line without how and by when to pay")
	}

	clerk := ts.client(t)
	clerk.Lang = "zh-CN"
	clerk.login("clerk1")
	if res := clerk.get(page); !strings.Contains(res.Body, `id="fee-form"`) {
		t.Fatal("clerk's case page: no fee form")
	}
	res = clerk.postForm(page, page+"/fee", url.Values{"fee_action": {"reduced"}, "fee_amount": {"20"}, "fee_reason": {"困难"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "减交比例不低于 30%") {
		t.Errorf("reduction too small: got %d, want 400 with the 30%% rule in Chinese", res.StatusCode)
	}
	res = clerk.postForm(page, page+"/fee", url.Values{"fee_action": {"reduced"}, "fee_amount": {"12.5"}, "fee_reason": {"因灾生活困难，有村委会证明"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reduction: got %d, want 303\n%s", res.StatusCode, res.Body)
	}
	res = clerk.get(res.Header.Get("Location"))
	if !strings.Contains(res.Body, "诉讼费由 ¥25.00 减为 ¥12.50") || !strings.Contains(res.Body, "因灾生活困难，有村委会证明") {
		t.Errorf("clerk's page after the reduction: want the fee event with its reason")
	}
	if got := a.dbCase(cs.ID); got.Fee != 1250 || got.FeeStatus != "unpaid" {
		t.Errorf("case after the reduction: got %d %s, want 1250 unpaid", got.Fee, got.FeeStatus)
	}
	res = clerk.postForm(page, page+"/fee", url.Values{"fee_action": {"waived"}, "fee_reason": {"最低生活保障对象"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("waiver: got %d, want 303", res.StatusCode)
	}
	res = claimant.get(page)
	if !strings.Contains(res.Body, "Court fee ¥0.00: waived.") || strings.Contains(res.Body, `id="fee-due"`) {
		t.Errorf("claimant's page after the waiver: want the fee waived and nothing due")
	}
}

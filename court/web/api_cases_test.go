package web_test

// Tests of the case API: the lifecycle over JSON, validation in both
// languages, conflicts, illegal transitions, concurrent acceptance and the
// access matrix of every case route for every role.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// caseAPIClient drives the case API of one test server as the demo users.
type caseAPIClient struct {
	t     *testing.T
	ts    *testServer
	c     *client
	tok   map[string]string // API token by username
	ids   map[string]int64  // user id by username
	order int               // counter for unique order references
}

func newCaseAPI(t *testing.T, ts *testServer) *caseAPIClient {
	t.Helper()
	a := &caseAPIClient{t: t, ts: ts, c: ts.client(t), tok: map[string]string{}, ids: map[string]int64{}}
	a.c.Lang = "en"
	for _, acct := range demo.Accounts {
		tok := a.token(acct.Username)
		a.tok[acct.Username] = tok
		me, _ := a.c.api("GET", "/api/v1/me", tok, "", "")
		var u struct {
			ID int64 `json:"id"`
		}
		decodeInto(t, me, &u)
		a.ids[acct.Username] = u.ID
	}
	return a
}

// token logs user in through the API and returns the new token.
func (a *caseAPIClient) token(user string) string {
	a.t.Helper()
	res, _ := a.c.api("POST", "/api/v1/tokens", "", "application/json",
		`{"username":"`+user+`","password":"`+demo.Password+`"}`)
	if res.StatusCode != http.StatusCreated {
		a.t.Fatalf("token for %s: got %d, want 201: %s", user, res.StatusCode, res.Body)
	}
	var tok struct {
		Token string `json:"token"`
	}
	decodeInto(a.t, res, &tok)
	return tok.Token
}

func decodeInto(tb testing.TB, res *response, dst any) {
	tb.Helper()
	if err := json.Unmarshal([]byte(res.Body), dst); err != nil {
		tb.Fatalf("decode %q: %v", res.Body, err)
	}
}

// call sends body (nil for none) as JSON with user's token.
func (a *caseAPIClient) call(user, method, path string, body any) (*response, apiErr) {
	a.t.Helper()
	if body == nil {
		return a.c.api(method, path, a.tok[user], "", "")
	}
	b, err := json.Marshal(body)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.c.api(method, path, a.tok[user], "application/json", string(b))
}

// mustCase calls and decodes a case, failing unless the status is want.
func (a *caseAPIClient) mustCase(user, method, path string, body any, want int) court.Case {
	a.t.Helper()
	res, e := a.call(user, method, path, body)
	if res.StatusCode != want {
		a.t.Fatalf("%s %s %s: got %d %+v, want %d", user, method, path, res.StatusCode, e.Error, want)
	}
	var cs court.Case
	decodeInto(a.t, res, &cs)
	return cs
}

func (a *caseAPIClient) nextOrder() string {
	a.order++
	return fmt.Sprintf("TB-%04d", a.order)
}

// filing is a valid filing against merchant1's organisation, as a JSON
// object a test may change.
func (a *caseAPIClient) filing(submit bool) map[string]any {
	return map[string]any{
		"credit_code": demo.CreditCode1, "merchant_name": "杭州西湖龙井茶业有限公司",
		"order_ref": a.nextOrder(), "category": "quality", "facts": "收到的龙井茶叶已经发霉，商家拒绝退款。",
		"refund": 12800, "compensation": 0, "costs": 0, "exclusions": []string{},
		"purchase_date": time.Now().In(court.Zone).AddDate(0, 0, -30).Format("2006-01-02"), "platform": "淘宝",
		"over_cap_consent": false, "service_consent": true, "submit": submit,
	}
}

// against2 turns a filing against merchant2's organisation.
func against2(f map[string]any) map[string]any {
	f["credit_code"], f["merchant_name"] = demo.CreditCode2, "杭州星光直播电子商务有限公司"
	return f
}

func (a *caseAPIClient) list(user, query string) []court.Case {
	a.t.Helper()
	res, e := a.call(user, "GET", "/api/v1/cases"+query, nil)
	if res.StatusCode != http.StatusOK {
		a.t.Fatalf("%s GET /api/v1/cases%s: got %d %+v, want 200", user, query, res.StatusCode, e.Error)
	}
	var l struct {
		Cases []court.Case `json:"cases"`
	}
	decodeInto(a.t, res, &l)
	return l.Cases
}

func hasCase(cases []court.Case, id int64) bool {
	return slices.ContainsFunc(cases, func(c court.Case) bool { return c.ID == id })
}

func (a *caseAPIClient) dbCase(id int64) *court.Case {
	a.t.Helper()
	c, err := a.ts.DB.CaseByID(context.Background(), id)
	if err != nil {
		a.t.Fatalf("case %d: %v", id, err)
	}
	return c
}

func (a *caseAPIClient) caseCount() int {
	a.t.Helper()
	cases, err := a.ts.DB.Cases(context.Background(), storage.CaseFilter{Limit: 200})
	if err != nil {
		a.t.Fatal(err)
	}
	return len(cases)
}

func casePath(id int64, suffix string) string {
	return "/api/v1/cases/" + strconv.FormatInt(id, 10) + suffix
}

func docketNo(year, seq int) string { return fmt.Sprintf("(%d)浙0102民初%d号", year, seq) }

// TestAPICaseLifecycle: a draft is filed, submitted, accepted; the merchant
// is served and sees it, the other merchant never does, and the docket
// records each step in order.
func TestAPICaseLifecycle(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	year := time.Now().In(court.Zone).Year()

	f := a.filing(false)
	draft := a.mustCase("claimant1", "POST", "/api/v1/cases", f, http.StatusCreated)
	if draft.ID <= 0 || draft.Status != court.CaseDraft || draft.DocketNo != "" || draft.SubmittedAt != nil {
		t.Fatalf("draft: got id %d status %q docket %q submitted %v, want a draft", draft.ID, draft.Status, draft.DocketNo, draft.SubmittedAt)
	}
	if draft.Total != 12800 || draft.Refund != 12800 || draft.Fee != ts.Dk.Profile.Fee(12800) || draft.ClaimantID != a.ids["claimant1"] {
		t.Errorf("draft amounts: got total %d refund %d fee %d claimant %d, want 12800 12800 %d %d",
			draft.Total, draft.Refund, draft.Fee, draft.ClaimantID, ts.Dk.Profile.Fee(12800), a.ids["claimant1"])
	}
	if draft.CreditCode != demo.CreditCode1 || draft.OrderRef != f["order_ref"] || draft.Category != court.CatQuality {
		t.Errorf("draft parties: got %q %q %q", draft.CreditCode, draft.OrderRef, draft.Category)
	}
	// The JSON shape: amounts are integers in fen, times RFC 3339.
	res, _ := a.call("claimant1", "GET", casePath(draft.ID, ""), nil)
	var raw map[string]any
	decodeInto(t, res, &raw)
	if got, ok := raw["refund"].(float64); !ok || got != 12800 {
		t.Errorf("refund in JSON: got %v (%T), want the number 12800", raw["refund"], raw["refund"])
	}
	if s, _ := raw["created_at"].(string); s == "" {
		t.Errorf("created_at: got %v, want an RFC 3339 string", raw["created_at"])
	} else if _, err := time.Parse(time.RFC3339, s); err != nil {
		t.Errorf("created_at %q: %v", s, err)
	}
	for _, k := range []string{"docket_no", "answer_due", "judge_id"} {
		if _, ok := raw[k]; ok {
			t.Errorf("draft JSON has %q, want it omitted", k)
		}
	}

	// Nobody but the claimant sees a draft.
	for _, u := range []string{"merchant1", "clerk1", "claimant2", "admin1"} {
		if res, e := a.call(u, "GET", casePath(draft.ID, ""), nil); res.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" {
			t.Errorf("%s GET draft: got %d %q, want 404 not_found", u, res.StatusCode, e.Error.Code)
		}
	}
	if hasCase(a.list("clerk1", ""), draft.ID) {
		t.Error("clerk1's list shows a draft, want it hidden")
	}
	if !hasCase(a.list("claimant1", ""), draft.ID) {
		t.Error("claimant1's list does not show its draft")
	}

	sub := a.mustCase("claimant1", "POST", casePath(draft.ID, "/submit"), nil, http.StatusOK)
	if sub.Status != court.CaseSubmitted || sub.SubmittedAt == nil {
		t.Fatalf("submit: got status %q submitted_at %v, want submitted with a time", sub.Status, sub.SubmittedAt)
	}
	if !hasCase(a.list("clerk1", "?status=submitted"), draft.ID) {
		t.Error("clerk1's queue (status=submitted) does not show the submitted case")
	}
	if hasCase(a.list("clerk1", "?status=served,answered"), draft.ID) {
		t.Error("clerk1's list of served,answered shows a submitted case")
	}
	if res, _ := a.call("merchant1", "GET", casePath(draft.ID, ""), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("merchant1 GET a submitted case: got %d, want 404 (not served yet)", res.StatusCode)
	}

	acc := a.mustCase("clerk1", "POST", casePath(draft.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	if want := docketNo(year, 1); acc.DocketNo != want {
		t.Errorf("docket_no: got %q, want %q", acc.DocketNo, want)
	}
	if acc.Status != court.CaseServed || acc.AcceptedAt == nil || acc.ServedAt == nil || acc.AnswerDue == nil || acc.ConcludeBy == nil {
		t.Fatalf("accepted: got status %q accepted %v served %v due %v conclude %v, want served with all four times",
			acc.Status, acc.AcceptedAt, acc.ServedAt, acc.AnswerDue, acc.ConcludeBy)
	}
	if want := court.EndOfDay(*acc.ServedAt, ts.Dk.Profile.AnswerDays); !acc.AnswerDue.Equal(want) {
		t.Errorf("answer_due: got %v, want %v (end of the 15th day after service)", acc.AnswerDue, want)
	}

	// merchant1 has a notice before opening the case.
	res, _ = a.call("merchant1", "GET", "/api/v1/notices", nil)
	var inbox struct {
		Notices []storage.Notice `json:"notices"`
		Unread  int              `json:"unread"`
	}
	decodeInto(t, res, &inbox)
	if res.StatusCode != http.StatusOK || inbox.Unread != 1 || len(inbox.Notices) != 1 {
		t.Fatalf("merchant1 notices: got %d unread %d notices %d, want 200 1 1: %s", res.StatusCode, inbox.Unread, len(inbox.Notices), res.Body)
	}
	if n := inbox.Notices[0]; n.Kind != "served" || n.CaseID == nil || *n.CaseID != draft.ID || n.Data["Merchant"] != "杭州西湖龙井茶业有限公司" {
		t.Errorf("merchant1 notice: got kind %q case %v data %v, want served for case %d", n.Kind, n.CaseID, n.Data, draft.ID)
	}
	res, _ = a.call("merchant2", "GET", "/api/v1/notices", nil)
	inbox.Notices, inbox.Unread = nil, -1
	decodeInto(t, res, &inbox)
	if inbox.Unread != 0 || len(inbox.Notices) != 0 {
		t.Errorf("merchant2 notices: got unread %d notices %d, want 0 0", inbox.Unread, len(inbox.Notices))
	}

	seen := a.mustCase("merchant1", "GET", casePath(draft.ID, ""), nil, http.StatusOK)
	if seen.MerchantSeenAt == nil || seen.DocketNo != acc.DocketNo {
		t.Errorf("merchant1 GET: got merchant_seen_at %v docket %q, want a time and %q", seen.MerchantSeenAt, seen.DocketNo, acc.DocketNo)
	}
	if !hasCase(a.list("merchant1", ""), draft.ID) {
		t.Error("merchant1's list does not show the case served on it")
	}
	if res, e := a.call("merchant2", "GET", casePath(draft.ID, ""), nil); res.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Errorf("merchant2 GET: got %d %q, want 404 not_found", res.StatusCode, e.Error.Code)
	}
	if res, _ := a.call("merchant2", "GET", casePath(draft.ID, "/docket"), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("merchant2 GET docket: got %d, want 404", res.StatusCode)
	}
	if hasCase(a.list("merchant2", ""), draft.ID) || hasCase(a.list("merchant2", "?status=served"), draft.ID) {
		t.Error("merchant2's list shows another merchant's case")
	}

	res, _ = a.call("claimant1", "GET", casePath(draft.ID, "/docket"), nil)
	var dk struct {
		Entries []storage.Entry `json:"entries"`
	}
	decodeInto(t, res, &dk)
	var kinds []string
	for i, e := range dk.Entries {
		kinds = append(kinds, e.Kind)
		if e.Seq != i+1 || e.CaseID != draft.ID {
			t.Errorf("entry %d: got seq %d case %d, want seq %d case %d", i, e.Seq, e.CaseID, i+1, draft.ID)
		}
	}
	if want := []string{"filed", "accepted", "served", "merchant_seen"}; !slices.Equal(kinds, want) {
		t.Errorf("docket kinds: got %v, want %v", kinds, want)
	}
	if len(dk.Entries) == 4 && (dk.Entries[1].ActorRole != "clerk" || dk.Entries[3].ActorRole != "merchant") {
		t.Errorf("docket roles: got %q and %q, want clerk and merchant", dk.Entries[1].ActorRole, dk.Entries[3].ActorRole)
	}
	// A second look by the merchant adds nothing.
	a.mustCase("merchant1", "GET", casePath(draft.ID, ""), nil, http.StatusOK)
	res, _ = a.call("clerk1", "GET", casePath(draft.ID, "/docket"), nil)
	dk.Entries = nil
	decodeInto(t, res, &dk)
	if len(dk.Entries) != 4 {
		t.Errorf("docket after a second merchant look: got %d entries, want 4", len(dk.Entries))
	}
}

// TestAPICaseBadIDsAndAuth: ids that are not plain positive numbers, and
// calls without a token.
func TestAPICaseBadIDsAndAuth(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	for _, id := range []string{"abc", "0", "-1", "+" + strconv.FormatInt(cs.ID, 10), "0" + strconv.FormatInt(cs.ID, 10), "1e3", "99999999999999999999", "424242"} {
		for _, p := range []string{"", "/docket"} {
			res, e := a.call("claimant1", "GET", "/api/v1/cases/"+id+p, nil)
			if res.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" || e.Error.Message != ts.Cat.M("en", court.Msg("err.not_found")) {
				t.Errorf("GET /api/v1/cases/%s%s: got %d %+v, want 404 not_found", id, p, res.StatusCode, e.Error)
			}
		}
	}
	// The plain id works (the 404s above are about the id's form).
	a.mustCase("claimant1", "GET", casePath(cs.ID, ""), nil, http.StatusOK)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/cases"}, {"POST", "/api/v1/cases"}, {"GET", casePath(cs.ID, "")}, {"GET", casePath(cs.ID, "/docket")},
		{"POST", casePath(cs.ID, "/submit")}, {"POST", casePath(cs.ID, "/review")}, {"POST", casePath(cs.ID, "/withdraw")},
		{"GET", "/api/v1/notices"},
	} {
		res, e := a.c.api(r.method, r.path, "", "", "")
		if res.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
			t.Errorf("%s %s without a token: got %d %q, want 401 unauthorized", r.method, r.path, res.StatusCode, e.Error.Code)
		}
	}
	if got := a.dbCase(cs.ID).Status; got != court.CaseSubmitted {
		t.Errorf("after anonymous calls: status %q, want submitted", got)
	}
	// Bodies: JSON only, no unknown fields.
	res, e := a.c.api("POST", "/api/v1/cases", a.tok["claimant1"], "application/x-www-form-urlencoded", "facts=x")
	if res.StatusCode != http.StatusBadRequest || e.Error.Message != ts.Cat.M("en", court.Msg("err.json_content_type")) {
		t.Errorf("form body: got %d %+v, want 400 err.json_content_type", res.StatusCode, e.Error)
	}
	f := a.filing(true)
	f["status"] = "served"
	if res, e := a.call("claimant1", "POST", "/api/v1/cases", f); res.StatusCode != http.StatusBadRequest || e.Error.Message != ts.Cat.M("en", court.Msg("err.json")) {
		t.Errorf("unknown field status: got %d %+v, want 400 err.json", res.StatusCode, e.Error)
	}
	f = a.filing(true)
	f["refund"] = 128.5
	if res, e := a.call("claimant1", "POST", "/api/v1/cases", f); res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" {
		t.Errorf("fractional fen: got %d %+v, want 400 invalid", res.StatusCode, e.Error)
	}
}

// TestAPICaseReturnAndReject: a returned case goes back to the claimant with
// the reason and can be resubmitted; a rejection needs a reason.
func TestAPICaseReturnAndReject(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	if cs.Status != court.CaseSubmitted {
		t.Fatalf("filed with submit: got %q, want submitted", cs.Status)
	}
	for _, body := range []map[string]any{{"decision": "return"}, {"decision": "return", "reason": " "}} {
		res, e := a.call("clerk1", "POST", casePath(cs.ID, "/review"), body)
		if res.StatusCode != http.StatusBadRequest || e.Error.Fields["reason"] != ts.Cat.M("en", court.Msg("err.required")) {
			t.Errorf("return %v: got %d %+v, want 400 with fields.reason", body, res.StatusCode, e.Error)
		}
	}
	const why = "请补充订单截图和聊天记录。"
	ret := a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "return", "reason": why}, http.StatusOK)
	if ret.Status != court.CaseReturned || ret.Reason != why {
		t.Errorf("return: got %q %q, want returned %q", ret.Status, ret.Reason, why)
	}
	var inbox struct {
		Notices []storage.Notice `json:"notices"`
		Unread  int              `json:"unread"`
	}
	res, _ := a.call("claimant1", "GET", "/api/v1/notices", nil)
	decodeInto(t, res, &inbox)
	if inbox.Unread != 1 || len(inbox.Notices) != 1 || inbox.Notices[0].Kind != "returned" || inbox.Notices[0].Data["Reason"] != why {
		t.Errorf("claimant notices: got unread %d %+v, want one returned notice with the reason", inbox.Unread, inbox.Notices)
	}
	mine := a.mustCase("claimant1", "GET", casePath(cs.ID, ""), nil, http.StatusOK)
	if mine.Status != court.CaseReturned || mine.Reason != why {
		t.Errorf("claimant sees: got %q %q, want returned %q", mine.Status, mine.Reason, why)
	}
	// Opening the case read its notice.
	res, _ = a.call("claimant1", "GET", "/api/v1/notices", nil)
	decodeInto(t, res, &inbox)
	if inbox.Unread != 0 || len(inbox.Notices) != 1 || inbox.Notices[0].ReadAt == nil {
		t.Errorf("claimant notices after opening the case: got unread %d %+v, want the notice read", inbox.Unread, inbox.Notices)
	}
	re := a.mustCase("claimant1", "POST", casePath(cs.ID, "/submit"), nil, http.StatusOK)
	if re.Status != court.CaseSubmitted || re.Reason != "" {
		t.Errorf("resubmit: got %q reason %q, want submitted with no reason", re.Status, re.Reason)
	}

	for _, lang := range []string{"en", "zh-CN"} {
		a.c.Lang = lang
		res, e := a.call("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "reject"})
		if res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" || e.Error.Fields["reason"] != ts.Cat.M(lang, court.Msg("err.required")) {
			t.Errorf("%s reject without reason: got %d %+v, want 400 with fields.reason", lang, res.StatusCode, e.Error)
		}
		res, e = a.call("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "dismiss", "reason": "xx"})
		if res.StatusCode != http.StatusBadRequest || e.Error.Fields["decision"] != ts.Cat.M(lang, court.Msg("err.invalid_choice")) {
			t.Errorf("%s decision dismiss: got %d %+v, want 400 with fields.decision", lang, res.StatusCode, e.Error)
		}
	}
	a.c.Lang = "en"
	if got := a.dbCase(cs.ID).Status; got != court.CaseSubmitted {
		t.Fatalf("after refused reviews: status %q, want submitted", got)
	}
	const no = "该纠纷不属于消费纠纷。"
	rej := a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "reject", "reason": no}, http.StatusOK)
	if rej.Status != court.CaseRejected || rej.Reason != no || rej.DocketNo != "" {
		t.Errorf("reject: got %q %q docket %q, want rejected %q with no docket number", rej.Status, rej.Reason, rej.DocketNo, no)
	}
	// Final: the claimant cannot resubmit a rejected case.
	if res, e := a.call("claimant1", "POST", casePath(cs.ID, "/submit"), nil); res.StatusCode != http.StatusConflict || e.Error.Code != "conflict" {
		t.Errorf("resubmit a rejected case: got %d %q, want 409 conflict", res.StatusCode, e.Error.Code)
	}
}

// TestAPICaseValidation: each rule's message on its field, in English and
// Chinese, and nothing created.
func TestAPICaseValidation(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	capAmt, ok := court.DefaultProfile().Cap(time.Now().In(court.Zone).Year())
	if !ok || capAmt != court.DefaultProfile().SmallClaimsCap[2026] {
		t.Fatalf("cap: got %v %v, want the 2026 cap", capAmt, ok)
	}
	badCode := demo.CreditCode1[:17] + "0"
	if badCode == demo.CreditCode1 {
		badCode = demo.CreditCode1[:17] + "1"
	}
	capArgs := []any{"Cap", capAmt.String(), "Twice", (2 * capAmt).String()}
	cases := []struct {
		name  string
		set   map[string]any
		field string
		key   string
		args  []any
		want  map[string]string // lang -> text the message must contain
	}{
		{"zero amount", map[string]any{"refund": 0}, "refund", "err.amount_positive", nil, nil},
		{"negative amount", map[string]any{"refund": -1}, "refund", "err.amount_range", nil, nil},
		{"over twice the cap", map[string]any{"refund": int64(2*capAmt) + 1}, "refund", "err.over_twice_cap", capArgs,
			map[string]string{"en": capAmt.String(), "zh-CN": capAmt.String()}},
		{"over the cap, no consent", map[string]any{"refund": int64(capAmt) + 1}, "over_cap_consent", "err.over_cap", capArgs,
			map[string]string{"en": capAmt.String(), "zh-CN": capAmt.String()}},
		{"bad credit code", map[string]any{"credit_code": badCode}, "credit_code", "err.credit_code_check", nil, nil},
		{"counterclaim", map[string]any{"exclusions": []string{"counterclaim"}}, "exclusions", "err.excluded_counterclaim", nil,
			map[string]string{"en": "Art 166", "zh-CN": "第一百六十六条"}},
		{"unknown exclusion", map[string]any{"exclusions": []string{"nonsense"}}, "exclusions", "err.invalid_choice", nil, nil},
		{"no service consent", map[string]any{"service_consent": false}, "service_consent", "err.service_consent", nil,
			map[string]string{"en": "Art 90"}},
		{"bad category", map[string]any{"category": "tea"}, "category", "err.category", nil, nil},
		{"short facts", map[string]any{"facts": "坏了"}, "facts", "err.text_too_short", []any{"Min", 10}, nil},
		{"future purchase", map[string]any{"purchase_date": time.Now().In(court.Zone).AddDate(0, 0, 3).Format("2006-01-02")}, "purchase_date", "err.date_future", nil, nil},
	}
	before := a.caseCount()
	listBefore := len(a.list("claimant1", ""))
	for _, lang := range []string{"en", "zh-CN"} {
		for _, tc := range cases {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				a.c.Lang = lang
				f := a.filing(true)
				for k, v := range tc.set {
					f[k] = v
				}
				res, e := a.call("claimant1", "POST", "/api/v1/cases", f)
				if res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" {
					t.Fatalf("got %d %q, want 400 invalid: %s", res.StatusCode, e.Error.Code, res.Body)
				}
				if want := ts.Cat.M(lang, court.Msg("err.invalid_form")); e.Error.Message != want {
					t.Errorf("message: got %q, want %q", e.Error.Message, want)
				}
				want := ts.Cat.M(lang, court.Msg(tc.key, tc.args...))
				if got := e.Error.Fields[tc.field]; got != want {
					t.Errorf("fields.%s: got %q, want %q (all fields: %v)", tc.field, got, want, e.Error.Fields)
				}
				if len(e.Error.Fields) != 1 {
					t.Errorf("fields: got %v, want only %s", e.Error.Fields, tc.field)
				}
				if sub, ok := tc.want[lang]; ok && !strings.Contains(e.Error.Fields[tc.field], sub) {
					t.Errorf("fields.%s: got %q, want it to mention %q", tc.field, e.Error.Fields[tc.field], sub)
				}
			})
		}
	}
	a.c.Lang = "en"
	// All errors at once.
	f := a.filing(true)
	f["refund"], f["credit_code"], f["exclusions"], f["service_consent"] = 0, badCode, []string{"counterclaim"}, false
	res, e := a.call("claimant1", "POST", "/api/v1/cases", f)
	var got []string
	for k := range e.Error.Fields {
		got = append(got, k)
	}
	sort.Strings(got)
	if want := []string{"credit_code", "exclusions", "refund", "service_consent"}; res.StatusCode != http.StatusBadRequest || !slices.Equal(got, want) {
		t.Errorf("all at once: got %d fields %v, want 400 with %v", res.StatusCode, got, want)
	}
	if after := a.caseCount(); after != before {
		t.Errorf("cases after refused filings: got %d, want %d", after, before)
	}
	if after := len(a.list("claimant1", "")); after != listBefore {
		t.Errorf("claimant1's list after refused filings: got %d, want %d", after, listBefore)
	}
	// The positive controls: between the cap and twice with consent, and
	// exactly twice the cap, are filed and flagged over the cap; exactly
	// the cap is not over it.
	for _, c := range []struct {
		amount court.Fen
		over   bool
	}{{capAmt + 1, true}, {2 * capAmt, true}, {capAmt, false}} {
		f := a.filing(true)
		f["refund"], f["over_cap_consent"] = int64(c.amount), c.over
		cs := a.mustCase("claimant1", "POST", "/api/v1/cases", f, http.StatusCreated)
		if cs.OverCap != c.over || cs.Total != c.amount || cs.Fee != ts.Dk.Profile.Fee(c.amount) {
			t.Errorf("amount %d: got over_cap %v total %d fee %d, want %v %d %d", c.amount, cs.OverCap, cs.Total, cs.Fee, c.over, c.amount, ts.Dk.Profile.Fee(c.amount))
		}
	}
	if after := a.caseCount(); after != before+3 {
		t.Errorf("cases after the controls: got %d, want %d", after, before+3)
	}
	// Only claimants file (station agents cannot file through the
	// service yet).
	for _, u := range []string{"merchant1", "clerk1", "judge1", "mediator1", "agent1", "admin1"} {
		if res, e := a.call(u, "POST", "/api/v1/cases", a.filing(true)); res.StatusCode != http.StatusForbidden || e.Error.Code != "forbidden" {
			t.Errorf("%s files: got %d %q, want 403 forbidden", u, res.StatusCode, e.Error.Code)
		}
	}
}

// TestAPICaseOpenClaimConflict: one open claim per claimant, merchant and
// order; the conflict names the first case.
func TestAPICaseOpenClaimConflict(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	f := a.filing(false)
	first := a.mustCase("claimant1", "POST", "/api/v1/cases", f, http.StatusCreated)
	before := a.caseCount()
	for _, lang := range []string{"en", "zh-CN"} {
		a.c.Lang = lang
		f2 := a.filing(true)
		f2["order_ref"] = f["order_ref"]
		f2["facts"] = "同一笔订单再次起诉，事实略有不同。"
		res, e := a.call("claimant1", "POST", "/api/v1/cases", f2)
		want := ts.Cat.M(lang, court.Msg("err.open_claim", "CaseID", first.ID))
		if res.StatusCode != http.StatusConflict || e.Error.Code != "conflict" || e.Error.Message != want {
			t.Errorf("%s second claim: got %d %q %q, want 409 conflict %q", lang, res.StatusCode, e.Error.Code, e.Error.Message, want)
		}
		if !strings.Contains(e.Error.Message, strconv.FormatInt(first.ID, 10)) || e.Error.Fields["order_ref"] != want {
			t.Errorf("%s conflict: got %+v, want the first case id %d in the message and on order_ref", lang, e.Error, first.ID)
		}
	}
	a.c.Lang = "en"
	if after := a.caseCount(); after != before {
		t.Errorf("cases after the conflicts: got %d, want %d", after, before)
	}
	// Not a conflict: another claimant, another merchant, the same
	// claimant for another order.
	other := a.filing(false)
	other["order_ref"] = f["order_ref"]
	a.mustCase("claimant2", "POST", "/api/v1/cases", other, http.StatusCreated)
	other = against2(a.filing(false))
	other["order_ref"] = f["order_ref"]
	a.mustCase("claimant1", "POST", "/api/v1/cases", other, http.StatusCreated)
	a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(false), http.StatusCreated)
	// A closed claim does not count.
	a.mustCase("claimant1", "POST", casePath(first.ID, "/withdraw"), map[string]any{"reason": "重新起诉"}, http.StatusOK)
	again := a.filing(false)
	again["order_ref"] = f["order_ref"]
	if cs := a.mustCase("claimant1", "POST", "/api/v1/cases", again, http.StatusCreated); cs.ID == first.ID {
		t.Errorf("refiling after withdrawal: got the same id %d, want a new case", cs.ID)
	}
}

// TestAPICaseIllegalTransitions: every action refused in a state that does
// not allow it, and by a person who may not take it.
func TestAPICaseIllegalTransitions(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	accept := map[string]any{"decision": "accept"}
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), accept, http.StatusOK)

	expectConflict := func(user, path string, body any, action string, status court.CaseStatus) {
		t.Helper()
		res, e := a.call(user, "POST", path, body)
		want := ts.Cat.M("en", court.Msg("err.transition", "Action", action, "Status", string(status)))
		if res.StatusCode != http.StatusConflict || e.Error.Code != "conflict" || e.Error.Message != want {
			t.Errorf("%s POST %s in %s: got %d %q %q, want 409 conflict %q", user, path, status, res.StatusCode, e.Error.Code, e.Error.Message, want)
		}
	}
	expectConflict("clerk1", casePath(cs.ID, "/review"), accept, "accept", court.CaseServed)
	expectConflict("admin1", casePath(cs.ID, "/review"), map[string]any{"decision": "return", "reason": "再看看"}, "return", court.CaseServed)
	expectConflict("claimant1", casePath(cs.ID, "/submit"), nil, "submit", court.CaseServed)
	if got := a.dbCase(cs.ID); got.Status != court.CaseServed || got.DocketNo != docketNo(time.Now().In(court.Zone).Year(), 1) {
		t.Errorf("after refused actions: got %q %q, want served with docket number 1", got.Status, got.DocketNo)
	}

	// Who may not act: the claimant cannot review (404, as for any route
	// of another role); the merchant, who can see the case, cannot
	// withdraw it (403); on a case it cannot see, 404.
	if res, e := a.call("claimant1", "POST", casePath(cs.ID, "/review"), accept); res.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Errorf("claimant reviews: got %d %q, want 404 not_found", res.StatusCode, e.Error.Code)
	}
	if res, e := a.call("merchant1", "POST", casePath(cs.ID, "/withdraw"), nil); res.StatusCode != http.StatusForbidden || e.Error.Code != "forbidden" {
		t.Errorf("merchant withdraws a served case: got %d %q, want 403 forbidden", res.StatusCode, e.Error.Code)
	}
	pending := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	if res, e := a.call("merchant1", "POST", casePath(pending.ID, "/withdraw"), nil); res.StatusCode != http.StatusNotFound || e.Error.Code != "not_found" {
		t.Errorf("merchant withdraws an unserved case: got %d %q, want 404 not_found", res.StatusCode, e.Error.Code)
	}
	if got := a.dbCase(cs.ID).Status; got != court.CaseServed {
		t.Errorf("after the merchant's attempt: status %q, want served", got)
	}

	// Withdraw, then every action on the withdrawn case is a conflict.
	w := a.mustCase("claimant1", "POST", casePath(cs.ID, "/withdraw"), map[string]any{"reason": "已与商家和解"}, http.StatusOK)
	if w.Status != court.CaseWithdrawn {
		t.Fatalf("withdraw: got %q, want withdrawn", w.Status)
	}
	expectConflict("claimant1", casePath(cs.ID, "/withdraw"), nil, "withdraw", court.CaseWithdrawn)
	expectConflict("claimant1", casePath(cs.ID, "/submit"), nil, "submit", court.CaseWithdrawn)
	expectConflict("clerk1", casePath(cs.ID, "/review"), accept, "accept", court.CaseWithdrawn)
	// The merchant was told of the withdrawal and still sees the case.
	res, _ := a.call("merchant1", "GET", "/api/v1/notices", nil)
	var inbox struct {
		Notices []storage.Notice `json:"notices"`
	}
	decodeInto(t, res, &inbox)
	if len(inbox.Notices) != 2 || inbox.Notices[0].Kind != "withdrawn" {
		t.Errorf("merchant notices: got %+v, want withdrawn then served", inbox.Notices)
	}
	if got := a.mustCase("merchant1", "GET", casePath(cs.ID, ""), nil, http.StatusOK); got.Status != court.CaseWithdrawn {
		t.Errorf("merchant sees: got %q, want withdrawn", got.Status)
	}
	// A withdrawal body, when sent, is JSON with a reason only.
	if res, e := a.call("claimant1", "POST", casePath(pending.ID, "/withdraw"), map[string]any{"why": "x"}); res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" {
		t.Errorf("withdraw with an unknown field: got %d %q, want 400 invalid", res.StatusCode, e.Error.Code)
	}
	// A clerk cannot review a draft: drafts are the claimant's alone.
	draft := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(false), http.StatusCreated)
	if res, _ := a.call("clerk1", "POST", casePath(draft.ID, "/review"), accept); res.StatusCode != http.StatusNotFound {
		t.Errorf("clerk accepts a draft: got %d, want 404", res.StatusCode)
	}
	if got := a.dbCase(draft.ID); got.Status != court.CaseDraft || got.DocketNo != "" {
		t.Errorf("draft after the clerk's attempt: got %q %q, want an undocketed draft", got.Status, got.DocketNo)
	}
}

// rawPost is a POST that is safe to make from any goroutine: it reports
// failures instead of ending the test.
func rawPost(hc *http.Client, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// TestAPICaseConcurrentAccept: clerks accepting at the same moment get
// docket numbers 1..n with no gap and no duplicate; racing on one case,
// exactly one wins.
func TestAPICaseConcurrentAccept(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	year := time.Now().In(court.Zone).Year()
	// Two sessions of clerk1, and admin1 too.
	tokens := []string{a.tok["clerk1"], a.token("clerk1"), a.tok["admin1"]}

	const n, workers = 20, 10
	ids := make(chan int64, n)
	for i := 0; i < n; i++ {
		f := a.filing(true)
		if i%2 == 1 {
			f = against2(f)
		}
		ids <- a.mustCase("claimant1", "POST", "/api/v1/cases", f, http.StatusCreated).ID
	}
	close(ids)

	hc := &http.Client{Timeout: 30 * time.Second}
	var (
		mu      sync.Mutex
		numbers []string
		fails   []string
		wg      sync.WaitGroup
	)
	start := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(tok string) {
			defer wg.Done()
			<-start
			for id := range ids {
				status, body, err := rawPost(hc, ts.URL+casePath(id, "/review"), tok, `{"decision":"accept"}`)
				var cs court.Case
				if err == nil {
					err = json.Unmarshal(body, &cs)
				}
				mu.Lock()
				if err != nil || status != http.StatusOK {
					fails = append(fails, fmt.Sprintf("case %d: got %d %s %v, want 200", id, status, body, err))
				} else {
					numbers = append(numbers, cs.DocketNo)
				}
				mu.Unlock()
			}
		}(tokens[w%len(tokens)])
	}
	close(start)
	wg.Wait()
	for _, f := range fails {
		t.Error(f)
	}
	want := make([]string, n)
	for i := range want {
		want[i] = docketNo(year, i+1)
	}
	sort.Strings(want)
	sort.Strings(numbers)
	if !slices.Equal(numbers, want) {
		t.Errorf("docket numbers: got %v, want exactly %v", numbers, want)
	}
	// The database agrees: every case is served with one of them.
	listed := map[string]bool{}
	for _, c := range a.list("clerk1", "?status=served&limit=200") {
		listed[c.DocketNo] = true
	}
	for _, w := range want {
		if !listed[w] {
			t.Errorf("docket number %s: not on a served case", w)
		}
	}

	// Ten clerks accept the same case at once: one 200, nine 409.
	one := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	var codes []int
	start = make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(tok string) {
			defer wg.Done()
			<-start
			status, _, err := rawPost(hc, ts.URL+casePath(one.ID, "/review"), tok, `{"decision":"accept"}`)
			if err != nil {
				status = -1
			}
			mu.Lock()
			codes = append(codes, status)
			mu.Unlock()
		}(tokens[w%len(tokens)])
	}
	close(start)
	wg.Wait()
	sort.Ints(codes)
	wantCodes := []int{200, 409, 409, 409, 409, 409, 409, 409, 409, 409}
	if !slices.Equal(codes, wantCodes) {
		t.Errorf("racing accepts of one case: got %v, want %v", codes, wantCodes)
	}
	if got := a.dbCase(one.ID).DocketNo; got != docketNo(year, n+1) {
		t.Errorf("the raced case: got docket %q, want %q", got, docketNo(year, n+1))
	}
	// The merchant opens it ten times at once: one first view on the
	// docket.
	fails = nil
	start = make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, err := http.NewRequest(http.MethodGet, ts.URL+casePath(one.ID, ""), nil)
			if err != nil {
				return
			}
			req.Header.Set("Authorization", "Bearer "+a.tok["merchant1"])
			if res, err := hc.Do(req); err == nil {
				mu.Lock()
				if res.StatusCode != http.StatusOK {
					fails = append(fails, fmt.Sprintf("merchant GET: got %d, want 200", res.StatusCode))
				}
				mu.Unlock()
				res.Body.Close()
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, f := range fails {
		t.Error(f)
	}
	res, _ := a.call("clerk1", "GET", casePath(one.ID, "/docket"), nil)
	var dk struct {
		Entries []storage.Entry `json:"entries"`
	}
	decodeInto(t, res, &dk)
	var kinds []string
	for _, e := range dk.Entries {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"filed", "accepted", "served", "merchant_seen"}; !slices.Equal(kinds, want) {
		t.Errorf("the raced case's docket: got %v, want %v", kinds, want)
	}
}

// TestAPICaseListPaging: filters, paging and their errors.
func TestAPICaseListPaging(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	var ids []int64
	for i := 0; i < 5; i++ {
		ids = append(ids, a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(i%2 == 0), http.StatusCreated).ID)
	}
	// Pages of two, newest first, linked by next_before.
	var got []int64
	q := "?limit=2"
	for page := 0; page < 5; page++ {
		res, _ := a.call("claimant1", "GET", "/api/v1/cases"+q, nil)
		var l struct {
			Cases      []court.Case `json:"cases"`
			NextBefore *int64       `json:"next_before"`
		}
		decodeInto(t, res, &l)
		for _, c := range l.Cases {
			got = append(got, c.ID)
		}
		if l.NextBefore == nil {
			break
		}
		if len(l.Cases) == 0 || *l.NextBefore != l.Cases[len(l.Cases)-1].ID {
			t.Fatalf("page %d: next_before %d, want the last id of %v", page, *l.NextBefore, l.Cases)
		}
		q = "?limit=2&before=" + strconv.FormatInt(*l.NextBefore, 10)
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Errorf("paged ids: got %v, want %v", got, want)
	}
	if drafts := a.list("claimant1", "?status=draft"); len(drafts) != 2 {
		t.Errorf("status=draft: got %d cases, want 2", len(drafts))
	}
	if both := a.list("claimant1", "?status=draft,submitted"); len(both) != 5 {
		t.Errorf("status=draft,submitted: got %d cases, want 5", len(both))
	}
	for _, bad := range []struct{ q, field string }{
		{"?status=open", "status"}, {"?status=draft,bogus", "status"}, {"?status=draft,", "status"},
		{"?limit=0", "limit"}, {"?limit=201", "limit"}, {"?limit=x", "limit"},
		{"?before=0", "before"}, {"?before=-5", "before"}, {"?before=abc", "before"},
	} {
		res, e := a.call("claimant1", "GET", "/api/v1/cases"+bad.q, nil)
		if res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" || e.Error.Fields[bad.field] == "" {
			t.Errorf("GET /api/v1/cases%s: got %d %+v, want 400 with fields.%s", bad.q, res.StatusCode, e.Error, bad.field)
		}
	}
	if l := a.list("claimant1", "?limit=200"); len(l) != 5 {
		t.Errorf("limit=200: got %d cases, want 5", len(l))
	}

	// A merchant's page is full even when newer cases against it were
	// never served: an older served case is on the first page of one.
	served := a.mustCase("claimant2", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(served.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	gone := a.mustCase("claimant2", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("claimant2", "POST", casePath(gone.ID, "/withdraw"), nil, http.StatusOK)
	page := a.list("merchant1", "?limit=1")
	if len(page) != 1 || page[0].ID != served.ID {
		t.Errorf("merchant1 ?limit=1: got %v, want the served case %d", page, served.ID)
	}
	if l := a.list("merchant1", "?status=withdrawn,submitted"); len(l) != 0 {
		t.Errorf("merchant1 status=withdrawn,submitted: got %d cases, want 0 (never served)", len(l))
	}
}

// matrixWho is, for a user of the access matrix, which case is its own and
// which is foreign. Party A is claimant1's claim against merchant1's
// organisation, with judge1 and mediator1 assigned once it is served; party
// B is claimant2's against merchant2's, with no one assigned; party C is a
// claim that agent1 filed for claimant2 against merchant2. Clerks and admins
// are on no case: A and B both stand for "someone else's".
var matrixWho = map[string][2]string{
	"claimant1": {"A", "B"}, "claimant2": {"B", "A"}, "merchant1": {"A", "B"}, "merchant2": {"B", "A"},
	"clerk1": {"A", "B"}, "judge1": {"A", "B"}, "mediator1": {"A", "B"}, "agent1": {"C", "B"}, "admin1": {"A", "B"},
}

// matrixRoute is one route of the access matrix, called on a case in
// state, with the status each user must get on its own and on a foreign
// case.
type matrixRoute struct {
	method, path string // the route as registered
	state        court.CaseStatus
	body         any
	want         map[string][2]int
}

// accessMatrix lists every case route. For the list, the status is 200
// when the case is in the caller's list and 404 when it is not; for filing,
// own and foreign are the same. 403 means the caller can see the case but
// the action is not theirs: the service answers so once a case is visible,
// and 404 before (as for a case that does not exist).
var accessMatrix = []matrixRoute{
	{"POST", "/api/v1/cases", "", nil, map[string][2]int{
		"claimant1": {201, 201}, "claimant2": {201, 201}, "merchant1": {403, 403}, "merchant2": {403, 403},
		"clerk1": {403, 403}, "judge1": {403, 403}, "mediator1": {403, 403}, "agent1": {403, 403}, "admin1": {403, 403},
	}},
	{"GET", "/api/v1/cases", court.CaseServed, nil, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
		"clerk1": {200, 200}, "judge1": {200, 404}, "mediator1": {200, 404}, "agent1": {200, 404}, "admin1": {200, 200},
	}},
	{"GET", "/api/v1/cases/:id", court.CaseServed, nil, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
		"clerk1": {200, 200}, "judge1": {200, 404}, "mediator1": {200, 404}, "agent1": {200, 404}, "admin1": {200, 200},
	}},
	{"GET", "/api/v1/cases/:id/docket", court.CaseServed, nil, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
		"clerk1": {200, 200}, "judge1": {200, 404}, "mediator1": {200, 404}, "agent1": {200, 404}, "admin1": {200, 200},
	}},
	// A draft is seen by its claimant (and whoever filed it) only.
	{"POST", "/api/v1/cases/:id/submit", court.CaseDraft, nil, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {200, 404}, "admin1": {404, 404},
	}},
	// A returned case is seen by the court staff too, who may not submit it.
	{"POST", "/api/v1/cases/:id/submit", court.CaseReturned, nil, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {403, 403}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {200, 404}, "admin1": {403, 403},
	}},
	// Changing the filing is the claimant's (or its filer's), in a draft or
	// a returned case; court staff see a returned case but may not change it.
	{"PUT", "/api/v1/cases/:id", court.CaseDraft, editBody, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {200, 404}, "admin1": {404, 404},
	}},
	{"PUT", "/api/v1/cases/:id", court.CaseReturned, editBody, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {403, 403}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {200, 404}, "admin1": {403, 403},
	}},
	// A served case is no longer the claimant's to change.
	{"PUT", "/api/v1/cases/:id", court.CaseServed, editBody, map[string][2]int{
		"claimant1": {409, 404}, "claimant2": {409, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {409, 404}, "admin1": {403, 403},
	}},
	// Review is for clerks and admins; to everyone else it does not exist.
	{"POST", "/api/v1/cases/:id/review", court.CaseSubmitted, map[string]any{"decision": "accept"}, map[string][2]int{
		"claimant1": {404, 404}, "claimant2": {404, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {200, 200}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {404, 404}, "admin1": {200, 200},
	}},
	// Only the claimant (or whoever filed for them) withdraws.
	{"POST", "/api/v1/cases/:id/withdraw", court.CaseServed, map[string]any{"reason": "已与商家和解"}, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {200, 404}, "admin1": {403, 403},
	}},
}

// editBody is the body of PUT /api/v1/cases/:id: a filing on a new order.
func editBody(a *caseAPIClient) any {
	f := a.filing(false)
	delete(f, "submit")
	return f
}

// matrixCase makes a fresh case of party in state.
func (a *caseAPIClient) matrixCase(party string, state court.CaseStatus) int64 {
	a.t.Helper()
	ctx := context.Background()
	state, preps := splitMatrixState(state)
	claimant, filer := "claimant1", "claimant1"
	f := a.filing(state != court.CaseDraft)
	var id int64
	switch party {
	case "A":
		id = a.mustCase(claimant, "POST", "/api/v1/cases", f, http.StatusCreated).ID
	case "B":
		claimant, filer = "claimant2", "claimant2"
		id = a.mustCase(claimant, "POST", "/api/v1/cases", against2(f), http.StatusCreated).ID
	case "C":
		// agent1 files for claimant2 as a villager who is present: found
		// by the resident ID, so the claimant is claimant2.
		claimant, filer = "claimant2", "agent1"
		v := against2(a.filing(false))
		v["villager"] = map[string]any{"name": "王芳", "resident_id": demo.ResidentID2, "mobile": "13905710001",
			"consent_method": "signed", "present": true}
		id = a.mustCase(filer, "POST", "/api/v1/cases", v, http.StatusCreated).ID
		if state != court.CaseDraft {
			a.mustCase(filer, "POST", casePath(id, "/submit"), nil, http.StatusOK)
		}
	default:
		a.t.Fatalf("no party %q", party)
	}
	switch state {
	case court.CaseReturned:
		a.mustCase("clerk1", "POST", casePath(id, "/review"), map[string]any{"decision": "return", "reason": "请补充证据"}, http.StatusOK)
	case court.CaseServed, court.CaseAnswered:
		a.mustCase("clerk1", "POST", casePath(id, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
		if party == "A" {
			// Assigning a judge and a mediator comes with a later part of
			// the docket; here it is done in storage.
			_, err := a.ts.DB.ChangeCase(ctx, id, storage.Change{From: court.CaseServed, To: court.CaseServed,
				Set: map[string]any{"judge_id": a.ids["judge1"], "mediator_id": a.ids["mediator1"]}})
			if err != nil {
				a.t.Fatal(err)
			}
		}
	}
	a.matrixPrep(party, id, state, preps)
	if got := a.dbCase(id).Status; got != state {
		a.t.Fatalf("fixture %s: got status %q, want %q", party, got, state)
	}
	return id
}

var errorCodes = map[int]string{400: "invalid", 403: "forbidden", 404: "not_found", 409: "conflict"}

// TestAPICaseAccessMatrix calls every case route as every role on its own
// and on a foreign case, and fails for a case route the matrix lacks.
func TestAPICaseAccessMatrix(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)

	// Every registered case route has an entry, and every entry a route.
	// (Fiber registers HEAD with each GET; the GET entry covers it.)
	registered := map[string]bool{}
	for _, r := range ts.Srv.App().GetRoutes(true) {
		if strings.HasPrefix(r.Path, "/api/v1/cases") && r.Method != http.MethodHead {
			registered[r.Method+" "+r.Path] = true
		}
	}
	inMatrix := map[string]bool{}
	for _, r := range accessMatrix {
		inMatrix[r.method+" "+r.path] = true
	}
	for r := range registered {
		if !inMatrix[r] {
			t.Errorf("route %s has no entry in the access matrix", r)
		}
	}
	for r := range inMatrix {
		if !registered[r] {
			t.Errorf("access matrix entry %s: no such route", r)
		}
	}
	if len(registered) < 7 {
		t.Errorf("case routes found: got %d, want at least 7: %v", len(registered), registered)
	}

	for _, r := range accessMatrix {
		for _, acct := range demo.Accounts {
			user := acct.Username
			want, ok := r.want[user]
			if !ok {
				t.Errorf("%s %s: no expectation for %s (%s)", r.method, r.path, user, acct.Role)
				continue
			}
			for i, which := range []string{"own", "foreign"} {
				route := strings.ReplaceAll(strings.TrimPrefix(r.path, "/api/v1/"), "/", ".")
				name := fmt.Sprintf("%s_%s/%s/%s/%s", r.method, route, r.state, user, which)
				t.Run(name, func(t *testing.T) {
					a.t, a.c.tb = t, t
					var id int64
					var before court.CaseStatus
					if r.state != "" {
						id = a.matrixCase(matrixWho[user][i], r.state)
						before = a.dbCase(id).Status
					}
					path := a.offerPath(strings.Replace(r.path, ":id", strconv.FormatInt(id, 10), 1), id)
					path = a.exhibitPath(path, id)
					body := r.body
					if f, ok := body.(func(*caseAPIClient) any); ok {
						body = f(a)
					}
					if r.method == "POST" && r.path == "/api/v1/cases" {
						body = a.filing(false)
					}
					var got int
					var e apiErr
					var res *response
					if r.method == "GET" && r.path == "/api/v1/cases" {
						// The newest case the user may see up to this one:
						// this one exactly when it is listed.
						res, e = a.call(user, "GET", "/api/v1/cases?limit=1&before="+strconv.FormatInt(id+1, 10), nil)
						var l struct {
							Cases []court.Case `json:"cases"`
						}
						decodeInto(t, res, &l)
						got = http.StatusNotFound
						if res.StatusCode != http.StatusOK {
							got = res.StatusCode
						} else if hasCase(l.Cases, id) {
							got = http.StatusOK
						}
					} else {
						res, e = a.call(user, r.method, path, body)
						got = res.StatusCode
					}
					if got != want[i] {
						t.Fatalf("%s %s as %s on its %s case: got %d, want %d (%s)", r.method, path, user, which, got, want[i], res.Body)
					}
					if code := errorCodes[res.StatusCode]; res.StatusCode >= 400 && e.Error.Code != code {
						t.Errorf("error code: got %q, want %q", e.Error.Code, code)
					}
					if r.state == "" || r.method == "GET" {
						return
					}
					after := a.dbCase(id).Status
					if got >= 400 && after != before {
						t.Errorf("refused %s %s: status went from %q to %q, want unchanged", r.method, path, before, after)
					}
					if got < 400 && after == before && !matrixKeepsStatus[r.method+" "+r.path] {
						t.Errorf("allowed %s %s: status stayed %q, want it changed", r.method, path, before)
					}
				})
			}
		}
	}
	a.t, a.c.tb = t, t
}

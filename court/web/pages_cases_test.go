package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// goodFiling is a filing form that passes every check: a claim against
// merchant1's organisation for a fake tea order.
func pageFiling(action string) url.Values {
	return url.Values{
		"merchant_name": {"杭州西湖龙井茶业有限公司"}, "credit_code": {demo.CreditCode1}, "platform": {"淘宝"},
		"order_ref": {"TB2026-0001"}, "category": {string(court.CatCounterfeit)},
		"facts":         {"直播间宣称是明前西湖龙井，收到后经检测为普通绿茶，商家拒绝退款。"},
		"purchase_date": {time.Now().In(court.Zone).AddDate(0, 0, -20).Format("2006-01-02")},
		"refund":        {"1,280.50"}, "compensation": {"3841.50"}, "costs": {""},
		"service_consent": {"1"}, "action": {action},
	}
}

func withForm(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vv := range v {
		out[k] = append([]string(nil), vv...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "\x00" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

// caseCount is how many cases the court holds.
func (ts *testServer) countCases(tb testing.TB) int {
	tb.Helper()
	var n int
	if err := ts.DB.Readers().QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func (ts *testServer) storedCase(tb testing.TB, id int64) *court.Case {
	tb.Helper()
	c, err := ts.DB.CaseByIDWriter(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

var caseLocRE = regexp.MustCompile(`^/cases/(\d+)\?notice=(\w+)$`)

// file posts a filing form and returns the id of the case it opened.
func (c *client) fileClaim(form url.Values, wantNotice string) int64 {
	c.tb.Helper()
	res := c.postForm("/cases/new", "/cases/new", form)
	m := caseLocRE.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil || m[2] != wantNotice {
		c.tb.Fatalf("file: got %d to %q, want 303 to /cases/N?notice=%s\n%s", res.StatusCode, res.Header.Get("Location"), wantNotice, res.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// rawKeyRE finds a message key shown instead of its text: a key missing
// from a catalog is rendered as itself.
var rawKeyRE = regexp.MustCompile(`[>\s"](?:case|filing|step|docket|notice_kind|case_status|category|exclusion|fee_status|home|field|hint|err|notice|title|answer|offer|assign|answer_kind|answer_conversion|offer_status|offer_side|assign_field)\.[a-z_]+[.<\s"]`)

// noRawKeys fails when a page shows a message key, or has inline script or
// style (the CSP forbids them).
func noRawKeys(t *testing.T, what string, res *response) {
	t.Helper()
	if m := rawKeyRE.FindString(res.Body); m != "" {
		t.Errorf("%s: shows the message key %q instead of its text", what, m)
	}
	// Scripts from /static are allowed (script-src 'self'); any other is
	// inline.
	body := staticScriptRE.ReplaceAllString(res.Body, "")
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Errorf("%s: has inline script or style", what)
	}
}

var staticScriptRE = regexp.MustCompile(`<script src="/static/[a-z0-9_-]+\.js" defer></script>`)

// fieldError is how a page shows msg next to field.
func pageFieldError(field, msg string) string { return fmt.Sprintf(`id="e-%s">%s<`, field, msg) }

// TestFilingFormErrors: every kind of bad filing is refused with its
// message next to its field, in the user's language, all errors at once,
// whichever button was pressed; no case is opened.
func TestFilingFormErrors(t *testing.T) {
	ts := mustServer(t, nil)
	future := time.Now().In(court.Zone).AddDate(0, 0, 3).Format("2006-01-02")
	type want struct {
		field, key string
		args       []any
	}
	capArgs := []any{"Cap", court.Fen(6_000_000).String(), "Twice", court.Fen(12_000_000).String()}
	cases := []struct {
		name   string
		form   url.Values
		status int
		wants  []want
	}{
		{"credit code check", withForm(pageFiling("submit"), "credit_code", demo.CreditCode1[:17]+"0"), 400,
			[]want{{"credit_code", "err.credit_code_check", nil}}},
		{"amount with three decimals", withForm(pageFiling("review"), "refund", "12.345"), 400,
			[]want{{"refund", "err.amount_format", nil}}},
		{"every error at once", withForm(pageFiling("submit"), "compensation", "abc", "costs", "1.2.3", "facts", "太短",
			"merchant_name", "", "category", "fishing", "purchase_date", future, "service_consent", "\x00"), 400,
			[]want{{"compensation", "err.amount_format", nil}, {"costs", "err.amount_format", nil},
				{"facts", "err.text_too_short", []any{"Min", 10}}, {"merchant_name", "err.required", nil},
				{"category", "err.category", nil}, {"purchase_date", "err.date_future", nil},
				{"service_consent", "err.service_consent", nil}}},
		// (Saved as a draft, an incomplete claim is kept: drafts_test.go.)
		{"nothing claimed", withForm(pageFiling("review"), "refund", "", "compensation", "0"), 400,
			[]want{{"refund", "err.amount_positive", nil}}},
		{"above the cap without consent", withForm(pageFiling("submit"), "refund", "70000", "compensation", ""), 400,
			[]want{{"over_cap_consent", "err.over_cap", capArgs}}},
		{"above twice the cap", withForm(pageFiling("submit"), "refund", "130000", "over_cap_consent", "1"), 400,
			[]want{{"refund", "err.over_twice_cap", capArgs}}},
		{"Art 166 exclusion", withForm(pageFiling("submit"), "exclusions", string(court.ExclCounterclaim)), 400,
			[]want{{"exclusions", "err.excluded_counterclaim", nil}}},
		{"facts too long", withForm(pageFiling("submit"), "facts", strings.Repeat("长", 5001)), 400,
			[]want{{"facts", "err.text_too_long", []any{"Max", 5000}}}},
		{"propose without a price", withForm(pageFiling("propose"), "refund", ""), 400,
			[]want{{"refund", "err.propose_price", nil}}},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		c := ts.client(t)
		c.Lang = lang
		c.login("claimant1")
		for _, tc := range cases {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				c.tb = t
				before := ts.countCases(t)
				res := c.postForm("/cases/new", "/cases/new", tc.form)
				if res.StatusCode != tc.status {
					t.Fatalf("got status %d, want %d\n%s", res.StatusCode, tc.status, res.Body)
				}
				for _, w := range tc.wants {
					if msg := ts.msg(lang, w.key, w.args...); !strings.Contains(res.Body, pageFieldError(w.field, msg)) {
						t.Errorf("want %q next to field %s", msg, w.field)
					}
				}
				if n := strings.Count(res.Body, `class="field-error"`); n != len(tc.wants) {
					t.Errorf("field errors shown: got %d, want %d", n, len(tc.wants))
				}
				if !strings.Contains(res.Body, `<html lang="`+lang+`">`) {
					t.Errorf("want the page in %s", lang)
				}
				if !strings.Contains(res.Body, `id="error-summary"`) {
					t.Error("want the error summary on top of the form")
				}
				if facts := []rune(tc.form.Get("facts")); !strings.Contains(res.Body, string(facts[:min(len(facts), 20)])) {
					t.Error("the facts typed were not kept in the form")
				}
				if after := ts.countCases(t); after != before {
					t.Errorf("cases: got %d, want %d (unchanged)", after, before)
				}
			})
		}
	}
}

// TestFilingProposeReviewSubmit walks the form: the helper proposes the
// compensation, review shows the total and fee without filing, submit files.
func TestFilingProposeReviewSubmit(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.login("claimant1")

	if res := c.get("/cases/new"); res.StatusCode != 200 || !strings.Contains(res.Body, `id="filing-form"`) {
		t.Fatalf("GET /cases/new: got %d\n%.300s", res.StatusCode, res.Body)
	}
	for _, tc := range []struct{ basis, refund, want string }{
		{"crpl", "100", "500.00"},        // 3 × 100 is below the 500 yuan floor
		{"crpl", "1,280.50", "3,841.50"}, // 3 × the price
		{"food", "50", "1,000.00"},       // 10 × 50 is below the 1,000 yuan floor
		{"food", "200", "2,000.00"},      // 10 × the price
	} {
		before := ts.countCases(t)
		res := c.postForm("/cases/new", "/cases/new", withForm(pageFiling("propose"), "basis", tc.basis, "refund", tc.refund, "compensation", ""))
		if res.StatusCode != 200 {
			t.Fatalf("propose %s %s: got %d\n%s", tc.basis, tc.refund, res.StatusCode, res.Body)
		}
		if want := `name="compensation" type="text" value="` + tc.want + `"`; !strings.Contains(res.Body, want) {
			t.Errorf("propose %s %s: want compensation %s filled in", tc.basis, tc.refund, tc.want)
		}
		if !strings.Contains(res.Body, `id="proposal"`) || strings.Contains(res.Body, `class="field-error"`) {
			t.Errorf("propose %s %s: want the proposal explained and no field errors", tc.basis, tc.refund)
		}
		if ts.countCases(t) != before {
			t.Fatal("propose opened a case")
		}
	}

	// Review shows the total and the fee, and files nothing.
	before := ts.countCases(t)
	res := c.postForm("/cases/new", "/cases/new", pageFiling("review"))
	if res.StatusCode != 200 {
		t.Fatalf("review: got %d\n%s", res.StatusCode, res.Body)
	}
	total := court.Fen(128_050 + 384_150)
	fee := court.DefaultProfile().Fee(total)
	for _, want := range []string{`id="review-total">` + total.String() + `<`, `id="review-fee">` + fee.String() + `<`, `id="submit-claim"`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("review page: want %s", want)
		}
	}
	if ts.countCases(t) != before {
		t.Fatal("review opened a case")
	}

	// Submit files it: the case page shows it waiting for the court.
	id := c.fileClaim(pageFiling("submit"), "case_submitted")
	cs := ts.storedCase(t, id)
	if cs.Status != court.CaseSubmitted || cs.Total != total || cs.Fee != fee || cs.Refund != 128_050 || cs.Costs != 0 {
		t.Fatalf("case: got %+v", cs)
	}
	page := c.get(fmt.Sprintf("/cases/%d?notice=case_submitted", id))
	for _, want := range []string{ts.msg("zh-CN", "notice.case_submitted"), ts.msg("zh-CN", "case_status.submitted"),
		ts.msg("zh-CN", "step.submitted_claimant"), ">张伟<", total.String(), fee.String(),
		ts.msg("zh-CN", "docket.filed", "Total", total.String(), "Fee", fee.String())} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("case page: want %q", want)
		}
	}

	// The same order again is a conflict that links to the open claim.
	res = c.postForm("/cases/new", "/cases/new", pageFiling("submit"))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, fmt.Sprintf(`href="/cases/%d"`, id)) {
		t.Fatalf("second claim on the same order: got %d, want 409 with a link to case %d\n%s", res.StatusCode, id, res.Body)
	}
}

// TestCaseLifecyclePages: a draft is submitted from its page, the clerk
// returns it (a reason is required), the claimant submits again, the clerk
// accepts, the merchant sees it with its deadline and a notice, and the
// claimant withdraws.
func TestCaseLifecyclePages(t *testing.T) {
	ts := mustServer(t, nil)
	claimant, clerk, merchant := ts.client(t), ts.client(t), ts.client(t)
	claimant.login("claimant1")
	clerk.login("clerk1")
	clerk.Lang = "en"
	merchant.login("merchant1")

	id := claimant.fileClaim(pageFiling("draft"), "draft_saved")
	path := fmt.Sprintf("/cases/%d", id)
	page := claimant.get(path)
	if !strings.Contains(page.Body, ts.msg("zh-CN", "step.draft")) || !strings.Contains(page.Body, `id="submit-case"`) {
		t.Fatalf("draft page: want the draft step and a submit button\n%s", page.Body)
	}
	if res := clerk.get(path); res.StatusCode != 404 {
		t.Fatalf("clerk on a draft: got %d, want 404", res.StatusCode)
	}
	if home := claimant.get("/home"); !strings.Contains(home.Body, ts.msg("zh-CN", "case.ref_draft", "ID", id)) {
		t.Errorf("claimant home: want the draft listed")
	}

	res := claimant.postForm(path, path+"/submit", nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != path+"?notice=case_submitted" {
		t.Fatalf("submit: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	// The clerk's queue lists it; a return without a reason is refused on
	// the case page, next to the reason, and changes nothing.
	if home := clerk.get("/home"); !strings.Contains(home.Body, fmt.Sprintf(`href="%s"`, path)) {
		t.Fatalf("clerk home: want the filing in the queue\n%s", home.Body)
	}
	res = clerk.postForm(path, path+"/review", url.Values{"decision": {"return"}, "reason": {" "}})
	if res.StatusCode != 400 || !strings.Contains(res.Body, pageFieldError("reason", ts.msg("en", "err.required"))) ||
		!strings.Contains(res.Body, `id="case-title"`) {
		t.Fatalf("return without a reason: got %d\n%s", res.StatusCode, res.Body)
	}
	if cs := ts.storedCase(t, id); cs.Status != court.CaseSubmitted {
		t.Fatalf("after a refused return: status %s", cs.Status)
	}
	res = clerk.postForm(path, path+"/review", url.Values{"decision": {"return"}, "reason": {"请补充订单截图。"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != path+"?notice=case_returned" {
		t.Fatalf("return: got %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	page = claimant.get(path)
	for _, want := range []string{ts.msg("zh-CN", "step.returned_claimant"), "请补充订单截图。", ts.msg("zh-CN", "docket.returned")} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("returned case page: want %q", want)
		}
	}
	home := claimant.get("/home")
	if !strings.Contains(home.Body, ts.msg("zh-CN", "notice_kind.returned", "Reason", "请补充订单截图。")) {
		t.Errorf("claimant home: want the notice of the return\n%s", home.Body)
	}

	// Accepting a returned case is not possible now: shown on the page.
	res = clerk.postForm(path, path+"/review", url.Values{"decision": {"accept"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, ts.msg("en", "err.transition")) {
		t.Fatalf("accept a returned case: got %d, want 409 with err.transition\n%s", res.StatusCode, res.Body)
	}
	claimant.postForm(path, path+"/submit", nil)
	res = clerk.postForm(path, path+"/review", url.Values{"decision": {"accept"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != path+"?notice=case_accepted" {
		t.Fatalf("accept: got %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	cs := ts.storedCase(t, id)
	if cs.Status != court.CaseServed || cs.DocketNo == "" || cs.AnswerDue == nil {
		t.Fatalf("accepted case: %+v", cs)
	}
	due := cs.AnswerDue.In(court.Zone).Format("2006-01-02")

	// The merchant's home lists it with the answer date and a notice that
	// names the claimant and the deadline.
	home = merchant.get("/home")
	for _, want := range []string{cs.DocketNo, "<strong>" + due + "</strong>",
		ts.msg("zh-CN", "notice_kind.served", "Claimant", "张伟", "Merchant", cs.MerchantName, "Total", cs.Total.String(), "Due", due),
		ts.msg("zh-CN", "home.unread_count", "Count", 1)} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("merchant home: want %q", want)
		}
	}
	noRawKeys(t, "merchant home", home)
	noRawKeys(t, "clerk case page in English", clerk.get(path))
	noRawKeys(t, "clerk home in English", clerk.get("/home"))
	noRawKeys(t, "claimant home", claimant.get("/home"))
	noRawKeys(t, "filing form", claimant.get("/cases/new"))
	noRawKeys(t, "review", claimant.postForm("/cases/new", "/cases/new", withForm(pageFiling("review"), "order_ref", "X-9")))
	page = merchant.get(path)
	noRawKeys(t, "merchant case page", page)
	for _, want := range []string{ts.msg("zh-CN", "step.served_merchant", "Due", due), cs.DocketNo, "张伟",
		ts.msg("zh-CN", "docket.served", "Due", due), ts.msg("zh-CN", "docket.merchant_seen")} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("merchant case page: want %q", want)
		}
	}
	// The merchant answers and offers (pages_answer_test.go); nothing else.
	for _, a := range []string{"submit", "review", "withdraw", "confirm", "convert", "assign"} {
		if strings.Contains(page.Body, `action="`+path+`/`+a+`"`) {
			t.Errorf("merchant case page: has a %s form, want none", a)
		}
	}
	for _, a := range []string{"answer", "offers"} {
		if !strings.Contains(page.Body, `action="`+path+`/`+a+`"`) {
			t.Errorf("merchant case page: no %s form, want one", a)
		}
	}

	// The claimant withdraws with a reason; the merchant is told.
	res = claimant.postForm(path, path+"/withdraw", url.Values{"reason": {strings.Repeat("长", 1001)}})
	if res.StatusCode != 400 || !strings.Contains(res.Body, pageFieldError("reason", ts.msg("zh-CN", "err.text_too_long", "Max", 1000))) {
		t.Fatalf("withdraw with a long reason: got %d\n%s", res.StatusCode, res.Body)
	}
	res = claimant.postForm(path, path+"/withdraw", url.Values{"reason": {"商家已退款。"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != path+"?notice=case_withdrawn" {
		t.Fatalf("withdraw: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if home := merchant.get("/home"); !strings.Contains(home.Body, ts.msg("zh-CN", "notice_kind.withdrawn", "DocketNo", cs.DocketNo)) {
		t.Errorf("merchant home: want the notice of the withdrawal")
	}
	page = claimant.get(path)
	if !strings.Contains(page.Body, ts.msg("zh-CN", "step.closed")) || strings.Contains(page.Body, `id="withdraw-case"`) {
		t.Errorf("withdrawn case page: want it closed with no actions")
	}
}

// TestCasePagesAccess: a case is "not found" for everyone who may not see
// it, on its page and its actions; a clerk cannot file.
func TestCasePagesAccess(t *testing.T) {
	ts := mustServer(t, nil)
	owner := ts.client(t)
	owner.login("claimant1")
	id := owner.fileClaim(pageFiling("submit"), "case_submitted")
	path := fmt.Sprintf("/cases/%d", id)

	for _, user := range []string{"claimant2", "merchant1", "merchant2", "judge1", "mediator1", "agent1"} {
		c := ts.client(t)
		c.login(user)
		if res := c.get(path); res.StatusCode != 404 || !strings.Contains(res.Body, ts.msg("zh-CN", "err.not_found")) {
			t.Errorf("%s GET %s: got %d, want 404 with the not-found page", user, path, res.StatusCode)
		}
		for _, action := range []string{"/submit", "/withdraw", "/review"} {
			res := c.postForm("/home", path+action, url.Values{"decision": {"reject"}, "reason": {"不予受理的理由"}})
			if res.StatusCode != 404 {
				t.Errorf("%s POST %s%s: got %d, want 404", user, path, action, res.StatusCode)
			}
		}
	}
	if cs := ts.storedCase(t, id); cs.Status != court.CaseSubmitted {
		t.Fatalf("after foreign requests: status %s, want submitted", cs.Status)
	}
	// The claimant cannot review its own case.
	if res := owner.postForm(path, path+"/review", url.Values{"decision": {"accept"}}); res.StatusCode != 404 {
		t.Errorf("claimant reviewing: got %d, want 404", res.StatusCode)
	}
	for _, p := range []string{"/cases/999999", "/cases/abc", "/cases/0", "/cases/-1"} {
		if res := owner.get(p); res.StatusCode != 404 {
			t.Errorf("GET %s: got %d, want 404", p, res.StatusCode)
		}
	}

	// Only claimants file.
	clerk := ts.client(t)
	clerk.login("clerk1")
	before := ts.countCases(t)
	if res := clerk.get("/cases/new"); res.StatusCode != 404 {
		t.Errorf("clerk GET /cases/new: got %d, want 404", res.StatusCode)
	}
	if res := clerk.postForm("/home", "/cases/new", pageFiling("submit")); res.StatusCode != 404 {
		t.Errorf("clerk POST /cases/new: got %d, want 404", res.StatusCode)
	}
	if ts.countCases(t) != before {
		t.Error("a clerk opened a case")
	}
	// A visitor is sent to log in.
	if res := ts.client(t).get(path); res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
		t.Errorf("visitor GET %s: got %d to %q, want 303 to the login", path, res.StatusCode, res.Header.Get("Location"))
	}
}

// TestCasePagesCSRF: each case form is refused without its token, or with
// another's, and changes nothing.
func TestCasePagesCSRF(t *testing.T) {
	ts := mustServer(t, nil)
	claimant, clerk := ts.client(t), ts.client(t)
	claimant.login("claimant1")
	clerk.login("clerk1")
	draft := claimant.fileClaim(withForm(pageFiling("draft"), "order_ref", "A-1"), "draft_saved")
	submitted := claimant.fileClaim(withForm(pageFiling("submit"), "order_ref", "A-2"), "case_submitted")
	clerkToken := clerk.csrf("/home")

	tests := []struct {
		name string
		c    *client
		path string
		form url.Values
	}{
		{"file", claimant, "/cases/new", pageFiling("submit")},
		{"submit", claimant, fmt.Sprintf("/cases/%d/submit", draft), url.Values{}},
		{"withdraw", claimant, fmt.Sprintf("/cases/%d/withdraw", submitted), url.Values{}},
		{"review", clerk, fmt.Sprintf("/cases/%d/review", submitted), url.Values{"decision": {"accept"}}},
	}
	for _, tt := range tests {
		for _, token := range []string{"", "forged", clerkToken} {
			if tt.c == clerk && token == clerkToken {
				continue
			}
			casesBefore := ts.countCases(t)
			form := withForm(tt.form, "csrf_token", token)
			form.Del("csrf_token")
			if token != "" {
				form.Set("csrf_token", token)
			}
			res := tt.c.postRaw(tt.path, form.Encode())
			if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, ts.msg("zh-CN", "err.csrf")) {
				t.Errorf("%s with token %.10q: got %d, want 403 with err.csrf", tt.name, token, res.StatusCode)
			}
			if ts.countCases(t) != casesBefore {
				t.Errorf("%s with token %.10q: a case was opened", tt.name, token)
			}
		}
	}
	if cs := ts.storedCase(t, draft); cs.Status != court.CaseDraft {
		t.Errorf("draft after refused requests: %s", cs.Status)
	}
	if cs := ts.storedCase(t, submitted); cs.Status != court.CaseSubmitted {
		t.Errorf("submitted case after refused requests: %s", cs.Status)
	}
	entries, err := ts.DB.Docket(context.Background(), submitted, true)
	if err != nil || len(entries) != 1 {
		t.Errorf("docket after refused requests: got %d entries (%v), want 1", len(entries), err)
	}
}

// pageMatrixRoute is one case page route, called on a case in state, with
// the status each user must get on its own and on a foreign case (303 is
// success: back to the case, or on to it after filing).
type pageMatrixRoute struct {
	method, path string
	state        court.CaseStatus
	form         url.Values
	want         map[string][2]int
}

// pageMatrix lists every case page route. Own and foreign cases: party A
// is claimant1's claim against merchant1 (judge1 and mediator1 assigned once
// served), B claimant2's against merchant2, C a claim agent1 filed for
// claimant2 against merchant2. 403 means the user sees the case but the
// action is not theirs (the case page shows why); 404 that the case, or the
// page, does not exist for them.
var pageMatrix = []pageMatrixRoute{
	{"GET", "/cases/new", "", nil, map[string][2]int{
		"claimant1": {200, 200}, "claimant2": {200, 200}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {404, 404}, "admin1": {404, 404},
	}},
	{"POST", "/cases/new", "", pageFiling("draft"), map[string][2]int{
		"claimant1": {303, 303}, "claimant2": {303, 303}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {404, 404}, "admin1": {404, 404},
	}},
	{"GET", "/cases/:id", court.CaseServed, nil, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
		"clerk1": {200, 200}, "judge1": {200, 404}, "mediator1": {200, 404}, "agent1": {200, 404}, "admin1": {200, 200},
	}},
	{"POST", "/cases/:id/submit", court.CaseDraft, url.Values{}, map[string][2]int{
		"claimant1": {303, 404}, "claimant2": {303, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {303, 404}, "admin1": {404, 404},
	}},
	{"POST", "/cases/:id/submit", court.CaseReturned, url.Values{}, map[string][2]int{
		"claimant1": {303, 404}, "claimant2": {303, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {403, 403}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {303, 404}, "admin1": {403, 403},
	}},
	{"GET", "/cases/:id/edit", court.CaseReturned, nil, map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {403, 403}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {200, 404}, "admin1": {403, 403},
	}},
	{"GET", "/cases/:id/edit", court.CaseServed, nil, map[string][2]int{
		"claimant1": {409, 404}, "claimant2": {409, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {409, 404}, "admin1": {403, 403},
	}},
	{"POST", "/cases/:id/edit", court.CaseDraft, pageFiling("draft"), map[string][2]int{
		"claimant1": {303, 404}, "claimant2": {303, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {303, 404}, "admin1": {404, 404},
	}},
	{"POST", "/cases/:id/edit", court.CaseReturned, pageFiling("submit"), map[string][2]int{
		"claimant1": {303, 404}, "claimant2": {303, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {403, 403}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {303, 404}, "admin1": {403, 403},
	}},
	{"POST", "/cases/:id/review", court.CaseSubmitted, url.Values{"decision": {"accept"}}, map[string][2]int{
		"claimant1": {404, 404}, "claimant2": {404, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {303, 303}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {404, 404}, "admin1": {303, 303},
	}},
	{"POST", "/cases/:id/withdraw", court.CaseServed, url.Values{"reason": {"已与商家和解"}}, map[string][2]int{
		"claimant1": {303, 404}, "claimant2": {303, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {303, 404}, "admin1": {403, 403},
	}},
}

var pageMatrixWho = map[string][2]string{
	"claimant1": {"A", "B"}, "claimant2": {"B", "A"}, "merchant1": {"A", "B"}, "merchant2": {"B", "A"},
	"clerk1": {"A", "B"}, "judge1": {"A", "B"}, "mediator1": {"A", "B"}, "agent1": {"C", "B"}, "admin1": {"A", "B"},
}

// TestCasePageAccessMatrix calls every case page route as every role on its
// own and on a foreign case, and fails for a case page route the matrix
// lacks.
func TestCasePageAccessMatrix(t *testing.T) {
	ts := mustServer(t, nil)
	ctx := context.Background()
	registered := map[string]bool{}
	for _, r := range ts.Srv.App().GetRoutes(true) {
		if strings.HasPrefix(r.Path, "/cases") && r.Method != http.MethodHead {
			registered[r.Method+" "+r.Path] = true
		}
	}
	inMatrix := map[string]bool{}
	for _, r := range pageMatrix {
		inMatrix[r.method+" "+r.path] = true
	}
	for r := range registered {
		if !inMatrix[r] {
			t.Errorf("page route %s has no entry in the page access matrix", r)
		}
	}
	for r := range inMatrix {
		if !registered[r] {
			t.Errorf("page access matrix entry %s: no such route", r)
		}
	}

	users := map[string]*court.User{}
	clients := map[string]*client{}
	for who := range pageMatrixWho {
		u, _, err := ts.DB.Credentials(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		users[who] = u
		clients[who] = ts.client(t)
		clients[who].login(who)
	}
	order := 0
	// fixture makes a fresh case of party in state through the service.
	fixture := func(party string, state court.CaseStatus) int64 {
		t.Helper()
		state, preps := splitMatrixState(state)
		order++
		f := court.Filing{MerchantName: "杭州西湖龙井茶业有限公司", CreditCode: demo.CreditCode1, Category: court.CatCounterfeit,
			Facts: "直播间买的龙井是假货，商家拒绝退款。", Refund: 50_000, ServiceConsent: true, OrderRef: fmt.Sprintf("M-%d", order)}
		claimant := users["claimant1"]
		if party != "A" {
			claimant = users["claimant2"]
			f.MerchantName, f.CreditCode = "杭州星光直播电子商务有限公司", demo.CreditCode2
		}
		var id int64
		if party == "C" {
			// agent1 files for claimant2, a villager who is present.
			c, err := ts.Dk.FileForVillager(ctx, users["agent1"], court.Villager{Name: "王芳", ResidentID: demo.ResidentID2,
				Mobile: "13905710001", Method: court.ConsentSigned, Present: true}, ts.Acc, f, false)
			if err != nil {
				t.Fatal(err)
			}
			id = c.ID
		} else {
			c, err := ts.Dk.File(ctx, claimant, f, false)
			if err != nil {
				t.Fatal(err)
			}
			id = c.ID
		}
		if state == court.CaseDraft {
			return id
		}
		filer := claimant
		if party == "C" {
			filer = users["agent1"]
		}
		if _, err := ts.Dk.Submit(ctx, filer, id); err != nil {
			t.Fatal(err)
		}
		var err error
		switch state {
		case court.CaseReturned:
			_, err = ts.Dk.Review(ctx, users["clerk1"], id, court.ActReturn, "请补充证据")
		case court.CaseServed, court.CaseAnswered:
			_, err = ts.Dk.Review(ctx, users["clerk1"], id, court.ActAccept, "")
			if err == nil && party == "A" {
				_, err = ts.DB.ChangeCase(ctx, id, storage.Change{From: court.CaseServed, To: court.CaseServed,
					Set: map[string]any{"judge_id": users["judge1"].ID, "mediator_id": users["mediator1"].ID}})
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		pagePrep(t, ts, users, party, id, state, preps)
		return id
	}

	for _, r := range pageMatrix {
		for who, want := range r.want {
			for i, party := range pageMatrixWho[who] {
				path := r.path
				if strings.Contains(path, ":id") {
					id := fixture(party, r.state)
					path = pageOfferPath(t, ts, strings.Replace(path, ":id", strconv.FormatInt(id, 10), 1), id)
					path = pageExhibitPath(t, ts, clients[who], path, id)
				}
				c := clients[who]
				var res *response
				if r.method == "GET" {
					res = c.get(path)
				} else {
					form := pageForm(r.form, users)
					if path == "/cases/new" {
						form = withForm(form, "order_ref", fmt.Sprintf("N-%s-%d", who, i))
					}
					if strings.HasSuffix(path, "/edit") { // an order of no other claim
						form = withForm(form, "order_ref", "E"+strings.ReplaceAll(path, "/", "-"))
					}
					res = c.postForm("/home", path, form)
				}
				if res.StatusCode != want[i] {
					t.Errorf("%s %s %s (%s case, %s): got %d, want %d", who, r.method, r.path, []string{"own", "foreign"}[i], r.state, res.StatusCode, want[i])
				}
			}
		}
	}
}

package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/i18n"
)

// loginAs logs the browser in as a demo user through the login form.
func (b *browserTab) loginAs(user string) {
	b.t.Helper()
	res := b.open("/login")
	b.wantPage("login form", res, "/login", 200)
	b.typeInto("#f-username", user)
	b.typeInto("#f-password", demo.Password)
	res = b.click("#login-submit")
	b.wantPage("login as "+user, res, "/home", 200)
}

// logout logs the browser out with the menu's button.
func (b *browserTab) logout() {
	b.t.Helper()
	res := b.click("#logout")
	b.wantPage("logout", res, "/login", 200)
}

// do runs browser actions that load no page (set a value, tick a box).
func (b *browserTab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// screenshotAt saves a full-page screenshot with the window width set to
// width CSS pixels, then puts the desktop width back.
func (b *browserTab) screenshotAt(name string, width int64) {
	b.t.Helper()
	b.do("narrow the window", chromedp.EmulateViewport(width, 900))
	b.screenshot(name)
	b.do("widen the window", chromedp.EmulateViewport(1280, 900))
}

// TestBrowserFileAcceptServe: in a real browser, in Chinese, claimant1
// files a claim through the form (the helper proposes the compensation; the
// review shows the total and the fee before anything is sent) and submits
// it; clerk1 accepts it from the case page and the docket number appears;
// merchant1 finds it on its home with the answer date and a notice, and
// opens it. Screenshots of each role's page, and of the form and the case
// page at phone and desktop width, go to testdata/artifacts.
func TestBrowserFileAcceptServe(t *testing.T) {
	ts := mustServer(t, nil)
	b := &browserTab{t: t, ctx: newBrowser(t, i18n.Chinese), base: ts.URL}
	zh := func(key string, kv ...any) string {
		t.Helper()
		s := ts.Cat.M(i18n.Chinese, court.Msg(key, kv...))
		if s == key || !hasHan(s) {
			t.Fatalf("catalog zh-CN: got %q for %s, want Chinese text", s, key)
		}
		return s
	}

	// The claimant's home offers to file a claim and has none yet.
	b.loginAs("claimant1")
	b.wantLang("claimant home", i18n.Chinese)
	b.wantRoleHome("claimant home", court.RoleClaimant, zh("home.claimant.heading"))
	b.wantText("claimant home", "#cases-empty", zh("home.empty_claimant"))
	res := b.click("#file-claim")
	b.wantPage("filing form", res, "/cases/new", 200)
	b.wantText("filing form", "main h1", zh("title.case_new"))
	if n := eval[int](b, `document.querySelectorAll("fieldset.step").length`); n != 4 {
		t.Fatalf("filing form: got %d steps, want 4", n)
	}
	b.screenshot("case_new_desktop_zh")
	b.screenshotAt("case_new_phone_zh", 400)

	// Enter in a field reviews the claim (it does not propose amounts):
	// every missing answer is shown at once, next to its field.
	b.typeInto("#f-merchant_name", "杭州西湖龙井茶业有限公司")
	res, err := chromedp.RunResponse(b.ctx, chromedp.SendKeys(chromedp.CSS("#f-merchant_name"), "\r"))
	if err != nil {
		t.Fatalf("press Enter: %v", err)
	}
	b.wantPage("form sent with Enter", res, "/cases/new", 400)
	b.wantText("form sent with Enter", "#e-credit_code", zh("err.credit_code_length"))
	b.wantText("form sent with Enter", "#e-facts", zh("err.required"))
	b.wantText("form sent with Enter", "#e-category", zh("err.category"))
	b.wantText("form sent with Enter", "#e-service_consent", zh("err.service_consent"))
	if got := b.attr("#f-facts", "aria-invalid"); got != "true" {
		t.Fatalf("#f-facts aria-invalid: got %q, want true", got)
	}
	if n := eval[int](b, `document.querySelectorAll("#error-summary a").length`); n < 5 {
		t.Fatalf("error summary: got %d links, want one per field error (at least 5)", n)
	}
	if n := eval[int](b, `document.querySelectorAll("#proposal").length`); n != 0 {
		t.Fatal("Enter proposed amounts; want it to review the claim")
	}
	if got := b.value("#f-merchant_name"); got != "杭州西湖龙井茶业有限公司" {
		t.Fatalf("#f-merchant_name after the errors: got %q, want it kept", got)
	}
	b.screenshot("case_new_errors_zh")

	// Fill in the form.
	bought := time.Now().In(court.Zone).AddDate(0, 0, -12).Format("2006-01-02")
	b.typeInto("#f-credit_code", demo.CreditCode1)
	b.typeInto("#f-platform", "淘宝直播")
	b.typeInto("#f-order_ref", "TB20261114-8821")
	b.do("choose the category", chromedp.SetValue(chromedp.CSS("#f-category"), string(court.CatCounterfeit)))
	// (chromedp.Clear fails on an empty textarea; it is empty here.)
	const facts = "直播间宣称是明前西湖龙井，收到后经检测为普通绿茶。联系商家要求退款，商家拒绝。"
	b.do("type the facts", chromedp.SendKeys(chromedp.CSS("#f-facts"), facts))
	if got := b.value("#f-facts"); got != facts {
		t.Fatalf("#f-facts after typing: got %q, want %q", got, facts)
	}
	b.do("set the purchase date", chromedp.SetValue(chromedp.CSS("#f-purchase_date"), bought))
	b.typeInto("#f-refund", "1280.50")
	b.typeInto("#f-costs", "45")

	// The helper proposes three times the price (Art 55); the claimant
	// decides, so it is only filled in.
	res = b.click("#propose")
	b.wantPage("propose amounts", res, "/cases/new", 200)
	price := court.Fen(128_050)
	proposed := 3 * price
	if got := b.value("#f-compensation"); got != proposed.Yuan() {
		t.Fatalf("#f-compensation after proposing: got %q, want %q", got, proposed.Yuan())
	}
	b.wantText("propose amounts", "#proposal", zh("filing.proposed_crpl", "Amount", proposed.String(), "Price", price.String(), "Floor", court.Fen(50_000).String()))
	for css, want := range map[string]string{"#f-facts": facts,
		"#f-purchase_date": bought, "#f-category": string(court.CatCounterfeit), "#f-costs": "45"} {
		if got := b.value(css); got != want {
			t.Fatalf("%s after proposing: got %q, want %q kept", css, got, want)
		}
	}

	// Review shows the total and the fee before anything is filed.
	b.do("consent to electronic service", chromedp.Click(chromedp.CSS("#f-service_consent")))
	res = b.click("#review")
	b.wantPage("review", res, "/cases/new", 200)
	b.wantText("review", "main h1", zh("title.case_review"))
	total := price + proposed + 4_500
	fee := court.DefaultProfile().Fee(total)
	b.wantText("review", "#review-total", "¥"+total.Yuan())
	b.wantText("review", "#review-fee", "¥"+fee.Yuan())
	if n := ts.countCases(t); n != 0 {
		t.Fatalf("cases after review: got %d, want 0 (nothing filed yet)", n)
	}
	b.screenshot("case_review_zh")

	// Submit: the case page says what happens next.
	res = b.click("#submit-claim")
	path := b.path()
	if !strings.HasPrefix(path, "/cases/") {
		t.Fatalf("after submitting: got page %s, want the case page", path)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.Split(path, "?")[0], "/cases/"), 10, 64)
	if err != nil {
		t.Fatalf("case page %s: %v", path, err)
	}
	casePath := fmt.Sprintf("/cases/%d", id)
	b.wantPage("case page after submitting", res, casePath, 200)
	b.wantText("case page after submitting", "main .notice", zh("notice.case_submitted"))
	b.wantText("case page after submitting", "#case-status", zh("case_status.submitted"))
	b.wantText("case page after submitting", "#next-step", zh("step.submitted_claimant"))
	b.wantText("case page after submitting", "#case-fee", "¥"+fee.Yuan())
	cs := ts.storedCase(t, id)
	if cs.Status != court.CaseSubmitted || cs.Total != total || cs.Fee != fee || cs.Compensation != proposed || cs.PurchaseDate != bought {
		t.Fatalf("stored case: got %+v", cs)
	}
	b.screenshot("case_submitted_claimant_zh")
	res = b.open("/home")
	b.wantPage("claimant home with the claim", res, "/home", 200)
	b.wantText("claimant home with the claim", "#case-list a.case-link", zh("case.ref_filing", "ID", id))
	b.screenshot("case_home_claimant_zh")
	b.logout()

	// The clerk finds it in the queue and accepts it from the case page.
	b.loginAs("clerk1")
	b.wantRoleHome("clerk home", court.RoleClerk, zh("home.clerk.heading"))
	b.screenshot("case_home_clerk_zh")
	res = b.click(fmt.Sprintf(`#case-list a[href=%q]`, casePath))
	b.wantPage("case page for the clerk", res, casePath, 200)
	b.wantText("case page for the clerk", "#next-step", zh("step.submitted_clerk"))
	b.wantText("case page for the clerk", "#party-claimant", "张伟")
	b.screenshot("case_review_clerk_zh")
	b.screenshotAt("case_review_clerk_phone_zh", 400)
	res = b.click("#accept-case")
	b.wantPage("accept", res, casePath, 200)
	b.wantText("accept", "main .notice", zh("notice.case_accepted"))
	cs = ts.storedCase(t, id)
	year := time.Now().In(court.Zone).Year()
	if want := court.DefaultProfile().DocketNumber(year, 1); cs.DocketNo != want || cs.Status != court.CaseServed || cs.AnswerDue == nil {
		t.Fatalf("accepted case: got docket %q status %s due %v, want %q served with a due date", cs.DocketNo, cs.Status, cs.AnswerDue, want)
	}
	due := cs.AnswerDue.In(court.Zone).Format("2006-01-02")
	b.wantText("accept", "#docket-no", cs.DocketNo)
	b.wantText("accept", "#case-status", zh("case_status.served"))
	b.wantText("accept", "#answer-due", due)
	if n := eval[int](b, `document.querySelectorAll("#docket li").length`); n != 3 {
		t.Fatalf("docket after acceptance: got %d entries, want 3 (filed, accepted, served)", n)
	}
	b.screenshot("case_accepted_clerk_zh")
	b.logout()

	// The merchant sees the claim on its home with the answer date and a
	// notice, and opens it.
	b.loginAs("merchant1")
	b.wantRoleHome("merchant home", court.RoleMerchant, zh("home.merchant.heading"))
	b.wantText("merchant home", "#case-list a.case-link", cs.DocketNo)
	b.wantText("merchant home", "#case-list td.answer-due", due)
	b.wantText("merchant home", "#unread-count", zh("home.unread_count", "Count", 1))
	notice := zh("notice_kind.served", "Claimant", "张伟", "Merchant", cs.MerchantName, "Total", total.String(), "Due", due)
	b.wantText("merchant home", "#notice-list a.notice-link", notice)
	b.screenshot("case_home_merchant_zh")
	b.screenshotAt("case_home_merchant_phone_zh", 400)
	res = b.click("#notice-list a.notice-link")
	b.wantPage("case page for the merchant", res, casePath, 200)
	b.wantText("case page for the merchant", "#next-step", zh("step.served_merchant", "Due", due))
	b.wantText("case page for the merchant", "#docket-no", cs.DocketNo)
	b.wantText("case page for the merchant", "#case-total", "¥"+total.Yuan())
	if got := ts.storedCase(t, id).MerchantSeenAt; got == nil {
		t.Fatal("merchant_seen_at after the merchant opened the case: got nil, want the time")
	}
	b.screenshot("case_page_desktop_zh")
	b.screenshotAt("case_page_phone_zh", 400)

	// The same page in English, for the court's partners.
	res = b.click("#lang-switch")
	b.wantPage("case page in English", res, casePath, 200)
	b.wantLang("case page in English", i18n.English)
	b.wantText("case page in English", "#next-step", ts.Cat.M(i18n.English, court.Msg("step.served_merchant", "Due", due)))
	b.screenshot("case_page_desktop_en")
	if ctxErr := context.Cause(b.ctx); ctxErr != nil {
		t.Fatalf("browser: %v", ctxErr)
	}
}

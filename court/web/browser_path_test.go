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

// TestBrowserWholePath: in a real browser, in Chinese, the whole path of a
// claim that settles. claimant1 files through the form; clerk1 accepts it
// and assigns judge1; merchant1 contests and offers a settlement; claimant1
// accepts the offer; judge1 confirms it and the case is settled. Each
// role's home and the case page at each step go to testdata/artifacts.
func TestBrowserWholePath(t *testing.T) {
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
	typeText := func(css, s string) {
		t.Helper()
		b.do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), s))
		if got := b.value(css); got != s {
			t.Fatalf("%s after typing: got %q, want %q", css, got, s)
		}
	}

	// The consumer files through the form.
	b.loginAs("claimant1")
	b.screenshot("path_home_claimant_zh")
	res := b.click("#file-claim")
	b.wantPage("filing form", res, "/cases/new", 200)
	b.typeInto("#f-merchant_name", "杭州西湖龙井茶业有限公司")
	b.typeInto("#f-credit_code", demo.CreditCode1)
	b.typeInto("#f-order_ref", "DY20261120-0042")
	b.do("choose the category", chromedp.SetValue(chromedp.CSS("#f-category"), string(court.CatLivestream)))
	typeText("#f-facts", "直播间宣称是明前西湖龙井，收到后经检测为普通绿茶，商家拒绝退款。")
	b.typeInto("#f-refund", "1500")
	b.do("consent to electronic service", chromedp.Click(chromedp.CSS("#f-service_consent")))
	res = b.click("#review")
	b.wantPage("review", res, "/cases/new", 200)
	b.click("#submit-claim")
	path := strings.Split(b.path(), "?")[0]
	id, err := strconv.ParseInt(strings.TrimPrefix(path, "/cases/"), 10, 64)
	if err != nil {
		t.Fatalf("after submitting: got page %s, want the case page", b.path())
	}
	casePath := fmt.Sprintf("/cases/%d", id)
	b.wantText("filed", "#case-status", zh("case_status.submitted"))
	b.logout()

	// The clerk accepts it and assigns judge1.
	b.loginAs("clerk1")
	b.screenshot("path_home_clerk_zh")
	res = b.click(fmt.Sprintf(`#case-list a[href=%q]`, casePath))
	b.wantPage("clerk opens the case", res, casePath, 200)
	res = b.click("#accept-case")
	b.wantPage("accept", res, casePath, 200)
	b.wantText("accept", "#case-status", zh("case_status.served"))
	judge, _, err := ts.DB.Credentials(context.Background(), "judge1")
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](b, `document.querySelector("#f-judge_id option[selected]") ? "" : document.querySelector("#f-judge_id").value`); got != strconv.FormatInt(judge.ID, 10) {
		t.Fatalf("judge select: got %q, want judge1's id %d first", got, judge.ID)
	}
	b.do("choose judge1", chromedp.SetValue(chromedp.CSS("#f-judge_id"), strconv.FormatInt(judge.ID, 10)))
	res = b.click("#assign-judge")
	b.wantPage("assign judge1", res, casePath, 200)
	b.wantText("assign judge1", "main .notice", zh("notice.assigned"))
	if cs := ts.storedCase(t, id); cs.JudgeID == nil || *cs.JudgeID != judge.ID {
		t.Fatalf("after assigning: got judge %v, want %d", cs.JudgeID, judge.ID)
	}
	b.screenshot("path_case_clerk_zh")
	b.logout()

	// The merchant contests and offers a settlement.
	b.loginAs("merchant1")
	b.screenshot("path_home_merchant_zh")
	res = b.open(casePath)
	b.wantPage("merchant opens the case", res, casePath, 200)
	b.do("choose contest", chromedp.SetValue(chromedp.CSS("#f-kind"), string(court.AnswerContest)))
	const defence = "茶叶为正品，附有检测报告；消费者已饮用大半。"
	typeText("#f-defence", defence)
	res = b.click("#answer-submit")
	b.wantPage("answer", res, casePath, 200)
	b.wantText("answer", "main .notice", zh("notice.answered"))
	b.wantText("answer", "#case-status", zh("case_status.answered"))
	b.wantText("answer", "#answer-kind", zh("answer_kind.contest"))
	b.wantText("answer", "#answer-defence", defence)
	b.typeInto("#f-amount", "800")
	typeText("#f-terms", "退款 800 元，消费者不必退货。")
	expires := b.value("#f-expires")
	if _, err := time.Parse("2006-01-02", expires); err != nil {
		t.Fatalf("#f-expires: got %q, want a date filled in", expires)
	}
	res = b.click("#offer-submit")
	b.wantPage("offer", res, casePath, 200)
	b.wantText("offer", "main .notice", zh("notice.offered"))
	b.screenshot("path_case_merchant_zh")
	b.logout()

	// The consumer accepts the offer.
	b.loginAs("claimant1")
	res = b.open(casePath)
	b.wantPage("claimant opens the case", res, casePath, 200)
	b.wantText("claimant sees the offer", "#offer-list .entry", zh("offer.line", "Amount", court.Fen(80_000).String(), "Expires", expires))
	b.wantText("claimant's next step", "#next-step", zh("step.offer_to_answer", "Amount", court.Fen(80_000).String(), "Expires", expires))
	b.screenshot("path_case_claimant_offer_zh")
	res = b.click("#accept-offer")
	b.wantPage("accept offer", res, casePath, 200)
	b.wantText("accept offer", "main .notice", zh("notice.offer_accepted"))
	b.wantText("accept offer", "#offer-list .badge", zh("offer_status.accepted"))
	b.logout()

	// The judge confirms: settled.
	b.loginAs("judge1")
	b.screenshot("path_home_judge_zh")
	res = b.open(casePath)
	b.wantPage("judge opens the case", res, casePath, 200)
	b.wantText("judge's next step", "#next-step", zh("step.judge_confirm", "Amount", court.Fen(80_000).String()))
	b.wantText("judge sees what to confirm", "#confirm-form p", zh("offer.confirm_explain", "Amount", court.Fen(80_000).String()))
	res = b.click("#confirm-settlement")
	b.wantPage("confirm", res, casePath, 200)
	b.wantText("confirm", "main .notice", zh("notice.settlement_confirmed"))
	b.wantText("confirm", "#case-status", zh("case_status.settled"))
	b.wantText("confirm", "#next-step", zh("step.settled"))
	b.screenshot("path_case_judge_settled_zh")
	cs := ts.storedCase(t, id)
	if cs.Status != court.CaseSettled {
		t.Fatalf("stored case: got %q, want settled", cs.Status)
	}
	offers, err := ts.DB.Offers(context.Background(), id)
	if err != nil || len(offers) != 1 || offers[0].Status != court.OfferConfirmed || offers[0].Amount != 80_000 {
		t.Fatalf("offers: got %+v, %v, want one confirmed offer of 80000 fen", offers, err)
	}
	b.logout()
	// The consumer's home after the settlement.
	b.loginAs("claimant1")
	b.screenshot("path_home_claimant_settled_zh")
	if ctxErr := context.Cause(b.ctx); ctxErr != nil {
		t.Fatalf("browser: %v", ctxErr)
	}
}

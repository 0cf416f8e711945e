package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

// TestBrowserMediation: in a real browser, in Chinese, the mediator's way
// to a settlement. mediator1 proposes 100 yuan to both parties; claimant1
// accepts and is told to wait for the merchant; merchant1 sees the
// consumer's acceptance and accepts too; judge1 confirms and the case is
// settled. Each step's page goes to testdata/artifacts.
func TestBrowserMediation(t *testing.T) {
	ts := mustServer(t, nil)
	// A served case with judge1 and mediator1 assigned, as the clerk does
	// in TestBrowserWholePath.
	id := newCaseAPI(t, ts).matrixCase("A", court.CaseServed)
	casePath := fmt.Sprintf("/cases/%d", id)
	b := &browserTab{t: t, ctx: newBrowser(t, i18n.Chinese), base: ts.URL}
	zh := func(key string, kv ...any) string {
		t.Helper()
		s := ts.Cat.M(i18n.Chinese, court.Msg(key, kv...))
		if s == key || !hasHan(s) {
			t.Fatalf("catalog zh-CN: got %q for %s, want Chinese text", s, key)
		}
		return s
	}
	const amount = court.Fen(10_000) // of a claim of 128 yuan

	// The mediator proposes.
	b.loginAs("mediator1")
	res := b.open(casePath)
	b.wantPage("mediator opens the case", res, casePath, 200)
	b.wantText("mediator's next step", "#next-step", zh("step.mediator_propose"))
	b.typeInto("#proposal-form #f-amount", "100")
	const terms = "商家七日内退款 100 元，消费者不必退货。"
	b.do("type the terms", chromedp.SendKeys(chromedp.CSS("#proposal-form #f-terms"), terms))
	if got := b.value("#proposal-form #f-terms"); got != terms {
		t.Fatalf("terms after typing: got %q, want %q", got, terms)
	}
	expires := b.value("#proposal-form #f-expires")
	res = b.click("#proposal-submit")
	if b.path() != casePath+"?notice=proposed" {
		t.Logf("proposal page: %s", eval[string](b, `document.querySelector("main").innerText`))
	}
	b.wantPage("propose", res, casePath, 200)
	b.wantText("propose", "main .notice", zh("notice.proposed"))
	b.wantText("propose", "#next-step", zh("step.proposal_mediator_waiting", "Expires", expires))
	b.wantText("propose", "#offer-list .claimant-answer", zh("offer.party_none"))
	b.screenshot("mediation_proposed_mediator_zh")
	b.logout()

	// The consumer accepts; the proposal waits for the merchant.
	b.loginAs("claimant1")
	res = b.open(casePath)
	b.wantPage("claimant opens the case", res, casePath, 200)
	b.wantText("claimant's next step", "#next-step", zh("step.proposal_to_answer", "Amount", amount.String(), "Expires", expires))
	res = b.click("#accept-offer")
	b.wantPage("claimant accepts", res, casePath, 200)
	b.wantText("claimant accepts", "main .notice", zh("notice.proposal_accepted"))
	b.wantText("claimant accepts", "#next-step", zh("step.proposal_waiting_other", "Expires", expires))
	b.wantText("claimant accepts", "#offer-list .claimant-answer", zh("offer.party_accepted"))
	b.wantText("claimant accepts", "#offer-list .badge", zh("offer_status.open"))
	b.screenshot("mediation_claimant_accepted_zh")
	b.logout()

	// The merchant sees the consumer's answer and accepts too.
	b.loginAs("merchant1")
	res = b.open(casePath)
	b.wantPage("merchant opens the case", res, casePath, 200)
	b.wantText("merchant sees the consumer's answer", "#offer-list .claimant-answer", zh("offer.party_accepted"))
	b.wantText("merchant sees its own", "#offer-list .merchant-answer", zh("offer.party_none"))
	res = b.click("#accept-offer")
	b.wantPage("merchant accepts", res, casePath, 200)
	b.wantText("merchant accepts", "main .notice", zh("notice.offer_accepted"))
	b.wantText("merchant accepts", "#offer-list .badge", zh("offer_status.accepted"))
	b.wantText("merchant accepts", "#next-step", zh("step.offer_accepted", "Amount", amount.String()))
	b.screenshot("mediation_both_accepted_merchant_zh")
	b.logout()

	// The judge confirms: settled.
	b.loginAs("judge1")
	res = b.open(casePath)
	b.wantPage("judge opens the case", res, casePath, 200)
	b.wantText("judge's next step", "#next-step", zh("step.judge_confirm", "Amount", amount.String()))
	res = b.click("#confirm-settlement")
	b.wantPage("confirm", res, casePath, 200)
	b.wantText("confirm", "main .notice", zh("notice.settlement_confirmed"))
	b.wantText("confirm", "#case-status", zh("case_status.settled"))
	b.screenshot("mediation_settled_judge_zh")
	b.logout()

	offers, err := ts.DB.Offers(context.Background(), id)
	if err != nil || len(offers) != 1 || offers[0].ByRole != court.RoleMediator || offers[0].Status != court.OfferConfirmed ||
		offers[0].Amount != amount || offers[0].ClaimantAnswer != court.AnswerAccepted || offers[0].MerchantAnswer != court.AnswerAccepted {
		t.Fatalf("offers: got %+v, %v, want one confirmed proposal of %d fen both parties accepted", offers, err, amount)
	}
	if ctxErr := context.Cause(b.ctx); ctxErr != nil {
		t.Fatalf("browser: %v", ctxErr)
	}
}

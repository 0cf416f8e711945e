package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

// TestBrowserPayment: in a real browser, the merchant sees what to pay by
// when, records a payment typed in yuan from the case page; the claimant
// sees it, confirms it and, with the other order paid too, the case is
// closed. Screenshots go to testdata/artifacts.
func TestBrowserPayment(t *testing.T) {
	ts, a, _, _ := paymentServer(t)
	id := a.ruledCase()
	casePath := fmt.Sprintf("/cases/%d", id)
	b := &browserTab{t: t, ctx: newBrowser(t, i18n.Chinese), base: ts.URL}
	zh := func(key string) string { return ts.Cat.M(i18n.Chinese, court.Msg(key)) }
	orders := a.payments("merchant1", id).Orders

	b.loginAs("merchant1")
	b.open(casePath)
	if got := b.text("#payment-steps"); !strings.Contains(got, "¥300.00") || !strings.Contains(got, orders[0].DueDate) {
		t.Fatalf("merchant's steps: got %q, want to pay ¥300.00 by %s", got, orders[0].DueDate)
	}
	b.do("open the payment form", chromedp.Click(chromedp.CSS("#record-payment summary")))
	b.typeInto("#f-pay_amount", "300")
	b.typeInto("#f-pay_reference", "ALI-88001")
	today := time.Now().In(court.Zone).Format("2006-01-02")
	eval[string](b, fmt.Sprintf(`document.querySelector('#f-pay_paid_on').value = %q`, today))
	b.screenshot("payment_record_zh")
	res := b.click("#record-payment-submit")
	b.wantPage("record the payment", res, casePath, 200)
	b.wantText("record the payment", "main .notice", zh("notice.payment_recorded"))
	if got := b.text(fmt.Sprintf("#order-%s .paid", orders[0].OrderID)); got != "¥300.00" {
		t.Errorf("order 1 paid: got %q, want ¥300.00", got)
	}
	b.logout()
	// The second order is paid through the API.
	a.pay("merchant1", id, orders[1].OrderID, 20000, http.StatusCreated)

	b.loginAs("claimant1")
	b.open(casePath)
	pays := a.payments("claimant1", id).Payments
	if len(pays) != 2 {
		t.Fatalf("payments: got %d, want 2", len(pays))
	}
	res = b.click(fmt.Sprintf("#confirm-%d", pays[0].ID))
	b.wantPage("confirm the first", res, casePath, 200)
	b.wantText("confirm the first", "main .notice", zh("notice.payment_confirmed"))
	b.wantText("still ruled", "#case-status", zh("case_status.ruled"))
	res = b.click(fmt.Sprintf("#confirm-%d", pays[1].ID))
	b.wantPage("confirm the second", res, casePath, 200)
	b.wantText("confirm the second", "main .notice", zh("notice.case_closed_paid"))
	b.wantText("closed", "#case-status", zh("case_status.closed"))
	if got := b.text("#payment-steps"); got != zh("payment.step_closed") {
		t.Errorf("steps when closed: got %q", got)
	}
	b.screenshot("payment_closed_zh")
}

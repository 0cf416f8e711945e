package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

// TestBrowserRuling: in a real browser, the judge drafts the ruling from
// the case page, saves it, previews it, signs it; the claimant opens the
// signed ruling from the case page. Screenshots go to testdata/artifacts.
func TestBrowserRuling(t *testing.T) {
	ts, _ := rulingServer(t)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	cs := a.dbCase(id)
	casePath := fmt.Sprintf("/cases/%d", id)
	b := &browserTab{t: t, ctx: newBrowser(t, i18n.Chinese), base: ts.URL}
	zh := func(key string) string { return ts.Cat.M(i18n.Chinese, court.Msg(key)) }

	b.loginAs("judge1")
	b.open(casePath)
	res := b.click("#draft-ruling")
	b.wantPage("draft form", res, casePath+"/ruling/edit", 200)
	if got := b.value("#f-facts"); got != cs.Facts {
		t.Errorf("facts prefilled: got %q, want %q", got, cs.Facts)
	}
	const reasoning = "被告销售假冒商品，构成欺诈，应退还货款。"
	b.do("type the reasoning", chromedp.SendKeys(chromedp.CSS("#f-reasoning"), reasoning)) // an empty textarea cannot be cleared
	if got := b.value("#f-reasoning"); got != reasoning {
		t.Fatalf("#f-reasoning: got %q, want %q", got, reasoning)
	}
	b.typeInto("#f-exhibits", "C-1, C-2")
	res = b.click("#ruling-save")
	b.wantPage("save the draft", res, casePath+"/ruling/edit", 200)
	b.wantText("save the draft", "main .notice", zh("notice.ruling_saved"))
	b.screenshot("ruling_edit_zh")
	res = b.click("#ruling-preview")
	b.wantPage("preview", res, casePath+"/ruling/preview", 200)
	if !strings.Contains(b.text("#ruling"), "被告销售假冒商品") || b.text("#draft-mark") == "" {
		t.Errorf("preview: got %q", b.text("#ruling"))
	}
	b.screenshot("ruling_preview_zh")
	b.open(casePath + "/ruling/edit")
	res = b.click("#ruling-sign")
	b.wantPage("sign", res, casePath+"/ruling", 200)
	if got := b.text("#ruling"); !strings.Contains(got, cs.DocketNo) || !strings.Contains(got, "本判决为终审判决") {
		t.Errorf("signed ruling: got %q", got)
	}
	b.open(casePath) // the printable page has no menu
	b.logout()

	b.loginAs("claimant1")
	b.open(casePath)
	b.wantText("ruled", "#case-status", zh("case_status.ruled"))
	res = b.click("#read-ruling")
	b.wantPage("claimant reads the ruling", res, casePath+"/ruling", 200)
	if got := b.text("#ruling"); !strings.Contains(got, cs.MerchantName) {
		t.Errorf("claimant's ruling: got %q", got)
	}
	b.screenshot("ruling_signed_zh")
}

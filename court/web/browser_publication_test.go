package web_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court/i18n"
)

// TestBrowserPublication: in a real Chromium, a visitor who is not logged
// in searches the published decisions and reads one without the party's
// personal data; the judge seals the case from its form, and the decision
// is gone.
func TestBrowserPublication(t *testing.T) {
	ts, pub := pubServer(t)
	a := newCaseAPI(t, ts)
	sima := person{"sima", "司马翠花", "13712345678", residentIDOf("33010519880412761"), "cuihua.sima@example.org"}
	sima.register(t, ts, a)
	cs := ruledCase(t, a, sima, "JD-88664422",
		"原告司马翠花（手机13712345678）住杭州市拱墅区莫干山路1188号，通过订单号JD-88664422购买的龙井茶为假货。",
		"被告销售假冒龙井茶，构成欺诈。")
	if n, err := pub.PublishPending(t.Context()); err != nil || n != 1 {
		t.Fatalf("PublishPending: got %d, %v; want 1", n, err)
	}
	secrets := []string{sima.name, "翠花", sima.mobile, "JD-88664422", "莫干山路"}

	b := &browserTab{t: t, ctx: newBrowser(t, i18n.English), base: ts.URL}
	res := b.open("/decisions")
	b.wantPage("search page", res, "/decisions", 200)
	b.wantLang("search page", "en")
	b.typeInto("#f-q", "龙井茶")
	res = b.click("#decisions-submit")
	b.wantPage("search", res, "/decisions", 200)
	if got := b.text("#decision-results"); !strings.Contains(got, cs.DocketNo) {
		t.Fatalf("results: got %q, want %s", got, cs.DocketNo)
	}
	b.screenshot("decisions_en")
	res = b.click(".decision-link")
	path := b.path()
	if !strings.HasPrefix(path, "/decisions/") || res.Status != 200 {
		t.Fatalf("decision: got %s (%d)", path, res.Status)
	}
	doc := b.text("#decision")
	if !strings.Contains(doc, "司马某") || !strings.Contains(doc, "×××") {
		t.Errorf("decision: want the masked name and markers: %q", doc)
	}
	assertClean(t, "decision page", doc, secrets)
	b.screenshot("decision_en")

	// Searching for the person finds nothing.
	b.open("/decisions")
	b.typeInto("#f-q", sima.name)
	b.click("#decisions-submit")
	if got := b.text("#results-empty"); got == "" {
		t.Errorf("search for the name: want no results")
	}

	// The judge seals the case; the decision is gone.
	b.loginAs("judge1")
	seal := fmt.Sprintf("/cases/%d/seal", cs.ID)
	b.open(seal)
	// An empty textarea cannot be cleared first, as typeInto does.
	b.do("type the reason", chromedp.SendKeys(chromedp.CSS("#f-reason"), "涉及个人隐私"))
	res = b.click("#seal-submit")
	b.wantPage("seal", res, "/cases/"+strconv.FormatInt(cs.ID, 10), 200)
	b.logout()
	if res := b.open(path); res.Status != 404 {
		t.Errorf("decision after sealing: got %d, want 404", res.Status)
	}
}

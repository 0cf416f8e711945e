package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/ledger"
)

// waitFor polls the page until js is true, or fails the test after d.
func (b *browserTab) waitFor(what, js string, d time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for !eval[bool](b, js) {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: not true after %v: %s", what, d, js)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserExhibits: in a real browser, claimant1 uploads a photo (with a
// description too long for an address) and a PDF with the file picker, and
// drops a text file on the drop zone; the page's script sends each with a
// progress bar. They are listed as C-1 to C-3 with their names and hashes,
// and the photo shows in the page.
// merchant1 objects to the PDF with a reason, which the page then shows.
// The receipt the page offers for the photo verifies offline against the
// court's ledger key and the photo's bytes.
func TestBrowserExhibits(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)

	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{uint8(6 * x), uint8(8 * y), 120, 255})
		}
	}
	var photo bytes.Buffer
	if err := png.Encode(&photo, img); err != nil {
		t.Fatal(err)
	}
	photoPath, pdfPath := filepath.Join(dir, "直播截图.png"), filepath.Join(dir, "invoice.pdf")
	os.WriteFile(photoPath, photo.Bytes(), 0o600)
	os.WriteFile(pdfPath, pdfFile, 0o600)

	b := &browserTab{t: t, ctx: newBrowser(t, i18n.English), base: ts.URL}
	casePath := fmt.Sprintf("/cases/%d", id)
	b.loginAs("claimant1")
	res := b.open(casePath)
	b.wantPage("case page", res, casePath, 200)
	b.wantText("no exhibits yet", "#exhibit-none", ts.Cat.M(i18n.English, court.Msg("exhibit.none")))

	b.typeInto("#exhibit-title", "Livestream screenshot")
	// A description too long for an address (over 5 KB as UTF-8).
	long := strings.Repeat("直播间截图显示主播承诺正品，假一赔十。", 30)
	b.do("describe it", chromedp.SetValue(chromedp.CSS("#exhibit-description"), long))
	b.do("pick the photo", chromedp.SetUploadFiles(chromedp.CSS("#exhibit-file"), []string{photoPath}))
	b.waitFor("photo listed", `document.querySelectorAll("#exhibit-list li.exhibit").length === 1`, 20*time.Second)
	b.do("pick the PDF", chromedp.SetUploadFiles(chromedp.CSS("#exhibit-file"), []string{pdfPath}))
	b.waitFor("PDF listed", `document.querySelectorAll("#exhibit-list li.exhibit").length === 2`, 20*time.Second)

	// A file dropped on the drop zone (a drop event carrying a file, as
	// the browser makes when a file is dragged in).
	eval[bool](b, `(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(["聊天记录：主播承诺七天无理由退货。\n"], "chat.txt", {type: "text/plain"}));
		document.getElementById("exhibit-drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true;
	})()`)
	b.waitFor("dropped file listed", `document.querySelectorAll("#exhibit-list li.exhibit").length === 3`, 20*time.Second)

	labels := eval[[]string](b, `Array.from(document.querySelectorAll("#exhibit-list .exhibit-label")).map(e => e.textContent)`)
	if strings.Join(labels, ",") != "C-1,C-2,C-3" {
		t.Fatalf("labels: got %v, want C-1, C-2, C-3", labels)
	}
	if got := b.text("#exhibit-list li:first-child .exhibit-title"); got != "Livestream screenshot" {
		t.Errorf("title of C-1: got %q", got)
	}
	if got := b.text("#exhibit-list li:nth-child(2) .exhibit-title"); got != "invoice" {
		t.Errorf("title of C-2 (from its name): got %q, want invoice", got)
	}
	if got := b.text("#exhibit-list li:first-child .meta:nth-child(2)"); !strings.Contains(got, "直播截图.png") {
		t.Errorf("C-1's line: got %q, want the file's name 直播截图.png", got)
	}
	if got := b.text("#exhibit-list li:first-child p.pre"); got != long {
		t.Errorf("C-1's description: got %d characters, want the %d typed", len([]rune(got)), len([]rune(long)))
	}
	if got := b.text("#exhibit-list li:first-child .exhibit-sha"); got != sha(photo.Bytes()) {
		t.Errorf("SHA-256 of C-1: got %q, want %q", got, sha(photo.Bytes()))
	}
	b.waitFor("photo shown", `(() => { const i = document.querySelector("img.exhibit-preview"); return i && i.complete && i.naturalWidth === 40 })()`, 10*time.Second)
	b.screenshot("exhibits_claimant_en")

	// The receipt link downloads JSON that verifies offline.
	receiptURL := b.attr("#exhibit-list li:first-child .exhibit-receipt", "href")
	text, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`fetch(`+jsString(receiptURL)+`).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch the receipt: %v", err)
	}
	var r ledger.Receipt
	if err := json.Unmarshal([]byte(text), &r); err != nil {
		t.Fatalf("receipt %q: %v", text, err)
	}
	led, ok := ts.Ev.Prover.(*ledger.Ledger)
	if !ok {
		t.Fatalf("prover: got %T, want *ledger.Ledger", ts.Ev.Prover)
	}
	if _, err := ledger.VerifyReceipt(&r, led.Key().VerifierKey(), bytes.NewReader(photo.Bytes())); err != nil || r.ExhibitLabel != "C-1" {
		t.Errorf("receipt of C-1 (%s): %v", r.ExhibitLabel, err)
	}

	// The merchant objects to the PDF.
	b.logout()
	b.loginAs("merchant1")
	b.open(casePath)
	pdfItem := "#exhibit-list li:nth-child(2)"
	b.do("open the response form", chromedp.Click(chromedp.CSS(pdfItem+" details summary")))
	b.do("choose to object", chromedp.Click(chromedp.CSS(pdfItem+` input[value="object"]`)))
	b.do("give a reason", chromedp.SendKeys(chromedp.CSS(pdfItem+" textarea"), "发票抬头与订单不符"))
	res = b.click(pdfItem + " form.exhibit-respond button")
	b.wantPage("objection sent", res, casePath, 200)
	if got := b.text(pdfItem + " .response-object"); !strings.Contains(got, "发票抬头与订单不符") {
		t.Errorf("objection shown: got %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll("#exhibit-list li:nth-child(2) form.exhibit-respond").length`); n != 0 {
		t.Errorf("after responding: got %d response forms for C-2, want none", n)
	}
	b.screenshot("exhibits_merchant_en")
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

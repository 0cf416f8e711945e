package web_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/hearings/roomlink"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/payments"
	"github.com/shangcheng-court/courtd/court/publication"
	"github.com/shangcheng-court/courtd/court/rulings"
	"github.com/shangcheng-court/courtd/court/web"
	"github.com/shangcheng-court/courtd/hearing"
)

// wholeServer is a court with every service of the path, as courtd runs
// it: a media server joined to the hearing record, rulings signed with a
// ledger key and rendered as PDFs with the system's CJK font, payments and
// publication (whose job the test runs by calling its step).
func wholeServer(t *testing.T) (*testServer, *publication.Service) {
	t.Helper()
	font, err := rulings.FindFont("")
	if err != nil {
		t.Fatalf("%v: install fonts-droid-fallback (apt-get install -y fonts-droid-fallback)", err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := roomlink.NewRecorder(nil, log)
	hs, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true, BatchSends: true}, rec.Hooks()) // batched, as courtd runs it
	if err != nil {
		t.Fatal(err)
	}
	rec.Server = hs
	rs, pay, pub := &rulings.Service{}, &payments.Service{}, &publication.Service{}
	ts := mustServer(t, func(c *web.Config) {
		c.Hearings = hs
		c.HearingTokens = roomlink.Tokens{Server: hs}
		c.Rulings, c.Payments, c.Publication = rs, pay, pub
	})
	// Closed before the web server (cleanups run last first): the media
	// server's sockets are hijacked from it.
	t.Cleanup(func() { hs.Close() })
	rec.Service = &hearings.Service{DB: ts.DB, Now: ts.Dk.Now}
	lkey, err := ledger.LoadOrCreateKey(t.TempDir(), "court.test/ledger")
	if err != nil {
		t.Fatal(err)
	}
	// No request has reached the services yet.
	*rs = *rulings.New(ts.DB, lkey, ts.Dk.Profile, font, ts.URL)
	*pay = payments.Service{DB: ts.DB, Now: ts.Dk.Now}
	*pub = *publication.New(ts.DB, ts.Acc.Keys, nil)
	return ts, pub
}

// TestBrowserWholeCase: one case through everything, every step through
// the pages in real Chromiums as the right person (issue 6, "the whole
// path"). A consumer with distinctive personal data files through the
// form; clerk1 accepts and assigns judge1; merchant1 answers; the consumer
// and the merchant each upload an exhibit from the case page; judge1
// schedules a video hearing starting within 15 minutes, and the three join
// the room with fake cameras and microphones, the judge admits the parties
// and ends it; judge1 drafts and signs the ruling; merchant1 records the
// payment; the consumer confirms it and the case is closed. Then the
// ruling verifies at /verify (by its link, and by uploading its PDF; a
// changed PDF does not), the publication step runs, and the published
// decision names the merchant but holds none of the consumer's name,
// mobile, resident ID or order reference. Screenshots of each role's home,
// the room and the closed case go to testdata/artifacts (whole_*).
//
// (TestBrowserWholePath in browser_path_test.go is the issue-3 path, to a
// settlement.)
func TestBrowserWholeCase(t *testing.T) {
	chromiumPath(t) // fail before a server starts when there is no browser
	ts, pub := wholeServer(t)
	ctx := t.Context()
	zh := func(key string) string { return catalogText(t, ts, i18n.Chinese, key) }

	// The consumer: a person whose data must not be published.
	const (
		consumer     = "ouyang2026"
		consumerName = "欧阳秀兰"
		mobile       = "13698765432"
		orderRef     = "TB20261121-7788"
		merchantName = "杭州西湖龙井茶业有限公司"
	)
	residentID := residentIDOf("33010219900315402")
	if _, err := ts.Acc.RegisterConsumer(ctx, court.ConsumerRegistration{Username: consumer, Password: demo.Password,
		Name: consumerName, Mobile: mobile, ResidentID: residentID}); err != nil {
		t.Fatalf("register the consumer: %v", err)
	}
	ids := map[string]int64{}
	for _, u := range []string{consumer, "judge1", "merchant1"} {
		acc, _, err := ts.DB.Credentials(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		ids[u] = acc.ID
	}

	// Three browsers with fake media (they all meet in the hearing): the
	// consumer's (also used by the clerk, and last by a visitor), the
	// merchant's and the judge's.
	cb := &browserTab{t: t, ctx: newRoomBrowser(t, i18n.Chinese, 1280), base: ts.URL}
	typeText := func(b *browserTab, css, s string) {
		t.Helper()
		b.do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), s)) // an empty textarea cannot be cleared first
		if got := b.value(css); got != s {
			t.Fatalf("%s after typing: got %q, want %q", css, got, s)
		}
	}

	// 1. The consumer files through the form.
	cb.loginAs(consumer)
	cb.screenshot("whole_home_consumer_zh")
	res := cb.click("#file-claim")
	cb.wantPage("filing form", res, "/cases/new", 200)
	cb.typeInto("#f-merchant_name", merchantName)
	cb.typeInto("#f-credit_code", demo.CreditCode1)
	cb.typeInto("#f-order_ref", orderRef)
	cb.do("choose the category", chromedp.SetValue(chromedp.CSS("#f-category"), string(court.CatLivestream)))
	typeText(cb, "#f-facts", "我（"+consumerName+"，手机"+mobile+"）在直播间购买明前龙井，订单号"+orderRef+"，收到后经检测为普通绿茶，商家拒绝退款。")
	cb.typeInto("#f-refund", "1500")
	cb.do("consent to electronic service", chromedp.Click(chromedp.CSS("#f-service_consent")))
	res = cb.click("#review")
	cb.wantPage("review", res, "/cases/new", 200)
	cb.click("#submit-claim")
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.Split(cb.path(), "?")[0], "/cases/"), 10, 64)
	if err != nil {
		t.Fatalf("after submitting the claim: got page %s, want the case page", cb.path())
	}
	casePath := fmt.Sprintf("/cases/%d", id)
	cb.wantText("filed", "#case-status", zh("case_status.submitted"))
	cb.logout()

	// 2. The clerk accepts it and assigns judge1.
	cb.loginAs("clerk1")
	cb.screenshot("whole_home_clerk_zh")
	res = cb.click(fmt.Sprintf(`#case-list a[href=%q]`, casePath))
	cb.wantPage("clerk opens the case", res, casePath, 200)
	res = cb.click("#accept-case")
	cb.wantPage("accept", res, casePath, 200)
	cb.wantText("accept", "#case-status", zh("case_status.served"))
	cb.do("choose judge1", chromedp.SetValue(chromedp.CSS("#f-judge_id"), strconv.FormatInt(ids["judge1"], 10)))
	res = cb.click("#assign-judge")
	cb.wantPage("assign judge1", res, casePath, 200)
	if cs := ts.storedCase(t, id); cs.JudgeID == nil || *cs.JudgeID != ids["judge1"] {
		t.Fatalf("after assigning: got judge %v, want judge1 (%d)", cs.JudgeID, ids["judge1"])
	}
	cs := ts.storedCase(t, id)
	cb.logout()

	// 3. The merchant answers.
	mb := &browserTab{t: t, ctx: newRoomBrowser(t, i18n.Chinese, 1280), base: ts.URL}
	mb.loginAs("merchant1")
	mb.screenshot("whole_home_merchant_zh")
	res = mb.open(casePath)
	mb.wantPage("merchant opens the case", res, casePath, 200)
	mb.do("choose contest", chromedp.SetValue(chromedp.CSS("#f-kind"), string(court.AnswerContest)))
	typeText(mb, "#f-defence", "茶叶为正品，附有检测报告。")
	res = mb.click("#answer-submit")
	mb.wantPage("answer", res, casePath, 200)
	mb.wantText("answer", "#case-status", zh("case_status.answered"))

	// 4. Each party uploads an exhibit from the case page (the page's
	// script sends it).
	dir := t.TempDir()
	shot, report := filepath.Join(dir, "直播截图.txt"), filepath.Join(dir, "检测报告.txt")
	if err := os.WriteFile(shot, []byte("主播称：正宗明前西湖龙井，假一赔十。\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(report, []byte("检测结论：样品为西湖龙井。\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	upload := func(b *browserTab, who, title, file string, n int) {
		t.Helper()
		b.typeInto("#exhibit-title", title)
		b.do(who+" picks the file", chromedp.SetUploadFiles(chromedp.CSS("#exhibit-file"), []string{file}))
		b.waitFor(who+"'s exhibit listed", fmt.Sprintf(`document.querySelectorAll("#exhibit-list li.exhibit").length === %d`, n), 30*time.Second)
	}
	cb.loginAs(consumer)
	cb.wantPage("consumer opens the case", cb.open(casePath), casePath, 200)
	upload(cb, "the consumer", "直播截图", shot, 1)
	mb.wantPage("merchant reloads the case", mb.reload(), casePath, 200)
	upload(mb, "the merchant", "检测报告", report, 2)
	labels := eval[[]string](mb, `Array.from(document.querySelectorAll("#exhibit-list .exhibit-label")).map(e => e.textContent.trim())`)
	if len(labels) != 2 || labels[0] == labels[1] {
		t.Fatalf("exhibit labels: got %v, want two distinct labels", labels)
	}
	mb.screenshot("whole_case_exhibits_merchant_zh")
	// The receipt the case page offers for the consumer's exhibit verifies
	// offline against the court's ledger key and the file's bytes.
	receiptURL := cb.attr("#exhibit-list li:first-child .exhibit-receipt", "href")
	receipt, err := chromedp.Run(cb.ctx, chromedp.Evaluate[string](`fetch(`+jsString(receiptURL)+`).then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch the exhibit's receipt: %v", err)
	}
	var r ledger.Receipt
	if err := json.Unmarshal([]byte(receipt), &r); err != nil {
		t.Fatalf("exhibit receipt %q: %v", receipt, err)
	}
	led, ok := ts.Ev.Prover.(*ledger.Ledger)
	if !ok {
		t.Fatalf("prover: got %T, want *ledger.Ledger", ts.Ev.Prover)
	}
	shotBytes, _ := os.ReadFile(shot)
	if _, err := ledger.VerifyReceipt(&r, led.Key().VerifierKey(), bytes.NewReader(shotBytes)); err != nil || r.ExhibitLabel != labels[0] {
		t.Fatalf("receipt of %s (for %s): %v", labels[0], r.ExhibitLabel, err)
	}

	// 5. The judge schedules a video hearing that starts within 15
	// minutes, so its room is open now.
	jb := &browserTab{t: t, ctx: newRoomBrowser(t, i18n.Chinese, 1280), base: ts.URL}
	jb.loginAs("judge1")
	jb.screenshot("whole_home_judge_zh")
	jb.wantPage("judge opens the case", jb.open(casePath), casePath, 200)
	start := time.Now().In(court.Zone).Add(10 * time.Minute).Truncate(time.Minute)
	jb.do("fill in the hearing", chromedp.SetValue(chromedp.CSS("#f-h_date"), start.Format("2006-01-02")),
		chromedp.SetValue(chromedp.CSS("#f-h_time"), start.Format("15:04")), chromedp.SetValue(chromedp.CSS("#f-h_minutes"), "45"))
	res = jb.click("#schedule-submit")
	jb.wantPage("schedule the hearing", res, casePath, 200)
	hs, err := ts.DB.Hearings(ctx, id)
	if err != nil || len(hs) != 1 || hs[0].Kind != court.HearingVideo {
		t.Fatalf("hearings after scheduling: got %+v, %v, want one video hearing", hs, err)
	}
	h := hs[0]
	room := court.HearingLink(id, h.ID)

	// 6. The three join the room with fake media; the parties wait; the
	// judge admits them, each sees the others' video, and the judge ends
	// the hearing.
	type member struct {
		name string
		b    *browserTab
	}
	judge, claimant, merchant := member{"judge1", jb}, member{consumer, cb}, member{"merchant1", mb}
	for _, m := range []member{claimant, merchant, judge} {
		m.b.wantPage(m.name+" opens the room", m.b.open(room), room, 200)
		waitJS(m.b, m.name+": the device check shows the camera", `document.getElementById('rm-preview').videoWidth > 0 && !document.getElementById('rm-join').disabled`, 30*time.Second)
	}
	for _, m := range []member{claimant, merchant} {
		m.b.do(m.name+" joins", chromedp.Click(chromedp.CSS("#rm-join")))
		waitJS(m.b, m.name+" waits to be admitted", `hearingRoom.you !== null && !hearingRoom.admitted && !document.getElementById('rm-wait').hidden`, 20*time.Second)
	}
	jb.do("the judge joins", chromedp.Click(chromedp.CSS("#rm-join")))
	waitJS(jb, "the judge is in and sees two waiting", `hearingRoom.admitted && document.querySelectorAll('#rm-people li.rm-waiting').length === 2`, 20*time.Second)
	jb.do("the judge admits everyone", chromedp.Click(chromedp.CSS("#rm-admit-all")))
	for _, m := range []member{claimant, merchant} {
		waitJS(m.b, m.name+" is admitted", `hearingRoom.admitted && !document.getElementById('rm-live').hidden`, 20*time.Second)
	}
	others := map[string][]string{"judge1": {consumer, "merchant1"}, consumer: {"judge1", "merchant1"}, "merchant1": {"judge1", consumer}}
	for _, m := range []member{judge, claimant, merchant} {
		var cond []string
		for _, o := range others[m.name] {
			cond = append(cond, fmt.Sprintf(`(f[%d] || 0) > 5`, ids[o]))
		}
		waitJS(m.b, m.name+" decodes the other two cameras", `(async () => { const f = await `+framesFrom+`; return `+strings.Join(cond, " && ")+`; })()`, 60*time.Second)
	}
	jb.screenshot("whole_room_judge_zh")
	cb.screenshot("whole_room_consumer_zh")
	jb.do("the judge ends the hearing", chromedp.Click(chromedp.CSS("#rm-end")))
	for _, m := range []member{judge, claimant, merchant} {
		waitJS(m.b, m.name+" sees the end", `hearingRoom.over && hearingRoom.events.includes('ended')`, 20*time.Second)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		got, err := ts.DB.HearingByID(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == court.HearingEnded && got.StartedAt != nil && got.EndedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("hearing after the judge ended it: got status %s started %v ended %v, want ended", got.Status, got.StartedAt, got.EndedAt)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The record has each of the three in the room.
	att, err := ts.DB.Attendance(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	present := map[int64]bool{}
	for _, a := range att {
		present[a.UserID] = true
	}
	for _, u := range []string{"judge1", consumer, "merchant1"} {
		if !present[ids[u]] {
			t.Errorf("attendance of the hearing: %s missing (got %+v)", u, att)
		}
	}

	// 7. The judge drafts the ruling from the case page and signs it.
	jb.wantPage("judge back on the case", jb.open(casePath), casePath, 200)
	res = jb.click("#draft-ruling")
	jb.wantPage("draft form", res, casePath+"/ruling/edit", 200)
	reasoning := "被告以普通绿茶冒充明前西湖龙井销售，构成欺诈，应退还货款。"
	typeText(jb, "#f-reasoning", reasoning)
	jb.typeInto("#f-exhibits", strings.Join(labels, ", "))
	res = jb.click("#ruling-save")
	jb.wantPage("save the draft", res, casePath+"/ruling/edit", 200)
	jb.wantText("save the draft", "main .notice", zh("notice.ruling_saved"))
	res = jb.click("#ruling-sign")
	jb.wantPage("sign", res, casePath+"/ruling", 200)
	if got := jb.text("#ruling"); !strings.Contains(got, cs.DocketNo) || !strings.Contains(got, reasoning) {
		t.Fatalf("signed ruling: got %q, want the docket number %s and the reasoning", got, cs.DocketNo)
	}
	if st := ts.storedCase(t, id).Status; st != court.CaseRuled {
		t.Fatalf("after signing: got status %q, want ruled", st)
	}

	// 8. The merchant records the payment of what the ruling orders.
	mb.wantPage("merchant opens the ruled case", mb.open(casePath), casePath, 200)
	mb.wantText("ruled", "#case-status", zh("case_status.ruled"))
	owed := strings.NewReplacer("¥", "", ",", "").Replace(mb.text("#payment-orders tbody tr .outstanding"))
	if _, err := strconv.ParseFloat(owed, 64); err != nil || owed == "0.00" {
		t.Fatalf("outstanding on the order: got %q, want an amount owed", owed)
	}
	mb.do("open the payment form", chromedp.Click(chromedp.CSS("#record-payment summary")))
	mb.typeInto("#f-pay_amount", owed)
	mb.typeInto("#f-pay_reference", "ALI-20261126-01")
	eval[string](mb, fmt.Sprintf(`document.querySelector('#f-pay_paid_on').value = %q`, time.Now().In(court.Zone).Format("2006-01-02")))
	res = mb.click("#record-payment-submit")
	mb.wantPage("record the payment", res, casePath, 200)
	mb.wantText("record the payment", "main .notice", zh("notice.payment_recorded"))

	// 9. The consumer confirms it: the case is closed.
	cb.wantPage("consumer opens the paid case", cb.open(casePath), casePath, 200)
	confirm := eval[string](cb, `(() => { const b = document.querySelectorAll('#payments button[id^="confirm-"]'); return b.length === 1 ? b[0].id : String(b.length); })()`)
	if !strings.HasPrefix(confirm, "confirm-") {
		t.Fatalf("confirm buttons for the consumer: got %s, want one", confirm)
	}
	res = cb.click("#" + confirm)
	cb.wantPage("confirm the payment", res, casePath, 200)
	cb.wantText("confirm the payment", "main .notice", zh("notice.case_closed_paid"))
	cb.wantText("closed", "#case-status", zh("case_status.closed"))
	cb.screenshot("whole_case_closed_consumer_zh")
	if st := ts.storedCase(t, id).Status; st != court.CaseClosed {
		t.Fatalf("stored case: got %q, want closed", st)
	}

	// 10. The ruling verifies: by the link on the ruling page, and by
	// uploading its PDF with its number; a changed copy does not.
	res = cb.click("#read-ruling")
	cb.wantPage("consumer reads the ruling", res, casePath+"/ruling", 200)
	pdf64, err := chromedp.Run(cb.ctx, chromedp.Evaluate[string](`fetch(document.getElementById('ruling-pdf').href).then(r => r.arrayBuffer()).then(b => {
		let s = ''; new Uint8Array(b).forEach(c => { s += String.fromCharCode(c); }); return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch the ruling's PDF: %v", err)
	}
	pdf, err := base64.StdEncoding.DecodeString(pdf64)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("the ruling's PDF: got %d bytes (%v), want a PDF", len(pdf), err)
	}
	res = cb.click("#ruling-service a[href*='/verify']")
	if p, _, _ := strings.Cut(cb.path(), "?"); p != "/verify" || res.Status != 200 {
		t.Fatalf("verify link: got %s (%d), want /verify", cb.path(), res.Status)
	}
	if got := cb.attr("#verify-result", "data-genuine"); got != "true" {
		t.Fatalf("verify by the ruling's link: got genuine=%s (%q)", got, cb.text("#verify-result"))
	}
	verifyUpload := func(name string, body []byte) string {
		t.Helper()
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, body, 0o600); err != nil {
			t.Fatal(err)
		}
		cb.wantPage("verify form", cb.open("/verify"), "/verify", 200)
		cb.typeInto("#f-no", cs.DocketNo)
		cb.do("pick "+name, chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{f}))
		cb.click("#verify-submit")
		return cb.attr("#verify-result", "data-genuine")
	}
	if got := verifyUpload("ruling.pdf", pdf); got != "true" {
		t.Fatalf("verify the uploaded PDF: got genuine=%s (%q), want true", got, cb.text("#verify-result"))
	}
	cb.screenshot("whole_verify_zh")
	// By its number and the PDF's SHA-256, typed in.
	cb.wantPage("verify form", cb.open("/verify"), "/verify", 200)
	cb.typeInto("#f-no", cs.DocketNo)
	cb.typeInto("#f-sha256", sha(pdf))
	cb.click("#verify-submit")
	if got := cb.attr("#verify-result", "data-genuine"); got != "true" {
		t.Fatalf("verify by number and SHA-256: got genuine=%s (%q), want true", got, cb.text("#verify-result"))
	}
	changed := append([]byte(nil), pdf...)
	changed[len(changed)/2] ^= 0x20
	if got := verifyUpload("changed.pdf", changed); got != "false" {
		t.Fatalf("verify a changed PDF: got genuine=%s (%q), want false", got, cb.text("#verify-result"))
	}

	// 11. The publication job's step publishes the ruling; a visitor reads
	// it at /decisions without the consumer's personal data.
	if n, err := pub.PublishPending(ctx); err != nil || n != 1 {
		t.Fatalf("PublishPending: got %d, %v; want 1 published", n, err)
	}
	cb.logout()
	cb.wantPage("decisions", cb.open("/decisions"), "/decisions", 200)
	cb.typeInto("#f-q", cs.DocketNo)
	res = cb.click("#decisions-submit")
	cb.wantPage("search the decisions", res, "/decisions", 200)
	if got := cb.text("#decision-results"); !strings.Contains(got, cs.DocketNo) {
		t.Fatalf("decisions found: got %q, want %s", got, cs.DocketNo)
	}
	res = cb.click(".decision-link")
	if p := cb.path(); !strings.HasPrefix(p, "/decisions/") || res.Status != 200 {
		t.Fatalf("published decision: got %s (%d), want a /decisions/ page", p, res.Status)
	}
	doc := cb.text("#decision")
	if !strings.Contains(doc, merchantName) || !strings.Contains(doc, cs.DocketNo) {
		t.Errorf("published decision: got %q, want the merchant's name %s and the docket number", doc, merchantName)
	}
	if !strings.Contains(doc, "欧阳某") {
		t.Errorf("published decision: got %q, want the consumer's name masked as 欧阳某", doc)
	}
	page := eval[string](cb, `document.documentElement.outerHTML`)
	secrets := []string{consumerName, "秀兰", mobile, residentID, orderRef}
	assertClean(t, "published decision page", page, secrets)
	cb.screenshot("whole_decision_zh")
}

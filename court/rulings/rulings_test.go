package rulings_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/rulings"
	"github.com/shangcheng-court/courtd/court/storage"
)

// sampleDoc is a judgment with every part filled, Chinese and a little
// awkward text (CRLF, trailing blanks, a decomposed character) to normalise.
func sampleDoc() rulings.Document {
	return rulings.Document{
		Format: rulings.Format, Kind: rulings.Judgment, Number: "(2026)浙0102民初7号", Court: "杭州市上城区人民法院",
		CaseID: 7, DocketNo: "(2026)浙0102民初7号",
		Claimant:   rulings.Party{Name: "张三"},
		Respondent: rulings.Party{Name: "杭州茶香电子商务有限公司", CreditCode: "91330102MA2XXXXX0X"},
		Claims:     "判令被告退还货款1280元。\r\n", Facts: "原告于直播间购买龙井茶。  \r\n商家拒绝退货。",
		Evidence: "订单截图", Exhibits: []string{"C-1"}, Reasoning: "被告构成欺诈。Cafe\u0301",
		Orders: []rulings.Order{{Payer: rulings.SideRespondent, Payee: rulings.SideClaimant, Amount: 128000, DueDays: 10, What: "货款"}},
		Fee:    rulings.SplitFee(2500, rulings.FeeShared), Final: rulings.FinalJudgment,
		Judge: rulings.Judge{ID: 5, Name: "王法官"}, SignedAt: "2026-03-02T01:30:00Z", Seal: "杭州市上城区人民法院",
	}
}

func testKey(tb testing.TB, name string) *ledger.Key {
	tb.Helper()
	k, err := ledger.LoadOrCreateKey(tb.TempDir(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func TestCanonicalStable(t *testing.T) {
	d := sampleDoc()
	a, err := rulings.Canonical(d)
	if err != nil {
		t.Fatal(err)
	}
	// The exact bytes: a change of this encoding breaks every signature
	// ever made, so it must be a deliberate new Format.
	want := `{"format":"courtd-ruling/1","kind":"judgment","number":"(2026)浙0102民初7号","court":"杭州市上城区人民法院",` +
		`"case_id":7,"docket_no":"(2026)浙0102民初7号","claimant":{"name":"张三"},` +
		`"respondent":{"name":"杭州茶香电子商务有限公司","credit_code":"91330102MA2XXXXX0X"},` +
		`"claims":"判令被告退还货款1280元。","facts":"原告于直播间购买龙井茶。\n商家拒绝退货。","evidence":"订单截图",` +
		`"exhibits":["C-1"],"reasoning":"被告构成欺诈。Café","terms":"",` +
		`"orders":[{"payer":"respondent","payee":"claimant","amount":128000,"due_days":10,"what":"货款"}],` +
		`"fee":{"amount":2500,"borne_by":"shared","claimant":1250,"respondent":1250},` +
		`"final":"` + rulings.FinalJudgment + `","judge":{"id":5,"name":"王法官"},"signed_at":"2026-03-02T01:30:00Z",` +
		`"seal":"杭州市上城区人民法院"}` + "\n"
	if string(a) != want {
		t.Errorf("canonical form:\ngot  %s\nwant %s", a, want)
	}
	// Normalising again changes nothing, and parsing accepts it.
	d2, err := rulings.ParseCanonical(a)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := rulings.Canonical(d2)
	if !bytes.Equal(a, b) {
		t.Errorf("canonical form of the parsed document differs:\n%s\n%s", a, b)
	}
	// A non-canonical spelling of the same JSON is refused.
	if _, err := rulings.ParseCanonical(bytes.Replace(a, []byte(`,"kind"`), []byte(`, "kind"`), 1)); err == nil {
		t.Error("ParseCanonical accepted a non-canonical encoding")
	}
}

func TestSignAndVerify(t *testing.T) {
	key := testKey(t, "court.example/ledger")
	rec, sum, err := rulings.Sign(sampleDoc(), key)
	if err != nil {
		t.Fatal(err)
	}
	if rec.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("record sha256 %s, want %x", rec.SHA256, sum)
	}
	if _, err := rulings.Verify(key.VerifierKey(), rec); err != nil {
		t.Fatalf("genuine record: got %v, want nil", err)
	}
	tamper := func(f func(r *rulings.Record)) rulings.Record { r := rec; f(&r); return r }
	other := testKey(t, "court.example/ledger")
	otherRec, _, err := rulings.Sign(sampleDoc(), other)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		key  string
		rec  rulings.Record
		want error
	}{
		{"tampered text", key.VerifierKey(), tamper(func(r *rulings.Record) {
			r.Canonical = strings.Replace(r.Canonical, "128000", "12800", 1)
		}), rulings.ErrDifferentCopy},
		{"tampered text with its new hash", key.VerifierKey(), func() rulings.Record {
			d := sampleDoc()
			d.Orders[0].Amount = 12800
			c, _ := rulings.Canonical(d)
			r := rec
			r.Canonical = string(c)
			s, _, _ := rulings.Hash(d)
			r.SHA256 = hex.EncodeToString(s[:])
			return r
		}(), rulings.ErrBadSignature},
		{"other number", key.VerifierKey(), tamper(func(r *rulings.Record) { r.Number = "(2026)浙0102民初8号" }), rulings.ErrOtherNumber},
		{"wrong key", other.VerifierKey(), rec, rulings.ErrWrongKey},
		{"signed by another key of the same name", key.VerifierKey(), otherRec, rulings.ErrWrongKey},
		{"signature of another record", key.VerifierKey(), tamper(func(r *rulings.Record) { r.Signature = otherRec.Signature }), rulings.ErrBadSignature},
		{"not canonical", key.VerifierKey(), tamper(func(r *rulings.Record) { r.Canonical = " " + r.Canonical }), rulings.ErrNotCanonical},
	} {
		if _, err := rulings.Verify(c.key, c.rec); err != c.want {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// env is a court on a real SQLite file with the demo accounts and a case of
// claimant1 against merchant1, accepted, with judge1 assigned.
type env struct {
	dir  string // the data dir: court.db is there
	db   *storage.DB
	dk   *docket.Service
	svc  *rulings.Service
	key  *ledger.Key
	u    map[string]*court.User
	c    *court.Case
	font *rulings.Font
}

var (
	seedOnce sync.Once
	seedDir  string
)

// seeded returns a data dir copy with the demo accounts (seeding costs
// argon2id hashes: done once).
func seeded(tb testing.TB) string {
	tb.Helper()
	seedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rulings-seed-")
		if err != nil {
			tb.Fatal(err)
		}
		ctx := context.Background()
		db, err := storage.Open(ctx, filepath.Join(dir, "court.db"), nil)
		if err != nil {
			tb.Fatal(err)
		}
		keys, err := accounts.LoadKeys(dir)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := demo.Seed(ctx, accounts.New(db, keys, accounts.DefaultConfig)); err != nil {
			tb.Fatal(err)
		}
		db.Close()
		seedDir = dir
	})
	if seedDir == "" {
		tb.Fatal("seeding failed")
	}
	dir := tb.TempDir()
	for _, f := range []string{"court.db", "secret.key"} {
		b, err := os.ReadFile(filepath.Join(seedDir, f))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seedDir != "" {
		os.RemoveAll(seedDir)
	}
	os.Exit(code)
}

var orderSeq int

func mustEnv(tb testing.TB, withFont bool) *env {
	tb.Helper()
	ctx := context.Background()
	dir := seeded(tb)
	db, err := storage.Open(ctx, filepath.Join(dir, "court.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	e := &env{dir: dir, db: db, dk: docket.New(db, court.DefaultProfile()), key: testKey(tb, "court.example/ledger"), u: map[string]*court.User{}}
	users, err := db.Users(ctx, storage.UserFilter{Limit: 100})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range users {
		e.u[users[i].Username] = &users[i]
	}
	if withFont {
		if e.font, err = rulings.FindFont(""); err != nil {
			tb.Fatalf("%v: install fonts-droid-fallback (apt-get install -y fonts-droid-fallback) or set COURT_CJK_FONT", err)
		}
	}
	e.svc = rulings.New(db, e.key, court.DefaultProfile(), e.font, "https://court.example")
	e.c = e.served(tb)
	return e
}

// served files a new case of claimant1 against merchant1, accepts it and
// assigns judge1.
func (e *env) served(tb testing.TB) *court.Case {
	tb.Helper()
	ctx := context.Background()
	orderSeq++
	c, err := e.dk.File(ctx, e.u["claimant1"], court.Filing{
		MerchantName: demo.Accounts[2].Org, CreditCode: demo.CreditCode1, Platform: "抖音", OrderRef: "R-" + strconv.Itoa(orderSeq),
		Category: court.CatCounterfeit, Facts: "直播间购买的明前龙井是假货，商家拒绝退款。", Refund: 128000,
		ServiceConsent: true,
	}, true)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.dk.Review(ctx, e.u["clerk1"], c.ID, court.ActAccept, ""); err != nil {
		tb.Fatal(err)
	}
	c, err = e.db.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseServed, To: court.CaseServed,
		Set: map[string]any{"judge_id": e.u["judge1"].ID}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func mustCode(tb testing.TB, err error, code court.Code) {
	tb.Helper()
	if got := court.ErrorCode(err); got != code || err == nil {
		tb.Fatalf("got error %v (%s), want %s", err, got, code)
	}
}

func TestDraftSignServe(t *testing.T) {
	e := mustEnv(t, false)
	ctx := context.Background()
	judge := e.u["judge1"]

	// Only the assigned judge drafts; others who see the case are refused,
	// others are told there is no such case.
	_, err := e.svc.Draft(ctx, e.u["claimant1"], e.c.ID)
	mustCode(t, err, court.EFORBIDDEN)
	_, err = e.svc.Draft(ctx, e.u["claimant2"], e.c.ID)
	mustCode(t, err, court.ENOTFOUND)
	// Signing before any draft is saved is a conflict.
	_, err = e.svc.Sign(ctx, judge, e.c.ID)
	mustCode(t, err, court.ECONFLICT)

	ed, err := e.svc.Draft(ctx, judge, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ed.Saved != nil || len(ed.Draft.Orders) != 1 || ed.Draft.Orders[0].Amount != 128000 || ed.Preview.Claimant.Name == "" {
		t.Fatalf("prefilled draft: got %+v", ed)
	}
	d := ed.Draft
	d.Orders[0].Payer = "nobody"
	_, err = e.svc.SaveDraft(ctx, judge, e.c.ID, d)
	mustCode(t, err, court.EINVALID)
	d.Orders[0].Payer = rulings.SideRespondent
	d.Reasoning = "被告销售假冒商品，构成欺诈，应退还货款。"
	d.Exhibits = []string{"c-1"}
	if ed, err = e.svc.SaveDraft(ctx, judge, e.c.ID, d); err != nil {
		t.Fatal(err)
	}
	if ed.Saved == nil || ed.Draft.Reasoning != d.Reasoning || ed.Draft.Exhibits[0] != "C-1" {
		t.Fatalf("saved draft: got %+v", ed.Draft)
	}
	// The parties see no draft.
	if l, err := e.svc.List(ctx, e.u["claimant1"], e.c.ID); err != nil || len(l) != 0 {
		t.Fatalf("claimant's list before signing: got %v, %v; want empty", l, err)
	}
	_, err = e.svc.Get(ctx, e.u["claimant1"], e.c.ID)
	mustCode(t, err, court.ENOTFOUND)

	leavesBefore, _ := e.db.LedgerSize(ctx)
	sg, err := e.svc.Sign(ctx, judge, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sg.Doc.Number != e.c.DocketNo || sg.Doc.Judge.ID != judge.ID || sg.Ruling.ServedAt == nil {
		t.Errorf("signed: got %+v", sg.Ruling)
	}
	if _, err := rulings.Verify(e.key.VerifierKey(), sg.Record); err != nil {
		t.Errorf("signed record does not verify offline: %v", err)
	}
	if after, _ := e.db.LedgerSize(ctx); after <= leavesBefore || sg.Record.LeafIndex < leavesBefore {
		t.Errorf("ledger: %d leaves before, %d after, ruling leaf %d", leavesBefore, after, sg.Record.LeafIndex)
	}
	// The leaf at the record's index is the ruling's: its case, id and hash.
	lh, err := ledger.New(e.db, e.key).LeafHash(ctx, sg.Record.LeafIndex)
	if err != nil {
		t.Fatal(err)
	}
	rsum, _ := rulings.ParseSHA256(sg.Record.SHA256)
	if want := tlog.RecordHash(ledger.RulingLeaf(e.c.ID, sg.Ruling.ID, rsum)); lh != want {
		t.Errorf("leaf %d: got hash %x, want the ruling leaf's %x", sg.Record.LeafIndex, lh, want)
	}
	if c, _ := e.db.CaseByID(ctx, e.c.ID); c.Status != court.CaseRuled {
		t.Errorf("case status: got %s, want ruled", c.Status)
	}
	if len(sg.Orders) != 1 || sg.Orders[0].Amount != 128000 || !sg.Orders[0].DueAt.Equal(court.EndOfDay(*sg.Ruling.SignedAt, 10)) {
		t.Errorf("orders: got %+v", sg.Orders)
	}
	// Served: a notice to the claimant and to each active merchant staff.
	for _, who := range []string{"claimant1", "merchant1"} {
		ns, _, err := e.db.Notices(ctx, e.u[who].ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range ns {
			found = found || (n.Kind == rulings.NoticeRulingServed && n.CaseID != nil && *n.CaseID == e.c.ID)
		}
		if !found {
			t.Errorf("%s: no notice of service %q", who, rulings.NoticeRulingServed)
		}
	}
	// Signed once: signing again and changing the draft are conflicts.
	_, err = e.svc.Sign(ctx, judge, e.c.ID)
	mustCode(t, err, court.ECONFLICT)
	_, err = e.svc.SaveDraft(ctx, judge, e.c.ID, d)
	mustCode(t, err, court.ECONFLICT)

	// First views: the parties' are recorded once, staff views are not.
	if _, err := e.svc.Get(ctx, e.u["clerk1"], e.c.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := e.svc.Get(ctx, e.u["claimant1"], e.c.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.svc.Get(ctx, e.u["merchant1"], e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Views) != 2 || got.Views[0].UserID != e.u["claimant1"].ID {
		t.Errorf("views: got %+v, want claimant1 then merchant1", got.Views)
	}
	_, err = e.svc.Get(ctx, e.u["claimant2"], e.c.ID)
	mustCode(t, err, court.ENOTFOUND)

	// Verification by number and hash.
	sum, _ := rulings.ParseSHA256(sg.Record.SHA256)
	res, err := e.svc.Verify(ctx, e.c.DocketNo, sum)
	if err != nil || !res.Genuine || res.Matched != "canonical" {
		t.Errorf("verify genuine: got %+v, %v", res, err)
	}
	sum[0] ^= 1
	if res, _ := e.svc.Verify(ctx, e.c.DocketNo, sum); res.Genuine || res.Reason != "different_document" || res.SignedAt != "" {
		t.Errorf("verify other hash: got %+v", res)
	}
	if res, _ := e.svc.Verify(ctx, "(2026)浙0102民初999号", sum); res.Genuine || res.Reason != "unknown_number" {
		t.Errorf("verify unknown number: got %+v", res)
	}
}

func TestSignedRulingImmutable(t *testing.T) {
	e := mustEnv(t, false)
	ctx := context.Background()
	judge := e.u["judge1"]
	ed, err := e.svc.Draft(ctx, judge, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	ed.Draft.Reasoning = "证据充分。"
	if _, err := e.svc.SaveDraft(ctx, judge, e.c.ID, ed.Draft); err != nil {
		t.Fatal(err)
	}
	// A draft may change.
	if _, err := e.db.Writer().ExecContext(ctx, `UPDATE rulings SET content = content WHERE case_id = ?`, e.c.ID); err != nil {
		t.Fatalf("updating a draft: %v", err)
	}
	sg, err := e.svc.Sign(ctx, judge, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE rulings SET canonical = 'x' WHERE id = ?`,
		`UPDATE rulings SET status = 'draft' WHERE id = ?`,
		`DELETE FROM rulings WHERE id = ?`,
		`UPDATE ruling_orders SET amount = 1 WHERE ruling_id = ?`,
		`DELETE FROM ruling_orders WHERE ruling_id = ?`,
	} {
		_, err := e.db.Writer().ExecContext(ctx, q, sg.Ruling.ID)
		if err == nil || !strings.Contains(err.Error(), "a signed ruling cannot change") {
			t.Errorf("%s: got %v, want the trigger's refusal", q, err)
		}
	}
}

func TestMediationDocument(t *testing.T) {
	e := mustEnv(t, false)
	ctx := context.Background()
	judge := e.u["judge1"]
	_, err := e.svc.Mediate(ctx, judge, e.c.ID, "", "", 0)
	mustCode(t, err, court.ECONFLICT) // not settled
	o, err := e.dk.MakeOffer(ctx, e.u["merchant1"], e.c.ID, court.OfferTerms{Amount: 90000, Terms: "七日内退款九百元",
		Expires: e.db.Now().In(court.Zone).AddDate(0, 0, 5).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dk.RespondOffer(ctx, e.u["claimant1"], e.c.ID, o.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.dk.ConfirmSettlement(ctx, judge, e.c.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Mediate(ctx, e.u["claimant1"], e.c.ID, "", "", 0)
	mustCode(t, err, court.EFORBIDDEN)
	sg, err := e.svc.Mediate(ctx, judge, e.c.ID, "", rulings.FeeShared, 7)
	if err != nil {
		t.Fatal(err)
	}
	if sg.Doc.Kind != rulings.Mediation || sg.Doc.Terms != "七日内退款九百元" || sg.Orders[0].Amount != 90000 || sg.Orders[0].DueDays != 7 {
		t.Errorf("mediation document: got %+v", sg.Doc)
	}
	if c, _ := e.db.CaseByID(ctx, e.c.ID); c.Status != court.CaseSettled {
		t.Errorf("case status: got %s, want settled", c.Status)
	}
	if _, err := rulings.Verify(e.key.VerifierKey(), sg.Record); err != nil {
		t.Errorf("mediation record does not verify: %v", err)
	}
	_, err = e.svc.Mediate(ctx, judge, e.c.ID, "", "", 0)
	mustCode(t, err, court.ECONFLICT) // signed already
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils). A missing
// tool fails the test: it must not pass by skipping.
func pdfText(tb testing.TB, pdf []byte) string {
	tb.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		tb.Fatal("pdftotext not found: install poppler-utils (apt-get install -y poppler-utils)")
	}
	f := filepath.Join(tb.TempDir(), "ruling.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command(path, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		tb.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestPDF(t *testing.T) {
	e := mustEnv(t, true)
	ctx := context.Background()
	judge := e.u["judge1"]
	ed, _ := e.svc.Draft(ctx, judge, e.c.ID)
	ed.Draft.Reasoning = "被告销售假冒商品。"
	if _, err := e.svc.SaveDraft(ctx, judge, e.c.ID, ed.Draft); err != nil {
		t.Fatal(err)
	}
	sg, err := e.svc.Sign(ctx, judge, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	pdf, sg2, err := e.svc.PDF(ctx, e.u["claimant1"], e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
	}
	txt := pdfText(t, pdf)
	for _, want := range []string{sg.Doc.Number, sg.Doc.Claimant.Name, sg.Doc.Respondent.Name, "民事判决书", "本判决为终审判决", sg.Record.SHA256} {
		if !strings.Contains(strings.ReplaceAll(txt, "\n", ""), want) {
			t.Errorf("PDF text lacks %q:\n%s", want, txt)
		}
	}
	// The stored PDF is what every request gets, and its hash verifies.
	again, _, err := e.svc.PDF(ctx, e.u["merchant1"], e.c.ID)
	if err != nil || !bytes.Equal(again, pdf) {
		t.Errorf("second PDF differs (%v)", err)
	}
	sum, _ := rulings.ParseSHA256(sg2.PDFSHA256)
	if res, err := e.svc.Verify(ctx, sg.Doc.Number, sum); err != nil || !res.Genuine || res.Matched != "pdf" {
		t.Errorf("verify by PDF hash: got %+v, %v", res, err)
	}
}

func TestNoFontNoPDF(t *testing.T) {
	if _, err := rulings.FindFont(filepath.Join(t.TempDir(), "none.ttf")); err == nil {
		t.Error("FindFont of a missing file: got nil error")
	}
	// Noto CJK's .ttc (CFF outlines) is not usable by gopdf.
	if _, err := os.Stat("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"); err == nil {
		if _, err := rulings.FindFont("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"); err == nil {
			t.Error("FindFont accepted Noto CJK .ttc, which gopdf cannot embed")
		}
	}
	e := mustEnv(t, false)
	ctx := context.Background()
	judge := e.u["judge1"]
	ed, _ := e.svc.Draft(ctx, judge, e.c.ID)
	ed.Draft.Reasoning = "理由。"
	if _, err := e.svc.SaveDraft(ctx, judge, e.c.ID, ed.Draft); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Sign(ctx, judge, e.c.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.svc.PDF(ctx, e.u["claimant1"], e.c.ID)
	mustCode(t, err, court.ENOTFOUND)
}

// BenchmarkSignAndPDF signs one ruling and renders it to PDF (the signing
// transaction with its ledger leaf, then the PDF with the CJK font).
func BenchmarkSignAndPDF(b *testing.B) {
	e := mustEnv(b, true)
	ctx := context.Background()
	judge := e.u["judge1"]
	ed, _ := e.svc.Draft(ctx, judge, e.c.ID)
	ed.Draft.Reasoning = strings.Repeat("被告销售假冒商品，构成欺诈。", 40)
	cases := make([]int64, b.N)
	for i := range cases {
		c := e.served(b)
		if _, err := e.svc.SaveDraft(ctx, judge, c.ID, ed.Draft); err != nil {
			b.Fatal(err)
		}
		cases[i] = c.ID
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.svc.Sign(ctx, judge, cases[i]); err != nil {
			b.Fatal(err)
		}
	}
}

func TestVerifyJSON(t *testing.T) {
	key := testKey(t, "court.example/ledger")
	rec, _, err := rulings.Sign(sampleDoc(), key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"number": rec.Number, "record": rec})
	if d, _, err := rulings.VerifyJSON(key.VerifierKey(), b); err != nil || d.Number != rec.Number {
		t.Errorf("wrapped record: got %v, %v", d.Number, err)
	}
	b, _ = json.Marshal(rec)
	if _, _, err := rulings.VerifyJSON(key.VerifierKey(), b); err != nil {
		t.Errorf("bare record: %v", err)
	}
	if _, _, err := rulings.VerifyJSON(key.VerifierKey(), []byte(`{"x":1}`)); err != rulings.ErrMalformedInput {
		t.Errorf("not a record: got %v, want %v", err, rulings.ErrMalformedInput)
	}
}

// BenchmarkPDF renders one judgment to PDF (no database).
func BenchmarkPDF(b *testing.B) {
	f, err := rulings.FindFont("")
	if err != nil {
		b.Fatal(err)
	}
	d := sampleDoc()
	d.Reasoning = strings.Repeat("被告销售假冒商品，构成欺诈。", 40)
	for i := 0; i < b.N; i++ {
		if _, err := rulings.PDF(d, f, "https://court.example/verify?no=x&sha256=00"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRulingLeaf(t *testing.T) {
	sum := [32]byte{1, 2, 3}
	data := ledger.RulingLeaf(7, 9, sum)
	c, r, s, err := ledger.ParseRulingLeaf(data)
	if err != nil || c != 7 || r != 9 || s != sum {
		t.Errorf("ParseRulingLeaf: got %d %d %x %v", c, r, s, err)
	}
	for _, bad := range []string{string(data) + "x", strings.Replace(string(data), "case 7", "case 07", 1), "courtd-leaf/1 exhibit\n"} {
		if _, _, _, err := ledger.ParseRulingLeaf([]byte(bad)); err == nil {
			t.Errorf("ParseRulingLeaf(%q) accepted", bad)
		}
	}
}

// TestMediationAfterSettle: wired as courtd wires it, the judge's
// confirmation of a settlement signs and serves the mediation document.
func TestMediationAfterSettle(t *testing.T) {
	e := mustEnv(t, false)
	ctx := context.Background()
	var hookErr error
	e.dk.AfterSettle = func(ctx context.Context, judge *court.User, c *court.Case) {
		_, hookErr = e.svc.Mediate(ctx, judge, c.ID, "", "", 0)
	}
	o, err := e.dk.MakeOffer(ctx, e.u["merchant1"], e.c.ID, court.OfferTerms{Amount: 100000, Terms: "三日内退款",
		Expires: e.db.Now().In(court.Zone).AddDate(0, 0, 5).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dk.RespondOffer(ctx, e.u["claimant1"], e.c.ID, o.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.dk.ConfirmSettlement(ctx, e.u["judge1"], e.c.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if hookErr != nil {
		t.Fatal(hookErr)
	}
	sg, err := e.svc.Get(ctx, e.u["merchant1"], e.c.ID)
	if err != nil {
		t.Fatalf("no mediation document after the confirmation: %v", err)
	}
	if sg.Doc.Kind != rulings.Mediation || sg.Orders[0].Amount != 100000 || sg.Orders[0].DueDays != rulings.DefaultDueDays {
		t.Errorf("mediation document: got %+v", sg.Doc)
	}
}

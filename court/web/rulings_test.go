package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/rulings"
	"github.com/shangcheng-court/courtd/court/web"
)

func init() {
	// On a served case (party A: judge1 assigned) nothing is signed yet:
	// the signed document is "not found" to all, the draft is the judge's.
	noneSigned := map[string][2]int{
		"claimant1": {404, 404}, "claimant2": {404, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {404, 404}, "admin1": {404, 404},
	}
	judgeConflict := map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {409, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
	}
	accessMatrix = append(accessMatrix,
		matrixRoute{"GET", "/api/v1/cases/:id/rulings", court.CaseServed, nil, seeLikeCase},
		matrixRoute{"GET", "/api/v1/cases/:id/ruling", court.CaseServed, nil, noneSigned},
		matrixRoute{"GET", "/api/v1/cases/:id/ruling/pdf", court.CaseServed, nil, noneSigned},
		matrixRoute{"GET", "/api/v1/cases/:id/ruling/draft", court.CaseServed, nil, judgeOnly},
		matrixRoute{"PUT", "/api/v1/cases/:id/ruling/draft", court.CaseServed, func(*caseAPIClient) any { return draftBody() }, judgeOnly},
		matrixRoute{"POST", "/api/v1/cases/:id/ruling/sign", court.CaseServed, nil, judgeConflict}, // no draft yet
		matrixRoute{"POST", "/api/v1/cases/:id/mediation", court.CaseServed, nil, judgeConflict},   // not settled
	)
	matrixKeepsStatus["PUT /api/v1/cases/:id/ruling/draft"] = true
	judgeSees := func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
			"clerk1": {403, 403}, "judge1": {ok, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
		}
	}
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"GET", "/cases/:id/ruling", court.CaseServed, nil, noneSigned},
		pageMatrixRoute{"GET", "/cases/:id/ruling/pdf", court.CaseServed, nil, noneSigned},
		pageMatrixRoute{"GET", "/cases/:id/ruling/edit", court.CaseServed, nil, judgeSees(200)},
		pageMatrixRoute{"POST", "/cases/:id/ruling/edit", court.CaseServed, draftForm(), judgeSees(303)},
		pageMatrixRoute{"GET", "/cases/:id/ruling/preview", court.CaseServed, nil, judgeSees(200)},
		pageMatrixRoute{"POST", "/cases/:id/ruling/sign", court.CaseServed, url.Values{}, judgeSees(409)},
		pageMatrixRoute{"POST", "/cases/:id/mediation", court.CaseServed, url.Values{}, judgeSees(409)},
	)
	otherRoutes = append(otherRoutes,
		// Verification is public; without a number it is a form to fill.
		routeCheck{"GET", "/verify", "", nil, map[string]int{"anon": 200, "*": 200}},
		routeCheck{"POST", "/verify", "", formBody(url.Values{"no": {""}}), map[string]int{"anon": 400, "*": 400}},
		routeCheck{"GET", "/api/v1/verify", "", nil, map[string]int{"anon": 400, "*": 400}},
		routeCheck{"POST", "/api/v1/verify", "", func(*routeFixture) string { return `{"no":"x","sha256":"00"}` }, map[string]int{"anon": 400, "*": 400}},
	)
}

func draftBody() map[string]any {
	return map[string]any{"claims": "判令被告退款", "facts": "原告购买的龙井茶为假货。", "reasoning": "被告构成欺诈。",
		"evidence": "订单截图、鉴定意见", "exhibits": []string{"C-1", "C-2"}, "fee_borne": "respondent",
		"orders": []map[string]any{{"payer": "respondent", "payee": "claimant", "amount": 50000, "due_days": 10, "what": "货款"}}}
}

func draftForm() url.Values {
	return url.Values{"claims": {"判令被告退款"}, "facts": {"原告购买的龙井茶为假货。"}, "reasoning": {"被告构成欺诈。"},
		"exhibits": {"C-1, C-2"}, "fee_borne": {"shared"}, "payer_0": {"respondent"}, "payee_0": {"claimant"},
		"amount_0": {"500.00"}, "due_days_0": {"10"}, "what_0": {"货款"}}
}

// rulingServer is a court whose rulings service signs with a ledger key of
// its own and renders PDFs with the system's CJK font.
func rulingServer(t *testing.T) (*testServer, *ledger.Key) {
	t.Helper()
	svc := &rulings.Service{}
	ts := mustServer(t, func(c *web.Config) { c.Rulings = svc })
	key, err := ledger.LoadOrCreateKey(t.TempDir(), "court.test/ledger")
	if err != nil {
		t.Fatal(err)
	}
	font, err := rulings.FindFont("")
	if err != nil {
		t.Fatalf("%v: install fonts-droid-fallback (apt-get install -y fonts-droid-fallback)", err)
	}
	// The service is filled in now that the database exists; no request
	// has reached it yet.
	*svc = *rulings.New(ts.DB, key, ts.Dk.Profile, font, ts.URL)
	return ts, key
}

type apiSignedDoc struct {
	Number    string           `json:"number"`
	Record    rulings.Record   `json:"record"`
	Document  rulings.Document `json:"document"`
	PDFSHA256 string           `json:"pdf_sha256"`
	VerifyURL string           `json:"verify_url"`
	Views     []struct {
		UserID int64 `json:"user_id"`
	} `json:"views"`
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (apt-get install -y poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.ReplaceAll(string(out), "\n", "")
}

func TestRulingAPI(t *testing.T) {
	ts, key := rulingServer(t)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	cs := a.dbCase(id)
	p := func(s string) string { return casePath(id, s) }

	res, e := a.call("judge1", "GET", p("/ruling/draft"), nil)
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"amount":`) {
		t.Fatalf("GET draft: got %d %+v %s", res.StatusCode, e, res.Body)
	}
	bad := draftBody()
	bad["orders"] = []map[string]any{{"payer": "respondent", "payee": "respondent", "amount": -1, "due_days": 0}}
	if res, e := a.call("judge1", "PUT", p("/ruling/draft"), bad); res.StatusCode != 400 ||
		e.Error.Fields["orders.0.payee"] == "" || e.Error.Fields["orders.0.amount"] == "" || e.Error.Fields["orders.0.due_days"] == "" {
		t.Errorf("PUT bad draft: got %d %+v, want 400 naming payee, amount, due_days", res.StatusCode, e.Error)
	}
	if res, e := a.call("judge1", "PUT", p("/ruling/draft"), draftBody()); res.StatusCode != 200 {
		t.Fatalf("PUT draft: got %d %+v", res.StatusCode, e.Error)
	}
	if res, _ := a.call("claimant1", "GET", p("/ruling"), nil); res.StatusCode != 404 {
		t.Errorf("claimant GET before signing: got %d, want 404", res.StatusCode)
	}
	if res, _ := a.call("claimant1", "GET", p("/rulings"), nil); !strings.Contains(res.Body, `"rulings":[]`) {
		t.Errorf("claimant's list before signing shows the draft: %s", res.Body)
	}

	res, e = a.call("judge1", "POST", p("/ruling/sign"), nil)
	if res.StatusCode != 200 {
		t.Fatalf("sign: got %d %+v", res.StatusCode, e.Error)
	}
	var sg apiSignedDoc
	decodeInto(t, res, &sg)
	if _, err := rulings.Verify(key.VerifierKey(), sg.Record); err != nil {
		t.Errorf("the signed record does not verify offline: %v", err)
	}
	if sg.Number != cs.DocketNo || len(sg.Document.Exhibits) != 2 {
		t.Errorf("signed: number %q (want %q), exhibits %v", sg.Number, cs.DocketNo, sg.Document.Exhibits)
	}
	if got := a.dbCase(id).Status; got != court.CaseRuled {
		t.Errorf("case status: got %s, want ruled", got)
	}
	if res, _ := a.call("judge1", "PUT", p("/ruling/draft"), draftBody()); res.StatusCode != 409 {
		t.Errorf("changing a signed ruling: got %d, want 409", res.StatusCode)
	}

	// Who reads the signed ruling: the parties and the court's people on the
	// case; to everyone else it does not exist.
	want := map[string]int{"claimant1": 200, "merchant1": 200, "judge1": 200, "mediator1": 200, "clerk1": 200, "admin1": 200,
		"claimant2": 404, "merchant2": 404, "agent1": 404}
	for who, code := range want {
		if res, _ := a.call(who, "GET", p("/ruling"), nil); res.StatusCode != code {
			t.Errorf("%s GET ruling: got %d, want %d", who, res.StatusCode, code)
		}
	}
	res, _ = a.call("clerk1", "GET", p("/ruling"), nil)
	decodeInto(t, res, &sg)
	if len(sg.Views) != 2 {
		t.Errorf("first views: got %+v, want claimant1 and merchant1", sg.Views)
	}
	// Served: a notice to each party.
	for _, who := range []string{"claimant1", "merchant1"} {
		ns, _, err := ts.DB.Notices(t.Context(), a.ids[who], 50)
		if err != nil {
			t.Fatal(err)
		}
		ok := false
		for _, n := range ns {
			ok = ok || n.Kind == rulings.NoticeRulingServed
		}
		if !ok {
			t.Errorf("%s was not served", who)
		}
	}

	// The PDF: Chinese text with the docket number and the parties' names.
	res, _ = a.call("merchant1", "GET", p("/ruling/pdf"), nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET pdf: got %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	pdf := []byte(res.Body)
	txt := pdftotext(t, pdf)
	for _, w := range []string{cs.DocketNo, sg.Document.Claimant.Name, cs.MerchantName, "本判决为终审判决", sg.Record.SHA256} {
		if !strings.Contains(txt, w) {
			t.Errorf("PDF text lacks %q:\n%s", w, txt)
		}
	}

	// Verification, public: by the printed hash, by the PDF file, and the
	// ways a copy is not genuine. Nothing about the parties is told.
	q := "/api/v1/verify?no=" + url.QueryEscape(cs.DocketNo) + "&sha256=" + sg.Record.SHA256
	res, _ = a.c.api("GET", q, "", "", "")
	if res.StatusCode != 200 || !strings.Contains(res.Body, `"genuine":true`) {
		t.Errorf("verify by hash: got %d %s", res.StatusCode, res.Body)
	}
	for _, name := range []string{sg.Document.Claimant.Name, cs.MerchantName} {
		if strings.Contains(res.Body, name) {
			t.Errorf("verification reveals %q: %s", name, res.Body)
		}
	}
	other := strings.Repeat("0", 64)
	res, _ = a.c.api("POST", "/api/v1/verify", "", "application/json", `{"no":"`+cs.DocketNo+`","sha256":"`+other+`"}`)
	if !strings.Contains(res.Body, `"genuine":false`) || !strings.Contains(res.Body, `"reason":"different_document"`) || strings.Contains(res.Body, "signed_at") {
		t.Errorf("verify a different copy: %s", res.Body)
	}
	res, _ = a.c.api("GET", "/api/v1/verify?no=nosuch&sha256="+sg.Record.SHA256, "", "", "")
	if !strings.Contains(res.Body, `"reason":"unknown_number"`) {
		t.Errorf("verify an unknown number: %s", res.Body)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("no", cs.DocketNo)
	fw, _ := mw.CreateFormFile("file", "ruling.pdf")
	fw.Write(pdf)
	mw.Close()
	res, _ = a.c.api("POST", "/api/v1/verify", "", mw.FormDataContentType(), body.String())
	if !strings.Contains(res.Body, `"genuine":true`) || !strings.Contains(res.Body, `"matched":"pdf"`) {
		t.Errorf("verify the uploaded PDF: %s", res.Body)
	}
	tampered := bytes.Clone(pdf)
	tampered[len(tampered)/2] ^= 1
	body.Reset()
	mw = multipart.NewWriter(&body)
	mw.WriteField("no", cs.DocketNo)
	fw, _ = mw.CreateFormFile("file", "ruling.pdf")
	fw.Write(tampered)
	mw.Close()
	res, _ = a.c.api("POST", "/api/v1/verify", "", mw.FormDataContentType(), body.String())
	if !strings.Contains(res.Body, `"reason":"different_document"`) {
		t.Errorf("verify a changed PDF: %s", res.Body)
	}

	// The verification page, in both languages, from the QR code's address.
	u, err := url.Parse(sg.VerifyURL)
	if err != nil || !strings.HasPrefix(sg.VerifyURL, ts.URL+"/verify?") {
		t.Fatalf("verify URL %q", sg.VerifyURL)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		c := ts.client(t)
		c.Lang = lang
		res := c.get("/verify?" + u.RawQuery)
		if res.StatusCode != 200 || !strings.Contains(res.Body, `data-genuine="true"`) ||
			!strings.Contains(res.Body, ts.Cat.M(lang, court.Msg("verify.genuine"))) || strings.Contains(res.Body, cs.MerchantName) {
			t.Errorf("%s verify page: got %d\n%s", lang, res.StatusCode, res.Body)
		}
		res = c.get("/verify?no=" + url.QueryEscape(cs.DocketNo) + "&sha256=" + other)
		if !strings.Contains(res.Body, ts.Cat.M(lang, court.Msg("verify.reason_different_document"))) {
			t.Errorf("%s verify page, other copy: %s", lang, res.Body)
		}
	}
}

func TestRulingPages(t *testing.T) {
	ts, _ := rulingServer(t)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	cs := a.dbCase(id)
	base := "/cases/" + strconv.FormatInt(id, 10) + "/ruling"

	judge := ts.client(t)
	judge.login("judge1")
	res := judge.get(base + "/edit")
	if res.StatusCode != 200 || !strings.Contains(res.Body, `name="reasoning"`) || !strings.Contains(res.Body, cs.Facts) {
		t.Fatalf("edit page: got %d\n%s", res.StatusCode, res.Body)
	}
	form := draftForm()
	form.Set("amount_0", "-5")
	res = judge.postForm(base+"/edit", base+"/edit", form)
	if res.StatusCode != 400 || !strings.Contains(res.Body, `id="e-amount_0"`) {
		t.Errorf("bad amount: got %d, want 400 with the amount's error", res.StatusCode)
	}
	res = judge.postForm(base+"/edit", base+"/edit", draftForm())
	if res.StatusCode != 303 {
		t.Fatalf("save draft: got %d\n%s", res.StatusCode, res.Body)
	}
	res = judge.get(base + "/preview")
	if !strings.Contains(res.Body, `id="draft-mark"`) || !strings.Contains(res.Body, "被告构成欺诈。") || !strings.Contains(res.Body, cs.DocketNo) {
		t.Errorf("preview: %s", res.Body)
	}
	if res := judge.get(base + "/preview?doc=en"); !strings.Contains(res.Body, "Civil Judgment") {
		t.Errorf("English preview lacks its title: %s", res.Body)
	}
	res = judge.postForm(base+"/edit", base+"/sign", url.Values{})
	if res.StatusCode != 303 || res.Header.Get("Location") != base+"?notice=ruling_signed" {
		t.Fatalf("sign: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	claimant := ts.client(t)
	claimant.login("claimant1")
	res = claimant.get(base)
	for _, w := range []string{cs.DocketNo, cs.MerchantName, "民事判决书", "本判决为终审判决", "由原告负担", "C-1, C-2"} {
		if !strings.Contains(res.Body, w) {
			t.Errorf("printable ruling lacks %q", w)
		}
	}
	if res := claimant.get(base + "?doc=en"); !strings.Contains(res.Body, "This judgment is final") {
		t.Errorf("English rendering lacks the finality statement")
	}
	// The verify page takes the PDF itself, as a visitor uploads it.
	pdf := claimant.get(base + "/pdf")
	if pdf.StatusCode != 200 {
		t.Fatalf("PDF page: got %d", pdf.StatusCode)
	}
	visitor := ts.client(t)
	tok := visitor.csrf("/verify")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", tok)
	mw.WriteField("no", cs.DocketNo)
	fw, _ := mw.CreateFormFile("file", "ruling.pdf")
	fw.Write([]byte(pdf.Body))
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/verify", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if res := visitor.do(req); res.StatusCode != 200 || !strings.Contains(res.Body, `data-genuine="true"`) || strings.Contains(res.Body, cs.MerchantName) {
		t.Errorf("verify page with the PDF: got %d\n%s", res.StatusCode, res.Body)
	}

	other := ts.client(t)
	other.login("claimant2")
	if res := other.get(base); res.StatusCode != 404 {
		t.Errorf("claimant2 on another's ruling: got %d, want 404", res.StatusCode)
	}
	var sg apiSignedDoc
	r, _ := a.call("judge1", "GET", casePath(id, "/ruling"), nil)
	if err := json.Unmarshal([]byte(r.Body), &sg); err != nil {
		t.Fatal(err)
	}
	if len(sg.Views) != 1 || sg.Views[0].UserID != a.ids["claimant1"] {
		t.Errorf("views: got %+v, want claimant1's", sg.Views)
	}
}

func TestRulingLinksOnCasePage(t *testing.T) {
	ts, _ := rulingServer(t)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	path := "/cases/" + strconv.FormatInt(id, 10)
	judge := ts.client(t)
	judge.login("judge1")
	if res := judge.get(path); !strings.Contains(res.Body, `href="`+path+`/ruling/edit"`) {
		t.Errorf("the judge's case page has no link to draft the ruling")
	}
	claimant := ts.client(t)
	claimant.login("claimant1")
	if res := claimant.get(path); strings.Contains(res.Body, "/ruling/edit") || strings.Contains(res.Body, `id="read-ruling"`) {
		t.Errorf("the claimant's page of an open case links to a ruling")
	}
	a.call("judge1", "PUT", casePath(id, "/ruling/draft"), draftBody())
	if res, e := a.call("judge1", "POST", casePath(id, "/ruling/sign"), nil); res.StatusCode != 200 {
		t.Fatalf("sign: %d %+v", res.StatusCode, e)
	}
	if res := claimant.get(path); !strings.Contains(res.Body, `href="`+path+`/ruling"`) {
		t.Errorf("the claimant's page of a ruled case has no link to the ruling")
	}
}

package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/publication"
	"github.com/shangcheng-court/courtd/court/rulings"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/court/web"
)

func init() {
	// Only the case's judge seals; who sees the case otherwise is refused,
	// everyone else does not see it.
	sealers := func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
			"clerk1": {403, 403}, "judge1": {ok, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
		}
	}
	accessMatrix = append(accessMatrix,
		matrixRoute{"POST", "/api/v1/cases/:id/seal", court.CaseServed, map[string]any{"reason": "涉及未成年人隐私"}, sealers(200)})
	matrixKeepsStatus["POST /api/v1/cases/:id/seal"] = true // sealing does not move the case
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"GET", "/cases/:id/seal", court.CaseServed, nil, sealers(200)},
		pageMatrixRoute{"POST", "/cases/:id/seal", court.CaseServed, url.Values{"reason": {"涉及未成年人隐私"}}, sealers(303)},
	)
	public := map[string]int{"anon": 200, "*": 200}
	otherRoutes = append(otherRoutes,
		routeCheck{"GET", "/decisions", "", nil, public},
		routeCheck{"GET", "/decisions/:id", "/decisions/999999", nil, map[string]int{"anon": 404, "*": 404}},
		routeCheck{"GET", "/api/v1/decisions", "", nil, public},
		routeCheck{"GET", "/api/v1/decisions/export", "", nil, public},
		routeCheck{"GET", "/api/v1/decisions/:id", "/api/v1/decisions/999999", nil, map[string]int{"anon": 404, "*": 404}},
	)
}

// pubServer is a court that signs rulings (as rulingServer) and whose
// publication service the test drives.
func pubServer(t *testing.T) (*testServer, *publication.Service) {
	t.Helper()
	rs, pub := &rulings.Service{}, &publication.Service{}
	ts := mustServer(t, func(c *web.Config) { c.Rulings, c.Publication = rs, pub })
	key, err := ledger.LoadOrCreateKey(t.TempDir(), "court.test/ledger")
	if err != nil {
		t.Fatal(err)
	}
	// No request has reached either service yet.
	*rs = *rulings.New(ts.DB, key, ts.Dk.Profile, nil, ts.URL)
	*pub = *publication.New(ts.DB, ts.Acc.Keys, nil)
	return ts, pub
}

// person is a party with distinctive data the published text must not hold.
type person struct {
	user, name, mobile, id, email string
}

func (p person) register(t *testing.T, ts *testServer, a *caseAPIClient) {
	t.Helper()
	if _, err := ts.Acc.RegisterConsumer(context.Background(), court.ConsumerRegistration{Username: p.user,
		Password: "demo-" + p.user + "-Pass1", Name: p.name, Mobile: p.mobile, ResidentID: p.id, Email: p.email}); err != nil {
		t.Fatalf("register %s: %v", p.user, err)
	}
	res, _ := a.c.api("POST", "/api/v1/tokens", "", "application/json",
		`{"username":"`+p.user+`","password":"demo-`+p.user+`-Pass1"}`)
	var tok struct {
		Token string `json:"token"`
	}
	decodeInto(t, res, &tok)
	if tok.Token == "" {
		t.Fatalf("token for %s: %d %s", p.user, res.StatusCode, res.Body)
	}
	a.tok[p.user] = tok.Token
}

// ruledCase files a case for p with the given facts and order reference,
// has it accepted, assigned to judge1, drafted with the facts and reasoning
// given and signed. It returns the case.
func ruledCase(t *testing.T, a *caseAPIClient, p person, orderRef, facts, reasoning string) *court.Case {
	t.Helper()
	f := a.filing(true)
	f["order_ref"], f["facts"] = orderRef, facts
	id := a.mustCase(p.user, "POST", "/api/v1/cases", f, http.StatusCreated).ID
	a.mustCase("clerk1", "POST", casePath(id, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	if _, err := a.ts.DB.ChangeCase(context.Background(), id, storage.Change{From: court.CaseServed, To: court.CaseServed,
		Set: map[string]any{"judge_id": a.ids["judge1"]}}); err != nil {
		t.Fatal(err)
	}
	d := draftBody()
	d["facts"], d["reasoning"] = facts, reasoning
	d["evidence"] = "原告提交的订单截图（订单号" + orderRef + "）、聊天记录。"
	if res, e := a.call("judge1", "PUT", casePath(id, "/ruling/draft"), d); res.StatusCode != 200 {
		t.Fatalf("draft: %d %+v", res.StatusCode, e.Error)
	}
	if res, e := a.call("judge1", "POST", casePath(id, "/ruling/sign"), nil); res.StatusCode != 200 {
		t.Fatalf("sign: %d %+v", res.StatusCode, e.Error)
	}
	return a.dbCase(id)
}

var (
	reValidID = regexp.MustCompile(`\d{17}[\dXx]`)
	reMobile  = regexp.MustCompile(`1[3-9]\d{9}`)
)

// assertClean fails if body holds any of secrets, a valid resident ID or
// an 11-digit mobile number.
func assertClean(t *testing.T, what, body string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("%s holds %q", what, s)
		}
	}
	for _, m := range reValidID.FindAllString(body, -1) {
		if court.ResidentIDCheck(m[:17]) == strings.ToUpper(m[17:])[0] {
			t.Errorf("%s holds the resident ID %s", what, m)
		}
	}
	if m := reMobile.FindString(body); m != "" {
		t.Errorf("%s holds the mobile number %s", what, m)
	}
}

func residentIDOf(first17 string) string { return first17 + string(court.ResidentIDCheck(first17)) }

func TestPublicationWithoutPersonalData(t *testing.T) {
	ts, pub := pubServer(t)
	a := newCaseAPI(t, ts)
	ctx := context.Background()
	sima := person{"sima", "司马翠花", "13712345678", residentIDOf("33010519880412761"), "cuihua.sima@example.org"}
	alice := person{"alice", "Alice Walker", "15987654321", residentIDOf("11010119900101123"), "alice.walker@example.net"}
	sima.register(t, ts, a)
	alice.register(t, ts, a)

	facts := "原告司马翠花（手机13712345678，身份证号" + sima.id + "，邮箱cuihua.sima@example.org）住浙江省杭州市拱墅区莫干山路1188号5幢302室，" +
		"于2026年10月通过订单号JD-88664422购买龙井茶500克，收到后经鉴定为假冒产品。另留座机0571-86001234。"
	reasoning := "翠花提交的证据能够证明被告销售假冒龙井茶。依照《中华人民共和国消费者权益保护法》第五十五条第一款，被告应退还货款128.00元。" +
		"原告身份证号" + sima.id[:6] + " " + sima.id[6:14] + " " + sima.id[14:] + "。"
	published := ruledCase(t, a, sima, "JD-88664422", facts, reasoning)
	en := ruledCase(t, a, alice, "ORD-55331177",
		"Alice Walker (mobile 15987654321, alice.walker@example.net) lives at 12 Baker Street; order no. ORD-55331177 龙井茶 was fake.",
		"Alice Walker proved the tea was counterfeit; 身份证 "+alice.id+"。")
	sealedLater := ruledCase(t, a, sima, "JD-11110000", "原告司马翠花购买的碧螺春为假货，订单号JD-11110000。", "被告构成欺诈，应当赔偿。")
	sealedFirst := ruledCase(t, a, sima, "JD-22220000", "原告司马翠花购买的白茶为假货，订单号JD-22220000。", "被告构成欺诈，应当赔偿。")

	// A judge seals one case before it is published: it never is.
	if res, e := a.call("judge1", "POST", casePath(sealedFirst.ID, "/seal"), map[string]any{"reason": "涉及未成年人隐私"}); res.StatusCode != 200 {
		t.Fatalf("seal: got %d %+v", res.StatusCode, e.Error)
	}
	if n, err := pub.PublishPending(ctx); err != nil || n != 3 {
		t.Fatalf("PublishPending: got %d, %v; want 3, nil", n, err)
	}
	if n, err := pub.PublishPending(ctx); err != nil || n != 0 {
		t.Fatalf("PublishPending again: got %d, %v; want 0, nil (each document is published once)", n, err)
	}
	if ps, err := ts.DB.PublicationsOfCase(ctx, sealedFirst.ID); err != nil || len(ps) != 0 {
		t.Errorf("sealed case: got %d publications (%v), want none", len(ps), err)
	}
	// A publication in flight when the seal came is refused in its own
	// transaction.
	rs, err := ts.DB.RulingsOfCase(ctx, sealedFirst.ID)
	if err != nil || len(rs) != 1 {
		t.Fatalf("rulings of the sealed case: %v", err)
	}
	if _, ok, err := ts.DB.Publish(ctx, storage.Publication{RulingID: rs[0].ID, CaseID: sealedFirst.ID, Number: "x",
		Kind: "judgment", Category: "quality", Year: 2026, Outcome: "upheld", Body: "{}", PublishedAt: ts.DB.Now()}, "x"); ok || err != nil {
		t.Errorf("publishing a sealed case's ruling: got ok %v, %v; want refused without error", ok, err)
	}
	// And one after: it is withdrawn everywhere at once.
	if res, e := a.call("judge1", "POST", casePath(sealedLater.ID, "/seal"), map[string]any{"reason": "当事人申请不公开，涉及商业秘密"}); res.StatusCode != 200 {
		t.Fatalf("seal: got %d %+v", res.StatusCode, e.Error)
	}
	if res, e := a.call("judge1", "POST", casePath(sealedLater.ID, "/seal"), map[string]any{"reason": "再次"}); res.StatusCode != 409 || e.Error.Code != "conflict" {
		t.Errorf("sealing twice: got %d %+v, want 409", res.StatusCode, e.Error)
	}
	if res, e := a.call("judge1", "POST", casePath(published.ID, "/seal"), map[string]any{"reason": " "}); res.StatusCode != 400 || e.Error.Fields["reason"] == "" {
		t.Errorf("sealing without a reason: got %d %+v, want 400 naming reason", res.StatusCode, e.Error)
	}
	entries, err := ts.DB.Docket(ctx, sealedLater.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	onDocket := false
	for _, e := range entries {
		onDocket = onDocket || e.Kind == publication.EntrySealed && e.Text == "当事人申请不公开，涉及商业秘密"
	}
	if !onDocket {
		t.Errorf("the seal and its reason are not on the docket: %+v", entries)
	}

	secrets := []string{sima.name, "翠花", sima.mobile, sima.id, sima.email, court.MaskResidentID(sima.id), "JD-88664422", "JD-11110000",
		"莫干山路", "1188号", "302室", "86001234", alice.name, "Alice", "Walker", alice.mobile, alice.id, alice.email,
		"ORD-55331177", "Baker Street"}
	anon := ts.client(t)
	api := func(path string) *response {
		t.Helper()
		res, _ := a.c.api("GET", path, "", "", "")
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: got %d, want 200: %s", path, res.StatusCode, res.Body)
		}
		return res
	}

	// The search, without logging in: the published cases and not the
	// sealed ones; the text masked.
	res := api("/api/v1/decisions?q=" + url.QueryEscape("龙井茶"))
	assertClean(t, "API search", res.Body, secrets)
	for _, c := range []*court.Case{published, en} {
		if !strings.Contains(res.Body, c.DocketNo) {
			t.Errorf("search 龙井茶: %s missing from %s", c.DocketNo, res.Body)
		}
	}
	if !strings.Contains(res.Body, "司马某") || !strings.Contains(res.Body, `"claimant":"A."`) ||
		!strings.Contains(res.Body, "杭州西湖龙井茶业有限公司") || !strings.Contains(res.Body, "第五十五条第一款") ||
		!strings.Contains(res.Body, "128.00元") || !strings.Contains(res.Body, "住浙江省杭州市拱墅区×××") {
		t.Errorf("published text: want the masked names, the merchant, the law, the amount and the district kept: %s", res.Body)
	}
	// Searching FOR a person finds nothing.
	for _, q := range []string{sima.name, "翠花", sima.mobile, sima.id, sima.email, "JD-88664422", "莫干山路1188号", "Walker", alice.mobile} {
		res := api("/api/v1/decisions?q=" + url.QueryEscape(q))
		if !strings.Contains(res.Body, `"decisions":[]`) {
			t.Errorf("search for %q finds: %s", q, res.Body)
		}
	}
	// The sealed cases are nowhere: search, filters, page, API, export.
	all := api("/api/v1/decisions?limit=100")
	for _, c := range []*court.Case{sealedLater, sealedFirst} {
		if strings.Contains(all.Body, c.DocketNo) {
			t.Errorf("sealed case %s is listed", c.DocketNo)
		}
	}
	if res := api("/api/v1/decisions?q=" + url.QueryEscape("碧螺春")); !strings.Contains(res.Body, `"decisions":[]`) {
		t.Errorf("the sealed case's text is found: %s", res.Body)
	}
	ps, err := ts.DB.PublicationsOfCase(ctx, sealedLater.ID)
	if err != nil || len(ps) != 1 || ps[0].WithdrawnAt == nil {
		t.Fatalf("sealed after publication: got %+v (%v), want one withdrawn publication", ps, err)
	}
	sealedID := strconv.FormatInt(ps[0].ID, 10)
	if res, _ := a.c.api("GET", "/api/v1/decisions/"+sealedID, "", "", ""); res.StatusCode != 404 {
		t.Errorf("API of a sealed decision: got %d, want 404", res.StatusCode)
	}
	if res := anon.get("/decisions/" + sealedID); res.StatusCode != 404 {
		t.Errorf("page of a sealed decision: got %d, want 404", res.StatusCode)
	}

	// Filters and paging.
	year := strconv.Itoa(ts.DB.Now().In(court.Zone).Year())
	if res := api("/api/v1/decisions?category=quality&outcome=upheld&year=" + year); !strings.Contains(res.Body, published.DocketNo) {
		t.Errorf("filters category, outcome, year: %s", res.Body)
	}
	if res := api("/api/v1/decisions?outcome=dismissed"); !strings.Contains(res.Body, `"decisions":[]`) {
		t.Errorf("outcome dismissed: %s", res.Body)
	}
	if res := api("/api/v1/decisions?limit=1"); !strings.Contains(res.Body, `"more":true`) || !strings.Contains(res.Body, `"next_offset":1`) {
		t.Errorf("paging: %s", res.Body)
	}
	for _, bad := range []string{"year=abc", "year=1800", "outcome=won", "category=x", "offset=-1", "limit=1000", "q=" + strings.Repeat("茶", 201)} {
		if res, e := a.c.api("GET", "/api/v1/decisions?"+bad, "", "", ""); res.StatusCode != 400 || e.Error.Code != "invalid" {
			t.Errorf("?%s: got %d %+v, want 400", bad, res.StatusCode, e.Error)
		}
	}

	// The decision page, in both languages, and its API.
	var list struct {
		Decisions []publication.Decision `json:"decisions"`
	}
	decodeInto(t, all, &list)
	if len(list.Decisions) != 2 {
		t.Fatalf("published: got %d decisions, want 2", len(list.Decisions))
	}
	for _, d := range list.Decisions {
		path := "/decisions/" + strconv.FormatInt(d.ID, 10)
		for _, lang := range []string{"zh-CN", "en"} {
			anon.Lang = lang
			res := anon.get(path)
			if res.StatusCode != 200 || !strings.Contains(res.Body, d.Number) {
				t.Errorf("GET %s (%s): got %d, want the decision", path, lang, res.StatusCode)
			}
			assertClean(t, "page "+path+" "+lang, res.Body, secrets)
		}
		assertClean(t, "API "+path, api("/api/v1"+path).Body, secrets)
	}
	anon.Lang = "en"
	if res := anon.get("/decisions?q=" + url.QueryEscape("龙井茶")); res.StatusCode != 200 || !strings.Contains(res.Body, "Published decisions") ||
		!strings.Contains(res.Body, published.DocketNo) {
		t.Errorf("search page (en): got %d", res.StatusCode)
	} else {
		assertClean(t, "search page", res.Body, secrets)
	}
	anon.Lang = "zh-CN"
	if res := anon.get("/decisions?year=abc"); res.StatusCode != 400 || !strings.Contains(res.Body, "裁判文书公开") {
		t.Errorf("search page with a bad year: got %d, want 400 with the form", res.StatusCode)
	}

	// The export, JSON and CSV, a page at a time.
	res = api("/api/v1/decisions/export?limit=1")
	assertClean(t, "JSON export", res.Body, secrets)
	var page1 struct {
		Decisions []publication.Decision `json:"decisions"`
		Next      string                 `json:"next"`
	}
	decodeInto(t, res, &page1)
	if len(page1.Decisions) != 1 || page1.Next == "" || !strings.Contains(res.Header.Get("Link"), `rel="next"`) {
		t.Fatalf("export page 1: %s (Link %q)", res.Body, res.Header.Get("Link"))
	}
	first := page1.Decisions[0].ID
	res = api(page1.Next)
	page1.Decisions = nil
	decodeInto(t, res, &page1)
	if len(page1.Decisions) != 1 || page1.Decisions[0].ID <= first {
		t.Errorf("export page 2: want the next decision after %d: %s", first, res.Body)
	}
	res = api("/api/v1/decisions/export?format=csv")
	assertClean(t, "CSV export", res.Body, secrets)
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][1] != "number" {
		t.Fatalf("CSV export: %d rows (%v): %s", len(rows), err, res.Body)
	}
	if !strings.Contains(res.Body, published.DocketNo) || !strings.Contains(res.Body, en.DocketNo) ||
		strings.Contains(res.Body, sealedLater.DocketNo) || strings.Contains(res.Body, sealedFirst.DocketNo) {
		t.Errorf("CSV export: want the two published cases, not the sealed ones")
	}
	for _, bad := range []string{"format=xml", "after=-1", "limit=0", "limit=501"} {
		if res, _ := a.c.api("GET", "/api/v1/decisions/export?"+bad, "", "", ""); res.StatusCode != 400 {
			t.Errorf("export ?%s: got %d, want 400", bad, res.StatusCode)
		}
	}

	// What is stored is what is shown: fixed, with its hash.
	stored, err := ts.DB.PublicationsOfCase(ctx, published.ID)
	if err != nil || len(stored) != 1 {
		t.Fatalf("stored publication: %v", err)
	}
	if _, err := ts.DB.Writer().Exec(`UPDATE publications SET body = '{}' WHERE id = ?`, stored[0].ID); err == nil ||
		!strings.Contains(err.Error(), "cannot change") {
		t.Errorf("changing a publication: got %v, want the trigger's refusal", err)
	}
}

func TestSealPage(t *testing.T) {
	ts, _ := pubServer(t)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	c := ts.client(t)
	c.login("judge1")
	path := "/cases/" + strconv.FormatInt(id, 10) + "/seal"
	if res := c.get(path); res.StatusCode != 200 || !strings.Contains(res.Body, `id="seal-form"`) {
		t.Fatalf("GET %s: got %d", path, res.StatusCode)
	}
	if res := c.postForm(path, path, url.Values{"reason": {""}}); res.StatusCode != 400 || !strings.Contains(res.Body, `id="seal-form"`) {
		t.Errorf("empty reason: got %d, want 400 with the form", res.StatusCode)
	}
	res := c.postForm(path, path, url.Values{"reason": {"涉及个人隐私"}})
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "notice=case_sealed") {
		t.Fatalf("seal: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.get(path); res.StatusCode != 200 || !strings.Contains(res.Body, `id="sealed"`) || !strings.Contains(res.Body, "涉及个人隐私") {
		t.Errorf("sealed case's page: got %d, want the seal and its reason", res.StatusCode)
	}
	if res := c.get("/cases/" + strconv.FormatInt(id, 10)); !strings.Contains(res.Body, "涉及个人隐私") {
		t.Errorf("the case page's docket does not show the seal's reason")
	}
}

package web_test

// Tests of the mediator's proposals over the API and on the case page, and
// their rows in the access matrices.

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// storeMatrixProposal stores an open proposal of the mediator on case id
// (in storage: on parties B and C's cases mediator1 is not assigned, and
// the matrix still needs a proposal there); with agreed, both parties have
// accepted it and it waits for the judge.
func storeMatrixProposal(tb testing.TB, db *storage.DB, id int64, state court.CaseStatus, mediatorID int64, agreed bool, claimantID, merchantID int64) {
	tb.Helper()
	ctx := context.Background()
	same := func(*court.Offer) storage.Change { return storage.Change{From: state, To: state} }
	o, err := db.CreateOffer(ctx, court.Offer{CaseID: id, ByID: mediatorID, ByRole: court.RoleMediator, Amount: 9000,
		Terms: "七日内退款", ExpiresAt: time.Now().Add(72 * time.Hour)}, nil, same(nil))
	if err != nil {
		tb.Fatalf("fixture proposal: %v", err)
	}
	if !agreed {
		return
	}
	for _, pa := range []storage.ProposalAnswer{
		{CaseID: id, OfferID: o.ID, Side: court.RoleClaimant, By: claimantID, Accept: true},
		{CaseID: id, OfferID: o.ID, Side: court.RoleMerchant, By: merchantID, Accept: true},
	} {
		if _, err := db.AnswerProposal(ctx, pa, same); err != nil {
			tb.Fatalf("fixture acceptance: %v", err)
		}
	}
}

func init() {
	// Only the case's mediator proposes and withdraws; the parties, not
	// the mediator, answer the proposal (each may); the judge confirms a
	// proposal both accepted.
	mediatorOnly := func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {ok, 404}, "agent1": {403, 404}, "admin1": {403, 403},
		}
	}
	bothParties := func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {ok, 404}, "claimant2": {ok, 404}, "merchant1": {ok, 404}, "merchant2": {ok, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {ok, 404}, "admin1": {403, 403},
		}
	}
	accessMatrix = append(accessMatrix,
		matrixRoute{"POST", "/api/v1/cases/:id/proposals", court.CaseServed, func(*caseAPIClient) any { return offerBody() }, mediatorOnly(201)},
		matrixRoute{"POST", "/api/v1/cases/:id/proposals", court.CaseAnswered, func(*caseAPIClient) any { return offerBody() }, mediatorOnly(201)},
		matrixRoute{"POST", "/api/v1/cases/:id/offers/:offer/withdraw", "served/proposal", nil, mediatorOnly(200)},
		matrixRoute{"GET", "/api/v1/cases/:id/offers", "served/proposal", nil, seeLikeCase},
		matrixRoute{"POST", "/api/v1/cases/:id/offers/:offer/accept", "served/proposal", nil, bothParties(200)},
		matrixRoute{"POST", "/api/v1/cases/:id/offers/:offer/reject", "served/proposal", nil, bothParties(200)},
		matrixRoute{"POST", "/api/v1/cases/:id/offers/:offer/counter", "served/proposal", func(*caseAPIClient) any { return offerBody() }, bothParties(201)},
		matrixRoute{"POST", "/api/v1/cases/:id/confirm", "served/agreed", map[string]any{"decision": "confirm"}, judgeOnly},
	)
	matrixKeepsStatus["POST /api/v1/cases/:id/proposals"] = true
	matrixKeepsStatus["POST /api/v1/cases/:id/offers/:offer/withdraw"] = true

	pageMediatorOnly := mediatorOnly(303)
	pageBoth := bothParties(303)
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"GET", "/cases/:id", "served/proposal", nil, map[string][2]int{
			"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
			"clerk1": {200, 200}, "judge1": {200, 404}, "mediator1": {200, 404}, "agent1": {200, 404}, "admin1": {200, 200},
		}},
		pageMatrixRoute{"POST", "/cases/:id/proposals", court.CaseServed, pageOfferForm(), pageMediatorOnly},
		pageMatrixRoute{"POST", "/cases/:id/offers/:offer/withdraw", "served/proposal", url.Values{}, pageMediatorOnly},
		pageMatrixRoute{"POST", "/cases/:id/offers/:offer/accept", "served/proposal", url.Values{}, pageBoth},
		pageMatrixRoute{"POST", "/cases/:id/offers/:offer/reject", "served/proposal", url.Values{}, pageBoth},
		pageMatrixRoute{"POST", "/cases/:id/offers/:offer/counter", "served/proposal", pageOfferForm(), pageBoth},
	)
}

// TestAPIMediation: the mediator proposes; the parties' answers are
// recorded one by one and listed; the mediator cannot answer for them; the
// second acceptance sends it to the judge, who confirms it. Errors are in
// the caller's language.
func TestAPIMediation(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	propose := func(user string, body any) (*response, apiErr) {
		return a.call(user, "POST", casePath(id, "/proposals"), body)
	}

	for _, lang := range []string{"en", "zh-CN"} {
		a.c.Lang = lang
		res, e := propose("mediator1", map[string]any{"amount": 0, "expires": "2000-01-01"})
		if res.StatusCode != http.StatusBadRequest || e.Error.Fields["amount"] == "" || e.Error.Fields["expires"] == "" ||
			e.Error.Message != ts.Cat.M(lang, court.Msg("err.invalid_form")) {
			t.Errorf("%s bad proposal: got %d %+v, want 400 with fields.amount and fields.expires", lang, res.StatusCode, e.Error)
		}
	}
	a.c.Lang = "en"
	if res, e := propose("mediator1", map[string]any{"amount": 9000, "expires": "2026-12-01", "by_role": "claimant"}); res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" {
		t.Errorf("unknown field: got %d %+v, want 400 invalid", res.StatusCode, e.Error)
	}
	if res, e := propose("merchant1", offerBody()); res.StatusCode != http.StatusForbidden || e.Error.Code != "forbidden" {
		t.Errorf("merchant proposes: got %d %+v, want 403", res.StatusCode, e.Error)
	}
	res, _ := propose("mediator1", offerBody())
	var p court.Offer
	decodeInto(t, res, &p)
	if res.StatusCode != http.StatusCreated || p.ByRole != court.RoleMediator || p.Status != court.OfferOpen || p.Amount != 10000 {
		t.Fatalf("proposal: got %d %+v, want 201 open mediator proposal", res.StatusCode, p)
	}
	pp := casePath(id, "/offers/"+strconv.FormatInt(p.ID, 10))
	if res, e := propose("mediator1", offerBody()); res.StatusCode != http.StatusConflict ||
		e.Error.Message != ts.Cat.M("en", court.Msg("offer.err_proposal_busy")) {
		t.Errorf("second proposal: got %d %+v, want 409 offer.err_proposal_busy", res.StatusCode, e.Error)
	}
	for _, r := range []string{"/accept", "/reject"} {
		if res, _ := a.call("mediator1", "POST", pp+r, nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("mediator %s: got %d, want 403", r, res.StatusCode)
		}
	}
	if res, _ := a.call("mediator1", "POST", pp+"/counter", offerBody()); res.StatusCode != http.StatusForbidden {
		t.Errorf("mediator counters: got %d, want 403", res.StatusCode)
	}

	a.mustCase("claimant1", "POST", pp+"/accept", nil, http.StatusOK)
	a.c.Lang = "zh-CN"
	if res, e := a.call("claimant1", "POST", pp+"/accept", nil); res.StatusCode != http.StatusConflict ||
		e.Error.Message != ts.Cat.M("zh-CN", court.Msg("offer.err_proposal_answered")) {
		t.Errorf("accept twice: got %d %+v, want 409 in Chinese", res.StatusCode, e.Error)
	}
	a.c.Lang = "en"
	list := func(user string, id int64) []court.Offer {
		t.Helper()
		res, _ := a.call(user, "GET", casePath(id, "/offers"), nil)
		var l struct {
			Offers []court.Offer `json:"offers"`
		}
		decodeInto(t, res, &l)
		return l.Offers
	}
	if l := list("merchant1", id); len(l) != 1 || l[0].ClaimantAnswer != court.AnswerAccepted || l[0].MerchantAnswer != court.AnswerNone || l[0].Status != court.OfferOpen {
		t.Errorf("offers after the claimant's acceptance: got %+v", l)
	}
	if res, _ := a.call("judge1", "POST", casePath(id, "/confirm"), map[string]any{"decision": "confirm"}); res.StatusCode != http.StatusConflict {
		t.Errorf("confirm a half-accepted proposal: got %d, want 409", res.StatusCode)
	}
	a.mustCase("merchant1", "POST", pp+"/accept", nil, http.StatusOK)
	if l := list("mediator1", id); len(l) != 1 || l[0].Status != court.OfferAccepted || l[0].MerchantAnswer != court.AnswerAccepted {
		t.Errorf("offers after both accepted: got %+v", l)
	}
	if res, _ := a.call("mediator1", "POST", pp+"/withdraw", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("withdraw an agreed proposal: got %d, want 409", res.StatusCode)
	}
	done := a.mustCase("judge1", "POST", casePath(id, "/confirm"), map[string]any{"decision": "confirm"}, http.StatusOK)
	if done.Status != court.CaseSettled {
		t.Fatalf("confirm: got %q, want settled", done.Status)
	}
	res, _ = a.call("claimant1", "GET", casePath(id, "/docket"), nil)
	var dk struct {
		Entries []storage.Entry `json:"entries"`
	}
	decodeInto(t, res, &dk)
	var kinds []string
	for _, e := range dk.Entries {
		if e.Kind != "merchant_seen" {
			kinds = append(kinds, e.Kind)
		}
	}
	if want := []string{"proposed", "proposal_accepted", "proposal_agreed", "settled"}; !slices.Equal(kinds[len(kinds)-4:], want) {
		t.Errorf("docket: got %v, want it to end with %v", kinds, want)
	}
	if res, _ := propose("mediator1", offerBody()); res.StatusCode != http.StatusConflict {
		t.Errorf("propose on a settled case: got %d, want 409", res.StatusCode)
	}
	// The judge signs the mediation document of the agreed amount, as for
	// a party's accepted offer.
	if res, e := a.call("judge1", "POST", casePath(id, "/mediation"), nil); res.StatusCode != http.StatusOK {
		t.Fatalf("mediation document: got %d %+v, want 200", res.StatusCode, e.Error)
	} else if !strings.Contains(res.Body, `"amount":10000`) || !strings.Contains(res.Body, "七日内退款") {
		t.Errorf("mediation document: want the proposal's amount and terms in %s", res.Body)
	}

	// Withdrawn: then nobody answers it.
	id2 := a.matrixCase("A", court.CaseServed)
	res, _ = a.call("mediator1", "POST", casePath(id2, "/proposals"), offerBody())
	decodeInto(t, res, &p)
	pp = casePath(id2, "/offers/"+strconv.FormatInt(p.ID, 10))
	if res, _ := a.call("claimant1", "POST", pp+"/withdraw", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("claimant withdraws: got %d, want 403", res.StatusCode)
	}
	a.mustCase("mediator1", "POST", pp+"/withdraw", nil, http.StatusOK)
	if res, _ := a.call("merchant1", "POST", pp+"/accept", nil); res.StatusCode != http.StatusConflict {
		t.Errorf("accept a withdrawn proposal: got %d, want 409", res.StatusCode)
	}
	if l := list("claimant1", id2); len(l) == 0 || l[0].Status != court.OfferWithdrawn {
		t.Errorf("offers after the withdrawal: got %+v, want withdrawn", l)
	}
	for _, bad := range []string{"abc", "0", "999999"} {
		if res, _ := a.call("mediator1", "POST", casePath(id2, "/offers/"+bad+"/withdraw"), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("withdraw offer %s: got %d, want 404", bad, res.StatusCode)
		}
	}
	for _, r := range []string{"/proposals", "/offers/1/withdraw"} {
		if res, e := a.c.api("POST", casePath(id2, r), "", "", ""); res.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
			t.Errorf("POST %s without a token: got %d %q, want 401 unauthorized", r, res.StatusCode, e.Error.Code)
		}
	}
}

// TestMediationPages: the case page shows the proposal with each party's
// answer and the next step for each viewer, in both languages; the forms
// post and come back with their notice.
func TestMediationPages(t *testing.T) {
	ts := mustServer(t, nil)
	ctx := context.Background()
	users := map[string]*court.User{}
	clients := map[string]*client{}
	for _, who := range []string{"claimant1", "merchant1", "clerk1", "judge1", "mediator1"} {
		u, _, err := ts.DB.Credentials(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		users[who] = u
		clients[who] = ts.client(t)
		clients[who].login(who)
	}
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	page := "/cases/" + strconv.FormatInt(id, 10)
	get := func(who string) string {
		t.Helper()
		res := clients[who].get(page)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s GET %s: got %d, want 200", who, page, res.StatusCode)
		}
		noRawKeys(t, who+" case page", res)
		return res.Body
	}
	step := func(who, key string, kv ...any) {
		t.Helper()
		lang := clients[who].Lang
		if lang == "" {
			lang = "zh-CN"
		}
		want := ts.Cat.M(lang, court.Msg(key, kv...))
		if body := get(who); !strings.Contains(body, htmlText(want)) {
			t.Errorf("%s: the page does not say %s (%q)", who, key, want)
		}
	}
	if body := get("mediator1"); !strings.Contains(body, `id="proposal-form"`) {
		t.Fatal("mediator1: no proposal form")
	}
	for _, who := range []string{"claimant1", "merchant1", "clerk1", "judge1"} {
		if strings.Contains(get(who), `id="proposal-form"`) {
			t.Errorf("%s sees the proposal form", who)
		}
	}
	// A bad proposal comes back with its errors.
	res := clients["mediator1"].postForm(page, page+"/proposals", url.Values{"amount": {"abc"}, "expires": {""}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-amount"`) {
		t.Errorf("bad proposal: got %d, want 400 with the amount's error", res.StatusCode)
	}
	res = clients["mediator1"].postForm(page, page+"/proposals", pageOfferForm())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=proposed" {
		t.Fatalf("propose: got %d to %q, want 303 to ?notice=proposed", res.StatusCode, res.Header.Get("Location"))
	}
	offers, err := ts.DB.Offers(ctx, id)
	if err != nil || len(offers) != 1 {
		t.Fatalf("offers: %v %v", offers, err)
	}
	o := offers[0]
	exp := o.ExpiresAt.In(court.Zone).Format("2006-01-02")
	// Both parties are told, each in the language of their pages.
	clients["merchant1"].Lang = "en"
	for who, want := range map[string]string{"claimant1": "调解员建议案件", "merchant1": "The mediator proposes that case"} {
		if res := clients[who].get("/home"); !strings.Contains(res.Body, want) {
			t.Errorf("%s home: no notice of the proposal (%q)", who, want)
		}
	}
	clients["merchant1"].Lang = ""
	step("claimant1", "step.proposal_to_answer", "Amount", o.Amount.String(), "Expires", exp)
	step("merchant1", "step.proposal_to_answer", "Amount", o.Amount.String(), "Expires", exp)
	step("mediator1", "step.proposal_mediator_waiting", "Expires", exp)
	if body := get("mediator1"); !strings.Contains(body, `id="withdraw-proposal"`) || strings.Contains(body, `id="accept-offer"`) {
		t.Error("mediator1: want the withdraw button and no accept button")
	}
	if body := get("judge1"); strings.Contains(body, `id="withdraw-proposal"`) || strings.Contains(body, `id="accept-offer"`) {
		t.Error("judge1: sees a button of the proposal")
	}

	// The claimant accepts: it waits for the merchant; the page says so.
	res = clients["claimant1"].postForm(page, page+"/offers/"+strconv.FormatInt(o.ID, 10)+"/accept", url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=proposal_accepted" {
		t.Fatalf("claimant accepts: got %d to %q, want 303 to ?notice=proposal_accepted", res.StatusCode, res.Header.Get("Location"))
	}
	step("claimant1", "step.proposal_waiting_other", "Expires", exp)
	clients["merchant1"].Lang = "en"
	body := get("merchant1")
	if !strings.Contains(body, `<span class="claimant-answer">accepted</span>`) || !strings.Contains(body, `<span class="merchant-answer">not answered yet</span>`) {
		t.Errorf("merchant1 (en): the proposal does not show each party's answer")
	}
	if !strings.Contains(body, `id="accept-offer"`) {
		t.Error("merchant1: no accept button")
	}
	if strings.Contains(get("claimant1"), `id="accept-offer"`) {
		t.Error("claimant1 may accept again")
	}
	// The claimant's second acceptance is refused on the page too.
	res = clients["claimant1"].postForm(page, page+"/offers/"+strconv.FormatInt(o.ID, 10)+"/accept", url.Values{})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("accept twice: got %d, want 409", res.StatusCode)
	}
	res = clients["merchant1"].postForm(page, page+"/offers/"+strconv.FormatInt(o.ID, 10)+"/accept", url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=offer_accepted" {
		t.Fatalf("merchant accepts: got %d to %q, want 303 to ?notice=offer_accepted", res.StatusCode, res.Header.Get("Location"))
	}
	step("judge1", "step.judge_confirm", "Amount", o.Amount.String())
	step("mediator1", "step.proposal_agreed_mediator", "Amount", o.Amount.String())
	step("claimant1", "step.offer_accepted", "Amount", o.Amount.String())

	// Withdrawal on another case.
	id2 := a.matrixCase("A", court.CaseServed)
	page2 := "/cases/" + strconv.FormatInt(id2, 10)
	if res := clients["mediator1"].postForm(page2, page2+"/proposals", pageOfferForm()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: got %d, want 303", res.StatusCode)
	}
	offers, _ = ts.DB.Offers(ctx, id2)
	res = clients["mediator1"].postForm(page2, page2+"/offers/"+strconv.FormatInt(offers[0].ID, 10)+"/withdraw", url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page2+"?notice=proposal_withdrawn" {
		t.Fatalf("withdraw: got %d to %q, want 303 to ?notice=proposal_withdrawn", res.StatusCode, res.Header.Get("Location"))
	}
}

// htmlText is s as html/template writes it into a page.
func htmlText(s string) string { return html.EscapeString(s) }

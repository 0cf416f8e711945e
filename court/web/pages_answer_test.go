package web_test

// Tests of the answer, settlement and assignment pages, and their rows in
// the page access matrix of pages_cases_test.go.

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// pagePrep is matrixPrep through the service, for the page matrix.
func pagePrep(t *testing.T, ts *testServer, users map[string]*court.User, party string, id int64, state court.CaseStatus, preps []string) {
	t.Helper()
	ctx := context.Background()
	sides := partySides[party]
	if state == court.CaseAnswered {
		a := court.Answer{Kind: court.AnswerContest, Defence: "茶叶为正品"}
		for _, p := range preps {
			if p == "counterclaim" {
				a.Counterclaim, a.CounterclaimText = true, "请求赔偿名誉损失"
			}
		}
		if _, err := ts.Dk.Answer(ctx, users[sides[0]], id, a); err != nil {
			t.Fatalf("fixture answer: %v", err)
		}
	}
	for _, p := range preps {
		var err error
		switch p {
		case "counterclaim":
		case "offer", "accepted":
			var o *court.Offer
			o, err = ts.Dk.MakeOffer(ctx, users[sides[0]], id, court.OfferTerms{Amount: 10000, Terms: "七日内退款",
				Expires: time.Now().In(court.Zone).AddDate(0, 0, 7).Format("2006-01-02")})
			if err == nil && p == "accepted" {
				_, err = ts.Dk.RespondOffer(ctx, users[sides[1]], id, o.ID, true)
			}
		case "proposal", "agreed": // mediation_test.go
			storeMatrixProposal(t, ts.DB, id, state, users["mediator1"].ID, p == "agreed", users[sides[1]].ID, users[sides[0]].ID)
		case "unassigned":
			_, err = ts.DB.ChangeCase(ctx, id, storage.Change{From: state, To: state, Set: map[string]any{"judge_id": nil, "mediator_id": nil}})
		default:
			if !isHearingPrep(p) {
				t.Fatalf("no fixture step %q", p)
			}
			storeMatrixHearing(t, ts.DB, id, p, users["clerk1"].ID)
		}
		if err != nil {
			t.Fatalf("fixture %s: %v", p, err)
		}
	}
}

// pageOfferPath puts the newest offer of case id in place of :offer.
func pageOfferPath(t *testing.T, ts *testServer, path string, id int64) string {
	t.Helper()
	path = hearingMatrixPath(t, ts.DB, path, id)
	if !strings.Contains(path, ":offer") {
		return path
	}
	offers, err := ts.DB.Offers(context.Background(), id)
	if err != nil || len(offers) == 0 {
		t.Fatalf("case %d has no offer for %s: %v", id, path, err)
	}
	return strings.Replace(path, ":offer", strconv.FormatInt(offers[0].ID, 10), 1)
}

// pageForm replaces a form value "@user" with that user's id.
func pageForm(form url.Values, users map[string]*court.User) url.Values {
	out := url.Values{}
	var s map[string]any
	slot := func() map[string]any {
		if s == nil {
			s = nextMatrixSlot()
		}
		return s
	}
	for k, vv := range form {
		for _, v := range vv {
			if u, ok := users[strings.TrimPrefix(v, "@")]; ok && strings.HasPrefix(v, "@") {
				v = strconv.FormatInt(u.ID, 10)
			}
			v = hearingFormValue(v, slot)
			out.Add(k, v)
		}
	}
	return out
}

func pageOfferForm() url.Values {
	return url.Values{"amount": {"100.50"}, "terms": {"七日内退款"}, "expires": {time.Now().In(court.Zone).AddDate(0, 0, 7).Format("2006-01-02")}}
}

func init() {
	judgeOnly := map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {303, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
	}
	claimantSide := map[string][2]int{
		"claimant1": {303, 404}, "claimant2": {303, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {303, 404}, "admin1": {403, 403},
	}
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"POST", "/cases/:id/answer", court.CaseServed, url.Values{"kind": {"contest"}, "defence": {"茶叶为正品"}}, map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {303, 404}, "merchant2": {303, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
		}},
		pageMatrixRoute{"POST", "/cases/:id/offers", court.CaseServed, pageOfferForm(), map[string][2]int{
			"claimant1": {303, 404}, "claimant2": {303, 404}, "merchant1": {303, 404}, "merchant2": {303, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {303, 404}, "admin1": {403, 403},
		}},
		pageMatrixRoute{"POST", "/cases/:id/offers/:offer/accept", "served/offer", url.Values{}, claimantSide},
		pageMatrixRoute{"POST", "/cases/:id/offers/:offer/reject", "served/offer", url.Values{}, claimantSide},
		pageMatrixRoute{"POST", "/cases/:id/offers/:offer/counter", "served/offer", pageOfferForm(), claimantSide},
		pageMatrixRoute{"POST", "/cases/:id/confirm", "served/accepted", url.Values{"decision": {"confirm"}}, judgeOnly},
		pageMatrixRoute{"POST", "/cases/:id/convert", "answered/counterclaim", url.Values{"decision": {"convert"}}, judgeOnly},
		pageMatrixRoute{"POST", "/cases/:id/assign", "served/unassigned", url.Values{"judge_id": {"@judge1"}}, map[string][2]int{
			"claimant1": {404, 404}, "claimant2": {404, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
			"clerk1": {303, 303}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {404, 404}, "admin1": {303, 303},
		}},
	)
}

// TestAnswerPages: each viewer gets the forms that are theirs, in both
// languages; a bad form comes back with its errors next to its fields.
func TestAnswerPages(t *testing.T) {
	ts := mustServer(t, nil)
	ctx := context.Background()
	users := map[string]*court.User{}
	for _, who := range []string{"claimant1", "merchant1", "clerk1", "judge1", "mediator1"} {
		u, _, err := ts.DB.Credentials(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		users[who] = u
	}
	c, err := ts.Dk.File(ctx, users["claimant1"], court.Filing{MerchantName: "杭州西湖龙井茶业有限公司", CreditCode: demo.CreditCode1,
		Category: court.CatCounterfeit, Facts: "直播间买的龙井是假货，商家拒绝退款。", Refund: 50_000, ServiceConsent: true, OrderRef: "P-1"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Dk.Review(ctx, users["clerk1"], c.ID, court.ActAccept, ""); err != nil {
		t.Fatal(err)
	}
	page := "/cases/" + strconv.FormatInt(c.ID, 10)
	clients := map[string]*client{}
	for who := range users {
		clients[who] = ts.client(t)
		clients[who].login(who)
	}
	has := func(who, id string) bool {
		t.Helper()
		res := clients[who].get(page)
		if res.StatusCode != http.StatusOK && who != "judge1" && who != "mediator1" {
			t.Fatalf("%s GET %s: got %d, want 200", who, page, res.StatusCode)
		}
		noRawKeys(t, who+" case page", res)
		return strings.Contains(res.Body, `id="`+id+`"`)
	}
	for _, tc := range []struct {
		who, id string
		want    bool
	}{
		{"merchant1", "answer-form", true}, {"claimant1", "answer-form", false}, {"clerk1", "answer-form", false},
		{"merchant1", "offer-form", true}, {"claimant1", "offer-form", true}, {"clerk1", "offer-form", false},
		{"clerk1", "assign-judge-form", true}, {"clerk1", "assign-mediator-form", true}, {"claimant1", "assign-judge-form", false},
		{"merchant1", "answer-none", true},
	} {
		if got := has(tc.who, tc.id); got != tc.want {
			t.Errorf("%s sees #%s: got %v, want %v", tc.who, tc.id, got, tc.want)
		}
	}
	// The clerk's select offers the active judges by id.
	res := clients["clerk1"].get(page)
	if want := `<option value="` + strconv.FormatInt(users["judge1"].ID, 10) + `"`; !strings.Contains(res.Body, want) {
		t.Errorf("assign select: no %s in the page", want)
	}
	res = clients["clerk1"].postForm(page, page+"/assign", url.Values{"judge_id": {strconv.FormatInt(users["judge1"].ID, 10)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=assigned" {
		t.Fatalf("assign: got %d to %q, want 303 to %s?notice=assigned", res.StatusCode, res.Header.Get("Location"), page)
	}
	res = clients["clerk1"].postForm(page, page+"/assign", url.Values{"mediator_id": {strconv.FormatInt(users["mediator1"].ID, 10)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign mediator: got %d, want 303", res.StatusCode)
	}

	// A bad answer comes back with its errors, in Chinese and in English.
	for _, lang := range []string{"zh-CN", "en"} {
		clients["merchant1"].Lang = lang
		res = clients["merchant1"].postForm(page, page+"/answer", url.Values{"kind": {"admit_part"}, "admitted": {"abc"}, "defence": {""}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-admitted"`) {
			t.Errorf("%s bad answer: got %d, want 400 with the admitted field's error", lang, res.StatusCode)
		}
		res = clients["merchant1"].postForm(page, page+"/answer", url.Values{"kind": {"contest"}, "defence": {""}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, pageFieldError("defence", ts.Cat.M(lang, court.Msg("err.required")))) {
			t.Errorf("%s answer without defence: got %d, want 400 with the defence field's error", lang, res.StatusCode)
		}
		noRawKeys(t, lang+" answer errors", res)
	}
	clients["merchant1"].Lang = "zh-CN"
	res = clients["merchant1"].postForm(page, page+"/answer", url.Values{"kind": {"admit_part"}, "admitted": {"200"}, "defence": {"只同意退货款"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=answered" {
		t.Fatalf("answer: got %d to %q, want 303 to ?notice=answered", res.StatusCode, res.Header.Get("Location"))
	}
	if a, err := ts.DB.AnswerOf(ctx, c.ID); err != nil || a.Admitted != 20_000 || a.Kind != court.AnswerAdmitPart {
		t.Errorf("stored answer: got %+v, %v, want admit_part of 20000 fen", a, err)
	}
	res = clients["claimant1"].get(page)
	if !strings.Contains(res.Body, `id="answer-admitted">¥200.00<`) {
		t.Errorf("claimant1's page does not show the admitted ¥200.00")
	}
	// An offer with bad values, then a good one; the other side gets the buttons.
	res = clients["merchant1"].postForm(page, page+"/offers", url.Values{"amount": {"0"}, "expires": {"2000-01-01"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-amount"`) || !strings.Contains(res.Body, `id="e-expires"`) {
		t.Errorf("bad offer: got %d, want 400 with amount and expires errors", res.StatusCode)
	}
	res = clients["merchant1"].postForm(page, page+"/offers", pageOfferForm())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("offer: got %d, want 303\n%s", res.StatusCode, res.Body)
	}
	if !has("claimant1", "accept-offer") || has("merchant1", "accept-offer") || !has("mediator1", "offer-list") {
		t.Errorf("offer buttons: want them for claimant1 only, and the list for mediator1")
	}
	if has("merchant1", "offer-form") {
		t.Errorf("merchant1 gets a new offer form while an offer is open, want none")
	}
	offers, _ := ts.DB.Offers(ctx, c.ID)
	res = clients["claimant1"].postForm(page, page+"/offers/"+strconv.FormatInt(offers[0].ID, 10)+"/accept", url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=offer_accepted" {
		t.Fatalf("accept: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if !has("judge1", "confirm-form") || has("clerk1", "confirm-form") {
		t.Errorf("confirm form: want it for judge1 only")
	}
	res = clients["judge1"].postForm(page, page+"/confirm", url.Values{"decision": {"decline"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-confirm_reason"`) {
		t.Errorf("decline without reason: got %d, want 400 with the reason's error", res.StatusCode)
	}
	res = clients["judge1"].postForm(page, page+"/confirm", url.Values{"decision": {"confirm"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=settlement_confirmed" {
		t.Fatalf("confirm: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := ts.storedCase(t, c.ID).Status; got != court.CaseSettled {
		t.Errorf("after confirm: got %q, want settled", got)
	}
	res = clients["claimant1"].get(page + "?notice=settlement_confirmed")
	if !strings.Contains(res.Body, ts.Cat.M("zh-CN", court.Msg("step.settled"))) {
		t.Errorf("settled case page: no step.settled text")
	}
	noRawKeys(t, "settled case page", res)

	// A counterclaim: the judge gets the convert form, and keeps the case.
	c2, err := ts.Dk.File(ctx, users["claimant1"], court.Filing{MerchantName: "杭州西湖龙井茶业有限公司", CreditCode: demo.CreditCode1,
		Category: court.CatCounterfeit, Facts: "直播间买的龙井是假货，商家拒绝退款。", Refund: 50_000, ServiceConsent: true, OrderRef: "P-2"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Dk.Review(ctx, users["clerk1"], c2.ID, court.ActAccept, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Dk.Assign(ctx, users["clerk1"], c2.ID, court.RoleJudge, users["judge1"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Dk.Answer(ctx, users["merchant1"], c2.ID, court.Answer{Kind: court.AnswerContest, Defence: "假货不实",
		Counterclaim: true, CounterclaimText: "请求赔偿名誉损失"}); err != nil {
		t.Fatal(err)
	}
	page = "/cases/" + strconv.FormatInt(c2.ID, 10)
	for _, lang := range []string{"zh-CN", "en"} {
		clients["judge1"].Lang = lang
		res = clients["judge1"].get(page)
		noRawKeys(t, lang+" judge's page with a counterclaim", res)
		if !strings.Contains(res.Body, `id="convert-form"`) || !strings.Contains(res.Body, ts.Cat.M(lang, court.Msg("step.judge_convert"))) {
			t.Errorf("%s judge's page: want the convert form and its next step", lang)
		}
	}
	res = clients["judge1"].postForm(page, page+"/convert", url.Values{"decision": {"decline"}, "convert_reason": {"反诉金额小，继续适用小额程序"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=conversion_declined" {
		t.Fatalf("decline conversion: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = clients["claimant1"].get(page)
	if !strings.Contains(res.Body, `id="answer-conversion"`) || !strings.Contains(res.Body, "反诉金额小，继续适用小额程序") {
		t.Errorf("claimant's page: want the conversion decision and its reason")
	}
}

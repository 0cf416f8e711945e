package web_test

// Tests of the answer, settlement and assignment API, and their rows in the
// access matrix of api_cases_test.go.

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// splitMatrixState splits a matrix state such as "served/offer" into the
// case status and the steps that prepare the case further (matrixPrep).
func splitMatrixState(s court.CaseStatus) (court.CaseStatus, []string) {
	parts := strings.Split(string(s), "/")
	return court.CaseStatus(parts[0]), parts[1:]
}

// partySides names, for each matrix party, the merchant user and the user
// on the claimant's side (who filed).
var partySides = map[string][2]string{"A": {"merchant1", "claimant1"}, "B": {"merchant2", "claimant2"}, "C": {"merchant2", "agent1"}}

func offerBody() map[string]any {
	return map[string]any{"amount": 10000, "terms": "七日内退款", "expires": time.Now().In(court.Zone).AddDate(0, 0, 7).Format("2006-01-02")}
}

// matrixPrep brings a served matrix case further: answered (the merchant
// contests; with "counterclaim", with a counterclaim), "offer" (the merchant
// makes an open offer), "accepted" (and the claimant's side accepts it),
// "unassigned" (no judge or mediator).
func (a *caseAPIClient) matrixPrep(party string, id int64, state court.CaseStatus, preps []string) {
	a.t.Helper()
	sides := partySides[party]
	if state == court.CaseAnswered {
		body := map[string]any{"kind": "contest", "defence": "茶叶为正品"}
		if slices.Contains(preps, "counterclaim") {
			body["counterclaim"], body["counterclaim_text"] = true, "请求赔偿名誉损失"
		}
		a.mustCase(sides[0], "POST", casePath(id, "/answer"), body, http.StatusOK)
	}
	for _, p := range preps {
		switch p {
		case "counterclaim":
		case "offer", "accepted":
			res, e := a.call(sides[0], "POST", casePath(id, "/offers"), offerBody())
			if res.StatusCode != http.StatusCreated {
				a.t.Fatalf("fixture offer: got %d %+v, want 201", res.StatusCode, e.Error)
			}
			if p == "accepted" {
				a.mustCase(sides[1], "POST", a.offerPath(casePath(id, "/offers/:offer/accept"), id), nil, http.StatusOK)
			}
		case "proposal", "agreed": // mediation_test.go
			storeMatrixProposal(a.t, a.ts.DB, id, state, a.ids["mediator1"], p == "agreed", a.ids[sides[1]], a.ids[sides[0]])
		case "unassigned":
			if _, err := a.ts.DB.ChangeCase(context.Background(), id, storage.Change{From: state, To: state,
				Set: map[string]any{"judge_id": nil, "mediator_id": nil}}); err != nil {
				a.t.Fatal(err)
			}
		default:
			if !isHearingPrep(p) {
				a.t.Fatalf("no fixture step %q", p)
			}
			storeMatrixHearing(a.t, a.ts.DB, id, p, a.ids["clerk1"])
		}
	}
}

// offerPath puts the newest offer of case id in place of :offer.
func (a *caseAPIClient) offerPath(path string, id int64) string {
	a.t.Helper()
	path = hearingMatrixPath(a.t, a.ts.DB, path, id)
	if !strings.Contains(path, ":offer") {
		return path
	}
	offers, err := a.ts.DB.Offers(context.Background(), id)
	if err != nil || len(offers) == 0 {
		a.t.Fatalf("case %d has no offer for %s: %v", id, path, err)
	}
	return strings.Replace(path, ":offer", strconv.FormatInt(offers[0].ID, 10), 1)
}

// matrixKeepsStatus are the routes whose success leaves the case's status
// as it was (an offer, an assignment).
var matrixKeepsStatus = map[string]bool{
	"POST /api/v1/cases/:id/offers":                true,
	"POST /api/v1/cases/:id/offers/:offer/accept":  true,
	"POST /api/v1/cases/:id/offers/:offer/reject":  true,
	"POST /api/v1/cases/:id/offers/:offer/counter": true,
	"POST /api/v1/cases/:id/assign":                true,
	"PUT /api/v1/cases/:id":                        true,
}

// Expectations shared by several routes.
var (
	// Only the assigned judge (judge1, on party A's cases).
	judgeOnly = map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {200, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
	}
	// The claimant's side answers a merchant's offer.
	claimantSide = func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {ok, 404}, "claimant2": {ok, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {ok, 404}, "admin1": {403, 403},
		}
	}
	seeLikeCase = map[string][2]int{
		"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
		"clerk1": {200, 200}, "judge1": {200, 404}, "mediator1": {200, 404}, "agent1": {200, 404}, "admin1": {200, 200},
	}
)

func init() {
	accessMatrix = append(accessMatrix,
		matrixRoute{"POST", "/api/v1/cases/:id/answer", court.CaseServed, map[string]any{"kind": "contest", "defence": "茶叶为正品"}, map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
		}},
		matrixRoute{"GET", "/api/v1/cases/:id/offers", court.CaseServed, nil, seeLikeCase},
		// Both parties offer; the court's staff and the mediator do not.
		matrixRoute{"POST", "/api/v1/cases/:id/offers", court.CaseServed, func(*caseAPIClient) any { return offerBody() }, map[string][2]int{
			"claimant1": {201, 404}, "claimant2": {201, 404}, "merchant1": {201, 404}, "merchant2": {201, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {201, 404}, "admin1": {403, 403},
		}},
		matrixRoute{"POST", "/api/v1/cases/:id/offers/:offer/accept", "served/offer", nil, claimantSide(200)},
		matrixRoute{"POST", "/api/v1/cases/:id/offers/:offer/reject", "served/offer", nil, claimantSide(200)},
		matrixRoute{"POST", "/api/v1/cases/:id/offers/:offer/counter", "served/offer", func(*caseAPIClient) any { return offerBody() }, claimantSide(201)},
		matrixRoute{"POST", "/api/v1/cases/:id/confirm", "served/accepted", map[string]any{"decision": "confirm"}, judgeOnly},
		matrixRoute{"POST", "/api/v1/cases/:id/convert", "answered/counterclaim", map[string]any{"decision": "convert"}, judgeOnly},
		// Assignment is for clerks and admins; to everyone else it does not exist.
		matrixRoute{"POST", "/api/v1/cases/:id/assign", "served/unassigned", func(a *caseAPIClient) any {
			return map[string]any{"judge_id": a.ids["judge1"]}
		}, map[string][2]int{
			"claimant1": {404, 404}, "claimant2": {404, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
			"clerk1": {200, 200}, "judge1": {404, 404}, "mediator1": {404, 404}, "agent1": {404, 404}, "admin1": {200, 200},
		}},
	)
}

// TestAPIAnswerSettle: the merchant answers, offers; the consumer counters;
// the merchant accepts; the judge confirms. Every step's shape and the
// errors on the way.
func TestAPIAnswerSettle(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	id := cs.ID
	a.mustCase("clerk1", "POST", casePath(id, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)

	// Assignment: one of judge_id or mediator_id, an active user of that role.
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{}, "judge_id"},
		{map[string]any{"judge_id": a.ids["judge1"], "mediator_id": a.ids["mediator1"]}, "judge_id"},
		{map[string]any{"judge_id": a.ids["mediator1"]}, "judge_id"},
		{map[string]any{"mediator_id": a.ids["clerk1"]}, "mediator_id"},
	} {
		res, e := a.call("clerk1", "POST", casePath(id, "/assign"), bad.body)
		if res.StatusCode != http.StatusBadRequest || e.Error.Fields[bad.field] == "" {
			t.Errorf("assign %v: got %d %+v, want 400 with fields.%s", bad.body, res.StatusCode, e.Error, bad.field)
		}
	}
	got := a.mustCase("clerk1", "POST", casePath(id, "/assign"), map[string]any{"judge_id": a.ids["judge1"]}, http.StatusOK)
	if got.JudgeID == nil || *got.JudgeID != a.ids["judge1"] {
		t.Fatalf("assign judge1: got judge %v, want %d", got.JudgeID, a.ids["judge1"])
	}
	a.mustCase("judge1", "GET", casePath(id, ""), nil, http.StatusOK)
	if res, _ := a.call("mediator1", "GET", casePath(id, "/offers"), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("mediator1 offers before assignment: got %d, want 404", res.StatusCode)
	}
	a.mustCase("admin1", "POST", casePath(id, "/assign"), map[string]any{"mediator_id": a.ids["mediator1"]}, http.StatusOK)

	// The answer: validation in the caller's language, then a contest.
	for _, lang := range []string{"en", "zh-CN"} {
		a.c.Lang = lang
		res, e := a.call("merchant1", "POST", casePath(id, "/answer"), map[string]any{"kind": "admit_part", "admitted": 12800, "defence": ""})
		if res.StatusCode != http.StatusBadRequest || e.Error.Fields["defence"] != ts.Cat.M(lang, court.Msg("err.required")) || e.Error.Fields["admitted"] == "" {
			t.Errorf("%s bad answer: got %d %+v, want 400 with fields.defence and fields.admitted", lang, res.StatusCode, e.Error)
		}
	}
	a.c.Lang = "en"
	if res, e := a.call("merchant1", "POST", casePath(id, "/answer"), map[string]any{"kind": "contest", "defence": "x", "extra": 1}); res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" {
		t.Errorf("unknown field: got %d %+v, want 400 invalid", res.StatusCode, e.Error)
	}
	ans := a.mustCase("merchant1", "POST", casePath(id, "/answer"), map[string]any{"kind": "contest", "defence": "茶叶为正品，有检测报告。"}, http.StatusOK)
	if ans.Status != court.CaseAnswered {
		t.Fatalf("answer: got %q, want answered", ans.Status)
	}
	if res, e := a.call("merchant1", "POST", casePath(id, "/answer"), map[string]any{"kind": "admit_all"}); res.StatusCode != http.StatusConflict || e.Error.Code != "conflict" {
		t.Errorf("second answer: got %d %q, want 409 conflict", res.StatusCode, e.Error.Code)
	}

	// Offers.
	res, e := a.call("merchant1", "POST", casePath(id, "/offers"), map[string]any{"amount": 0, "terms": "", "expires": "2000-01-01"})
	if res.StatusCode != http.StatusBadRequest || e.Error.Fields["amount"] == "" || e.Error.Fields["expires"] == "" {
		t.Errorf("bad offer: got %d %+v, want 400 with fields.amount and fields.expires", res.StatusCode, e.Error)
	}
	res, _ = a.call("merchant1", "POST", casePath(id, "/offers"), offerBody())
	var o1 court.Offer
	decodeInto(t, res, &o1)
	if res.StatusCode != http.StatusCreated || o1.ID <= 0 || o1.Status != court.OfferOpen || o1.Amount != 10000 || o1.ByRole != court.RoleMerchant {
		t.Fatalf("offer: got %d %+v, want 201 open merchant offer of 10000", res.StatusCode, o1)
	}
	if res, e := a.call("claimant1", "POST", casePath(id, "/offers"), offerBody()); res.StatusCode != http.StatusConflict || e.Error.Code != "conflict" {
		t.Errorf("second open offer: got %d %q, want 409 conflict", res.StatusCode, e.Error.Code)
	}
	counter := offerBody()
	counter["amount"] = 12000
	res, _ = a.call("claimant1", "POST", casePath(id, "/offers/"+strconv.FormatInt(o1.ID, 10)+"/counter"), counter)
	var o2 court.Offer
	decodeInto(t, res, &o2)
	if res.StatusCode != http.StatusCreated || o2.CounterOf == nil || *o2.CounterOf != o1.ID || o2.ByRole != court.RoleClaimant {
		t.Fatalf("counter: got %d %+v, want 201 countering %d", res.StatusCode, o2, o1.ID)
	}
	res, _ = a.call("mediator1", "GET", casePath(id, "/offers"), nil)
	var list struct {
		Offers []court.Offer `json:"offers"`
	}
	decodeInto(t, res, &list)
	if len(list.Offers) != 2 || list.Offers[0].ID != o2.ID || list.Offers[1].Status != court.OfferCountered {
		t.Errorf("mediator1 offers: got %+v, want [open counter, countered]", list.Offers)
	}
	for _, bad := range []string{"abc", "0", "999999"} {
		if res, _ := a.call("merchant1", "POST", casePath(id, "/offers/"+bad+"/accept"), nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("accept offer %s: got %d, want 404", bad, res.StatusCode)
		}
	}
	a.mustCase("merchant1", "POST", casePath(id, "/offers/"+strconv.FormatInt(o2.ID, 10)+"/accept"), nil, http.StatusOK)

	// The judge: a decision it knows, then confirm.
	if res, e := a.call("judge1", "POST", casePath(id, "/confirm"), map[string]any{"decision": "maybe"}); res.StatusCode != http.StatusBadRequest || e.Error.Fields["decision"] == "" {
		t.Errorf("decision maybe: got %d %+v, want 400 with fields.decision", res.StatusCode, e.Error)
	}
	if res, e := a.call("judge1", "POST", casePath(id, "/convert"), map[string]any{"decision": "convert"}); res.StatusCode != http.StatusConflict {
		t.Errorf("convert without counterclaim: got %d %+v, want 409", res.StatusCode, e.Error)
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
		kinds = append(kinds, e.Kind)
	}
	want := []string{"filed", "accepted", "served", "judge_assigned", "mediator_assigned", "merchant_seen", "answered", "offered", "countered", "offer_accepted", "settled"}
	if !slices.Equal(kinds, want) {
		t.Errorf("docket: got %v, want %v", kinds, want)
	}
	if res, _ := a.call("claimant1", "POST", casePath(id, "/offers"), offerBody()); res.StatusCode != http.StatusConflict {
		t.Errorf("offer on a settled case: got %d, want 409", res.StatusCode)
	}
	// Without a token, every new route is 401.
	for _, r := range []string{"/answer", "/offers", "/offers/1/accept", "/offers/1/reject", "/offers/1/counter", "/confirm", "/convert", "/assign"} {
		if res, e := a.c.api("POST", casePath(id, r), "", "", ""); res.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
			t.Errorf("POST %s without a token: got %d %q, want 401 unauthorized", r, res.StatusCode, e.Error.Code)
		}
	}
}

// TestAPICounterclaim: a counterclaim waits for the judge, who keeps the
// case with a reason, or converts it.
func TestAPICounterclaim(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	for i, decision := range []string{"decline", "convert"} {
		id := a.matrixCase("A", "answered/counterclaim")
		if decision == "decline" {
			res, e := a.call("judge1", "POST", casePath(id, "/convert"), map[string]any{"decision": "decline"})
			if res.StatusCode != http.StatusBadRequest || e.Error.Fields["reason"] == "" {
				t.Errorf("decline without reason: got %d %+v, want 400 with fields.reason", res.StatusCode, e.Error)
			}
		}
		c := a.mustCase("judge1", "POST", casePath(id, "/convert"), map[string]any{"decision": decision, "reason": "案情简单，反诉金额小"}, http.StatusOK)
		want := []court.CaseStatus{court.CaseAnswered, court.CaseConverted}[i]
		if c.Status != want {
			t.Errorf("%s: got %q, want %q", decision, c.Status, want)
		}
		ans, err := a.ts.DB.AnswerOf(context.Background(), id)
		if err != nil || ans.Conversion != []court.Conversion{court.ConversionDeclined, court.ConversionDone}[i] {
			t.Errorf("%s: got answer %+v, %v, want its conversion decided", decision, ans, err)
		}
	}
}

package web_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/stats"
)

// After a whole procedure run through the API (filings, a return and
// correction, a rejection, answers, a settlement confirmed, a conversion,
// judgments signed, payments recorded and confirmed, withdrawals), the
// statistics read from the tables migration 00020's triggers keep agree
// with the same statistics computed straight from the cases and their
// docket, for the year, today alone and yesterday alone, in both scopes.
func TestStatsRollupAgreesAfterProcedure(t *testing.T) {
	ts, a, _, _ := paymentServer(t)
	ctx := context.Background()
	now := ts.DB.Now
	check := func(step string) *stats.Report {
		t.Helper()
		today := now().In(court.Zone)
		var year *stats.Report
		for _, per := range [][2]string{{"", ""}, {today.Format("2006-01-02"), ""},
			{today.AddDate(0, 0, -1).Format("2006-01-02"), today.AddDate(0, 0, -1).Format("2006-01-02")}} {
			q, err := stats.ParseQuery(per[0], per[1], now())
			if err != nil {
				t.Fatal(err)
			}
			for _, scope := range []stats.Scope{stats.Public, stats.Dashboard} {
				direct, err := (&stats.Service{DB: ts.DB, Now: now, Direct: true}).Report(ctx, q, scope)
				if err != nil {
					t.Fatal(err)
				}
				rolled, err := (&stats.Service{DB: ts.DB, Now: now}).Report(ctx, q, scope)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(direct, rolled) {
					t.Errorf("after %s, %s %v: from the rollup got\n%+v\nwant (direct)\n%+v", step, scope, per, rolled, direct)
				}
				if per[0] == "" && scope == stats.Public {
					year = rolled
				}
			}
		}
		return year
	}

	check("nothing")
	a.matrixCase("A", court.CaseServed)
	a.matrixCase("B", court.CaseServed)
	a.matrixCase("C", court.CaseServed)
	a.matrixCase("A", court.CaseDraft) // not a filing
	check("filings")

	// Returned for correction, then corrected: another category and claim.
	ret := a.matrixCase("A", court.CaseReturned)
	f := editBody(a).(map[string]any)
	f["category"], f["refund"] = string(court.CatDelivery), 123400
	a.mustCase("claimant1", "PUT", casePath(ret, ""), f, http.StatusOK)
	check("a correction")

	rej := a.matrixCase("A", court.CaseSubmitted)
	a.mustCase("clerk1", "POST", casePath(rej, "/review"), map[string]any{"decision": "reject", "reason": "不属于本院管辖"}, http.StatusOK)
	check("a rejection")

	wd := a.matrixCase("A", court.CaseServed)
	a.mustCase("claimant1", "POST", casePath(wd, "/withdraw"), map[string]any{"reason": "已与商家和解"}, http.StatusOK)
	wd2 := a.matrixCase("A", court.CaseAnswered)
	a.mustCase("claimant1", "POST", casePath(wd2, "/withdraw"), map[string]any{"reason": "已与商家和解"}, http.StatusOK)
	check("withdrawals")

	st := a.matrixCase("A", "served/accepted")
	a.mustCase("judge1", "POST", casePath(st, "/confirm"), map[string]any{"decision": "confirm"}, http.StatusOK)
	check("a settlement")

	cv := a.matrixCase("A", "answered/counterclaim")
	a.mustCase("judge1", "POST", casePath(cv, "/convert"), map[string]any{"decision": "convert"}, http.StatusOK)
	check("a conversion")

	// A default judgment (no answer) and one after an answer, each
	// ordering 500 yuan of payments.
	ruled := a.ruledCase()
	answered := a.matrixCase("A", court.CaseAnswered)
	d := draftBody()
	d["orders"] = []map[string]any{{"payer": "respondent", "payee": "claimant", "amount": 700000, "due_days": 10, "what": "货款"}}
	if res, e := a.call("judge1", "PUT", casePath(answered, "/ruling/draft"), d); res.StatusCode != http.StatusOK {
		t.Fatalf("draft: got %d %+v", res.StatusCode, e.Error)
	}
	check("a draft judgment")
	if res, e := a.call("judge1", "POST", casePath(answered, "/ruling/sign"), nil); res.StatusCode != http.StatusOK {
		t.Fatalf("sign: got %d %+v", res.StatusCode, e.Error)
	}
	check("judgments")

	p, _ := a.pay("merchant1", ruled, "1-1", 30000, http.StatusCreated)
	a.decidePayment("claimant1", ruled, p.ID, "confirm", nil, http.StatusOK)
	p, _ = a.pay("merchant1", ruled, "1-2", 20000, http.StatusCreated)
	a.decidePayment("claimant1", ruled, p.ID, "confirm", nil, http.StatusOK) // paid in full: closed
	if got := a.dbCase(ruled).Status; got != court.CaseClosed {
		t.Errorf("paid in full: got %s, want closed", got)
	}
	r := check("payments")

	// The comparison compared something: every kind of number moved.
	n := map[stats.Outcome]int64{}
	for _, o := range r.Outcomes {
		n[o.Outcome] = o.Cases
	}
	want := map[stats.Outcome]int64{stats.Settled: 1, stats.Withdrawn: 2, stats.Rejected: 1, stats.Converted: 1,
		stats.Default: 1, stats.RuledClaimant: 1}
	for o, c := range want {
		if n[o] != c {
			t.Errorf("outcome %s: got %d, want %d", o, n[o], c)
		}
	}
	if r.Filings != 11 || r.MedianDays == nil || r.Money.Awarded != 50000+700000 || r.Money.Agreed == 0 ||
		r.Money.Paid == nil || *r.Money.Paid != 50000 {
		t.Errorf("year: got %d filings, median %v, money %+v (paid %v); want 11, a median, awarded 750000, an agreed sum, paid 50000",
			r.Filings, r.MedianDays, r.Money, r.Money.Paid)
	}
}

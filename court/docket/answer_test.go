package docket_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
)

// served returns a fresh served case of claimant1 against merchant1 with
// judge1 and mediator1 assigned.
func served(tb testing.TB, e *env, order string) *court.Case {
	tb.Helper()
	return build(tb, e, order, "served")
}

// noticeKinds lists the kinds of a user's notices about case id, oldest first.
func noticeKinds(tb testing.TB, e *env, user string, id int64) []string {
	tb.Helper()
	out := []string{}
	ns := notices(tb, e, e.U[user].ID)
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].CaseID != nil && *ns[i].CaseID == id {
			out = append(out, ns[i].Kind)
		}
	}
	return out
}

func terms(amount court.Fen, days int, now time.Time) court.OfferTerms {
	return court.OfferTerms{Amount: amount, Terms: "收到退货后七日内退款", Expires: now.In(court.Zone).AddDate(0, 0, days).Format("2006-01-02")}
}

func TestAnswerWhoAndWhen(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "A-1")
	contest := court.Answer{Kind: court.AnswerContest, Defence: "茶叶为正品，有检测报告。"}
	for _, tc := range []struct {
		user string
		code court.Code
	}{
		{"claimant1", court.EFORBIDDEN}, {"judge1", court.EFORBIDDEN}, {"mediator1", court.EFORBIDDEN},
		{"clerk1", court.EFORBIDDEN}, {"admin1", court.EFORBIDDEN}, {"merchant2", court.ENOTFOUND}, {"claimant2", court.ENOTFOUND},
	} {
		_, err := e.Svc.Answer(ctx, e.U[tc.user], c.ID, contest)
		if got := court.ErrorCode(err); got != tc.code {
			t.Errorf("%s answers: got %q, want %q", tc.user, got, tc.code)
		}
	}
	// Not yet served: the merchant does not see it.
	sub := build(t, e, "A-2", "submitted")
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], sub.ID, contest); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("answer a submitted case: got %v, want not_found", err)
	}
	if got := mustCase(t, e, c.ID).Status; got != court.CaseServed {
		t.Fatalf("after refused answers: got %q, want served", got)
	}
	got, err := e.Svc.Answer(ctx, e.U["merchant1"], c.ID, contest)
	if err != nil {
		t.Fatalf("merchant1 answers: %v", err)
	}
	if got.Status != court.CaseAnswered {
		t.Errorf("status: got %q, want answered", got.Status)
	}
	a, err := e.Svc.AnswerOf(ctx, e.U["claimant1"], c.ID)
	if err != nil || a == nil {
		t.Fatalf("AnswerOf: got %v, %v, want the answer", a, err)
	}
	if a.Kind != court.AnswerContest || a.Admitted != 0 || a.Late || a.ByID != e.U["merchant1"].ID || a.Defence != contest.Defence {
		t.Errorf("answer: got %+v, want a timely contest by merchant1", a)
	}
	if k := kinds(t, e, c.ID); k[len(k)-1] != docket.EntryAnswered {
		t.Errorf("docket: got %v, want it to end with answered", k)
	}
	if n := noticeKinds(t, e, "claimant1", c.ID); !slices.Contains(n, docket.NoticeAnswered) {
		t.Errorf("claimant1 notices: got %v, want answered", n)
	}
	if n := noticeKinds(t, e, "judge1", c.ID); !slices.Contains(n, docket.NoticeAnswered) {
		t.Errorf("judge1 notices: got %v, want answered", n)
	}
	// A second answer: the case is no longer waiting for one.
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], c.ID, contest); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("second answer: got %v, want conflict", err)
	}
	if a, err := e.Svc.AnswerOf(ctx, e.U["merchant2"], c.ID); court.ErrorCode(err) != court.ENOTFOUND || a != nil {
		t.Errorf("merchant2 AnswerOf: got %v, %v, want not_found", a, err)
	}
}

func TestAnswerValidation(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "V-1")
	long := make([]rune, 5001)
	for i := range long {
		long[i] = '字'
	}
	for _, tc := range []struct {
		name  string
		a     court.Answer
		field string
	}{
		{"unknown kind", court.Answer{Kind: "deny", Defence: "x"}, "kind"},
		{"contest without defence", court.Answer{Kind: court.AnswerContest, Defence: "  "}, "defence"},
		{"part without defence", court.Answer{Kind: court.AnswerAdmitPart, Admitted: 100}, "defence"},
		{"part of zero", court.Answer{Kind: court.AnswerAdmitPart, Admitted: 0, Defence: "x"}, "admitted"},
		{"part of all", court.Answer{Kind: court.AnswerAdmitPart, Admitted: c.Total, Defence: "x"}, "admitted"},
		{"part above all", court.Answer{Kind: court.AnswerAdmitPart, Admitted: c.Total + 1, Defence: "x"}, "admitted"},
		{"defence too long", court.Answer{Kind: court.AnswerContest, Defence: string(long)}, "defence"},
		{"counterclaim without text", court.Answer{Kind: court.AnswerContest, Defence: "x", Counterclaim: true}, "counterclaim_text"},
	} {
		_, err := e.Svc.Answer(ctx, e.U["merchant1"], c.ID, tc.a)
		ce := MustCourtError(t, err, court.EINVALID)
		if _, ok := ce.Fields[tc.field]; !ok {
			t.Errorf("%s: got fields %v, want %s", tc.name, ce.Fields, tc.field)
		}
	}
	if got := mustCase(t, e, c.ID).Status; got != court.CaseServed {
		t.Errorf("after invalid answers: got %q, want served", got)
	}
	// Admit all needs no defence and admits the total; admit part keeps its amount.
	all, err := e.Svc.Answer(ctx, e.U["merchant1"], c.ID, court.Answer{Kind: court.AnswerAdmitAll})
	if err != nil || all.Status != court.CaseAnswered {
		t.Fatalf("admit all: got %v, %v", all, err)
	}
	if a, _ := e.DB.AnswerOf(ctx, c.ID); a.Admitted != c.Total {
		t.Errorf("admit all: admitted %d, want the total %d", a.Admitted, c.Total)
	}
	p := served(t, e, "V-2")
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], p.ID, court.Answer{Kind: court.AnswerAdmitPart, Admitted: 50_000, Defence: "只同意退货款"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.DB.AnswerOf(ctx, p.ID); a.Admitted != 50_000 || a.Kind != court.AnswerAdmitPart {
		t.Errorf("admit part: got %s %d, want admit_part 50000", a.Kind, a.Admitted)
	}
}

func TestAnswerLate(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "L-1")
	e.Clock.Set(c.AnswerDue.Add(time.Second))
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], c.ID, court.Answer{Kind: court.AnswerContest, Defence: "迟到的答辩"}); err != nil {
		t.Fatalf("late answer: got %v, want it accepted", err)
	}
	a, _ := e.DB.AnswerOf(ctx, c.ID)
	if !a.Late {
		t.Errorf("late: got false, want true")
	}
	if k := kinds(t, e, c.ID); k[len(k)-1] != docket.EntryAnsweredLate {
		t.Errorf("docket: got %v, want it to end with answered_late", k)
	}
	// On the last moment of the deadline it is in time.
	d := served(t, e, "L-2")
	e.Clock.Set(*d.AnswerDue)
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], d.ID, court.Answer{Kind: court.AnswerAdmitAll}); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.DB.AnswerOf(ctx, d.ID); a.Late {
		t.Errorf("answer at the deadline: late true, want false")
	}
}

func TestCounterclaimConversion(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	cc := court.Answer{Kind: court.AnswerContest, Defence: "消费者恶意差评", Counterclaim: true, CounterclaimText: "请求消费者赔偿名誉损失 2000 元"}
	c := served(t, e, "C-1")
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], c.ID, cc); err != nil {
		t.Fatal(err)
	}
	a, _ := e.DB.AnswerOf(ctx, c.ID)
	if !a.Counterclaim || a.Conversion != court.ConversionPending {
		t.Fatalf("counterclaim: got %v %q, want true pending", a.Counterclaim, a.Conversion)
	}
	if n := noticeKinds(t, e, "judge1", c.ID); !slices.Contains(n, docket.NoticeCounterclaim) {
		t.Errorf("judge1 notices: got %v, want counterclaim", n)
	}
	for _, u := range []string{"claimant1", "merchant1", "clerk1", "mediator1"} {
		if _, err := e.Svc.DecideConversion(ctx, e.U[u], c.ID, true, ""); court.ErrorCode(err) != court.EFORBIDDEN {
			t.Errorf("%s converts: got %v, want forbidden", u, err)
		}
	}
	ce := MustCourtError(t, func() error { _, err := e.Svc.DecideConversion(ctx, e.U["judge1"], c.ID, false, ""); return err }(), court.EINVALID)
	if _, ok := ce.Fields["reason"]; !ok {
		t.Errorf("decline without reason: got fields %v, want reason", ce.Fields)
	}
	got, err := e.Svc.DecideConversion(ctx, e.U["judge1"], c.ID, false, "反诉金额小，事实清楚，继续适用小额程序")
	if err != nil || got.Status != court.CaseAnswered {
		t.Fatalf("decline: got %v, %v, want answered", got, err)
	}
	if a, _ := e.DB.AnswerOf(ctx, c.ID); a.Conversion != court.ConversionDeclined || a.ConversionReason == "" {
		t.Errorf("after decline: got %q %q, want declined with the reason", a.Conversion, a.ConversionReason)
	}
	if _, err := e.Svc.DecideConversion(ctx, e.U["judge1"], c.ID, true, ""); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("second decision: got %v, want conflict", err)
	}
	if n := noticeKinds(t, e, "merchant1", c.ID); !slices.Contains(n, docket.NoticeConversionDeclined) {
		t.Errorf("merchant1 notices: got %v, want conversion_declined", n)
	}

	d := served(t, e, "C-2")
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], d.ID, cc); err != nil {
		t.Fatal(err)
	}
	got, err = e.Svc.DecideConversion(ctx, e.U["judge1"], d.ID, true, "")
	if err != nil || got.Status != court.CaseConverted || !got.Status.Final() {
		t.Fatalf("convert: got %v, %v, want converted (final)", got, err)
	}
	if k := kinds(t, e, d.ID); k[len(k)-1] != docket.EntryConverted {
		t.Errorf("docket: got %v, want it to end with converted", k)
	}
	if list, err := e.Svc.List(ctx, e.U["merchant1"], nil, 0, 50); err != nil || !slices.ContainsFunc(list, func(x court.Case) bool { return x.ID == d.ID }) {
		t.Errorf("merchant1's list: got %d cases (%v), want the converted case %d in it", len(list), err, d.ID)
	}
	if n := noticeKinds(t, e, "claimant1", d.ID); !slices.Contains(n, docket.NoticeConverted) {
		t.Errorf("claimant1 notices: got %v, want converted", n)
	}
	// No counterclaim: nothing to decide.
	f := served(t, e, "C-3")
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], f.ID, court.Answer{Kind: court.AnswerAdmitAll}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.DecideConversion(ctx, e.U["judge1"], f.ID, true, ""); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("convert without counterclaim: got %v, want conflict", err)
	}
	if got := mustCase(t, e, f.ID).Status; got != court.CaseAnswered {
		t.Errorf("after refused conversion: got %q, want answered", got)
	}
}

func TestOffersAndSettlement(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "S-1")
	now := e.Clock.Now()
	// Who may offer.
	for _, tc := range []struct {
		user string
		code court.Code
	}{
		{"judge1", court.EFORBIDDEN}, {"mediator1", court.EFORBIDDEN}, {"clerk1", court.EFORBIDDEN},
		{"admin1", court.EFORBIDDEN}, {"merchant2", court.ENOTFOUND}, {"claimant2", court.ENOTFOUND},
	} {
		if _, err := e.Svc.MakeOffer(ctx, e.U[tc.user], c.ID, terms(100_000, 7, now)); court.ErrorCode(err) != tc.code {
			t.Errorf("%s offers: got %v, want %s", tc.user, err, tc.code)
		}
	}
	// What may be offered.
	for _, tc := range []struct {
		name  string
		t     court.OfferTerms
		field string
	}{
		{"zero", terms(0, 7, now), "amount"},
		{"above the claim", terms(c.Total+1, 7, now), "amount"},
		{"expires today", terms(100, 0, now), "expires"},
		{"expires in 31 days", terms(100, 31, now), "expires"},
		{"no expiry", court.OfferTerms{Amount: 100}, "expires"},
		{"bad date", court.OfferTerms{Amount: 100, Expires: "2026-13-01"}, "expires"},
	} {
		_, err := e.Svc.MakeOffer(ctx, e.U["claimant1"], c.ID, tc.t)
		ce := MustCourtError(t, err, court.EINVALID)
		if _, ok := ce.Fields[tc.field]; !ok {
			t.Errorf("%s: got fields %v, want %s", tc.name, ce.Fields, tc.field)
		}
	}
	// The whole claim, and 30 days, are allowed.
	o1, err := e.Svc.MakeOffer(ctx, e.U["claimant1"], c.ID, terms(c.Total, 30, now))
	if err != nil {
		t.Fatalf("claimant1 offers: %v", err)
	}
	if o1.Status != court.OfferOpen || o1.ByRole != court.RoleClaimant || o1.Amount != c.Total {
		t.Errorf("offer: got %+v, want open by the claimant for the total", o1)
	}
	if want := court.EndOfDay(now, 30); !o1.ExpiresAt.Equal(want) {
		t.Errorf("expires_at: got %v, want %v (end of the 30th day)", o1.ExpiresAt, want)
	}
	if n := noticeKinds(t, e, "merchant1", c.ID); !slices.Contains(n, docket.NoticeOffered) {
		t.Errorf("merchant1 notices: got %v, want offered", n)
	}
	// One open offer at a time, from either side.
	if _, err := e.Svc.MakeOffer(ctx, e.U["merchant1"], c.ID, terms(50_000, 7, now)); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("second open offer: got %v, want conflict", err)
	}
	// The side that offered cannot answer its own offer.
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o1.ID, true); court.ErrorCode(err) != court.EFORBIDDEN {
		t.Errorf("claimant accepts its own offer: got %v, want forbidden", err)
	}
	if _, err := e.Svc.Counter(ctx, e.U["claimant1"], c.ID, o1.ID, terms(1000, 7, now)); court.ErrorCode(err) != court.EFORBIDDEN {
		t.Errorf("claimant counters its own offer: got %v, want forbidden", err)
	}
	if _, err := e.Svc.RespondOffer(ctx, e.U["judge1"], c.ID, o1.ID, true); court.ErrorCode(err) != court.EFORBIDDEN {
		t.Errorf("judge accepts: got %v, want forbidden", err)
	}
	// The merchant counters: the first is countered, the new one open.
	o2, err := e.Svc.Counter(ctx, e.U["merchant1"], c.ID, o1.ID, terms(100_000, 7, now))
	if err != nil {
		t.Fatalf("merchant1 counters: %v", err)
	}
	if o2.CounterOf == nil || *o2.CounterOf != o1.ID || o2.ByRole != court.RoleMerchant {
		t.Errorf("counter: got %+v, want a merchant offer countering %d", o2, o1.ID)
	}
	offers, _ := e.Svc.Offers(ctx, e.U["claimant1"], c.ID)
	if len(offers) != 2 || offers[0].ID != o2.ID || offers[0].Status != court.OfferOpen || offers[1].Status != court.OfferCountered {
		t.Fatalf("offers: got %+v, want [open counter, countered]", offers)
	}
	// A countered offer cannot be accepted.
	if _, err := e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, o1.ID, true); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("accept a countered offer: got %v, want conflict", err)
	}
	// An offer id of another case is not found.
	other := served(t, e, "S-2")
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], other.ID, o2.ID, true); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("accept through another case: got %v, want not_found", err)
	}
	// Confirmation needs an accepted offer and the judge.
	if _, err := e.Svc.ConfirmSettlement(ctx, e.U["judge1"], c.ID, true, ""); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("confirm with nothing accepted: got %v, want conflict", err)
	}
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o2.ID, true); err != nil {
		t.Fatalf("claimant1 accepts: %v", err)
	}
	if n := noticeKinds(t, e, "judge1", c.ID); !slices.Contains(n, docket.NoticeSettleConfirm) {
		t.Errorf("judge1 notices: got %v, want settle_confirm", n)
	}
	if n := noticeKinds(t, e, "merchant1", c.ID); !slices.Contains(n, docket.NoticeOfferAccepted) {
		t.Errorf("merchant1 notices: got %v, want offer_accepted", n)
	}
	// While it waits for the judge, no new offer.
	if _, err := e.Svc.MakeOffer(ctx, e.U["claimant1"], c.ID, terms(1000, 7, now)); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("offer while one is accepted: got %v, want conflict", err)
	}
	for _, u := range []string{"claimant1", "merchant1", "clerk1", "mediator1", "admin1"} {
		if _, err := e.Svc.ConfirmSettlement(ctx, e.U[u], c.ID, true, ""); court.ErrorCode(err) != court.EFORBIDDEN {
			t.Errorf("%s confirms: got %v, want forbidden", u, err)
		}
	}
	// The judge declines: the offer is declined by the court, the case goes on.
	if _, err := e.Svc.ConfirmSettlement(ctx, e.U["judge1"], c.ID, false, " "); court.ErrorCode(err) != court.EINVALID {
		t.Errorf("decline without a reason: got %v, want invalid", err)
	}
	got, err := e.Svc.ConfirmSettlement(ctx, e.U["judge1"], c.ID, false, "条款未写明退货方式，请双方补充")
	if err != nil || got.Status != court.CaseServed {
		t.Fatalf("decline: got %v, %v, want served", got, err)
	}
	if o, _ := e.DB.OfferByID(ctx, c.ID, o2.ID); o.Status != court.OfferDeclined || o.Reason == "" || o.DecidedBy == nil {
		t.Errorf("declined offer: got %+v, want declined with the judge's reason", o)
	}
	// Then a new offer, accepted and confirmed: settled.
	o3, err := e.Svc.MakeOffer(ctx, e.U["merchant1"], c.ID, terms(120_000, 5, now))
	if err != nil {
		t.Fatalf("new offer after decline: %v", err)
	}
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o3.ID, true); err != nil {
		t.Fatal(err)
	}
	got, err = e.Svc.ConfirmSettlement(ctx, e.U["judge1"], c.ID, true, "")
	if err != nil || got.Status != court.CaseSettled {
		t.Fatalf("confirm: got %v, %v, want settled", got, err)
	}
	if o, _ := e.DB.OfferByID(ctx, c.ID, o3.ID); o.Status != court.OfferConfirmed || o.Amount != 120_000 {
		t.Errorf("confirmed offer: got %s %d, want confirmed 120000", o.Status, o.Amount)
	}
	k := slices.DeleteFunc(kinds(t, e, c.ID), func(s string) bool { return s == docket.EntrySeen })
	want := []string{docket.EntryOffered, docket.EntryCountered, docket.EntryOfferAccepted, docket.EntrySettlementRefused,
		docket.EntryOffered, docket.EntryOfferAccepted, docket.EntrySettled}
	if len(k) < len(want) || !slices.Equal(k[len(k)-len(want):], want) {
		t.Errorf("docket: got %v, want it to end with %v", k, want)
	}
	for _, u := range []string{"claimant1", "merchant1"} {
		if n := noticeKinds(t, e, u, c.ID); !slices.Contains(n, docket.NoticeSettled) {
			t.Errorf("%s notices: got %v, want settled", u, n)
		}
	}
	// Settled is final: no more offers, answers or withdrawal.
	if _, err := e.Svc.MakeOffer(ctx, e.U["claimant1"], c.ID, terms(1000, 7, now)); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("offer on a settled case: got %v, want conflict", err)
	}
	if _, err := e.Svc.Answer(ctx, e.U["merchant1"], c.ID, court.Answer{Kind: court.AnswerAdmitAll}); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("answer a settled case: got %v, want conflict", err)
	}
	if _, err := e.Svc.Withdraw(ctx, e.U["claimant1"], c.ID, ""); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("withdraw a settled case: got %v, want conflict", err)
	}
}

func TestOfferRejectAndExpiry(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "E-1")
	now := e.Clock.Now()
	o, err := e.Svc.MakeOffer(ctx, e.U["merchant1"], c.ID, terms(80_000, 1, now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, false); err != nil {
		t.Fatalf("reject: %v", err)
	}
	if n := noticeKinds(t, e, "merchant1", c.ID); !slices.Contains(n, docket.NoticeOfferRejected) {
		t.Errorf("merchant1 notices: got %v, want offer_rejected", n)
	}
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, true); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("accept a rejected offer: got %v, want conflict", err)
	}
	o2, err := e.Svc.MakeOffer(ctx, e.U["merchant1"], c.ID, terms(90_000, 1, now))
	if err != nil {
		t.Fatal(err)
	}
	// On the last moment of its day it is open; a moment later expired.
	e.Clock.Set(o2.ExpiresAt.Add(-time.Microsecond))
	offers, _ := e.Svc.Offers(ctx, e.U["claimant1"], c.ID)
	if offers[0].Status != court.OfferOpen {
		t.Errorf("just before expiry: got %q, want open", offers[0].Status)
	}
	e.Clock.Set(o2.ExpiresAt)
	offers, _ = e.Svc.Offers(ctx, e.U["claimant1"], c.ID)
	if offers[0].Status != court.OfferExpired {
		t.Errorf("at expiry: got %q, want expired", offers[0].Status)
	}
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o2.ID, true); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("accept an expired offer: got %v, want conflict", err)
	}
	if _, err := e.Svc.Counter(ctx, e.U["claimant1"], c.ID, o2.ID, terms(95_000, 3, e.Clock.Now())); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("counter an expired offer: got %v, want conflict", err)
	}
	// An expired offer no longer blocks a new one; it is stored expired.
	if _, err := e.Svc.MakeOffer(ctx, e.U["claimant1"], c.ID, terms(95_000, 3, e.Clock.Now())); err != nil {
		t.Fatalf("new offer after expiry: %v", err)
	}
	if st, _ := e.DB.OfferByID(ctx, c.ID, o2.ID); st.Status != court.OfferExpired {
		t.Errorf("stored status of the stale offer: got %q, want expired", st.Status)
	}
	// A mediator sees the offers.
	if offers, err := e.Svc.Offers(ctx, e.U["mediator1"], c.ID); err != nil || len(offers) != 3 {
		t.Errorf("mediator1 offers: got %d, %v, want 3", len(offers), err)
	}
	if _, err := e.Svc.Offers(ctx, e.U["merchant2"], c.ID); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("merchant2 offers: got %v, want not_found", err)
	}
}

func TestAssign(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := MustFile(t, e, "claimant1", filing("G-1"), true)
	// Not accepted yet.
	if _, err := e.Svc.Assign(ctx, e.U["clerk1"], c.ID, court.RoleJudge, e.U["judge1"].ID); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("assign a submitted case: got %v, want conflict", err)
	}
	c = MustReview(t, e, "clerk1", c.ID, court.ActAccept, "")
	if _, err := e.Svc.Get(ctx, e.U["judge1"], c.ID); court.ErrorCode(err) != court.ENOTFOUND {
		t.Fatalf("judge1 before assignment: got %v, want not_found", err)
	}
	for _, u := range []string{"claimant1", "merchant1", "judge1", "mediator1", "agent1"} {
		if _, err := e.Svc.Assign(ctx, e.U[u], c.ID, court.RoleJudge, e.U["judge1"].ID); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("%s assigns: got %v, want not_found", u, err)
		}
	}
	for _, tc := range []struct {
		name string
		role court.Role
		id   int64
	}{
		{"a mediator as judge", court.RoleJudge, e.U["mediator1"].ID},
		{"a judge as mediator", court.RoleMediator, e.U["judge1"].ID},
		{"nobody", court.RoleJudge, 999_999},
	} {
		_, err := e.Svc.Assign(ctx, e.U["clerk1"], c.ID, tc.role, tc.id)
		MustCourtError(t, err, court.EINVALID)
	}
	if _, err := e.Svc.Assign(ctx, e.U["clerk1"], c.ID, court.RoleClerk, e.U["clerk1"].ID); court.ErrorCode(err) != court.EINVALID {
		t.Errorf("assign a clerk: got %v, want invalid", err)
	}
	got, err := e.Svc.Assign(ctx, e.U["clerk1"], c.ID, court.RoleJudge, e.U["judge1"].ID)
	if err != nil || got.JudgeID == nil || *got.JudgeID != e.U["judge1"].ID || got.Status != court.CaseServed {
		t.Fatalf("assign judge1: got %+v, %v", got, err)
	}
	if _, err := e.Svc.Assign(ctx, e.U["clerk1"], c.ID, court.RoleJudge, e.U["judge1"].ID); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("assign judge1 again: got %v, want conflict", err)
	}
	got, err = e.Svc.Assign(ctx, e.U["admin1"], c.ID, court.RoleMediator, e.U["mediator1"].ID)
	if err != nil || got.MediatorID == nil || *got.MediatorID != e.U["mediator1"].ID {
		t.Fatalf("assign mediator1: got %+v, %v", got, err)
	}
	for _, u := range []string{"judge1", "mediator1"} {
		if _, err := e.Svc.Get(ctx, e.U[u], c.ID); err != nil {
			t.Errorf("%s after assignment: got %v, want the case", u, err)
		}
		if n := noticeKinds(t, e, u, c.ID); !slices.Contains(n, docket.NoticeAssigned) {
			t.Errorf("%s notices: got %v, want assigned", u, n)
		}
	}
	k := kinds(t, e, c.ID)
	if !slices.Contains(k, docket.EntryJudgeAssigned) || !slices.Contains(k, docket.EntryMediatorAssigned) {
		t.Errorf("docket: got %v, want judge_assigned and mediator_assigned", k)
	}
	// A disabled judge cannot be assigned; nor can a finished case be.
	if err := e.DB.SetUserStatus(ctx, e.U["judge1"].ID, nil, court.StatusActive, court.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	d := MustReview(t, e, "clerk1", MustFile(t, e, "claimant1", filing("G-2"), true).ID, court.ActAccept, "")
	if _, err := e.Svc.Assign(ctx, e.U["clerk1"], d.ID, court.RoleJudge, e.U["judge1"].ID); court.ErrorCode(err) != court.EINVALID {
		t.Errorf("assign a disabled judge: got %v, want invalid", err)
	}
	w := build(t, e, "G-3", "withdrawn served")
	if _, err := e.Svc.Assign(ctx, e.U["clerk1"], w.ID, court.RoleMediator, e.U["mediator1"].ID); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("assign on a withdrawn case: got %v, want conflict", err)
	}
}

// TestOfferRaces: both sides offer at once, and two staff of the merchant
// answer one offer at once: exactly one of each succeeds, the others are
// conflicts.
func TestOfferRaces(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "R-1")
	now := e.Clock.Now()
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		who := []string{"claimant1", "merchant1"}[i%2]
		go func() {
			_, err := e.Svc.MakeOffer(ctx, e.U[who], c.ID, terms(court.Fen(1000+i), 7, now))
			errs <- err
		}()
	}
	var ok, conflict int
	for i := 0; i < n; i++ {
		switch err := <-errs; court.ErrorCode(err) {
		case "":
			ok++
		case court.ECONFLICT:
			conflict++
		default:
			t.Errorf("racing offers: got %v, want success or conflict", err)
		}
	}
	if ok != 1 || conflict != n-1 {
		t.Errorf("racing offers: got %d made and %d conflicts, want 1 and %d", ok, conflict, n-1)
	}
	offers, _ := e.DB.Offers(ctx, c.ID)
	if len(offers) != 1 {
		t.Fatalf("offers stored: got %d, want 1", len(offers))
	}
	// The side that did not make it answers it: accept, reject and counter at once.
	o := offers[0]
	other := "merchant1"
	if o.ByRole == court.RoleMerchant {
		other = "claimant1"
	}
	results := make(chan error, 3)
	go func() { _, err := e.Svc.RespondOffer(ctx, e.U[other], c.ID, o.ID, true); results <- err }()
	go func() { _, err := e.Svc.RespondOffer(ctx, e.U[other], c.ID, o.ID, false); results <- err }()
	go func() { _, err := e.Svc.Counter(ctx, e.U[other], c.ID, o.ID, terms(5000, 3, now)); results <- err }()
	ok, conflict = 0, 0
	for i := 0; i < 3; i++ {
		switch err := <-results; court.ErrorCode(err) {
		case "":
			ok++
		case court.ECONFLICT:
			conflict++
		default:
			t.Errorf("racing answers: got %v, want success or conflict", err)
		}
	}
	if ok != 1 || conflict != 2 {
		t.Errorf("racing answers: got %d done and %d conflicts, want 1 and 2", ok, conflict)
	}
	after, _ := e.DB.OfferByID(ctx, c.ID, o.ID)
	if after.Status == court.OfferOpen {
		t.Errorf("answered offer: still open, want accepted, rejected or countered")
	}
	k := kinds(t, e, c.ID)
	var answers int
	for _, x := range k {
		if x == docket.EntryOfferAccepted || x == docket.EntryOfferRejected || x == docket.EntryCountered {
			answers++
		}
	}
	if answers != 1 {
		t.Errorf("docket: got %d answers to the offer (%v), want 1", answers, k)
	}
}

package docket_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

// wantCode fails unless err is a court error of code with message key (key
// "" for any).
func wantCode(tb testing.TB, what string, err error, code court.Code, key string) {
	tb.Helper()
	if got := court.ErrorCode(err); got != code {
		tb.Fatalf("%s: got %q (%v), want %q", what, got, err, code)
	}
	if ce := MustCourtError(tb, err, code); key != "" && ce.Msg.Key != key {
		tb.Fatalf("%s: got message %q, want %q", what, ce.Msg.Key, key)
	}
}

// mediator2 is a second, active mediator, assigned to no case.
func mediator2(tb testing.TB, e *env) *court.User {
	tb.Helper()
	u, err := e.Acc.CreateStaff(context.Background(), court.StaffAccount{Username: "mediator2", Password: "mediate-2026-pass",
		Name: "周明", Role: court.RoleMediator})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// lastKinds is the last n docket entry kinds of case id, leaving out the
// merchant's first view (it comes whenever the merchant opens the case).
func lastKinds(tb testing.TB, e *env, id int64, n int) []string {
	tb.Helper()
	k := slices.DeleteFunc(kinds(tb, e, id), func(k string) bool { return k == docket.EntrySeen })
	if len(k) < n {
		return k
	}
	return k[len(k)-n:]
}

func mustPropose(tb testing.TB, e *env, id int64, amount court.Fen) *court.Offer {
	tb.Helper()
	o, err := e.Svc.Propose(context.Background(), e.U["mediator1"], id, terms(amount, 7, e.Clock.Now()))
	if err != nil {
		tb.Fatalf("propose: %v", err)
	}
	return o
}

// TestProposeWho: only the mediator assigned to the case proposes; a
// mediator of no part in it does not even see it; a proposal needs valid
// terms and a case open to settlement, and waits for any open offer.
func TestProposeWho(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	m2 := mediator2(t, e)
	c := served(t, e, "M-1")
	tm := terms(50_000, 7, e.Clock.Now())
	for _, tc := range []struct {
		u    *court.User
		code court.Code
	}{
		{e.U["claimant1"], court.EFORBIDDEN}, {e.U["merchant1"], court.EFORBIDDEN}, {e.U["judge1"], court.EFORBIDDEN},
		{e.U["clerk1"], court.EFORBIDDEN}, {e.U["admin1"], court.EFORBIDDEN}, {m2, court.ENOTFOUND},
		{e.U["claimant2"], court.ENOTFOUND}, {e.U["merchant2"], court.ENOTFOUND},
	} {
		_, err := e.Svc.Propose(ctx, tc.u, c.ID, tm)
		wantCode(t, tc.u.Username+" proposes", err, tc.code, "")
	}
	bad := court.OfferTerms{Amount: c.Total + 1, Expires: "2026-13-01"}
	_, err := e.Svc.Propose(ctx, e.U["mediator1"], c.ID, bad)
	if ce := MustCourtError(t, err, court.EINVALID); ce.Fields["amount"].Key == "" || ce.Fields["expires"].Key == "" {
		t.Errorf("bad proposal: got fields %v, want amount and expires", ce.Fields)
	}
	// An open offer of a party comes first.
	po, err := e.Svc.MakeOffer(ctx, e.U["merchant1"], c.ID, terms(30_000, 3, e.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Svc.Propose(ctx, e.U["mediator1"], c.ID, tm)
	wantCode(t, "propose over an open offer", err, court.ECONFLICT, "offer.err_proposal_busy")
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, po.ID, false); err != nil {
		t.Fatal(err)
	}
	o := mustPropose(t, e, c.ID, 50_000)
	if o.ByRole != court.RoleMediator || o.ByID != e.U["mediator1"].ID || o.Status != court.OfferOpen || o.Amount != 50_000 {
		t.Fatalf("proposal: got %+v", o)
	}
	_, err = e.Svc.Propose(ctx, e.U["mediator1"], c.ID, tm)
	wantCode(t, "a second proposal", err, court.ECONFLICT, "offer.err_proposal_busy")
	_, err = e.Svc.MakeOffer(ctx, e.U["claimant1"], c.ID, tm)
	wantCode(t, "a party's offer over the proposal", err, court.ECONFLICT, "offer.err_one_open")
	if got := lastKinds(t, e, c.ID, 1); got[0] != docket.EntryProposed {
		t.Errorf("docket: got %v, want it to end with %s", got, docket.EntryProposed)
	}
	for _, who := range []string{"claimant1", "merchant1"} {
		if n := noticeKinds(t, e, who, c.ID); !slices.Contains(n, docket.NoticeProposed) {
			t.Errorf("%s notices: got %v, want %s", who, n, docket.NoticeProposed)
		}
	}
	// Reassigned: the former mediator no longer sees the case, the new
	// one may withdraw the proposal.
	if _, err := e.Svc.Assign(ctx, e.U["clerk1"], c.ID, court.RoleMediator, m2.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.Svc.WithdrawProposal(ctx, e.U["mediator1"], c.ID, o.ID)
	wantCode(t, "former mediator withdraws", err, court.ENOTFOUND, "")
	if _, err := e.Svc.WithdrawProposal(ctx, m2, c.ID, o.ID); err != nil {
		t.Fatalf("new mediator withdraws: %v", err)
	}

	// Not on a concluded case, nor before service.
	for _, state := range []string{"settled", "withdrawn served", "submitted"} {
		x := build(t, e, "M-"+state, state)
		if state == "submitted" {
			if _, err := e.DB.ChangeCase(ctx, x.ID, storage.Change{From: x.Status, To: x.Status,
				Set: map[string]any{"mediator_id": e.U["mediator1"].ID}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.Svc.Propose(ctx, e.U["mediator1"], x.ID, tm)
		wantCode(t, "propose on a "+state+" case", err, court.ECONFLICT, "offer.err_proposal_state")
	}
}

// TestProposalBothAccept: each party's acceptance is recorded; the second
// sends it to the judge, who confirms it like any accepted offer. Illegal
// steps on the way are refused and change nothing.
func TestProposalBothAccept(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "M-2")
	o := mustPropose(t, e, c.ID, 60_000)

	// The mediator, the judge and the court's staff do not answer for a party.
	for _, who := range []string{"mediator1", "judge1", "clerk1", "admin1"} {
		for _, accept := range []bool{true, false} {
			_, err := e.Svc.RespondOffer(ctx, e.U[who], c.ID, o.ID, accept)
			wantCode(t, who+" answers the proposal", err, court.EFORBIDDEN, "")
		}
		_, err := e.Svc.Counter(ctx, e.U[who], c.ID, o.ID, terms(40_000, 5, e.Clock.Now()))
		wantCode(t, who+" counters the proposal", err, court.EFORBIDDEN, "")
	}
	_, err := e.Svc.RespondOffer(ctx, e.U["merchant2"], c.ID, o.ID, true)
	wantCode(t, "another merchant accepts", err, court.ENOTFOUND, "")

	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, true); err != nil {
		t.Fatalf("claimant accepts: %v", err)
	}
	got, _ := e.DB.OfferByID(ctx, c.ID, o.ID)
	if got.Status != court.OfferOpen || got.ClaimantAnswer != court.AnswerAccepted || got.MerchantAnswer != court.AnswerNone ||
		got.ClaimantAnsweredBy == nil || *got.ClaimantAnsweredBy != e.U["claimant1"].ID || got.ClaimantAnsweredAt == nil {
		t.Fatalf("after the claimant's acceptance: got %+v, want open with the claimant's answer", got)
	}
	_, err = e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, true)
	wantCode(t, "claimant accepts twice", err, court.ECONFLICT, "offer.err_proposal_answered")
	_, err = e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, false)
	wantCode(t, "claimant rejects after accepting", err, court.ECONFLICT, "offer.err_proposal_answered")
	_, err = e.Svc.Counter(ctx, e.U["claimant1"], c.ID, o.ID, terms(70_000, 5, e.Clock.Now()))
	wantCode(t, "claimant counters after accepting", err, court.ECONFLICT, "offer.err_proposal_answered")
	_, err = e.Svc.ConfirmSettlement(ctx, e.U["judge1"], c.ID, true, "")
	wantCode(t, "judge confirms a half-accepted proposal", err, court.ECONFLICT, "offer.err_none_accepted")
	if n := noticeKinds(t, e, "merchant1", c.ID); !slices.Contains(n, docket.NoticeProposalAccepted) {
		t.Errorf("merchant notices: got %v, want %s", n, docket.NoticeProposalAccepted)
	}
	if n := noticeKinds(t, e, "mediator1", c.ID); !slices.Contains(n, docket.NoticeProposalAccepted) {
		t.Errorf("mediator notices: got %v, want %s", n, docket.NoticeProposalAccepted)
	}

	if _, err := e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, o.ID, true); err != nil {
		t.Fatalf("merchant accepts: %v", err)
	}
	got, _ = e.DB.OfferByID(ctx, c.ID, o.ID)
	if got.Status != court.OfferAccepted || got.MerchantAnswer != court.AnswerAccepted || got.RespondedBy == nil ||
		*got.RespondedBy != e.U["merchant1"].ID {
		t.Fatalf("after both accepted: got %+v, want accepted", got)
	}
	_, err = e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, o.ID, true)
	wantCode(t, "merchant accepts again", err, court.ECONFLICT, "offer.err_not_open")
	_, err = e.Svc.WithdrawProposal(ctx, e.U["mediator1"], c.ID, o.ID)
	wantCode(t, "withdraw an agreed proposal", err, court.ECONFLICT, "offer.err_not_open")
	for _, who := range []string{"claimant1", "merchant1", "mediator1"} {
		if n := noticeKinds(t, e, who, c.ID); !slices.Contains(n, docket.NoticeProposalAgreed) {
			t.Errorf("%s notices: got %v, want %s", who, n, docket.NoticeProposalAgreed)
		}
	}
	if n := noticeKinds(t, e, "judge1", c.ID); !slices.Contains(n, docket.NoticeSettleConfirm) {
		t.Errorf("judge notices: got %v, want %s", n, docket.NoticeSettleConfirm)
	}
	if cs, err := e.Svc.ConfirmSettlement(ctx, e.U["judge1"], c.ID, true, ""); err != nil || cs.Status != court.CaseSettled {
		t.Fatalf("judge confirms: got %v, %v; want settled", cs, err)
	}
	got, _ = e.DB.OfferByID(ctx, c.ID, o.ID)
	if got.Status != court.OfferConfirmed {
		t.Errorf("proposal after confirmation: got %q, want confirmed", got.Status)
	}
	want := []string{docket.EntryProposed, docket.EntryProposalAccepted, docket.EntryProposalAgreed, docket.EntrySettled}
	if k := lastKinds(t, e, c.ID, 4); !slices.Equal(k, want) {
		t.Errorf("docket: got %v, want it to end with %v", k, want)
	}
	_, err = e.Svc.Propose(ctx, e.U["mediator1"], c.ID, terms(10_000, 3, e.Clock.Now()))
	wantCode(t, "propose on the settled case", err, court.ECONFLICT, "offer.err_proposal_state")
}

// TestProposalEnds: a rejection ends a proposal (even one the other party
// accepted); a withdrawn or expired one cannot be answered; a counter makes
// an ordinary offer to the other party and tells the mediator.
func TestProposalEnds(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)

	// Rejected by the merchant after the claimant accepted.
	c := served(t, e, "M-3")
	o := mustPropose(t, e, c.ID, 60_000)
	if _, err := e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, o.ID, false); err != nil {
		t.Fatalf("merchant rejects: %v", err)
	}
	got, _ := e.DB.OfferByID(ctx, c.ID, o.ID)
	if got.Status != court.OfferRejected || got.MerchantAnswer != court.AnswerRejected || got.ClaimantAnswer != court.AnswerAccepted {
		t.Fatalf("after the rejection: got %+v", got)
	}
	_, err := e.Svc.ConfirmSettlement(ctx, e.U["judge1"], c.ID, true, "")
	wantCode(t, "confirm a rejected proposal", err, court.ECONFLICT, "offer.err_none_accepted")
	if n := noticeKinds(t, e, "claimant1", c.ID); !slices.Contains(n, docket.NoticeProposalRejected) {
		t.Errorf("claimant notices: got %v, want %s", n, docket.NoticeProposalRejected)
	}
	if k := lastKinds(t, e, c.ID, 1); k[0] != docket.EntryProposalRejected {
		t.Errorf("docket: got %v, want it to end with %s", k, docket.EntryProposalRejected)
	}

	// Withdrawn: only by its mediator, once; then nobody can answer it.
	o = mustPropose(t, e, c.ID, 55_000)
	for _, who := range []string{"claimant1", "merchant1", "judge1", "clerk1"} {
		_, err := e.Svc.WithdrawProposal(ctx, e.U[who], c.ID, o.ID)
		wantCode(t, who+" withdraws the proposal", err, court.EFORBIDDEN, "")
	}
	if _, err := e.Svc.WithdrawProposal(ctx, e.U["mediator1"], c.ID, o.ID); err != nil {
		t.Fatalf("mediator withdraws: %v", err)
	}
	_, err = e.Svc.WithdrawProposal(ctx, e.U["mediator1"], c.ID, o.ID)
	wantCode(t, "withdraw twice", err, court.ECONFLICT, "offer.err_not_open")
	_, err = e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, true)
	wantCode(t, "accept a withdrawn proposal", err, court.ECONFLICT, "offer.err_proposal_withdrawn")
	_, err = e.Svc.Counter(ctx, e.U["merchant1"], c.ID, o.ID, terms(40_000, 3, e.Clock.Now()))
	wantCode(t, "counter a withdrawn proposal", err, court.ECONFLICT, "offer.err_not_open")
	for _, who := range []string{"claimant1", "merchant1"} {
		if n := noticeKinds(t, e, who, c.ID); !slices.Contains(n, docket.NoticeProposalWithdrawn) {
			t.Errorf("%s notices: got %v, want %s", who, n, docket.NoticeProposalWithdrawn)
		}
	}
	// A party's offer is not the mediator's to withdraw.
	po, err := e.Svc.MakeOffer(ctx, e.U["claimant1"], c.ID, terms(45_000, 3, e.Clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Svc.WithdrawProposal(ctx, e.U["mediator1"], c.ID, po.ID)
	wantCode(t, "withdraw a party's offer", err, court.EFORBIDDEN, "")
	if _, err := e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, po.ID, false); err != nil {
		t.Fatal(err)
	}

	// Expired: past its last day it cannot be accepted or withdrawn, and
	// no longer blocks a new proposal.
	o = mustPropose(t, e, c.ID, 52_000)
	if _, err := e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, o.ID, true); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(9 * 24 * time.Hour)
	_, err = e.Svc.RespondOffer(ctx, e.U["claimant1"], c.ID, o.ID, true)
	wantCode(t, "accept an expired proposal", err, court.ECONFLICT, "offer.err_expired")
	_, err = e.Svc.WithdrawProposal(ctx, e.U["mediator1"], c.ID, o.ID)
	wantCode(t, "withdraw an expired proposal", err, court.ECONFLICT, "offer.err_expired")

	// Countered by the claimant: an ordinary offer to the merchant.
	o = mustPropose(t, e, c.ID, 58_000)
	co, err := e.Svc.Counter(ctx, e.U["claimant1"], c.ID, o.ID, terms(65_000, 5, e.Clock.Now()))
	if err != nil {
		t.Fatalf("claimant counters: %v", err)
	}
	if co.ByRole != court.RoleClaimant || co.CounterOf == nil || *co.CounterOf != o.ID || co.Status != court.OfferOpen {
		t.Fatalf("counter: got %+v", co)
	}
	got, _ = e.DB.OfferByID(ctx, c.ID, o.ID)
	if got.Status != court.OfferCountered {
		t.Errorf("proposal after the counter: got %q, want countered", got.Status)
	}
	if n := noticeKinds(t, e, "mediator1", c.ID); !slices.Contains(n, docket.NoticeProposalCountered) {
		t.Errorf("mediator notices: got %v, want %s", n, docket.NoticeProposalCountered)
	}
	_, err = e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, o.ID, true)
	wantCode(t, "accept a countered proposal", err, court.ECONFLICT, "offer.err_not_open")
	// The merchant accepts the counter: the judge confirms a party's offer.
	if _, err := e.Svc.RespondOffer(ctx, e.U["merchant1"], c.ID, co.ID, true); err != nil {
		t.Fatal(err)
	}

	// A proposal on a case the claimant withdraws meanwhile is dead.
	c2 := served(t, e, "M-4")
	o2 := mustPropose(t, e, c2.ID, 30_000)
	if _, err := e.Svc.Withdraw(ctx, e.U["claimant1"], c2.ID, "已和解"); err != nil {
		t.Fatal(err)
	}
	_, err = e.Svc.RespondOffer(ctx, e.U["merchant1"], c2.ID, o2.ID, true)
	wantCode(t, "accept a proposal on a withdrawn case", err, court.ECONFLICT, "offer.err_proposal_state")
	_, err = e.Svc.WithdrawProposal(ctx, e.U["mediator1"], c2.ID, o2.ID)
	wantCode(t, "withdraw a proposal on a withdrawn case", err, court.ECONFLICT, "offer.err_proposal_state")
}

// TestProposalConcurrentAcceptance: both parties accepting at the same
// moment both count, and the proposal goes to the judge exactly once.
func TestProposalConcurrentAcceptance(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := served(t, e, "M-5")
	o := mustPropose(t, e, c.ID, 40_000)
	errs := make(chan error, 2)
	for _, who := range []string{"claimant1", "merchant1"} {
		go func() {
			_, err := e.Svc.RespondOffer(ctx, e.U[who], c.ID, o.ID, true)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent acceptance: %v", err)
		}
	}
	got, _ := e.DB.OfferByID(ctx, c.ID, o.ID)
	if got.Status != court.OfferAccepted {
		t.Fatalf("after both accepted at once: got %q, want accepted", got.Status)
	}
	k := kinds(t, e, c.ID)
	if n := countOf(k, docket.EntryProposalAgreed); n != 1 {
		t.Errorf("docket: got %d %s entries (%v), want 1", n, docket.EntryProposalAgreed, k)
	}
}

func countOf(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

package docket_test

import (
	"context"
	"testing"

	"github.com/shangcheng-court/courtd/court"
)

func TestDrafts(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	me := e.U["claimant1"]

	d, err := e.Svc.SaveDraft(ctx, me, 0, court.Filing{MerchantName: "杭州西湖龙井茶业有限公司", Refund: 128_000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.SaveDraft(ctx, me, 0, court.Filing{CreditCode: "123"}); court.ErrorCode(err) != court.EINVALID {
		t.Errorf("malformed credit code: got %v, want EINVALID", err)
	}
	// Only its owner sees or changes a draft; to others it does not exist.
	for _, u := range []string{"claimant2", "clerk1", "agent1", "admin1"} {
		if _, err := e.Svc.Draft(ctx, e.U[u], d.ID); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("Draft as %s: got %v, want ENOTFOUND", u, err)
		}
		if _, err := e.Svc.SaveDraft(ctx, e.U[u], d.ID, court.Filing{}); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("SaveDraft as %s: got %v, want ENOTFOUND", u, err)
		}
		if err := e.Svc.DeleteDraft(ctx, e.U[u], d.ID); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("DeleteDraft as %s: got %v, want ENOTFOUND", u, err)
		}
	}
	if l, _ := e.Svc.Drafts(ctx, e.U["claimant2"]); len(l) != 0 {
		t.Errorf("claimant2's drafts: got %d, want 0", len(l))
	}

	// Filing it checks everything, and says everything at once.
	_, err = e.Svc.FileDraft(ctx, me, d.ID, d.Filing, true)
	ce := MustCourtError(t, err, court.EINVALID)
	for _, f := range []string{"credit_code", "category", "facts", "service_consent"} {
		if _, ok := ce.Fields[f]; !ok {
			t.Errorf("incomplete draft filed: got fields %v, want an error on %s", ce.Fields, f)
		}
	}
	if l, _ := e.Svc.Drafts(ctx, me); len(l) != 1 {
		t.Fatalf("drafts after a refused filing: got %d, want the draft kept", len(l))
	}
	full := filing("D-1")
	d, err = e.Svc.SaveDraft(ctx, me, d.ID, full)
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.Svc.FileDraft(ctx, me, d.ID, d.Filing, true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != court.CaseSubmitted || c.ClaimantID != me.ID || c.Total != 178_000 {
		t.Errorf("filed draft: got %s claimant %d total %d, want submitted by claimant1 for 178000", c.Status, c.ClaimantID, c.Total)
	}
	if l, _ := e.Svc.Drafts(ctx, me); len(l) != 0 {
		t.Errorf("drafts after filing: got %d, want 0", len(l))
	}
	if _, err := e.Svc.Draft(ctx, me, d.ID); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("filed draft: got %v, want it gone", err)
	}
}

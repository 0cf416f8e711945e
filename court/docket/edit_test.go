package docket_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

// corrected is filing(order) changed in every field the index or the fee
// depend on: another merchant (new to the court), other facts, more money.
func corrected(order string) court.Filing {
	f := filing(order)
	code := "91330108MA2K9P3R2"
	f.CreditCode = code + string(court.CreditCodeCheck(code))
	f.MerchantName = "杭州翠峰茶叶专营店"
	f.Facts = "补正：收到的碧螺春茶叶霉变结块，商家拒绝退货退款。"
	f.Refund, f.Compensation, f.Costs = 1_000_000, 40_000, 10_000
	return f
}

func searchIDs(t *testing.T, e *env, q string) []int64 {
	t.Helper()
	got, err := e.Svc.Search(context.Background(), e.U["clerk1"], docket.SearchQuery{Text: q})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	ids := []int64{}
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestUpdateReturned(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := build(t, e, "U-1", "returned")
	if got := searchIDs(t, e, "假冒产品"); !reflect.DeepEqual(got, []int64{c.ID}) {
		t.Fatalf("search old facts before: got %v, want [%d]", got, c.ID)
	}
	orgs := countRows(t, e, "organizations")
	e.Clock.Advance(3600e9)
	f := corrected("U-1b")
	got, err := e.Svc.Update(ctx, e.U["claimant1"], c.ID, f)
	if err != nil {
		t.Fatal(err)
	}
	stored := mustCase(t, e, c.ID)
	if !reflect.DeepEqual(got, stored) {
		t.Errorf("Update returned %+v, stored %+v", got, stored)
	}
	if stored.Status != court.CaseReturned {
		t.Errorf("status: got %q, want returned (Update does not submit)", stored.Status)
	}
	if stored.Facts != f.Facts || stored.MerchantName != f.MerchantName || stored.CreditCode != f.CreditCode || stored.OrderRef != "U-1b" {
		t.Errorf("filing not stored: %+v", stored)
	}
	if stored.Total != 1_050_000 || stored.Fee != e.Svc.Profile.Fee(1_050_000) || stored.Fee == c.Fee {
		t.Errorf("total %v fee %v: want 10,500.00 and its fee (was %v)", stored.Total, stored.Fee, c.Fee)
	}
	if stored.OrgID == c.OrgID || countRows(t, e, "organizations") != orgs+1 {
		t.Errorf("org: got %d (was %d), organisations %d (were %d): want a new one", stored.OrgID, c.OrgID, countRows(t, e, "organizations"), orgs)
	}
	if k := kinds(t, e, c.ID); !reflect.DeepEqual(k, []string{"filed", "returned", "corrected"}) {
		t.Errorf("docket: got %v", k)
	}
	es, err := e.DB.Docket(ctx, c.ID, false)
	if err != nil || len(es) != 3 || !es[2].Public || es[2].Data["Total"] != stored.Total.String() {
		t.Errorf("public corrected entry: %+v, %v", es, err)
	}
	if got := searchIDs(t, e, "假冒产品"); len(got) != 0 {
		t.Errorf("search old facts: got %v, want none", got)
	}
	if got := searchIDs(t, e, "碧螺春"); !reflect.DeepEqual(got, []int64{c.ID}) {
		t.Errorf("search new facts: got %v, want [%d]", got, c.ID)
	}
	if got := searchIDs(t, e, f.CreditCode); !reflect.DeepEqual(got, []int64{c.ID}) {
		t.Errorf("search new credit code: got %v, want [%d]", got, c.ID)
	}
	if got := searchIDs(t, e, demo1Code()); len(got) != 0 {
		t.Errorf("search old credit code: got %v, want none", got)
	}
	// The corrected claim goes back to review as it now stands.
	sub, err := e.Svc.Submit(ctx, e.U["claimant1"], c.ID)
	if err != nil || sub.Status != court.CaseSubmitted || sub.Total != 1_050_000 {
		t.Fatalf("Submit after correction: %+v, %v", sub, err)
	}
}

func demo1Code() string { return filing("").CreditCode }

func TestUpdateDraft(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := build(t, e, "U-2", "draft")
	f := filing("U-2")
	f.Facts = "草稿补充：茶叶包装破损，且经鉴定为假冒产品。"
	f.Refund = 7_000_000 // above the cap, within twice it: needs consent
	f.OverCapConsent = true
	got, err := e.Svc.Update(ctx, e.U["claimant1"], c.ID, f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != court.CaseDraft || got.Facts != f.Facts || !got.OverCap || got.OrgID != c.OrgID {
		t.Errorf("draft after Update: %+v", got)
	}
	if k := kinds(t, e, c.ID); len(k) != 0 {
		t.Errorf("a draft's docket: got %v, want none", k)
	}
	f.Refund, f.OverCapConsent = 10_000, false
	got, err = e.Svc.Update(ctx, e.U["claimant1"], c.ID, f)
	if err != nil || got.OverCap || got.Total != 60_000 {
		t.Errorf("back under the cap: %+v, %v", got, err)
	}
}

func TestUpdateRefused(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	draft := build(t, e, "R-draft", "draft")
	returned := build(t, e, "R-returned", "returned")
	for _, tc := range []struct {
		user string
		id   int64
		code court.Code
	}{
		{"claimant2", draft.ID, court.ENOTFOUND},
		{"clerk1", draft.ID, court.ENOTFOUND},
		{"merchant1", draft.ID, court.ENOTFOUND},
		{"agent1", returned.ID, court.ENOTFOUND},
		{"merchant1", returned.ID, court.ENOTFOUND},
		{"judge1", returned.ID, court.ENOTFOUND},
		{"clerk1", returned.ID, court.EFORBIDDEN},
		{"admin1", returned.ID, court.EFORBIDDEN},
	} {
		_, err := e.Svc.Update(ctx, e.U[tc.user], tc.id, corrected("X-"+tc.user))
		MustCourtError(t, err, tc.code)
	}
	// Every state but draft and returned is a conflict for the claimant.
	for _, st := range []string{"submitted", "rejected", "served", "answered", "withdrawn draft", "withdrawn served"} {
		c := build(t, e, "R-"+st, st)
		_, err := e.Svc.Update(ctx, e.U["claimant1"], c.ID, corrected("X-"+st))
		if ce := MustCourtError(t, err, court.ECONFLICT); ce.Msg.Key != "err.transition" {
			t.Errorf("%s: got %s, want err.transition", st, ce.Msg.Key)
		}
		if got := mustCase(t, e, c.ID); got.Facts != c.Facts || got.Status != c.Status {
			t.Errorf("%s: case changed: %+v", st, got)
		}
	}
	// Invalid: every field error, nothing changed.
	bad := filing("R-draft")
	bad.Facts, bad.CreditCode, bad.ServiceConsent = "短", "123", false
	_, err := e.Svc.Update(ctx, e.U["claimant1"], returned.ID, bad)
	ce := MustCourtError(t, err, court.EINVALID)
	for _, k := range []string{"facts", "credit_code", "service_consent"} {
		if _, ok := ce.Fields[k]; !ok {
			t.Errorf("invalid filing: no error for %s in %v", k, ce.Fields)
		}
	}
	future := filing("R-returned")
	future.PurchaseDate = "2026-03-03" // the day after t0
	_, err = e.Svc.Update(ctx, e.U["claimant1"], returned.ID, future)
	if ce := MustCourtError(t, err, court.EINVALID); ce.Fields["purchase_date"].Key != "err.date_future" {
		t.Errorf("future date: %v", ce.Fields)
	}
	over := filing("R-returned")
	over.Refund, over.OverCapConsent = 20_000_000, true // above twice the cap
	_, err = e.Svc.Update(ctx, e.U["claimant1"], returned.ID, over)
	if ce := MustCourtError(t, err, court.EINVALID); ce.Fields["refund"].Key != "err.over_twice_cap" {
		t.Errorf("over twice the cap: %v", ce.Fields)
	}
	// The order of another open claim against the same merchant.
	_, err = e.Svc.Update(ctx, e.U["claimant1"], returned.ID, filing("R-draft"))
	if ce := MustCourtError(t, err, court.ECONFLICT); ce.Msg.Key != "err.open_claim" || ce.Msg.Args["CaseID"] != draft.ID {
		t.Errorf("open claim: got %s %v, want err.open_claim of %d", ce.Msg.Key, ce.Msg.Args, draft.ID)
	}
	if got := mustCase(t, e, returned.ID); !reflect.DeepEqual(got, returned) {
		t.Errorf("refused updates changed the case:\n got %+v\nwant %+v", got, returned)
	}
	if k := kinds(t, e, returned.ID); !reflect.DeepEqual(k, []string{"filed", "returned"}) {
		t.Errorf("refused updates added entries: %v", k)
	}
	found := false
	for _, id := range searchIDs(t, e, "假冒产品") {
		found = found || id == returned.ID
	}
	if !found {
		t.Errorf("refused updates took the returned case out of the index")
	}
	if got := searchIDs(t, e, "碧螺春"); len(got) != 0 {
		t.Errorf("refused updates reached the index: %v", got)
	}
}

func TestUpdateStale(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := build(t, e, "S-1", "returned")
	// The claimant resubmits (elsewhere) after the page was read: the
	// update guarded by "returned" must not apply.
	_, err := e.DB.UpdateFiling(ctx, c.ID, storageUpdate(c))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Submit(ctx, e.U["claimant1"], c.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.DB.UpdateFiling(ctx, c.ID, storageUpdate(c))
	if ce := MustCourtError(t, err, court.ECONFLICT); ce.Msg.Key != "err.case_changed" {
		t.Errorf("stale: got %s", ce.Msg.Key)
	}
	if got := mustCase(t, e, c.ID); got.Status != court.CaseSubmitted {
		t.Errorf("status: %q", got.Status)
	}
}

func storageUpdate(c *court.Case) storage.FilingUpdate {
	return storage.FilingUpdate{From: court.CaseReturned, Case: *c}
}

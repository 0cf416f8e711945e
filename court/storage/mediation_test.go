package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// TestMigration18KeepsOffers: offers stored before migration 00018 (one
// countering another) come through its rebuild of the table unchanged, the
// rebuilt table takes a mediator's proposal and still refuses what it must
// (a second open offer, a counter_of to nowhere, a withdrawn party's offer),
// and going back down drops the proposals only.
func TestMigration18KeepsOffers(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	med := MustCreateUser(t, db, "med", court.RoleMediator, "")
	c := MustCreateCase(t, db, newCase(alice, codeA, "DY-18", court.CaseSubmitted))
	w := db.Writer()
	if err := db.MigrateTo(ctx, 17); err != nil {
		t.Fatalf("down to 17: %v", err)
	}
	exp := t0.Add(72 * time.Hour)
	if _, err := w.Exec(`INSERT INTO offers (id, case_id, by_user, by_role, amount, terms, expires_at, status, responded_by,
		responded_at, created_at) VALUES (7, ?, ?, 'merchant', 8000, '七日内退款', ?, 'countered', ?, ?, ?)`,
		c.ID, alice.ID, exp, alice.ID, t0, t0); err != nil {
		t.Fatalf("fixture offer 7: %v", err)
	}
	if _, err := w.Exec(`INSERT INTO offers (id, case_id, by_user, by_role, amount, expires_at, status, counter_of, created_at)
		VALUES (9, ?, ?, 'claimant', 10000, ?, 'open', 7, ?)`, c.ID, alice.ID, exp, t0); err != nil {
		t.Fatalf("fixture offer 9: %v", err)
	}
	if err := db.MigrateTo(ctx, 18); err != nil {
		t.Fatalf("up to 18: %v", err)
	}
	offers, err := db.Offers(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) != 2 || offers[0].ID != 9 || offers[1].ID != 7 {
		t.Fatalf("offers after 00018: got %+v, want ids 9 and 7", offers)
	}
	o9, o7 := offers[0], offers[1]
	if o9.Status != court.OfferOpen || o9.CounterOf == nil || *o9.CounterOf != 7 || o9.Amount != 10000 || o9.ByRole != court.RoleClaimant ||
		!o9.ExpiresAt.Equal(exp) || o9.ClaimantAnswer != "" || o9.MerchantAnswer != "" {
		t.Errorf("offer 9 after 00018: got %+v", o9)
	}
	if o7.Status != court.OfferCountered || o7.Terms != "七日内退款" || o7.RespondedBy == nil || *o7.RespondedBy != alice.ID {
		t.Errorf("offer 7 after 00018: got %+v", o7)
	}
	// counter_of still refers to offers (not to the table's old name).
	var ref string
	if err := w.QueryRow(`SELECT "table" FROM pragma_foreign_key_list('offers') WHERE "from" = 'counter_of'`).Scan(&ref); err != nil || ref != "offers" {
		t.Errorf("counter_of refers to %q (%v), want offers", ref, err)
	}
	var idx int
	if err := w.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'offers' AND name IN ('offers_case','offers_one_open')`).Scan(&idx); err != nil || idx != 2 {
		t.Errorf("indexes on offers: got %d (%v), want 2", idx, err)
	}
	mustFail := func(what, q string, args ...any) {
		t.Helper()
		if _, err := w.Exec(q, args...); err == nil {
			t.Errorf("%s: stored, want refused", what)
		}
	}
	mustFail("a second open offer", `INSERT INTO offers (case_id, by_user, by_role, amount, expires_at, status, created_at)
		VALUES (?, ?, 'mediator', 9000, ?, 'open', ?)`, c.ID, med.ID, exp, t0)
	mustFail("counter_of to nowhere", `UPDATE offers SET counter_of = 999 WHERE id = 9`)
	mustFail("a withdrawn party's offer", `UPDATE offers SET status = 'withdrawn' WHERE id = 9`)
	mustFail("a party's offer with a party's answer", `UPDATE offers SET claimant_answer = 'accepted' WHERE id = 9`)
	mustFail("an unknown role", `UPDATE offers SET by_role = 'judge' WHERE id = 9`)
	if _, err := w.Exec(`UPDATE offers SET status = 'expired' WHERE id = 9`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO offers (id, case_id, by_user, by_role, amount, expires_at, status, created_at, merchant_answer)
		VALUES (11, ?, ?, 'mediator', 9000, ?, 'open', ?, 'accepted')`, c.ID, med.ID, exp, t0); err != nil {
		t.Fatalf("a mediator's proposal: %v", err)
	}
	mustFail("a proposal accepted by one party waiting for the judge", `UPDATE offers SET status = 'accepted' WHERE id = 11`)
	if _, err := w.Exec(`INSERT INTO offers (id, case_id, by_user, by_role, amount, expires_at, status, counter_of, created_at)
		VALUES (12, ?, ?, 'claimant', 9500, ?, 'expired', 11, ?)`, c.ID, alice.ID, exp, t0); err != nil {
		t.Fatalf("a counter to the proposal: %v", err)
	}

	if err := db.MigrateTo(ctx, 17); err != nil {
		t.Fatalf("down to 17 again: %v", err)
	}
	var ids []int64
	rows, err := w.Query(`SELECT id FROM offers ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 3 || ids[0] != 7 || ids[1] != 9 || ids[2] != 12 {
		t.Errorf("offers after 00018 down: got %v, want [7 9 12]", ids)
	}
	if err := db.MigrateTo(ctx, storage.SchemaVersion()); err != nil {
		t.Fatalf("up again: %v", err)
	}
}

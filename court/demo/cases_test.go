package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

func TestSeedCases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, filepath.Join(dir, "court.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := accounts.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(db, keys, accounts.DefaultConfig)
	if _, err := demo.Seed(ctx, acc); err != nil {
		t.Fatal(err)
	}
	n := 3000
	if s := os.Getenv("SEED_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	start := time.Now()
	st, err := demo.SeedCases(ctx, acc, court.DefaultProfile(), demo.CaseOptions{N: n, Seed: 7, Batch: 500})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cases in %s", n, time.Since(start))
	if st.Cases != n || st.Claimants != n/10 {
		t.Errorf("stats: got %d cases, %d claimants, want %d, %d", st.Cases, st.Claimants, n, n/10)
	}
	if st.ByStatus[court.CaseServed] < n/2 || st.ByStatus[court.CaseSubmitted] == 0 || st.ByStatus[court.CaseWithdrawn] == 0 ||
		st.ByStatus[court.CaseAnswered] == 0 {
		t.Errorf("statuses: got %v, want most served and some submitted, answered, withdrawn", st.ByStatus)
	}
	// Docket numbers run 1..n per year with no gap.
	seqs, err := db.DocketSeqs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	docketed := 0
	for year, s := range seqs {
		for i, x := range s {
			if x != i+1 {
				t.Fatalf("docket numbers of %d: got %d at %d, want %d", year, x, i, i+1)
			}
		}
		docketed += len(s)
	}
	if want := st.ByStatus[court.CaseServed] + st.ByStatus[court.CaseAnswered] + st.ByStatus[court.CaseWithdrawn]; docketed != want {
		t.Errorf("docketed cases: got %d, want %d", docketed, want)
	}
	// claimant1 (张伟) and merchant1's company have long lists; search finds them.
	u, _, err := db.Credentials(ctx, "claimant1")
	if err != nil {
		t.Fatal(err)
	}
	mine, err := db.Cases(ctx, storage.CaseFilter{ClaimantOrFiler: &u.ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) < n/100 {
		t.Errorf("claimant1's cases: got %d, want at least %d", len(mine), n/100)
	}
	found, err := db.SearchCases(ctx, storage.SearchFilter{Query: "张伟", NotDraft: true, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < len(mine) {
		t.Errorf("search 张伟: got %d cases, want at least claimant1's %d", len(found), len(mine))
	}
	// The same seed gives the same cases.
	c1, err := db.CaseByID(ctx, mine[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if c1.Facts == "" || c1.MerchantName == "" || c1.Total <= 0 {
		t.Errorf("a seeded case: got %+v, want facts, a merchant and an amount", c1)
	}
}

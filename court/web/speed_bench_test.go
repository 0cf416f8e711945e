package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// BenchmarkSpeed measures, over real HTTP on loopback, what people wait for
// on a court with many cases (100,000 unless COURTD_BENCH_CASES says
// otherwise, seeded once per run by demo.SeedCases): a case page, a party's
// case list, and full-text search. Each sub-benchmark reports p50 and p99
// of one request in ms. Run:
//
//	go test ./court/web -run XXX -bench Speed -benchtime 2000x -timeout 30m
func BenchmarkSpeed(b *testing.B) {
	n := 100_000
	if s := os.Getenv("COURTD_BENCH_CASES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("COURTD_BENCH_CASES=%q: %v", s, err)
		}
	}
	dir := b.TempDir()
	seedStart := time.Now()
	seedBenchCourt(b, dir, n)
	b.Logf("seeded %d cases in %s", n, time.Since(seedStart).Round(time.Millisecond))
	ts := serverIn(b, dir, false, nil)
	ctx := context.Background()

	claimant := ts.client(b)
	claimant.login("claimant1")
	api := ts.client(b)
	tok := map[string]string{}
	for _, u := range []string{"claimant1", "merchant1", "clerk1", "judge1"} {
		res, _ := api.api("POST", "/api/v1/tokens", "", "application/json", `{"username":"`+u+`","password":"`+demo.Password+`"}`)
		if res.StatusCode != http.StatusCreated {
			b.Fatalf("token for %s: got %d, want 201", u, res.StatusCode)
		}
		var t struct {
			Token string `json:"token"`
		}
		decodeInto(b, res, &t)
		tok[u] = t.Token
	}
	u1, _, err := ts.DB.Credentials(ctx, "claimant1")
	if err != nil {
		b.Fatal(err)
	}
	mine, err := ts.DB.Cases(ctx, storage.CaseFilter{ClaimantOrFiler: &u1.ID, Limit: 200})
	if err != nil || len(mine) == 0 {
		b.Fatalf("claimant1's cases: got %d, %v; want some", len(mine), err)
	}
	served, err := ts.DB.Cases(ctx, storage.CaseFilter{Status: []court.CaseStatus{court.CaseServed}, Limit: 1})
	if err != nil || len(served) == 0 {
		b.Fatalf("a served case: got %d, %v", len(served), err)
	}
	small, err := smallMerchant(ctx, ts.DB)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("CasePage", func(b *testing.B) {
		measure(b, func(i int) {
			res := claimant.get("/cases/" + strconv.FormatInt(mine[i%len(mine)].ID, 10))
			if res.StatusCode != http.StatusOK {
				b.Fatalf("case page: got %d, want 200", res.StatusCode)
			}
		})
	})
	apiGet := func(b *testing.B, user, path string) func(int) {
		return func(int) {
			res, _ := api.api("GET", path, tok[user], "", "")
			if res.StatusCode != http.StatusOK {
				b.Fatalf("%s GET %s: got %d, want 200", user, path, res.StatusCode)
			}
		}
	}
	b.Run("ListClaimant", func(b *testing.B) { measure(b, apiGet(b, "claimant1", "/api/v1/cases?limit=50")) })
	b.Run("ListMerchant", func(b *testing.B) { measure(b, apiGet(b, "merchant1", "/api/v1/cases?limit=50")) })
	b.Run("HomeClaimant", func(b *testing.B) {
		measure(b, func(int) {
			if res := claimant.get("/home"); res.StatusCode != http.StatusOK {
				b.Fatalf("home: got %d, want 200", res.StatusCode)
			}
		})
	})
	for _, q := range []struct{ name, user, query string }{
		{"Name2", "clerk1", "q=张伟"},
		{"Name2Rare", "clerk1", "q=王芳"},
		{"Word", "clerk1", "q=假冒"},
		{"TwoWords", "clerk1", "q=发霉+退款"},
		{"Phrase", "clerk1", "q=" + url.QueryEscape("七天无理由退货")},
		{"DocketNo", "clerk1", "q=" + url.QueryEscape(served[0].DocketNo)},
		{"CreditCode", "clerk1", "q=" + demo.CreditCode1},
		{"NoMatch", "clerk1", "q=独角兽"},
		{"WordFiltered", "clerk1", "q=退款&status=served&category=refund"},
		{"WordSmallMerchant", "clerk1", "q=退款&merchant=" + strconv.FormatInt(small, 10)},
		{"FiltersOnly", "clerk1", "status=answered&from=2026-01-01"},
		{"JudgeName2", "judge1", "q=张伟"},
		{"Page10", "clerk1", "q=退款&offset=200"},
	} {
		b.Run("Search/"+q.name, func(b *testing.B) { measure(b, apiGet(b, q.user, "/api/v1/search?"+q.query)) })
	}
}

// measure runs op b.N times and reports the 50th and 99th percentile of
// its duration in ms.
func measure(b *testing.B, op func(i int)) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		op(i)
		d = append(d, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(d)
	pct := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// seedBenchCourt makes a court in dir with the demo accounts and n cases.
func seedBenchCourt(b *testing.B, dir string, n int) {
	b.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(dir, "court.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	keys, err := accounts.LoadKeys(dir)
	if err != nil {
		b.Fatal(err)
	}
	acc := accounts.New(db, keys, accounts.DefaultConfig)
	if _, err := demo.Seed(ctx, acc); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.SeedCases(ctx, acc, court.DefaultProfile(), demo.CaseOptions{N: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
}

// smallMerchant is an organisation with few cases: a selective filter.
func smallMerchant(ctx context.Context, db *storage.DB) (int64, error) {
	for id := int64(3); id < 100; id++ {
		cases, err := db.SearchCases(ctx, storage.SearchFilter{OrgID: &id, Limit: 200})
		if err != nil {
			return 0, err
		}
		if len(cases) > 0 && len(cases) < 200 {
			return id, nil
		}
	}
	return 0, fmt.Errorf("no merchant with few cases")
}

package web_test

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/stats"
	"github.com/shangcheng-court/courtd/court/web"
)

// BenchmarkStats measures the statistics over real HTTP on a court of
// 100,000 cases (COURTD_BENCH_CASES to change), seeded by demo.SeedCases and
// then given outcomes the demo seed does not make: a tenth of the served
// cases ruled (a signed judgment with an order, an answer for most, a
// hearing of 20-40 minutes), a twentieth settled. Each sub-benchmark reports
// p50 and p99 in ms for the default period (the last year: every case).
// COURTD_BENCH_STATS_NOINDEX=1 drops the indexes of migration 00015 first,
// to see what they are worth. Run:
//
//	go test ./court/web -run XXX -bench Stats -benchtime 100x -timeout 40m
func BenchmarkStats(b *testing.B) {
	n := 100_000
	if s := os.Getenv("COURTD_BENCH_CASES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("COURTD_BENCH_CASES=%q: %v", s, err)
		}
	}
	dir := b.TempDir()
	start := time.Now()
	seedBenchCourt(b, dir, n)
	b.Logf("seeded %d cases in %s", n, time.Since(start).Round(time.Millisecond))
	ts := serverIn(b, dir, false, nil)
	enrichBenchOutcomes(b, ts)
	if os.Getenv("COURTD_BENCH_STATS_NOINDEX") == "1" {
		for _, ix := range []string{"cases_submitted_stats", "docket_entries_kind_at", "hearings_held"} {
			if _, err := ts.DB.Writer().Exec("DROP INDEX " + ix); err != nil {
				b.Fatal(err)
			}
		}
		b.Log("indexes of 00015 dropped")
	}

	anon := ts.client(b)
	clerk := ts.client(b)
	clerk.login("clerk1")
	res := anon.get("/api/v1/stats")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"ruled_claimant"`) {
		b.Fatalf("stats: got %d %s", res.StatusCode, res.Body)
	}
	b.Logf("report: %s", res.Body[:min(len(res.Body), 600)])
	get := func(c *client, path string) func(int) {
		return func(int) {
			if res := c.get(path); res.StatusCode != http.StatusOK {
				b.Fatalf("GET %s: got %d, want 200", path, res.StatusCode)
			}
		}
	}
	// Fresh reports: every request asks a period no request asked before
	// (year-long periods ending on successive days, a different length per
	// line so that lines share no cache key; the counter runs on across the
	// runs b.Run makes), so none comes from the cache: this is the cost of
	// computing the numbers. The lines ending in Direct are the same
	// requests to a second server over the same database whose statistics
	// are computed the straightforward way (stats.Service.Direct, the code
	// before migration 00020): the baseline, measured in the same run.
	direct := serverIn(b, dir, false, func(c *web.Config) {
		c.Stats = &stats.Service{DB: ts.DB, Now: ts.DB.Now, Direct: true}
	})
	anonDirect := direct.client(b)
	clerkDirect := direct.client(b)
	clerkDirect.login("clerk1")
	fresh := func(c *client, path string, days int) func(int) {
		n := 0
		return func(int) {
			to := time.Now().AddDate(0, 0, -n)
			n++
			p := path + "from=" + to.AddDate(0, 0, -days).Format("2006-01-02") + "&to=" + to.Format("2006-01-02")
			if res := c.get(p); res.StatusCode != http.StatusOK {
				b.Fatalf("GET %s: got %d, want 200", p, res.StatusCode)
			}
		}
	}
	for _, f := range []struct {
		name, path string
		days       int
		c, cd      *client
	}{
		{"PublicPageUncached", "/stats?", 364, anon, anonDirect},
		{"CSVUncached", "/stats?format=csv&", 363, anon, anonDirect},
		{"JSONUncached", "/api/v1/stats?", 362, anon, anonDirect},
		{"DashboardUncached", "/stats/dashboard?", 361, clerk, clerkDirect},
		{"DashboardCSVUncached", "/stats/dashboard?format=csv&", 360, clerk, clerkDirect},
	} {
		b.Run(f.name, func(b *testing.B) { measureCPU(b, fresh(f.c, f.path, f.days)) })
		b.Run(f.name+"Direct", func(b *testing.B) { measureCPU(b, fresh(f.cd, f.path, f.days)) })
	}
	b.Run("PublicPage", func(b *testing.B) { measureCPU(b, get(anon, "/stats")) })
	b.Run("PublicCSV", func(b *testing.B) { measureCPU(b, get(anon, "/stats?format=csv")) })
	b.Run("PublicJSON", func(b *testing.B) { measureCPU(b, get(anon, "/api/v1/stats")) })
	b.Run("DashboardPage", func(b *testing.B) { measureCPU(b, get(clerk, "/stats/dashboard")) })
	b.Run("DashboardCSV", func(b *testing.B) { measureCPU(b, get(clerk, "/stats/dashboard?format=csv")) })
	b.Run("OneMonth", func(b *testing.B) {
		to := time.Now().AddDate(0, 0, -30).Format("2006-01-02")
		from := time.Now().AddDate(0, 0, -60).Format("2006-01-02")
		measure(b, get(anon, "/stats?from="+from+"&to="+to))
	})
}

// measureCPU is measure, and also reports the CPU time of the whole process
// (server and client: both run here) per operation, in ms: on a shared,
// loaded machine the wall-clock percentiles include waiting for a core,
// the CPU time does not.
func measureCPU(b *testing.B, op func(i int)) {
	b.Helper()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	measure(b, op)
	b.ReportMetric(float64(cpu()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// enrichBenchOutcomes gives the seeded court rulings, settlements and
// hearings, in bulk SQL (benchmark set-up only).
func enrichBenchOutcomes(b *testing.B, ts *testServer) {
	b.Helper()
	ctx := context.Background()
	u, _, err := ts.DB.Credentials(ctx, "judge1")
	if err != nil {
		b.Fatal(err)
	}
	m, _, err := ts.DB.Credentials(ctx, "merchant1")
	if err != nil {
		b.Fatal(err)
	}
	judge, merchant := u.ID, m.ID
	// Times the statistics read back in Go (a hearing's start and end) are
	// written as the application writes them (the driver's format, with
	// +00:00): datetime()'s form without a zone matches only the driver's
	// third format, and would make every read parse three times.
	stmts := []struct {
		q    string
		args []any
	}{
		{`CREATE TEMP TABLE bench_ruled AS SELECT id, accepted_at, total FROM cases WHERE status = 'served' AND id % 10 = 0`, nil},
		{`CREATE TEMP TABLE bench_settled AS SELECT id, accepted_at, total FROM cases WHERE status = 'served' AND id % 20 = 1`, nil},
		{`UPDATE cases SET status = 'ruled' WHERE id IN (SELECT id FROM bench_ruled)`, nil},
		{`UPDATE cases SET status = 'settled' WHERE id IN (SELECT id FROM bench_settled)`, nil},
		{`INSERT INTO docket_entries (case_id, seq, actor_id, actor_role, kind, at)
			SELECT id, 100, ?, 'judge', 'ruling_signed', datetime(accepted_at, '+' || (10 + id % 50) || ' days') FROM bench_ruled`, []any{judge}},
		{`INSERT INTO docket_entries (case_id, seq, actor_id, actor_role, kind, at)
			SELECT id, 100, ?, 'judge', 'settled', datetime(accepted_at, '+' || (5 + id % 40) || ' days') FROM bench_settled`, []any{judge}},
		{`INSERT INTO answers (case_id, by_user, kind, admitted, created_at)
			SELECT id, ?, 'contest', 0, accepted_at FROM bench_ruled WHERE id % 3 <> 0`, []any{merchant}},
		{`INSERT INTO offers (case_id, by_user, by_role, amount, expires_at, status, created_at)
			SELECT id, ?, 'merchant', total / 2 + 1, accepted_at, 'confirmed', accepted_at FROM bench_settled`, []any{merchant}},
		{`INSERT INTO rulings (case_id, kind, status, number, content, canonical, sha256, signature, key_name, judge_id,
			signed_at, leaf_index, created_at, updated_at)
			SELECT id, 'judgment', 'signed', 'B' || id, '{}', '{}', printf('%064d', id), 's', 'k', ?, accepted_at, 1000000 + id,
			accepted_at, accepted_at FROM bench_ruled`, []any{judge}},
		{`INSERT INTO ruling_orders (ruling_id, seq, payer, payee, amount, due_days, due_at, what)
			SELECT r.id, 1, 'respondent', 'claimant', CASE WHEN b.id % 4 = 0 THEN b.total ELSE b.total / 2 + 1 END, 10, r.signed_at, 'refund'
			FROM rulings r JOIN bench_ruled b ON b.id = r.case_id WHERE b.id % 5 <> 0`, nil},
		{`INSERT INTO hearings (case_id, kind, status, start_at, end_at, started_at, ended_at, created_by, created_at, updated_at)
			SELECT id, CASE id % 3 WHEN 0 THEN 'video' WHEN 1 THEN 'audio' ELSE 'written' END, 'ended',
			datetime(accepted_at, '+7 days'), datetime(accepted_at, '+7 days', '+1 hour'),
			strftime('%Y-%m-%d %H:%M:%S+00:00', accepted_at, '+7 days'),
			strftime('%Y-%m-%d %H:%M:%S+00:00', accepted_at, '+7 days', '+' || (20 + id % 21) || ' minutes'),
			?, accepted_at, accepted_at FROM bench_ruled`, []any{judge}},
		{`ANALYZE`, nil},
	}
	w := ts.DB.Writer()
	for _, s := range stmts {
		if _, err := w.ExecContext(ctx, s.q, s.args...); err != nil {
			b.Fatalf("%s: %v", s.q, err)
		}
	}
	_ = demo.Password
}

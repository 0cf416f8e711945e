package stats_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/stats"
	"github.com/shangcheng-court/courtd/court/stats/statstest"
	"github.com/shangcheng-court/courtd/court/storage"
)

// mustCourt opens a real database in a temp dir with the demo accounts and
// the statstest cases.
func mustCourt(t *testing.T) *storage.DB {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := storage.Open(ctx, filepath.Join(dir, "court.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := accounts.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, accounts.New(db, keys, accounts.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	statstest.Seed(t, db)
	return db
}

func report(t *testing.T, db *storage.DB, from, to string, scope stats.Scope) *stats.Report {
	t.Helper()
	q, err := stats.ParseQuery(from, to, statstest.CST("2026-06-01 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &stats.Service{DB: db, Now: func() time.Time { return statstest.CST("2026-06-01 12:00") }}
	r, err := svc.Report(context.Background(), q, scope)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReportNumbers(t *testing.T) {
	db := mustCourt(t)
	r := report(t, db, statstest.From, statstest.To, stats.Public)

	if r.From != "2026-03-02" || r.To != "2026-03-15" {
		t.Errorf("period: got %s to %s, want 2026-03-02 to 2026-03-15", r.From, r.To)
	}
	if r.Filings != 9 {
		t.Errorf("filings: got %d, want 9", r.Filings)
	}
	wantWeeks := []stats.WeekCount{{Week: "2026-03-02", Cases: 6}, {Week: "2026-03-09", Cases: 3}}
	if !reflect.DeepEqual(r.Weeks, wantWeeks) {
		t.Errorf("weeks: got %+v, want %+v", r.Weeks, wantWeeks)
	}
	cats := map[court.Category]stats.CategoryCount{}
	for _, c := range r.Categories {
		cats[c.Category] = c
	}
	if len(r.Categories) != len(court.Categories) {
		t.Errorf("categories: got %d, want every one of %d", len(r.Categories), len(court.Categories))
	}
	for cat, want := range map[court.Category][2]int64{
		court.CatQuality: {3, 26900}, court.CatRefund: {1, 5000}, court.CatCounterfeit: {1, 20000},
		court.CatDelivery: {1, 30000}, court.CatOther: {1, 1000}, court.CatService: {1, 4000},
		court.CatLivestream: {1, 3000}, court.CatAdvertising: {0, 0},
	} {
		if got := cats[cat]; got.Cases != want[0] || int64(got.Claimed) != want[1] {
			t.Errorf("category %s: got %d cases %d fen, want %d cases %d fen", cat, got.Cases, got.Claimed, want[0], want[1])
		}
	}
	wantMerchants := []stats.MerchantCount{{Name: demo.Accounts[2].Org, Cases: 5}, {Name: demo.Accounts[3].Org, Cases: 4}}
	if !reflect.DeepEqual(r.Merchants, wantMerchants) {
		t.Errorf("merchants: got %+v, want %+v", r.Merchants, wantMerchants)
	}
	if r.Concluded != 9 {
		t.Errorf("concluded: got %d, want 9", r.Concluded)
	}
	wantOutcomes := []stats.OutcomeCount{
		{stats.Settled, 1}, {stats.Withdrawn, 2}, {stats.RuledClaimant, 1}, {stats.RuledRespondent, 1},
		{stats.RuledPartly, 1}, {stats.Default, 1}, {stats.Converted, 1}, {stats.Rejected, 1},
	}
	if !reflect.DeepEqual(r.Outcomes, wantOutcomes) {
		t.Errorf("outcomes: got %+v, want %+v", r.Outcomes, wantOutcomes)
	}
	if r.MedianDays == nil || *r.MedianDays != 8.0 {
		t.Errorf("median days: got %v, want 8.0", deref(r.MedianDays))
	}
	if r.Money.Claimed != 89900 || r.Money.Awarded != 42245 || r.Money.Agreed != 8000 || r.Money.Paid == nil || *r.Money.Paid != statstest.Paid {
		t.Errorf("money: got %+v (paid %v), want claimed 89900 awarded 42245 agreed 8000 paid %d", r.Money, r.Money.Paid, statstest.Paid)
	}
	h := r.Hearings
	if h.Held != 3 || h.TotalMinutes != 95 || h.MedianMinutes == nil || *h.MedianMinutes != 30 {
		t.Errorf("hearings: got held %d, %d minutes, median %v; want 3, 95, 30", h.Held, h.TotalMinutes, deref(h.MedianMinutes))
	}
	wantKinds := []stats.KindCount{{court.HearingVideo, 1}, {court.HearingAudio, 1}, {court.HearingWritten, 1}}
	if !reflect.DeepEqual(h.ByKind, wantKinds) {
		t.Errorf("hearings by kind: got %+v, want %+v", h.ByKind, wantKinds)
	}
	if r.Workload != nil {
		t.Errorf("the public report has a workload: %+v", r.Workload)
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// The period bounds are court days: one day less at either end loses the
// cases of that day.
func TestReportDateFilter(t *testing.T) {
	db := mustCourt(t)
	// Only the week of 9 March: filings 3; concluded there: settled (12th),
	// withdrawn (10th), three rulings (13th, 15th, 14th), default (11th),
	// rejected (10th).
	r := report(t, db, "2026-03-09", "2026-03-15", stats.Public)
	if r.Filings != 3 || r.Concluded != 7 || len(r.Weeks) != 1 {
		t.Errorf("week of 9 March: got %d filings, %d concluded, %d weeks; want 3, 7, 1", r.Filings, r.Concluded, len(r.Weeks))
	}
	// One day: 2 March has the case filed at 00:30 court time (1 March in
	// UTC) and not the one filed at 23:50 on 1 March.
	r = report(t, db, "2026-03-02", "2026-03-02", stats.Public)
	if r.Filings != 1 || r.Money.Claimed != 10000 {
		t.Errorf("2 March: got %d filings, %d fen; want 1, 10000", r.Filings, r.Money.Claimed)
	}
	// Nothing: no median, no hearings.
	r = report(t, db, "2025-01-01", "2025-01-31", stats.Public)
	if r.Filings != 0 || r.Concluded != 0 || r.MedianDays != nil || r.Hearings.MedianMinutes != nil || len(r.Merchants) != 0 {
		t.Errorf("January 2025: got %+v, want nothing", r)
	}
	if len(r.Weeks) != 5 { // Mondays 30 Dec 2024, 6, 13, 20, 27 Jan
		t.Errorf("January 2025: got %d weeks, want 5", len(r.Weeks))
	}
}

func TestDashboardWorkload(t *testing.T) {
	db := mustCourt(t)
	r := report(t, db, statstest.From, statstest.To, stats.Dashboard)
	if r.Workload == nil {
		t.Fatal("the dashboard has no workload")
	}
	got := map[court.CaseStatus]int64{}
	for _, x := range r.Workload.ByStatus {
		got[x.Status] = x.Cases
	}
	want := map[court.CaseStatus]int64{court.CaseSettled: 1, court.CaseWithdrawn: 2, court.CaseRuled: 3, court.CaseClosed: 1,
		court.CaseConverted: 1, court.CaseRejected: 1, court.CaseServed: 3}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("workload: got %v, want %v (drafts not counted)", got, want)
	}
}

func TestParseQuery(t *testing.T) {
	now := statstest.CST("2026-06-01 01:00") // 31 May in UTC
	q, err := stats.ParseQuery("", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.To.Format("2006-01-02"); got != "2026-06-01" {
		t.Errorf("default to: got %s, want the court's today 2026-06-01", got)
	}
	if got := q.From.Format("2006-01-02"); got != "2025-06-02" {
		t.Errorf("default from: got %s, want 2025-06-02 (365 days)", got)
	}
	for _, c := range []struct{ from, to, field, key string }{
		{"2026-13-01", "", "from", "stats.err_date"},
		{"", "yesterday", "to", "stats.err_date"},
		{"2026-03-02", "2026-03-01", "from", "stats.err_order"},
		{"2000-01-01", "2026-01-01", "from", "stats.err_span"},
		{"2026-03-02" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "", "from", "stats.err_date"},
	} {
		_, err := stats.ParseQuery(c.from, c.to, now)
		var ce *court.Error
		if !asError(err, &ce) || ce.Code != court.EINVALID || ce.Fields[c.field].Key != c.key {
			t.Errorf("from %q to %q: got %v, want %s on %s", c.from, c.to, err, c.key, c.field)
		}
	}
}

func asError(err error, ce **court.Error) bool {
	e, ok := err.(*court.Error)
	*ce = e
	return ok
}

// The CSV holds the same numbers as the report, and a merchant name that a
// spreadsheet would run as a formula is made text.
func TestCSV(t *testing.T) {
	db := mustCourt(t)
	r := report(t, db, statstest.From, statstest.To, stats.Public)
	cp := *r // the report is shared: change a copy
	cp.Merchants = append(slices.Clone(r.Merchants), stats.MerchantCount{Name: "=HYPERLINK(\"x\")", Cases: 1})
	r = &cp
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range rows {
		got[row[0]+"/"+row[1]] = row[2]
	}
	for k, want := range map[string]string{
		"filings/total": "9", "filings_by_week/2026-03-02": "6", "filings_by_week/2026-03-09": "3",
		"outcomes/default": "1", "outcomes/withdrawn": "2", "money/awarded_fen": "42245", "money/paid_fen": "10000",
		"duration/median_days_to_conclusion": "8.0", "hearings/median_minutes": "30.0",
		"top_merchants/" + demo.Accounts[2].Org: "5", "top_merchants/'=HYPERLINK(\"x\")": "1",
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s: got %q (present %v), want %q", k, v, ok, want)
		}
	}
}

// A report is used again for ten seconds whatever changed; then until a
// change appends a docket entry or changes a hearing, for a minute at most.
func TestReportCache(t *testing.T) {
	db := mustCourt(t)
	ctx := context.Background()
	now := statstest.CST("2026-06-01 12:00")
	svc := &stats.Service{DB: db, Now: func() time.Time { return now }}
	q, err := stats.ParseQuery(statstest.From, statstest.To, now)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := svc.Report(ctx, q, stats.Public)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := svc.Report(ctx, q, stats.Public)
	if r1 != r2 {
		t.Error("the same report was computed twice with nothing changed")
	}
	// A new filing in the period (docket entry "filed").
	u, _, err := db.Credentials(ctx, "claimant2")
	if err != nil {
		t.Fatal(err)
	}
	at := statstest.CST("2026-03-12 10:00")
	c := court.Case{Status: court.CaseSubmitted, ClaimantID: u.ID, FiledByID: u.ID, MerchantName: "某商家", CreditCode: demo.CreditCode1,
		Category: court.CatRefund, Facts: "商家拒绝退款。", Refund: 700, Total: 700, CreatedAt: at, SubmittedAt: &at, UpdatedAt: at}
	if _, err := db.ImportCases(ctx, []storage.ImportCase{{Case: c, Entries: []storage.Entry{{ActorRole: "claimant", Kind: "filed", At: at}}}},
		court.DefaultProfile().DocketNumber); err != nil {
		t.Fatal(err)
	}
	if r, _ := svc.Report(ctx, q, stats.Public); r != r1 {
		t.Error("a report less than ten seconds old was computed again")
	}
	now = now.Add(11 * time.Second)
	r3, _ := svc.Report(ctx, q, stats.Public)
	if r3 == r1 || r3.Filings != 10 || r3.Money.Claimed != 89900+700 {
		t.Errorf("after a filing: got %d filings %d fen (same report %v), want 10 and 90600", r3.Filings, r3.Money.Claimed, r3 == r1)
	}
	// Nothing changed: the same report, until it is a minute old.
	now = now.Add(40 * time.Second)
	if r, _ := svc.Report(ctx, q, stats.Public); r != r3 {
		t.Error("a report was computed again with nothing changed")
	}
	now = now.Add(21 * time.Second)
	if r4, _ := svc.Report(ctx, q, stats.Public); r4 == r3 {
		t.Error("a report older than a minute was used again")
	}
}

package stats_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court/stats"
	"github.com/shangcheng-court/courtd/court/stats/statstest"
	"github.com/shangcheng-court/courtd/court/storage"
)

// agree computes the report of every period as the direct queries do and
// from the tables of migration 00020, and fails where they differ.
func agree(t *testing.T, db *storage.DB, periods [][2]string) {
	t.Helper()
	now := func() time.Time { return statstest.CST("2026-06-01 12:00") }
	for _, per := range periods {
		q, err := stats.ParseQuery(per[0], per[1], now())
		if err != nil {
			t.Fatal(err)
		}
		for _, scope := range []stats.Scope{stats.Public, stats.Dashboard} {
			direct, err := (&stats.Service{DB: db, Now: now, Direct: true}).Report(context.Background(), q, scope)
			if err != nil {
				t.Fatal(err)
			}
			rolled, err := (&stats.Service{DB: db, Now: now}).Report(context.Background(), q, scope)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(direct, rolled) {
				t.Errorf("%s %s to %s: from the rollup got\n%+v\nwant (direct)\n%+v", scope, per[0], per[1], rolled, direct)
			}
		}
	}
}

// Every period of the seeded court, each day alone and longer ones: the
// rollup and the direct computation give the same report.
func TestRollupAgreesWithDirect(t *testing.T) {
	db := mustCourt(t)
	periods := [][2]string{{statstest.From, statstest.To}, {"2026-02-01", "2026-04-30"}, {"2026-02-15", "2026-04-10"},
		{"2026-03-02", "2026-03-31"}, {"2026-03-01", "2026-03-31"}, {"", ""}, {"2025-01-01", "2025-01-31"}}
	for d := statstest.CST("2026-02-28 00:00"); d.Before(statstest.CST("2026-03-20 00:00")); d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		periods = append(periods, [2]string{day, day})
	}
	agree(t, db, periods)

	// Hearings timed to the nanosecond, as the court's clock writes them,
	// some a nanosecond either side of half a minute: the lean read parses
	// the times as the driver does, so minutes and medians stay exact.
	w := db.Writer()
	var caseID, userID int64
	if err := w.QueryRow(`SELECT MIN(id) FROM cases`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	if err := w.QueryRow(`SELECT MIN(id) FROM users`).Scan(&userID); err != nil {
		t.Fatal(err)
	}
	start := statstest.CST("2026-03-11 10:00").Add(123456789)
	for i, d := range []time.Duration{30*time.Minute + 30*time.Second - 1, 30*time.Minute + 30*time.Second,
		12*time.Minute + 29*time.Second + 999999999, 7*time.Minute + 1, 45 * time.Minute} {
		s := start.Add(time.Duration(i) * time.Hour)
		if _, err := w.Exec(`INSERT INTO hearings (case_id, kind, status, start_at, end_at, started_at, ended_at, created_by,
			created_at, updated_at) VALUES (?, ?, 'ended', ?, ?, ?, ?, ?, ?, ?)`,
			caseID, []string{"video", "audio", "written"}[i%3], s, s.Add(time.Hour), s, s.Add(d), userID, s, s); err != nil {
			t.Fatal(err)
		}
	}
	agree(t, db, periods)

	// The report is not trivially empty: the check above compared numbers.
	r := report(t, db, statstest.From, statstest.To, stats.Public)
	if r.Filings == 0 || r.Concluded == 0 || r.MedianDays == nil {
		t.Fatalf("seeded report: got %+v, want filings, concluded cases and a median", r)
	}
}

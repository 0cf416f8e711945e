package storage_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court/storage"
)

// statsTriggers are the triggers of migration 00020 a filing fires.
var statsTriggers = []string{"stats_filing_insert", "stats_filing_update", "stats_org_insert", "stats_org_update",
	"stats_status_insert", "stats_status_update", "stats_case_update", "stats_entry_insert"}

// BenchmarkFilingStatsTriggers is what the statistics' triggers (migration
// 00020) add to a durable filing: BenchmarkFilings' group-commit line with
// the triggers, and on another database without them, in the same run.
// cpu-us/op is the CPU time of the whole process per filing.
//
//	go test ./court/storage -run XXX -bench FilingStatsTriggers -benchtime 5000x
func BenchmarkFilingStatsTriggers(b *testing.B) {
	for _, with := range []bool{true, false} {
		b.Run(fmt.Sprintf("triggers=%v", with), func(b *testing.B) {
			ctx := context.Background()
			db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "court.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if !with {
				for _, t := range statsTriggers {
					if _, err := db.Writer().Exec("DROP TRIGGER " + t); err != nil {
						b.Fatal(err)
					}
				}
			}
			db.SetFilingBatch(storage.DefaultFilingBatch)
			cpu := fileConcurrently(b, db, true)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "filings/s")
			b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(b.N), "cpu-us/op")
			var n int64
			if err := db.Writer().QueryRow(`SELECT COALESCE(SUM(cases), 0) FROM stats_filing_days`).Scan(&n); err != nil {
				b.Fatal(err)
			}
			if with && n != int64(b.N) || !with && n != 0 {
				b.Fatalf("filings in the rollup: got %d after %d filings (triggers %v)", n, b.N, with)
			}
		})
	}
}

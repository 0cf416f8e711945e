package storage_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// BenchmarkFilings measures durable filings per second through CreateCase
// from 200 concurrent callers, with one transaction per filing and with
// group commit, on a real file with synchronous=FULL.
//
//	go test ./court/storage -run XXX -bench Filings -benchtime 5000x
func BenchmarkFilings(b *testing.B) {
	type run struct {
		batch    int
		oneByOne bool // the batch written filing by filing (before the multi-row fast path)
	}
	for _, r := range []run{{1, false}, {storage.DefaultFilingBatch, true}, {storage.DefaultFilingBatch, false}} {
		batch := r.batch
		name := fmt.Sprintf("batch=%d", batch)
		if r.oneByOne {
			name += "/one-by-one"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "court.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetFilingBatch(batch)
			db.SetFilingOneByOne(r.oneByOne)
			cpu := fileConcurrently(b, db, false)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "filings/s")
			// CPU time of the whole process (writer and callers) per
			// filing: unlike the rate, the load of a shared machine does
			// not inflate it much.
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/filing")
		})
	}
}

// fileConcurrently files b.N cases through CreateCase from 200 concurrent
// callers, with the timer reset once the claimant exists, and returns the
// CPU time the process used meanwhile. submitted sets each case's time of
// filing (the statistics count only filed cases).
func fileConcurrently(b *testing.B, db *storage.DB, submitted bool) time.Duration {
	ctx := context.Background()
	u, err := db.CreateUser(ctx, &storage.NewUser{User: court.User{Username: "c", Role: court.RoleClaimant, DisplayName: "c"}, PasswordHash: "x"})
	if err != nil {
		b.Fatal(err)
	}
	code := "91330102MA2H3K7Q1" + string(court.CreditCodeCheck("91330102MA2H3K7Q1"))
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := processCPU()
	b.ResetTimer()
	for w := 0; w < 200; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				c := court.Case{
					Status: court.CaseSubmitted, ClaimantID: u.ID, FiledByID: u.ID, MerchantName: "杭州西湖龙井茶业有限公司",
					CreditCode: code, OrderRef: fmt.Sprintf("B%d", i), Category: court.CatCounterfeit,
					Facts: "直播间买到假龙井茶，商家拒绝退款。", Refund: 12800, Compensation: 50000, Total: 62800, Fee: 2500,
				}
				if submitted {
					now := time.Now().UTC()
					c.SubmittedAt = &now
				}
				_, err := db.CreateCase(ctx, &storage.NewCase{Case: c,
					Entries: []storage.Entry{{ActorID: &u.ID, ActorRole: "claimant", Kind: "filed", Public: true}}})
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return processCPU() - cpu0
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

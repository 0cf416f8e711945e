package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/payments"
	"github.com/shangcheng-court/courtd/court/storage"
)

// TestBackgroundJobs checks the schedulers' lifetime on a real database:
// each runs at once, then on every tick, without errors, and returns (and
// runs no more) when its context ends.
func TestBackgroundJobs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(m *Main, ctx context.Context, db *storage.DB, runs *atomic.Int32)
	}{
		{"deadlines", func(m *Main, ctx context.Context, db *storage.DB, runs *atomic.Int32) {
			dk := docket.New(db, court.DefaultProfile())
			dk.Now = func() time.Time { runs.Add(1); return court.SystemClock() }
			go m.runDeadlines(ctx, dk, 10*time.Millisecond)
		}},
		{"payments", func(m *Main, ctx context.Context, db *storage.DB, runs *atomic.Int32) {
			ps := payments.New(db)
			ps.Now = func() time.Time { runs.Add(1); return court.SystemClock() }
			go m.runPayments(ctx, ps, 10*time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), DBFile), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var logs bytes.Buffer
			m := NewMain(&bytes.Buffer{}, &logs)
			m.log = slog.New(slog.NewTextHandler(&logs, nil))
			var runs atomic.Int32
			ctx, cancel := context.WithCancel(context.Background())
			m.wg.Add(1)
			tc.start(m, ctx, db, &runs)
			deadline := time.Now().Add(5 * time.Second)
			for runs.Load() < 3 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if got := runs.Load(); got < 3 {
				t.Fatalf("runs in 5s at a 10ms interval: got %d, want at least 3", got)
			}
			cancel()
			stopped := make(chan struct{})
			go func() { m.wg.Wait(); close(stopped) }()
			select {
			case <-stopped:
			case <-time.After(5 * time.Second):
				t.Fatal("the job did not return after its context ended")
			}
			n := runs.Load()
			time.Sleep(50 * time.Millisecond)
			if got := runs.Load(); got != n {
				t.Errorf("runs after stopping: got %d more, want none", got-n)
			}
			if bytes.Contains(logs.Bytes(), []byte("level=ERROR")) {
				t.Errorf("log: got errors %q, want none", logs.String())
			}
		})
	}
}

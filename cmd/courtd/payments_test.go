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
	"github.com/shangcheng-court/courtd/court/payments"
	"github.com/shangcheng-court/courtd/court/storage"
)

// TestRunPayments checks the payment scheduler's lifetime: it runs at once,
// then on every tick, without errors, and returns when its context ends.
func TestRunPayments(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), DBFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	m := NewMain(&bytes.Buffer{}, &logs)
	m.log = slog.New(slog.NewTextHandler(&logs, nil))
	ps := payments.New(db)
	var runs atomic.Int32
	ps.Now = func() time.Time { runs.Add(1); return court.SystemClock() }

	runCtx, cancel := context.WithCancel(ctx)
	m.wg.Add(1)
	go m.runPayments(runCtx, ps, 10*time.Millisecond)
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
		t.Fatal("runPayments did not return after its context ended")
	}
	if bytes.Contains(logs.Bytes(), []byte("level=ERROR")) {
		t.Errorf("log: got errors %q, want none", logs.String())
	}
}

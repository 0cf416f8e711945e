package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMaxExhibitFlag(t *testing.T) {
	t.Setenv("COURT_MAX_EXHIBIT", "1234")
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags(nil); err != nil || m.MaxExhibit != 1234 {
		t.Errorf("COURT_MAX_EXHIBIT=1234: got %d, %v", m.MaxExhibit, err)
	}
	m = NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"-max-exhibit", "0"}); err == nil || !strings.Contains(err.Error(), "-max-exhibit") {
		t.Errorf("-max-exhibit 0: got %v, want refused", err)
	}
}

// At start, courtd removes what an interrupted upload or a crash left in
// the blob store: temp files, and blobs no exhibit names.
func TestStartSweepsBlobs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	_, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir)
	if code := stop(); code != 0 {
		t.Fatalf("first run: exit %d", code)
	}
	orphan := strings.Repeat("ab", 32)
	tmp := filepath.Join(dir, "blobs", "tmp", "upload-1")
	blob := filepath.Join(dir, "blobs", "ab", orphan)
	os.MkdirAll(filepath.Dir(blob), 0o700)
	os.WriteFile(tmp, []byte("half an upload"), 0o600)
	os.WriteFile(blob, []byte("a blob whose row never committed"), 0o600)
	_, _, stop = startRun(t, "-addr", "127.0.0.1:0", "-data", dir)
	defer stop()
	for _, p := range []string{tmp, blob} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s after start: %v, want it removed", p, err)
		}
	}
}

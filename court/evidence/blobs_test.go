package evidence

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tmpCount(t *testing.T, s *Store) int {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(s.Dir(), "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// A commit whose row fails leaves no blob, unless a row names the same
// content; the temp file is gone either way.
func TestCommitFailureRemovesBlob(t *testing.T) {
	ctx := context.Background()
	s := mustStore(t)
	data := []byte("%PDF-1.7\nsome pdf")
	fail := errors.New("row did not commit")
	for _, used := range []bool{false, true} {
		p, err := s.Ingest(bytes.NewReader(data), 1<<20, -1)
		if err != nil {
			t.Fatal(err)
		}
		inUse := func(context.Context, string) (bool, error) { return used, nil }
		if err := s.Commit(ctx, p, func() error { return fail }, inUse); !errors.Is(err, fail) {
			t.Fatalf("commit: got %v, want the record's error", err)
		}
		_, err = os.Stat(s.Path(p.SHA256))
		if exists := err == nil; exists != used {
			t.Errorf("in use elsewhere %v: blob exists %v, want %v", used, exists, used)
		}
		if n := tmpCount(t, s); n != 0 {
			t.Errorf("temp files: got %d, want 0", n)
		}
	}
}

func TestIngestRefusalsLeaveNothing(t *testing.T) {
	s := mustStore(t)
	png := []byte("\x89PNG\r\n\x1a\n0123456789")
	tests := []struct {
		name     string
		data     []byte
		max      int64
		declared int64
		key      string
	}{
		{"over the limit", append(png, make([]byte, 100)...), 50, -1, "err.exhibit_too_large"},
		{"declared over the limit", png, 5, 1000, "err.exhibit_too_large"},
		{"empty", nil, 100, -1, "err.exhibit_empty"},
		{"shorter than declared", png, 100, 40, "err.exhibit_length"},
		{"longer than declared", png, 100, 10, "err.exhibit_length"},
		{"not a type", []byte("PK\x03\x04zip"), 100, -1, "err.exhibit_type"},
		{"text turning binary late", append(bytes.Repeat([]byte("a"), 300000), 0), 1 << 20, -1, "err.exhibit_type"},
	}
	for _, tt := range tests {
		_, err := s.Ingest(bytes.NewReader(tt.data), tt.max, tt.declared)
		if err == nil || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.key)
		}
		if n := tmpCount(t, s); n != 0 {
			es, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp"))
			t.Errorf("%s: %d temp files left: %v (%v)", tt.name, n, es, err)
		}
	}
}

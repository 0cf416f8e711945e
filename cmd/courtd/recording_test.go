package main

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/hearing"
	"github.com/shangcheng-court/courtd/hearing/record"
)

// The recording flags: on by default with the recorder's bounds, off on
// request, bad bounds refused, the recorder's temp area in the data dir.
func TestRecordFlags(t *testing.T) {
	parse := func(args ...string) *recordFlags {
		var f recordFlags
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return &f
	}
	f := parse()
	if !f.On || f.MaxBytes != record.DefaultMaxBytes || f.MaxDuration != record.DefaultMaxDuration || f.check() != nil {
		t.Errorf("defaults: got %+v, want recording on with the recorder's bounds", f)
	}
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec, err := f.open(dir, log)
	if err != nil || rec == nil {
		t.Fatalf("open: %v", err)
	}
	defer rec.Close()
	if st, err := os.Stat(filepath.Join(dir, "recordings")); err != nil || !st.IsDir() {
		t.Errorf("no recordings directory in the data dir: %v", err)
	}
	if h := f.wrap(rec, hearing.Hooks{}, nil, nil); h.OnTrack == nil || h.OnEnd == nil {
		t.Error("the hooks do not record")
	}

	f = parse("-hearing-record=false", "-hearing-record-max-duration", "2h")
	if f.On || f.MaxDuration != 2*time.Hour {
		t.Errorf("got %+v, want off, 2h", f)
	}
	if rec, err := f.open(dir, log); rec != nil || err != nil {
		t.Errorf("recording off: got a recorder (%v)", err)
	}
	if h := f.wrap(nil, hearing.Hooks{}, nil, nil); h.OnTrack != nil || h.OnEnd != nil {
		t.Error("recording off changes the hooks")
	}
	if f := parse("-hearing-record-max-bytes", "0"); f.check() == nil {
		t.Error("-hearing-record-max-bytes 0 accepted")
	}
}

package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/hearing"
)

// TestHearingCapFlags: -hearing-max-participants defaults to 80, is read
// from COURT_HEARING_MAX_PARTICIPANTS, reaches the hearing server, and a
// negative cap stops the start with a message.
func TestHearingCapFlags(t *testing.T) {
	var f mediaFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	f.register(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if f.MaxParticipants != DefaultMaxParticipants || DefaultMaxParticipants != 80 || f.MaxRooms != 0 || f.SlotsPerHearing != 3 {
		t.Errorf("defaults: got %d participants, %d rooms, %d per hearing; want 80, 0 and 3", f.MaxParticipants, f.MaxRooms, f.SlotsPerHearing)
	}
	t.Setenv("COURT_HEARING_MAX_PARTICIPANTS", "7")
	t.Setenv("COURT_HEARING_MAX_ROOMS", "3")
	t.Setenv("COURT_HEARING_SLOTS_PER_HEARING", "4")
	if err := envFlags(fs); err != nil {
		t.Fatal(err)
	}
	f.ListenIP, f.UDPPort, f.TCPPort = "127.0.0.1", 0, 0
	srv, err := f.open(slog.New(slog.NewTextHandler(io.Discard, nil)), hearing.Hooks{}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if l := srv.Load(); l.MaxParticipants != 7 || l.MaxRooms != 3 || l.SlotsPerHearing != 4 {
		t.Errorf("from the environment: got caps %d and %d, %d per hearing; want 7, 3 and 4", l.MaxParticipants, l.MaxRooms, l.SlotsPerHearing)
	}

	dir := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{{"-hearing-max-participants", "-1"}, {"-hearing-max-rooms", "-2"}, {"-hearing-slots-per-hearing", "0"}} {
		var errb bytes.Buffer
		args = append([]string{"serve", "-data", dir, "-hearings"}, args...)
		if code := run(context.Background(), args, strings.NewReader(""), io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "-hearing-") {
			t.Errorf("%v: got %d %q, want 1 with a message", args, code, errb.String())
		}
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets the test binary be the server child too: run starts
// os.Executable() with childEnv set, as the real command does.
func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" {
		if err := childMain(mode); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestOneRoom runs the command for one room of four, relay then SFU, for
// two seconds each: media flows both ways through real servers in child
// processes, and the table and the JSON carry every measured field.
func TestOneRoom(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers and eight peers (about 10 s)")
	}
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "out.json")
	profile := filepath.Join(dir, "cpu.pprof")
	var out strings.Builder
	err := run([]string{"-rooms", "1", "-window", "2s", "-warmup", "500ms", "-sfu-cpu", "-1",
		"-profile", profile, "-profile-rooms", "1", "-json", jsonFile}, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var results []result
	if err := json.Unmarshal(b, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].Mode != "relay" || results[1].Mode != "sfu" {
		t.Fatalf("got %+v, want a relay step then an sfu step", results)
	}
	for _, r := range results {
		if r.Rooms != 1 || r.Participants != 4 || r.Connected != 4 {
			t.Errorf("%s: rooms %d, participants %d, connected %d; want 1, 4, 4", r.Mode, r.Rooms, r.Participants, r.Connected)
		}
		// Four publishers at 200 packets/s for 2 s: about 1600 sent, each
		// received three times.
		if r.Sent < 1000 || r.Received < 3000 {
			t.Errorf("%s: sent %d, received %d; want about 1600 and 4800", r.Mode, r.Sent, r.Received)
		}
		// Loopback on a busy machine may still lose a little; a broken
		// fan-out loses at least a third.
		if r.Loss > 0.05 {
			t.Errorf("%s: loss %.2f%%, want under 5%%", r.Mode, 100*r.Loss)
		}
		if r.P50ms <= 0 || r.P99ms < r.P50ms {
			t.Errorf("%s: p50 %.2f ms, p99 %.2f ms; want 0 < p50 <= p99", r.Mode, r.P50ms, r.P99ms)
		}
		if r.Forwarded <= 0 || r.ServerCPU <= 0 || r.PerCore <= 0 || r.CPUPerPacket <= 0 || r.RSSMiB <= 0 || r.PeakRSSMiB < r.RSSMiB || r.LoadGenCPU <= 0 {
			t.Errorf("%s: a measurement is missing: %+v", r.Mode, r)
		}
		if !strings.Contains(out.String(), "| "+r.Mode+" | 1 | 4/4 |") {
			t.Errorf("the table has no %s row:\n%s", r.Mode, out.String())
		}
	}
	if fi, err := os.Stat(profile); err != nil || fi.Size() == 0 {
		t.Errorf("no CPU profile of the SFU: %v", err)
	}
}

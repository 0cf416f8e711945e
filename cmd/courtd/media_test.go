package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeHearings: -hearings adds the signalling route and opens the
// media ports; without it the route does not exist; bad media flags stop
// the start with a message.
func TestServeHearings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, _, stop := startRun(t, "serve", "-addr", "127.0.0.1:0", "-data", dir, "-hearings",
		"-media-listen-ip", "127.0.0.1", "-media-udp-port", "0", "-media-tcp-port", "0")
	res, err := http.Get(url + "/hearing/ws")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /hearing/ws with -hearings: got %d, want 400 (not an upgrade)", res.StatusCode)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code: got %d, want 0", code)
	}

	url, _, stop = startRun(t, "serve", "-addr", "127.0.0.1:0", "-data", dir)
	res, err = http.Get(url + "/hearing/ws")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /hearing/ws without -hearings: got %d, want 404", res.StatusCode)
	}
	stop()

	for _, args := range [][]string{
		{"-media-public-ip", "not-an-ip"},
		{"-turn-port", "3478"},
	} {
		var errb bytes.Buffer
		args = append([]string{"serve", "-data", dir, "-hearings"}, args...)
		if code := run(context.Background(), args, strings.NewReader(""), io.Discard, &errb); code != 1 || errb.Len() == 0 {
			t.Errorf("%v: got %d %q, want 1 with a message", args, code, errb.String())
		}
	}
}

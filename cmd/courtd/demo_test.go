package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestDemoCommand seeds a data dir with the demo accounts and cases; the
// court then serves them, and a generated claimant logs in.
func TestDemoCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"demo", "-data", dir, "-cases", "300", "-batch", "100"}, nil, &out, &errb); code != 0 {
		t.Fatalf("demo: got exit %d, stderr %q; want 0", code, errb.String())
	}
	if !strings.Contains(out.String(), "Added 300 cases and 30 claimants") {
		t.Errorf("demo output: got %q, want the count of cases and claimants", out.String())
	}
	// A second run adds more cases and keeps the accounts.
	out.Reset()
	if code := run(ctx, []string{"demo", "-data", dir, "-cases", "50", "-seed", "2"}, nil, &out, &errb); code != 0 {
		t.Fatalf("second demo: got exit %d, stderr %q; want 0", code, errb.String())
	}
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir)
	defer stop()
	for _, user := range []string{"clerk1", "seed1-000007", "seed2-000003"} {
		res, err := http.Post(url+"/api/v1/tokens", "application/json",
			strings.NewReader(`{"username":"`+user+`","password":"demo-pass-2026"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Errorf("%s logs in: got %d, want 201", user, res.StatusCode)
		}
	}
	for _, args := range [][]string{{"demo", "-cases", "-1", "-data", dir}, {"demo", "-data", dir, "extra"}} {
		errb.Reset()
		if code := run(ctx, args, nil, &out, &errb); code != 1 {
			t.Errorf("%v: got exit %d, want 1 (stderr %q)", args, code, errb.String())
		}
	}
}

package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServePublicDecisions: a served court has the public search, its API
// and export, without logging in (the publishing job runs with it).
func TestServePublicDecisions(t *testing.T) {
	url, _, stop := startRun(t, "serve", "-addr", "127.0.0.1:0", "-data", filepath.Join(t.TempDir(), "data"))
	for path, want := range map[string]string{
		"/decisions":                          `id="decisions-form"`,
		"/api/v1/decisions":                   `"decisions":[]`,
		"/api/v1/decisions/export?format=csv": "id,number,kind",
	} {
		res, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: got %d %q, want 200 with %q", path, res.StatusCode, b, want)
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit code: got %d, want 0", code)
	}
}

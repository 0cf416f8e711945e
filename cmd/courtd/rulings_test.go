package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court/rulings"
)

// openMain opens the court with args and returns it with its log.
func openMain(t *testing.T, args ...string) (*Main, *bytes.Buffer, error) {
	t.Helper()
	var stderr bytes.Buffer
	m := NewMain(io.Discard, &stderr)
	if err := m.ParseFlags(append([]string{"-addr", "127.0.0.1:0", "-data", t.TempDir()}, args...)); err != nil {
		t.Fatal(err)
	}
	err := m.Open(context.Background())
	t.Cleanup(func() { m.Close() })
	return m, &stderr, err
}

func TestRulingFont(t *testing.T) {
	// A font found in the usual places is named in the log.
	_, log, err := openMain(t)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "cjk_font=") {
		t.Errorf("start log does not name the CJK font (install fonts-droid-fallback):\n%s", log)
	}

	// A font given that cannot be used stops the start, naming the flag.
	_, _, err = openMain(t, "-cjk-font", filepath.Join(t.TempDir(), "none.ttf"))
	if err == nil || !strings.Contains(err.Error(), "-cjk-font") {
		t.Errorf("missing -cjk-font: got %v, want an error naming the flag", err)
	}

	// No font at all: courtd says so and serves on (HTML rulings, /verify).
	saved := rulings.FontPaths
	rulings.FontPaths = []string{filepath.Join(t.TempDir(), "nothing.ttf")}
	defer func() { rulings.FontPaths = saved }()
	m, log, err := openMain(t)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "no CJK TrueType font found") {
		t.Errorf("start log does not say the font is missing:\n%s", log)
	}
	res, err := http.Get(m.URL() + "/verify")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /verify without a font: %v %v", res, err)
	}
	res.Body.Close()
}

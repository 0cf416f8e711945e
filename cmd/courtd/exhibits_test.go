package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court/demo"
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

// An exhibit uploaded over HTTP to the real court: its receipt, downloaded
// as a party would, verifies with `courtd verify` against the court's
// published key and the file; a changed file does not.
func TestExhibitReceiptVerifies(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir, "-demo")
	defer stop()
	call := func(token, method, path, ctype string, body io.Reader, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, url+path, body)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: got %d, want %d: %s", method, path, res.StatusCode, want, b)
		}
		return b
	}
	token := func(user string) string {
		var out struct{ Token string }
		json.Unmarshal(call("", "POST", "/api/v1/tokens", "application/json",
			strings.NewReader(`{"username":"`+user+`","password":"`+demo.Password+`"}`), 201), &out)
		return out.Token
	}
	claimant, clerk := token("claimant1"), token("clerk1")
	var c struct{ ID int64 }
	json.Unmarshal(call(claimant, "POST", "/api/v1/cases", "application/json", strings.NewReader(`{"credit_code":"`+demo.CreditCode1+
		`","merchant_name":"杭州西湖龙井茶业有限公司","order_ref":"V-1","category":"counterfeit","facts":"直播间购买的龙井茶是假货，商家拒绝退款。",`+
		`"refund":12800,"service_consent":true,"submit":true}`), 201), &c)
	call(clerk, "POST", fmt.Sprintf("/api/v1/cases/%d/review", c.ID), "application/json", strings.NewReader(`{"decision":"accept"}`), 200)

	photo := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte("假龙井"), 1000)...)
	var x struct{ ID int64 }
	json.Unmarshal(call(claimant, "POST", fmt.Sprintf("/api/v1/cases/%d/exhibits?title=photo&name=tea.jpg", c.ID), "application/octet-stream",
		bytes.NewReader(photo), 201), &x)
	receipt := call(claimant, "GET", fmt.Sprintf("/api/v1/cases/%d/exhibits/%d/receipt", c.ID, x.ID), "", nil, 200)
	pub := call("", "GET", "/api/v1/ledger/key", "", nil, 200)

	tmp := t.TempDir()
	files := map[string][]byte{"receipt.json": receipt, "court.pub": pub, "tea.jpg": photo, "changed.jpg": append(bytes.Clone(photo), 0)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	at := func(name string) string { return filepath.Join(tmp, name) }
	if code, out := runCmd(t, "verify", "-key", at("court.pub"), at("receipt.json"), at("tea.jpg")); code != 0 || !strings.HasPrefix(out, "verified") {
		t.Errorf("verify = %d %q, want 0 verified", code, out)
	}
	if code, out := runCmd(t, "verify", "-key", at("court.pub"), at("receipt.json"), at("changed.jpg")); code != 1 {
		t.Errorf("verify of a changed file = %d %q, want 1", code, out)
	}
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// startRun runs the whole command as main does, in the background, and
// returns the URL it prints and a function that stops it (as SIGTERM would)
// and returns its exit code.
func startRun(t *testing.T, args ...string) (string, *bytes.Buffer, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, args, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	out := &bytes.Buffer{}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			out.WriteString(line + "\n")
			if _, u, ok := strings.Cut(line, "serving the court at "); ok {
				urlc <- strings.TrimSuffix(u, "/")
			}
		}
	}()
	select {
	case u := <-urlc:
		return u, out, func() int {
			cancel()
			select {
			case c := <-code:
				return c
			case <-time.After(15 * time.Second):
				t.Fatal("courtd did not stop within 15 s of the signal")
				return -1
			}
		}
	case c := <-code:
		cancel()
		t.Fatalf("courtd exited with %d before serving: %s", c, stderr.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("courtd not serving after 30 s: %s", stderr.String())
	}
	return "", nil, nil
}

func TestServeEmptyDirWithDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, out, stop := startRun(t, "serve", "-addr", "127.0.0.1:0", "-data", dir, "-demo")
	for _, want := range []string{"demo-pass-2026", "claimant1", "merchant2", "admin1", "agent1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start output lacks %q:\n%s", want, out)
		}
	}
	res, err := http.Get(url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	body := `{"username":"merchant1","password":"` + demo.Password + `"}`
	res, err = http.Post(url+"/api/v1/tokens", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if res.StatusCode != 201 || tok.Token == "" {
		t.Fatalf("token: got %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Username, Role string }
	json.NewDecoder(res.Body).Decode(&me)
	res.Body.Close()
	if me.Username != "merchant1" || me.Role != "merchant" {
		t.Fatalf("me: got %+v", me)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit code after signal: got %d, want 0", code)
	}
	fi, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key: %v %v, want mode 0600", fi, err)
	}
	// Started again on the same dir: the demo is not seeded twice and the
	// data is still there.
	url, out, stop = startRun(t, "-addr", "127.0.0.1:0", "-data", dir, "-demo")
	if !strings.Contains(out.String(), "created before") {
		t.Errorf("second start: want the demo reported as created before:\n%s", out)
	}
	res, err = http.Post(url+"/api/v1/tokens", "application/json", strings.NewReader(body))
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("token after restart: %v %v", res, err)
	}
	res.Body.Close()
	if code := stop(); code != 0 {
		t.Fatalf("exit code: got %d", code)
	}
}

// TestShutdownLetsRequestsFinish: a request in flight when the signal comes
// is answered.
func TestShutdownLetsRequestsFinish(t *testing.T) {
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-demo")
	done := make(chan int, 1)
	go func() {
		// A login costs an argon2id hash: long enough to be in flight.
		body := `{"username":"judge1","password":"` + demo.Password + `"}`
		res, err := http.Post(url+"/api/v1/tokens", "application/json", strings.NewReader(body))
		if err != nil {
			done <- -1
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	time.Sleep(5 * time.Millisecond)
	if code := stop(); code != 0 {
		t.Fatalf("exit code: got %d", code)
	}
	if got := <-done; got != 201 && got != -1 {
		t.Fatalf("in-flight request: got %d, want 201 (or refused before it was accepted)", got)
	}
}

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"user", "add", "-data", dir, "-role", "judge", "-username", "Judge9", "-name", "孙法官"},
		strings.NewReader("a judge's password\n"), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), `created judge account "judge9"`) {
		t.Fatalf("user add: exit %d, out %q, err %q", code, out.String(), errb.String())
	}
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir)
	defer stop()
	res, err := http.Post(url+"/api/v1/tokens", "application/json", strings.NewReader(`{"username":"judge9","password":"a judge's password"}`))
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("new judge logs in: %v %v", res, err)
	}
	res.Body.Close()

	cases := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"consumer role", []string{"-role", "claimant", "-username", "c9"}, "long enough password\n", "consumers and merchants register themselves"},
		{"short password", []string{"-role", "clerk", "-username", "clerk9"}, "short\n", "at least 10 characters"},
		{"taken", []string{"-role", "clerk", "-username", "judge9"}, "long enough password\n", "username is taken"},
		{"bad username", []string{"-role", "clerk", "-username", "9 x"}, "long enough password\n", "starting with a letter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LANG", "en_US.UTF-8")
			var out, errb bytes.Buffer
			args := append([]string{"user", "add", "-data", t.TempDir()}, tc.args...)
			if tc.name == "taken" {
				args[3] = dir
			}
			code := run(ctx, args, strings.NewReader(tc.stdin), &out, &errb)
			if code != 1 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("got exit %d, stderr %q; want 1 and %q", code, errb.String(), tc.want)
			}
		})
	}
}

// TestNewerDatabaseRefused: a binary older than its database refuses to
// start and says why.
func TestNewerDatabaseRefused(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(context.Background(), filepath.Join(dir, DBFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := accounts.LoadKeys(dir); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, storage.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", dir}, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "newer than this courtd") {
		t.Fatalf("got exit %d, stderr %q; want 1 and an explanation", code, errb.String())
	}
}

func TestEnvironmentConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("COURT_DATA", dir)
	t.Setenv("COURT_ADDR", "127.0.0.1:0")
	t.Setenv("COURT_DEMO", "true")
	_, out, stop := startRun(t)
	defer stop()
	if !strings.Contains(out.String(), "claimant1") {
		t.Errorf("COURT_DEMO ignored: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, DBFile)); err != nil {
		t.Errorf("COURT_DATA ignored: %v", err)
	}
	var errb bytes.Buffer
	t.Setenv("COURT_SESSION_IDLE", "soon")
	if code := run(context.Background(), nil, strings.NewReader(""), io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "COURT_SESSION_IDLE") {
		t.Errorf("bad env value: got %d %q, want 1 naming the variable", code, errb.String())
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeSelfSigned(t, dir)
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir, "-tls-cert", cert, "-tls-key", key)
	defer stop()
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("url %q: want https", url)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := hc.Get(url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
		t.Errorf("HSTS: got %q", hsts)
	}
	ck := strings.Join(res.Header.Values("Set-Cookie"), "\n")
	if !strings.Contains(ck, "__Host-court_pre=") || !strings.Contains(ck, "secure") {
		t.Errorf("cookies over TLS: got %q, want __Host- prefix and Secure", ck)
	}
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"-data", dir, "-tls-cert", cert}, strings.NewReader(""), io.Discard, &errb); code != 1 {
		t.Errorf("cert without key: got exit %d, want 1", code)
	}
	// Unreadable certificate files: an error and an exit, not a hang.
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-tls-cert", cert + ".missing", "-tls-key", key},
			strings.NewReader(""), io.Discard, &errb)
	}()
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(errb.String(), "tls:") {
			t.Errorf("missing certificate: got exit %d, stderr %q; want 1 and a tls error", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("courtd hung on a missing certificate file")
	}
}

// TestMissingKeyFileRefused: without secret.key, identity numbers in an
// existing database cannot be read; courtd must not quietly make a new key.
func TestMissingKeyFileRefused(t *testing.T) {
	dir := t.TempDir()
	_, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir, "-demo")
	stop()
	if err := os.Remove(filepath.Join(dir, "secret.key")); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", dir}, strings.NewReader(""), io.Discard, &errb)
	if code != 1 || !strings.Contains(errb.String(), "restore the key file") {
		t.Fatalf("got exit %d, stderr %q; want 1 and advice to restore the key", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); !os.IsNotExist(err) {
		t.Errorf("a new secret.key was created: %v", err)
	}
}

func writeSelfSigned(t *testing.T, dir string) (string, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

// TestShutdownWithIdleConnections: browsers keep connections open between
// requests; a shutdown must not wait for them to time out. With fasthttp
// 1.51 this failed (exit 1 after the 10-second shutdown); the second of
// quiet before the requests is what made it show.
func TestShutdownWithIdleConnections(t *testing.T) {
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", t.TempDir())
	time.Sleep(time.Second)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := hc.Get(url + "/healthz")
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}()
	}
	wg.Wait()
	t0 := time.Now()
	if code := stop(); code != 0 {
		t.Fatalf("exit code with idle connections open: got %d, want 0", code)
	}
	if d := time.Since(t0); d > 8*time.Second {
		t.Errorf("shutdown with idle connections took %v, want well under the 10 s limit", d)
	}
}

// TestProfileFile: the court profile comes from a file over the defaults; a
// profile that does not validate stops the start with the field named.
func TestProfileFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "profile.json")
	os.WriteFile(good, []byte(`{"court_code": "浙0106", "small_claims_cap": {"2026": 7000000, "2027": 7500000}}`), 0o600)
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"), "-demo", "-profile", good)
	defer stop()
	hc := &http.Client{}
	token := func(user string) string {
		res, err := hc.Post(url+"/api/v1/tokens", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+demo.Password+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var tok struct{ Token string }
		json.NewDecoder(res.Body).Decode(&tok)
		return tok.Token
	}
	call := func(tok, method, path, body string, out any) int {
		req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		json.NewDecoder(res.Body).Decode(out)
		return res.StatusCode
	}
	var c struct {
		ID       int64  `json:"id"`
		DocketNo string `json:"docket_no"`
	}
	// ¥65,000 is over the default cap of ¥60,000 but within this court's.
	body := `{"credit_code":"` + demo.CreditCode1 + `","merchant_name":"杭州西湖龙井茶业有限公司","order_ref":"P-1",` +
		`"category":"counterfeit","facts":"直播间买到假龙井茶，商家拒绝退款。","refund":6500000,"service_consent":true,"submit":true}`
	if code := call(token("claimant1"), "POST", "/api/v1/cases", body, &c); code != 201 {
		t.Fatalf("filing within the profile's cap: got %d, want 201", code)
	}
	if code := call(token("clerk1"), "POST", fmt.Sprintf("/api/v1/cases/%d/review", c.ID), `{"decision":"accept"}`, &c); code != 200 ||
		!strings.Contains(c.DocketNo, "浙0106民初") {
		t.Fatalf("docket number with the profile's court code: got %d %q", code, c.DocketNo)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"docket_pattern": "{court}{seq}"}`), 0o600)
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-profile", bad}, strings.NewReader(""), io.Discard, &errb); code != 1 ||
		!strings.Contains(errb.String(), "docket_pattern") {
		t.Errorf("invalid profile: got exit %d, stderr %q; want 1 naming docket_pattern", code, errb.String())
	}
	unknown := filepath.Join(dir, "unknown.json")
	os.WriteFile(unknown, []byte(`{"court_cod": "x"}`), 0o600)
	errb.Reset()
	if code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", t.TempDir(), "-profile", unknown}, strings.NewReader(""), io.Discard, &errb); code != 1 ||
		!strings.Contains(errb.String(), "court_cod") {
		t.Errorf("misspelt field: got exit %d, stderr %q; want 1 naming it", code, errb.String())
	}
}

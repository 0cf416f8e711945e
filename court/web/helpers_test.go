package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/court/web"
)

// testServer is a real court: a SQLite file in a temp dir, the real Fiber
// app on a real loopback listener, and the demo accounts.
type testServer struct {
	URL string
	DB  *storage.DB
	Acc *accounts.Service
	Dk  *docket.Service
	Cat *i18n.Catalog
	Srv *web.Server
	Ev  *evidence.Service
	Dir string
}

// mustServer starts a court with the demo accounts for one test and stops it
// when the test ends. cfg may adjust the web configuration (nil for the
// defaults).
func mustServer(tb testing.TB, cfg func(*web.Config)) *testServer {
	tb.Helper()
	return serverIn(tb, tb.TempDir(), true, cfg)
}

// serverIn serves the court from the data dir dir (seeding the demo accounts
// when demoSeed is set) until the test ends.
func serverIn(tb testing.TB, dir string, demoSeed bool, cfg func(*web.Config)) *testServer {
	tb.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := storage.Open(ctx, filepath.Join(dir, "court.db"), log)
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := accounts.LoadKeys(dir)
	if err != nil {
		tb.Fatal(err)
	}
	acc := accounts.New(db, keys, accounts.DefaultConfig)
	if demoSeed {
		if _, err := demo.Seed(ctx, acc); err != nil {
			tb.Fatal(err)
		}
	}
	cat, err := i18n.Load(log)
	if err != nil {
		tb.Fatal(err)
	}
	// Every test court has its ledger, as courtd has, so every route is
	// registered (cfg may take it away); it proves the exhibits' receipts.
	key, err := ledger.LoadOrCreateKey(dir, "courtd.test/ledger")
	if err != nil {
		tb.Fatal(err)
	}
	led := ledger.New(db, key)
	blobs, err := evidence.OpenStore(filepath.Join(dir, "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	ev := evidence.New(db, blobs, 0)
	ev.Prover = led
	c := web.Config{Logger: log, AuthRateMax: 1000, Ledger: led, Evidence: ev}
	if cfg != nil {
		cfg(&c)
	}
	if c.Ledger != nil {
		ev.Prover = c.Ledger
	}
	dk := docket.New(db, court.DefaultProfile())
	dk.Now = db.Now
	srv, err := web.New(c, db, acc, dk, cat)
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.App().Listener(ln) }()
	tb.Cleanup(func() {
		if err := srv.App().ShutdownWithTimeout(5 * time.Second); err != nil {
			tb.Error(err)
		}
		// A shutdown before the server started serving stops nothing:
		// closing the listener ends it either way.
		ln.Close()
		<-done
		db.Close()
	})
	return &testServer{URL: "http://" + ln.Addr().String(), DB: db, Acc: acc, Dk: dk, Cat: cat, Srv: srv, Ev: ev, Dir: dir}
}

// client is a browser-like HTTP client: it keeps cookies, does not follow
// redirects (tests look at them) and sends a language.
type client struct {
	tb   testing.TB
	base string
	hc   *http.Client
	Lang string // Accept-Language to send
}

func (ts *testServer) client(tb testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, base: ts.URL, Lang: "zh-CN", hc: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a finished response with its body read.
type response struct {
	*http.Response
	Body string
}

func (c *client) do(req *http.Request) *response {
	c.tb.Helper()
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.tb.Fatal(err)
	}
	return &response{Response: res, Body: string(b)}
}

func (c *client) get(path string) *response {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.tb.Fatal(err)
	}
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// csrf fetches a page and returns the CSRF token of its forms.
func (c *client) csrf(path string) string {
	c.tb.Helper()
	res := c.get(path)
	m := csrfRE.FindStringSubmatch(res.Body)
	if m == nil {
		c.tb.Fatalf("GET %s: no csrf token in page (status %d)", path, res.StatusCode)
	}
	return m[1]
}

// postForm posts a form with the CSRF token of the page it comes from.
func (c *client) postForm(page, path string, form url.Values) *response {
	c.tb.Helper()
	cp := url.Values{}
	for k, v := range form {
		cp[k] = v
	}
	form = cp
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.csrf(page))
	}
	return c.postRaw(path, form.Encode())
}

func (c *client) postRaw(path, body string) *response {
	c.tb.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		c.tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// login logs the client in as username with the demo password.
func (c *client) login(username string) {
	c.tb.Helper()
	// The registration page renders for visitors and users alike, so its
	// token is right whether or not the client is logged in already.
	res := c.postForm("/register", "/login", url.Values{"username": {username}, "password": {demo.Password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home" {
		c.tb.Fatalf("login %s: got %d to %q, want 303 to /home\n%s", username, res.StatusCode, res.Header.Get("Location"), res.Body)
	}
}

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/fees"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/hearings/roomlink"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/payments"
	"github.com/shangcheng-court/courtd/court/publication"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/court/web"
	"github.com/shangcheng-court/courtd/hearing"
	"github.com/shangcheng-court/courtd/hearing/record"
)

// DBFile is the database's name in the data dir.
const DBFile = "court.db"

// Main is the serve command: its configuration (here and nowhere else) and
// the running server.
type Main struct {
	Addr           string
	DataDir        string
	Demo           bool
	TLSCert        string
	TLSKey         string
	PublicHTTPS    bool
	SessionIdle    time.Duration
	SessionMax     time.Duration
	TokenTTL       time.Duration
	TrustedProxies string
	ProxyHeader    string
	MetricsAllow   string
	AuthRate       int
	FilingBatch    int
	MaxExhibit     int64
	ProfileFile    string
	LogLevel       string
	LogFormat      string
	Mail           mailFlags
	CJKFont        string // TrueType CJK font for ruling PDFs ("": the usual system places)
	Media          mediaFlags
	Record         recordFlags

	stdout, stderr io.Writer
	log            *slog.Logger
	db             *storage.DB
	srv            *web.Server
	hearings       *hearing.Server
	recorder       *record.Recorder // nil: hearings are not recorded
	ln             net.Listener
	url            string
	stop           context.CancelFunc
	wg             sync.WaitGroup
	serveErr       chan error
}

// NewMain returns a Main that prints to stdout and logs to stderr.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, stderr: stderr, serveErr: make(chan error, 1)}
}

// ParseFlags reads the serve flags and COURT_* variables.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("courtd serve", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.StringVar(&m.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&m.DataDir, "data", "courtd-data", "data directory: database, keys, evidence files")
	fs.BoolVar(&m.Demo, "demo", false, "create the demo accounts (once) and print them")
	fs.StringVar(&m.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with -tls-key, serve HTTPS")
	fs.StringVar(&m.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	fs.BoolVar(&m.PublicHTTPS, "public-https", false, "users reach the court over HTTPS ended at a proxy: Secure __Host- cookies, and HSTS on requests a trusted proxy marks https")
	fs.DurationVar(&m.SessionIdle, "session-idle", accounts.DefaultConfig.IdleTimeout, "browser session idle timeout")
	fs.DurationVar(&m.SessionMax, "session-max", accounts.DefaultConfig.MaxLifetime, "browser session absolute lifetime")
	fs.DurationVar(&m.TokenTTL, "token-ttl", accounts.DefaultConfig.TokenTTL, "API token lifetime")
	fs.StringVar(&m.TrustedProxies, "trusted-proxies", "", "comma-separated addresses/CIDRs of reverse proxies whose client-address header is trusted")
	fs.StringVar(&m.ProxyHeader, "proxy-header", "X-Real-Ip", "header carrying the client address, read only from trusted proxies")
	fs.StringVar(&m.MetricsAllow, "metrics-allow", "127.0.0.0/8,::1/128", "comma-separated CIDRs allowed to read /metrics")
	fs.StringVar(&m.ProfileFile, "profile", "", "court profile (JSON: court code, docket pattern, small-claims cap per year, fees, periods); unset fields keep the defaults")
	fs.IntVar(&m.FilingBatch, "filing-batch", storage.DefaultFilingBatch, "concurrent filings that may share one durable commit (1: a transaction each)")
	fs.Int64Var(&m.MaxExhibit, "max-exhibit", evidence.DefaultMaxSize, "largest exhibit file accepted, in bytes (streamed to DATA/blobs, never held in memory)")
	fs.IntVar(&m.AuthRate, "auth-rate", 30, "login, registration and token requests allowed per minute from one address")
	fs.StringVar(&m.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&m.LogFormat, "log-format", "text", "log format: text or json")
	m.Mail.register(fs)
	fs.StringVar(&m.CJKFont, "cjk-font", "", "CJK TrueType font (.ttf) for ruling PDFs; empty: look in the usual system places")
	m.Media.register(fs)
	m.Record.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := envFlags(fs); err != nil {
		return err
	}
	if (m.TLSCert == "") != (m.TLSKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	if err := m.Media.check(); err != nil {
		return err
	}
	if err := m.Record.check(); err != nil {
		return err
	}
	if m.SessionIdle <= 0 || m.SessionMax <= 0 || m.TokenTTL <= 0 || m.AuthRate <= 0 || m.FilingBatch <= 0 || m.MaxExhibit <= 0 {
		return errors.New("-session-idle, -session-max, -token-ttl, -auth-rate, -filing-batch and -max-exhibit must be positive")
	}
	return m.Mail.check()
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format: %q is neither text nor json", format)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Open opens the data dir and the database, seeds the demo if asked, and
// starts serving in the background. The court is ready when Open returns.
func (m *Main) Open(ctx context.Context) error {
	start := time.Now()
	var err error
	if m.log, err = newLogger(m.stderr, m.LogLevel, m.LogFormat); err != nil {
		return err
	}
	profile, err := loadProfile(m.ProfileFile)
	if err != nil {
		return err
	}
	keys, err := openData(ctx, m.DataDir, m.log, &m.db)
	if err != nil {
		return err
	}
	m.db.SetFilingBatch(m.FilingBatch)
	ledgerKey, err := openLedgerKey(ctx, m.DataDir, m.db, ledgerOrigin(profile))
	if err != nil {
		return err
	}
	led := ledger.New(m.db, ledgerKey)
	acc := accounts.New(m.db, keys, accounts.Config{IdleTimeout: m.SessionIdle, MaxLifetime: m.SessionMax, TokenTTL: m.TokenTTL})
	cat, err := i18n.Load(m.log)
	if err != nil {
		return err
	}
	if m.Demo {
		seeded, err := demo.Seed(ctx, acc)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		m.printDemo(seeded)
	}
	// Exhibits: what an interrupted upload or a crash left in the blob
	// store is swept before anything is served.
	blobs, err := evidence.OpenStore(filepath.Join(m.DataDir, "blobs"))
	if err != nil {
		return err
	}
	ev := evidence.New(m.db, blobs, m.MaxExhibit)
	ev.Prover = led
	if n, err := ev.Sweep(ctx); err != nil {
		return fmt.Errorf("blob sweep: %w", err)
	} else if n > 0 {
		m.log.Info("blob store swept", "removed", n)
	}
	tlsOn := m.TLSCert != ""
	dk := docket.New(m.db, profile)
	// The rooms report to the hearing record; the court issues their join
	// tokens (court/hearings/roomlink).
	var roomTokenIssuer hearings.TokenIssuer
	// Recording, on by default, wraps the record's hooks: each ended
	// hearing's recordings and transcript become the case's exhibits.
	if m.Media.On {
		hs := &hearings.Service{DB: m.db, Now: dk.Now}
		link := roomlink.NewRecorder(hs, m.log)
		if m.recorder, err = m.Record.open(m.DataDir, m.log); err != nil {
			return err
		}
		hooks := m.Record.wrap(m.recorder, link.Hooks(), hs, ev)
		if m.hearings, err = m.Media.open(m.log, hooks, m.recorder != nil); err != nil {
			return err
		}
		if m.recorder != nil {
			m.recorder.SetKeyframe(m.hearings.RequestKeyframe)
		}
		link.Server = m.hearings
		roomTokenIssuer = roomlink.Tokens{Server: m.hearings}
	}
	rs, err := m.openRulings(m.db, profile, ledgerKey)
	if err != nil {
		return err
	}
	dk.AfterSettle = m.signMediation(rs)
	ps := payments.New(m.db)
	pub := publication.New(m.db, keys, m.log)
	m.srv, err = web.New(web.Config{
		TLS: tlsOn || m.PublicHTTPS, TrustedProxies: splitList(m.TrustedProxies), ProxyHeader: m.ProxyHeader,
		MetricsAllow: splitList(m.MetricsAllow), AuthRateMax: m.AuthRate, AuthRateWindow: time.Minute, Logger: m.log,
		// The built-in counter provider; an online provider is added here.
		Fees:     fees.New(m.db, dk.Now),
		Ledger:   led,
		Rulings:  rs,
		Payments: ps,
		Hearings: m.hearings,
		Evidence: ev,
		// Published decisions: the job below publishes, the web serves.
		Publication:   pub,
		HearingTokens: roomTokenIssuer,
	}, m.db, acc, dk, cat)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsOn {
		cert, err := tls.LoadX509KeyPair(m.TLSCert, m.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("tls: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	// From here on the server runs, and Close must stop it.
	m.ln = ln
	m.url = scheme + "://" + ln.Addr().String()
	if rs.BaseURL == "" {
		rs.BaseURL = m.url // before serving: no request reads it yet
	}
	go func() { m.serveErr <- m.srv.App().Listener(ln) }()

	// The sweeper deletes ended sessions; it stops when Close cancels it.
	sweepCtx, cancel := context.WithCancel(context.Background())
	m.stop = cancel
	m.wg.Add(1)
	go m.every(sweepCtx, 5*time.Minute, func(ctx context.Context) {
		if n, err := acc.Sweep(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("session sweep", "err", err)
		} else if n > 0 {
			m.log.Info("sessions ended", "count", n)
		}
	})
	// The deadline scheduler applies expired deadlines, now and every
	// minute; it stops with the sweeper.
	m.wg.Add(1)
	go m.runDeadlines(sweepCtx, dk, DeadlineInterval)
	// The payment scheduler flags unpaid orders for enforcement on the
	// deadline scheduler's interval; it stops with the sweeper.
	m.wg.Add(1)
	go m.runPayments(sweepCtx, ps, DeadlineInterval)
	// The outbox dispatcher delivers the court's mail; it stops with the
	// sweeper, and what it has not sent waits in the database.
	if err := m.startMail(sweepCtx, m.db, cat, profile.CourtName); err != nil {
		return err
	}
	// The ledger signs a checkpoint now and each minute the tree grew; it
	// stops with the sweeper.
	m.wg.Add(1)
	go m.runLedger(sweepCtx, led, LedgerInterval)
	// The publication job publishes signed rulings without personal data,
	// now and every minute; it stops with the sweeper.
	m.wg.Add(1)
	go m.every(sweepCtx, PublicationInterval, func(ctx context.Context) {
		if n, err := pub.PublishPending(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("publication", "err", err)
		} else if n > 0 {
			m.log.Info("decisions published", "count", n)
		}
	})
	m.log.Info("courtd ready", "url", m.url, "data", m.DataDir, "schema", storage.SchemaVersion(), "startup", time.Since(start))
	fmt.Fprintf(m.stdout, "courtd is serving the court at %s/\n", m.url)
	return nil
}

func (m *Main) printDemo(seeded bool) {
	if seeded {
		fmt.Fprintln(m.stdout, "Demo accounts created. Each has the password "+demo.Password+":")
	} else {
		fmt.Fprintln(m.stdout, "Demo accounts (created before), each with the password "+demo.Password+":")
	}
	for _, a := range demo.Accounts {
		line := fmt.Sprintf("  %-10s %-14s %s", a.Username, a.Role, a.Name)
		if a.Org != "" {
			line += " · " + a.Org
		}
		fmt.Fprintln(m.stdout, line)
	}
}

// openData opens the data dir: the database (created with its migrations
// when new) and the key file. A key file is created only with a new
// database: one missing beside an existing database means identity numbers
// could no longer be read, so courtd stops and asks for the backup.
func openData(ctx context.Context, dir string, log *slog.Logger, db **storage.DB) (*accounts.Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	_, statErr := os.Stat(path)
	isNew := errors.Is(statErr, os.ErrNotExist)
	if _, err := os.Stat(filepath.Join(dir, accounts.KeyFile)); errors.Is(err, os.ErrNotExist) && !isNew {
		return nil, fmt.Errorf("%s is missing but %s exists: restore the key file from your backup (without it identity numbers cannot be read)",
			filepath.Join(dir, accounts.KeyFile), path)
	}
	var err error
	if *db, err = storage.Open(ctx, path, log); err != nil {
		return nil, err
	}
	return accounts.LoadKeys(dir)
}

// URL is the address the court serves at, once Open has returned.
func (m *Main) URL() string { return m.url }

// Close stops the server, letting requests in flight finish for up to 10
// seconds, and closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.stop != nil {
		m.stop()
		m.wg.Wait()
	}
	// Hearings first: their WebSockets are hijacked from the HTTP server,
	// whose shutdown neither waits for them nor ends them.
	if m.hearings != nil {
		errs = append(errs, m.hearings.Close())
	}
	// Then the recorder, which attaches the last recordings while the
	// database is still open.
	if m.recorder != nil {
		errs = append(errs, m.recorder.Close())
	}
	if m.srv != nil && m.ln != nil {
		if err := m.srv.App().ShutdownWithTimeout(10 * time.Second); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		// A shutdown that comes before the server goroutine has started
		// serving finds nothing to stop (fasthttp), and Serve would then
		// run on; closing the listener ends it either way.
		m.ln.Close()
		if err := <-m.serveErr; err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
	}
	return errors.Join(errs...)
}

// Run opens the court, serves until ctx ends (SIGINT or SIGTERM), then
// closes it.
func (m *Main) Run(ctx context.Context) error {
	if err := m.Open(ctx); err != nil {
		if cerr := m.Close(); cerr != nil {
			m.log.Error("close after failed start", "err", cerr)
		}
		return err
	}
	select {
	case <-ctx.Done():
		m.log.Info("shutting down")
	case err := <-m.serveErr:
		m.serveErr <- err
		m.log.Error("server stopped", "err", err)
	}
	return m.Close()
}

// loadProfile reads the court profile from a JSON file over the defaults, so
// a file need only name what differs (the cap of a new year, say). A profile
// that does not validate stops the start.
func loadProfile(path string) (court.Profile, error) {
	p := court.DefaultProfile()
	if path == "" {
		return p, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("-profile: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("-profile %s: %w", path, err)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("-profile %s: %w", path, explain(err))
	}
	return p, nil
}

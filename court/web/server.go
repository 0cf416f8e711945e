// Package web serves the court over HTTP: the bilingual pages, the JSON API
// under /api/v1, health checks and metrics. Handlers return errors; one
// function (handleError) turns them into a status and a page or JSON body.
package web

import (
	"html/template"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/fees"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/payments"
	"github.com/shangcheng-court/courtd/court/publication"
	"github.com/shangcheng-court/courtd/court/rulings"
	"github.com/shangcheng-court/courtd/court/stats"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/hearing"
)

// Config is what the web layer needs from the command line.
type Config struct {
	// TLS is true when the listener serves HTTPS: cookies are then Secure
	// with the __Host- prefix, and HSTS is sent.
	TLS bool
	// TrustedProxies are the addresses or CIDRs whose ProxyHeader is believed
	// for the client address; with none, the socket's address is used.
	TrustedProxies []string
	ProxyHeader    string
	// MetricsAllow are the CIDRs that may read /metrics.
	MetricsAllow []string
	// AuthRateMax login, registration and token requests per AuthRateWindow
	// are allowed from one client address.
	AuthRateMax    int
	AuthRateWindow time.Duration
	// BodyLimit bounds request bodies (forms and JSON).
	BodyLimit int
	Logger    *slog.Logger
	// Fees records the filing fee's payments, waivers and reductions;
	// nil gives the built-in counter provider on the server's database.
	Fees *fees.Service
	// HearingTokens issues the media server's join tokens for hearing
	// rooms; nil means rooms are not available (the token routes say so).
	HearingTokens hearings.TokenIssuer
	// Evidence is the exhibits service: uploads (streamed, up to its
	// MaxSize), downloads and receipts. Without it the exhibit routes
	// answer "not found".
	Evidence *evidence.Service
	// Ledger is the court's Merkle ledger (issue 4): the Prover of
	// receipts, served at /api/v1/ledger/...; nil: no ledger routes.
	Ledger *ledger.Ledger
	// Rulings drafts, signs and verifies rulings and mediation documents
	// (issue 6); nil: one without PDFs, signing with the Ledger's key if any.
	Rulings *rulings.Service
	// Payments records the payment of what rulings order and flags unpaid
	// orders for enforcement (issue 6); nil: one on the server's database.
	Payments *payments.Service
	// Hearings runs the remote hearing rooms (signalling at /hearing/ws);
	// nil serves no hearings.
	Hearings *hearing.Server
	// Publication publishes rulings without personal data and serves the
	// public search (issue 6); nil: one on the server's database, which
	// publishes only when its PublishPending is called.
	Publication *publication.Service
	// Stats computes and caches the statistics (issue 6, /stats); nil: one
	// over the server's database and its clock (storage.DB.Now).
	Stats *stats.Service
}

// Server is the court's HTTP server.
type Server struct {
	app      *fiber.App
	db       *storage.DB
	acc      *accounts.Service
	dk       *docket.Service
	cat      *i18n.Catalog
	cfg      Config
	log      *slog.Logger
	pages    map[string]*template.Template
	metrics  *metrics
	sessCk   string // session cookie name
	preCk    string // pre-session cookie name (CSRF binding for visitors)
	metricsN []*net.IPNet
}

// New builds the server and its routes. Templates are parsed here, so a broken
// one stops the start rather than a user's request.
func New(cfg Config, db *storage.DB, acc *accounts.Service, dk *docket.Service, cat *i18n.Catalog) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.AuthRateMax == 0 {
		cfg.AuthRateMax = 30
	}
	if cfg.AuthRateWindow == 0 {
		cfg.AuthRateWindow = time.Minute
	}
	if len(cfg.MetricsAllow) == 0 {
		cfg.MetricsAllow = []string{"127.0.0.0/8", "::1/128"}
	}
	s := &Server{db: db, acc: acc, dk: dk, cat: cat, cfg: cfg, log: cfg.Logger, sessCk: "court_session", preCk: "court_pre"}
	if cfg.TLS {
		s.sessCk, s.preCk = "__Host-court_session", "__Host-court_pre"
	}
	for _, n := range cfg.MetricsAllow {
		_, ipn, err := net.ParseCIDR(n)
		if err != nil {
			return nil, err
		}
		s.metricsN = append(s.metricsN, ipn)
	}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(db)

	fc := fiber.Config{
		AppName:               "courtd",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		// Values from a request are copied, so nothing handed to another
		// goroutine or kept after the handler points into a reused buffer.
		Immutable: true,
		// Exhibit uploads are streamed to disk, never held in memory. Fiber
		// then no longer enforces BodyLimit itself: limitBody does, for
		// every route but the uploads.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
	}
	if len(cfg.TrustedProxies) > 0 {
		fc.EnableTrustedProxyCheck = true
		fc.TrustedProxies = cfg.TrustedProxies
		fc.ProxyHeader = cfg.ProxyHeader
		if fc.ProxyHeader == "" {
			fc.ProxyHeader = "X-Real-Ip"
		}
		fc.EnableIPValidation = true
	}
	app := fiber.New(fc)
	s.app = app

	app.Use(recover.New())
	app.Use(requestid.New())
	app.Use(s.observe)
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
			"media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		ReferrerPolicy:            "same-origin",
		XFrameOptions:             "DENY",
		HSTSMaxAge:                31536000,
		HSTSExcludeSubdomains:     true,
		CrossOriginEmbedderPolicy: "unsafe-none",
		PermissionPolicy:          "camera=(self), microphone=(self), display-capture=(self), geolocation=()",
	}))

	app.Use(s.limitBody)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())
	app.Get("/static/*", s.static)

	authLimit := limiter.New(limiter.Config{
		Max:          cfg.AuthRateMax,
		Expiration:   cfg.AuthRateWindow,
		KeyGenerator: func(c *fiber.Ctx) string { return c.IP() },
		LimitReached: func(c *fiber.Ctx) error { return court.Errorf(court.ETOOMANY, "err.rate_limited") },
	})

	api := app.Group("/api/v1", s.apiAuth)
	api.Post("/tokens", authLimit, s.apiCreateToken)
	api.Delete("/tokens/current", s.apiRequireUser, s.apiDeleteToken)
	api.Get("/me", s.apiRequireUser, s.apiMe)
	s.caseAPIRoutes(api)
	s.answerAPIRoutes(api)
	s.searchAPIRoutes(api)
	s.deadlineAPIRoutes(api)
	s.exhibitAPIRoutes(api)
	s.ledgerAPIRoutes(api)
	s.feeAPIRoutes(api)
	s.outboxAPIRoutes(api)
	s.hearingAPIRoutes(api)
	s.scheduleAPIRoutes(api)
	s.paymentAPIRoutes(api)
	s.publicationAPIRoutes(api)
	s.statsAPIRoutes(api)
	s.rulingAPIRoutes(api)
	api.Use(func(c *fiber.Ctx) error { return court.ErrNotFound() })

	pages := app.Group("", s.pageAuth, s.csrfCheck)
	pages.Get("/", s.home)
	pages.Get("/lang/:lang", s.setLang)
	pages.Get("/login", s.loginForm)
	pages.Post("/login", authLimit, s.login)
	pages.Post("/logout", s.logout)
	pages.Get("/register", s.registerChoice)
	pages.Get("/register/consumer", s.consumerForm)
	pages.Post("/register/consumer", authLimit, s.registerConsumer)
	pages.Get("/register/merchant", s.merchantForm)
	pages.Post("/register/merchant", authLimit, s.registerMerchant)
	pages.Get("/home", s.requireUser, s.roleHome)
	pages.Get("/account", s.requireUser, s.account)
	pages.Post("/account/password", s.requireUser, s.changePassword)
	pages.Post("/account/members/:id/approve", s.requireRole(court.RoleMerchant), s.approveMember)
	pages.Get("/admin/users", s.requireRole(court.RoleAdmin), s.adminUsers)
	pages.Post("/admin/users", s.requireRole(court.RoleAdmin), s.adminCreateUser)
	pages.Post("/admin/users/:id/approve", s.requireRole(court.RoleAdmin), s.approveMember)
	pages.Post("/admin/users/:id/disable", s.requireRole(court.RoleAdmin), s.adminSetStatus(court.StatusActive, court.StatusDisabled))
	pages.Post("/admin/users/:id/enable", s.requireRole(court.RoleAdmin), s.adminSetStatus(court.StatusDisabled, court.StatusActive))
	s.casePageRoutes(pages)
	s.answerPageRoutes(pages)
	s.searchPageRoutes(pages)
	s.deadlinePageRoutes(pages)
	s.exhibitPageRoutes(pages)
	s.ledgerPageRoutes(pages)
	s.feePageRoutes(pages)
	s.outboxPageRoutes(pages)
	s.hearingPageRoutes(pages)
	s.schedulePageRoutes(pages)
	s.paymentPageRoutes(pages)
	s.publicationPageRoutes(pages)
	s.statsPageRoutes(pages)
	s.rulingPageRoutes(pages)
	pages.Use(func(c *fiber.Ctx) error { return court.ErrNotFound() })
	return s, nil
}

// App returns the Fiber application, to listen or to test with.
func (s *Server) App() *fiber.App { return s.app }

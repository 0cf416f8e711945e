package web

import (
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// metrics are the Prometheus metrics of one server, in a registry of its own
// (so that tests may run several servers in one process).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(db *storage.DB) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "courtd_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "courtd_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	m.reg.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.Writer(), "writer"), collectors.NewDBStatsCollector(db.Readers(), "readers"))
	return m
}

// observe logs each request and counts it. The route label is the route
// pattern (/admin/users/:id/approve), never the raw path, so the number of
// series stays bounded.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := "unmatched"
	if r := c.Route(); r != nil && r.Path != "" && status != fiber.StatusNotFound {
		route = r.Path
	}
	d := time.Since(start)
	s.metrics.requests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(c.Method(), route).Observe(d.Seconds())
	attrs := []any{"request_id", requestID(c), "method", c.Method(), "route", route, "status", status, "took", d}
	if u := currentUser(c); u != nil {
		attrs = append(attrs, "user_id", u.ID)
	}
	s.log.Debug("request", attrs...)
	return nil
}

// metricsHandler serves /metrics to the addresses allowed to scrape it. The
// address is the client's as Fiber sees it: behind a configured trusted proxy
// that is the proxied client's, not the proxy's own loopback address.
func (s *Server) metricsHandler() fiber.Handler {
	h := adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		ip := net.ParseIP(c.IP())
		for _, n := range s.metricsN {
			if n.Contains(ip) {
				return h(c)
			}
		}
		return court.ErrNotFound()
	}
}

// healthz says the process is alive.
func (s *Server) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

// readyz says the database answers.
func (s *Server) readyz(c *fiber.Ctx) error {
	if err := s.db.Ping(c.UserContext()); err != nil {
		s.log.Error("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unavailable")
	}
	return c.SendString("ok")
}

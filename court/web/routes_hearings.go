package web

import (
	"net/url"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// hearingAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) hearingAPIRoutes(api fiber.Router) {}

// hearingPageRoutes adds the page routes of this part: the hearing room's
// signalling WebSocket. The join token in its first message is the only
// credential (the court issues it to a user it lets attend), so the socket
// needs no session; the origin check keeps other sites' pages off it.
func (s *Server) hearingPageRoutes(pages fiber.Router) {
	if s.cfg.Hearings == nil {
		return
	}
	pages.Get("/hearing/ws", s.hearingUpgrade, websocket.New(s.hearingSocket))
}

const localHearingLang = "hearing_lang"

// hearingUpgrade accepts only a WebSocket upgrade from a page of this court
// (or from a client that sends no Origin, such as a native app).
func (s *Server) hearingUpgrade(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return court.Errorf(court.EINVALID, "err.hearing_websocket_only")
	}
	if o := c.Get(fiber.HeaderOrigin); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != string(c.Request().Host()) {
			return court.Errorf(court.EFORBIDDEN, "err.hearing_origin")
		}
	}
	c.Locals(localHearingLang, s.lang(c))
	return c.Next()
}

// hearingSocket hands the connection to the hearing server, which owns it
// (and serialises its writes) until Serve returns.
func (s *Server) hearingSocket(conn *websocket.Conn) {
	lang, _ := conn.Locals(localHearingLang).(string)
	s.cfg.Hearings.Serve(conn, func(m court.Message) string { return s.cat.M(lang, m) })
}

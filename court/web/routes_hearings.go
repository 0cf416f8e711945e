package web

import (
	"net/url"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
)

// hearingAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) hearingAPIRoutes(api fiber.Router) {}

// hearingPageRoutes adds the page routes of this part: the hearing room's
// signalling WebSocket. The join token in its first message is the only
// credential (the court issues it to a user it lets attend), so the socket
// needs no session; the origin check keeps other sites' pages off it.
//
// The witness routes are there with or without a media server (without one,
// a link cannot be made: rooms are not available).
func (s *Server) hearingPageRoutes(pages fiber.Router) {
	pages.Post("/cases/:id/hearings/:hid/witness", s.requireUser, s.witnessLink)
	pages.Get("/hearing/witness/:code", s.witnessPage)
	pages.Post("/hearing/witness/:code/token", s.witnessToken)
	if s.cfg.Hearings == nil {
		return
	}
	s.metrics.reg.MustRegister(newHearingCollector(s.cfg.Hearings)) // metrics_hearing.go
	pages.Get("/hearing/ws", s.hearingUpgrade, websocket.New(s.hearingSocket))
}

// roomApp is the dot of the room's template (_room.html).
type roomApp struct {
	P        *page
	Kind     court.HearingKind
	TokenURL string // where the page asks for join tokens
	Witness  bool
}

// RoomApp gives the room's template what it needs.
func (p *page) RoomApp(kind court.HearingKind, tokenURL string, witness bool) roomApp {
	return roomApp{P: p, Kind: kind, TokenURL: tokenURL, Witness: witness}
}

// witnessCookie holds the browser's witness claim: the secret that binds a
// witness link to the first browser that opened it.
const witnessCookie = "court_witness"

// witnessClaim returns the browser's claim, making one (and its cookie)
// for a browser that has none.
func (s *Server) witnessClaim(c *fiber.Ctx) (string, error) {
	if v := c.Cookies(witnessCookie); v != "" && len(v) <= 100 {
		return v, nil
	}
	v, err := hearings.NewSecret()
	if err != nil {
		return "", err
	}
	s.setCookie(c, witnessCookie, v, 7*24*time.Hour)
	return v, nil
}

// witnessLink makes a witness's one-time link (the judge, from the room
// page): JSON {"link"}, errors as JSON in the page's language.
func (s *Server) witnessLink(c *fiber.Ctx) error {
	id, hid, err := hearingIDs(c)
	if err != nil {
		return err
	}
	code, err := s.hearings().CreateWitnessLink(c.UserContext(), currentUser(c), id, hid, c.FormValue("name"))
	if err != nil {
		return s.jsonError(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"link": hearings.WitnessLinkPath(code)})
}

// witnessPage is the room page of a witness: the hearing's time and the
// room, nothing of the case. Opening it claims the link for this browser.
func (s *Server) witnessPage(c *fiber.Ctx) error {
	code := c.Params("code")
	claim, err := s.witnessClaim(c)
	if err != nil {
		return err
	}
	svc := s.hearings()
	h, l, err := svc.WitnessHearing(c.UserContext(), code, claim)
	if err != nil {
		return err
	}
	p := s.newPage(c, "title.hearing_witness")
	p.Data["Hearing"] = h
	p.Data["Name"] = l.Name
	p.Data["Join"] = h.Kind != court.HearingWritten && h.Open() && h.Joinable(svc.Now())
	p.Data["TokenURL"] = hearings.WitnessLinkPath(code) + "/token"
	c.Set("Referrer-Policy", "no-referrer") // the link is the witness's credential
	return s.render(c, "hearing_witness", fiber.StatusOK, p)
}

// witnessToken answers a join token for the witness of a link, to the
// browser that claimed it.
func (s *Server) witnessToken(c *fiber.Ctx) error {
	claim := c.Cookies(witnessCookie)
	if claim == "" {
		return s.jsonError(c, court.ErrNotFound())
	}
	tok, exp, err := s.hearings().WitnessToken(c.UserContext(), c.Params("code"), claim)
	if err != nil {
		return s.jsonError(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(apiTokenResponse{Token: tok, Expires: exp})
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

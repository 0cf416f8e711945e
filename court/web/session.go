package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Locals keys.
const (
	localUser  = "user"
	localToken = "token"
	localLang  = "lang"
)

// currentUser returns the logged-in user of the request, or nil.
func currentUser(c *fiber.Ctx) *court.User {
	u, _ := c.Locals(localUser).(*court.User)
	return u
}

// pageAuth resolves the browser session cookie to a user. An ended session is
// treated as no session: the cookie is cleared and the visitor is anonymous.
func (s *Server) pageAuth(c *fiber.Ctx) error {
	tok := c.Cookies(s.sessCk)
	if tok == "" {
		return c.Next()
	}
	u, err := s.acc.Authenticate(c.UserContext(), tok, storage.KindBrowser)
	switch court.ErrorCode(err) {
	case "":
		c.Locals(localUser, u)
		c.Locals(localToken, tok)
	case court.EUNAUTHORIZED:
		s.clearCookie(c, s.sessCk)
	default:
		return err
	}
	return c.Next()
}

// apiAuth resolves a Bearer token. The API never reads cookies, so a page on
// another site cannot make a browser call it with the user's credentials, and
// it needs no CSRF token.
func (s *Server) apiAuth(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" {
		return c.Next()
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return court.ErrUnauthorized()
	}
	u, err := s.acc.Authenticate(c.UserContext(), strings.TrimSpace(tok), storage.KindAPI)
	if err != nil {
		return err
	}
	c.Locals(localUser, u)
	c.Locals(localToken, strings.TrimSpace(tok))
	return c.Next()
}

// requireUser sends visitors to the login page.
func (s *Server) requireUser(c *fiber.Ctx) error {
	if currentUser(c) == nil {
		return court.ErrUnauthorized()
	}
	return c.Next()
}

// requireRole allows only users of the given roles. Others get "not found",
// as for any object they may not see.
func (s *Server) requireRole(roles ...court.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			return court.ErrUnauthorized()
		}
		for _, r := range roles {
			if u.Role == r {
				return c.Next()
			}
		}
		return court.ErrNotFound()
	}
}

// startSession logs the user in on this browser: any session the request
// carried is ended and a new one, with a new id, is issued.
func (s *Server) startSession(c *fiber.Ctx, u *court.User) error {
	if old, _ := c.Locals(localToken).(string); old != "" {
		if err := s.acc.EndSession(c.UserContext(), old); err != nil {
			return err
		}
	}
	tok, _, err := s.acc.NewSession(c.UserContext(), u.ID, storage.KindBrowser)
	if err != nil {
		return err
	}
	s.setCookie(c, s.sessCk, tok, 0)
	c.Locals(localUser, u)
	c.Locals(localToken, tok)
	return nil
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.cfg.TLS, MaxAge: int(maxAge / time.Second),
	})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Value: "", Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Secure: s.cfg.TLS, MaxAge: -1, Expires: time.Unix(1, 0),
	})
}

// CSRF: a form token is an HMAC, under a key from the data dir, of what the
// request is bound to: the session for a logged-in user, else a random
// pre-session cookie. A token therefore changes at login and at logout and
// cannot be computed by another site.

// csrfToken returns the token forms of this response must carry, setting the
// pre-session cookie for a visitor who has none.
func (s *Server) csrfToken(c *fiber.Ctx) string {
	b := s.csrfBinding(c)
	if b == "" {
		raw := make([]byte, 18)
		if _, err := rand.Read(raw); err != nil {
			panic(err)
		}
		v := base64.RawURLEncoding.EncodeToString(raw)
		s.setCookie(c, s.preCk, v, 0)
		c.Request().Header.SetCookie(s.preCk, v)
		b = "p:" + v
	}
	return s.csrfFor(b)
}

func (s *Server) csrfBinding(c *fiber.Ctx) string {
	if tok, _ := c.Locals(localToken).(string); tok != "" {
		return "s:" + accounts.TokenHash(tok)
	}
	if v := c.Cookies(s.preCk); v != "" && len(v) <= 64 {
		return "p:" + v
	}
	return ""
}

func (s *Server) csrfFor(binding string) string {
	m := hmac.New(sha256.New, s.acc.Keys.CSRF)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfCheck refuses a state-changing page request whose token (form field
// csrf_token, or header X-CSRF-Token) does not match its binding.
func (s *Server) csrfCheck(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("csrf_token")
	}
	b := s.csrfBinding(c)
	if b == "" || got == "" || !hmac.Equal([]byte(got), []byte(s.csrfFor(b))) {
		return court.Errorf(court.EFORBIDDEN, "err.csrf")
	}
	return c.Next()
}

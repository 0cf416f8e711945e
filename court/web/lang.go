package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

const langCookie = "lang"

// lang is the language of this request: the visitor's remembered choice, else
// the user's saved preference, else the browser's Accept-Language, else
// Chinese.
func (s *Server) lang(c *fiber.Ctx) string {
	if l, ok := c.Locals(localLang).(string); ok {
		return l
	}
	choice := ""
	if !isAPI(c) {
		choice = c.Cookies(langCookie)
	}
	if !i18n.Supported(choice) {
		if u := currentUser(c); u != nil {
			choice = u.Lang
		}
	}
	l := s.cat.Match(choice, c.Get(fiber.HeaderAcceptLanguage))
	c.Locals(localLang, l)
	return l
}

// setLang is the language switch: it remembers the choice in a cookie (and in
// the account, so notices reach the user in it) and goes back to the page.
func (s *Server) setLang(c *fiber.Ctx) error {
	l := c.Params("lang")
	if !i18n.Supported(l) {
		return court.ErrNotFound()
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		SameSite: fiber.CookieSameSiteLaxMode, Secure: s.cfg.TLS, HTTPOnly: true})
	c.Locals(localLang, l)
	if u := currentUser(c); u != nil && u.Lang != l {
		if err := s.db.SetLang(c.UserContext(), u.ID, l); err != nil {
			return err
		}
	}
	return c.Redirect(localPath(c.Query("next"), "/"), fiber.StatusSeeOther)
}

// localPath returns p when it is a path on this site, else def: redirects
// never lead elsewhere.
func localPath(p, def string) string {
	if p == "" || len(p) > 2000 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return def
	}
	return p
}

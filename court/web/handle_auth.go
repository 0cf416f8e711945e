package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// home is the landing page; a logged-in user goes on to their own home.
func (s *Server) home(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/home", fiber.StatusSeeOther)
	}
	return s.render(c, "index", fiber.StatusOK, s.newPage(c, "title.index"))
}

func (s *Server) loginForm(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/home", fiber.StatusSeeOther)
	}
	p := s.newPage(c, "title.login")
	p.Form["next"] = localPath(c.Query("next"), "")
	return s.render(c, "login", fiber.StatusOK, p)
}

// login checks the password and starts a new session (a new id, so a session
// id planted before login is worthless).
func (s *Server) login(c *fiber.Ctx) error {
	p := s.newPage(c, "title.login")
	f := formValues(c, p, "username", "next")
	u, err := s.acc.Login(c.UserContext(), f["username"], c.FormValue("password"))
	if err != nil {
		return s.renderForm(c, "login", p, err)
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(localPath(f["next"], "/home"), fiber.StatusSeeOther)
}

// logout ends the session on the server and clears the cookie.
func (s *Server) logout(c *fiber.Ctx) error {
	if tok, _ := c.Locals(localToken).(string); tok != "" {
		if err := s.acc.EndSession(c.UserContext(), tok); err != nil {
			return err
		}
	}
	s.clearCookie(c, s.sessCk)
	return c.Redirect("/login?notice=logged_out", fiber.StatusSeeOther)
}

func (s *Server) registerChoice(c *fiber.Ctx) error {
	return s.render(c, "register", fiber.StatusOK, s.newPage(c, "title.register"))
}

func (s *Server) consumerForm(c *fiber.Ctx) error {
	return s.render(c, "register_consumer", fiber.StatusOK, s.newPage(c, "title.register_consumer"))
}

// registerConsumer opens a consumer account and logs the consumer in.
func (s *Server) registerConsumer(c *fiber.Ctx) error {
	p := s.newPage(c, "title.register_consumer")
	f := formValues(c, p, "username", "name", "mobile", "resident_id", "email")
	u, err := s.acc.RegisterConsumer(c.UserContext(), court.ConsumerRegistration{
		Username: f["username"], Password: c.FormValue("password"), Name: f["name"], Mobile: f["mobile"],
		ResidentID: f["resident_id"], Lang: p.Lang, Email: f["email"],
	})
	if err != nil {
		return s.renderForm(c, "register_consumer", p, err)
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect("/home?notice=registered", fiber.StatusSeeOther)
}

func (s *Server) merchantForm(c *fiber.Ctx) error {
	return s.render(c, "register_merchant", fiber.StatusOK, s.newPage(c, "title.register_merchant"))
}

// registerMerchant opens a merchant staff account. The first staff member of
// an organisation is logged in; a later one waits for approval.
func (s *Server) registerMerchant(c *fiber.Ctx) error {
	p := s.newPage(c, "title.register_merchant")
	f := formValues(c, p, "username", "name", "mobile", "credit_code", "org_name", "email", "claim_code")
	u, err := s.acc.RegisterMerchant(c.UserContext(), court.MerchantRegistration{
		Username: f["username"], Password: c.FormValue("password"), Name: f["name"], Mobile: f["mobile"],
		CreditCode: f["credit_code"], OrgName: f["org_name"], Lang: p.Lang, Email: f["email"], ClaimCode: f["claim_code"],
	})
	if err != nil {
		return s.renderForm(c, "register_merchant", p, err)
	}
	if u.Status == court.StatusPending {
		if f["claim_code"] != "" {
			// The code was wrong or spent: say so, rather than leave the
			// registrant waiting for an approval they did not expect.
			return c.Redirect("/login?notice=pending_claim", fiber.StatusSeeOther)
		}
		return c.Redirect("/login?notice=pending", fiber.StatusSeeOther)
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect("/home?notice=registered", fiber.StatusSeeOther)
}

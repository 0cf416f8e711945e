package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// roleHome is each role's own start page: its cases (a claimant's claims,
// the claims against a merchant, a clerk's filings to review, a judge's or
// mediator's assigned cases) and the latest notices.
func (s *Server) roleHome(c *fiber.Ctx) error {
	p := s.newPage(c, "title.home")
	u := p.User
	if u.Role == court.RoleMerchant {
		if err := s.loadOrg(c, p); err != nil {
			return err
		}
	}
	if err := s.loadHome(c, p); err != nil {
		return err
	}
	if err := s.loadDeadlines(c, p); err != nil {
		return err
	}
	return s.render(c, "home", fiber.StatusOK, p)
}

// loadOrg puts the merchant's organisation and its staff awaiting approval
// into the page.
func (s *Server) loadOrg(c *fiber.Ctx, p *page) error {
	if p.User.OrganizationID == nil {
		return nil
	}
	org, err := s.db.OrganizationByID(c.UserContext(), *p.User.OrganizationID)
	if err != nil {
		return err
	}
	pending, err := s.db.Users(c.UserContext(), storage.UserFilter{OrganizationID: &org.ID, Status: court.StatusPending})
	if err != nil {
		return err
	}
	p.Data["Org"] = org
	p.Data["Pending"] = pending
	return nil
}

func (s *Server) account(c *fiber.Ctx) error {
	p := s.newPage(c, "title.account")
	if p.User.Role == court.RoleMerchant {
		if err := s.loadOrg(c, p); err != nil {
			return err
		}
	}
	return s.render(c, "account", fiber.StatusOK, p)
}

// changePassword checks the current password, sets the new one and ends the
// user's sessions elsewhere.
func (s *Server) changePassword(c *fiber.Ctx) error {
	p := s.newPage(c, "title.account")
	tok, _ := c.Locals(localToken).(string)
	err := s.acc.ChangePassword(c.UserContext(), p.User, c.FormValue("current_password"), c.FormValue("new_password"), tok)
	if err != nil {
		if p.User.Role == court.RoleMerchant {
			if lerr := s.loadOrg(c, p); lerr != nil {
				return lerr
			}
		}
		return s.renderForm(c, "account", p, err)
	}
	return c.Redirect("/account?notice=password_changed", fiber.StatusSeeOther)
}

// approveMember lets merchant staff approve a colleague, or an admin approve
// anyone pending.
func (s *Server) approveMember(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return court.ErrNotFound()
	}
	if err := s.acc.ApproveMember(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	back := "/account?notice=member_approved"
	if currentUser(c).Role == court.RoleAdmin {
		back = "/admin/users?notice=member_approved"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

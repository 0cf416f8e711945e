package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// adminUsers lists accounts and offers the staff account form.
func (s *Server) adminUsers(c *fiber.Ctx) error {
	p := s.newPage(c, "title.admin_users")
	if err := s.loadUsers(c, p); err != nil {
		return err
	}
	return s.render(c, "admin_users", fiber.StatusOK, p)
}

func (s *Server) loadUsers(c *fiber.Ctx, p *page) error {
	users, err := s.db.Users(c.UserContext(), storage.UserFilter{Limit: 500})
	if err != nil {
		return err
	}
	p.Data["Users"] = users
	return nil
}

// adminCreateUser creates a staff account.
func (s *Server) adminCreateUser(c *fiber.Ctx) error {
	p := s.newPage(c, "title.admin_users")
	f := formValues(c, p, "username", "name", "role")
	_, err := s.acc.CreateStaff(c.UserContext(), court.StaffAccount{
		Username: f["username"], Password: c.FormValue("password"), Name: f["name"], Role: court.Role(f["role"]),
	})
	if err != nil {
		if lerr := s.loadUsers(c, p); lerr != nil {
			return lerr
		}
		return s.renderForm(c, "admin_users", p, err)
	}
	return c.Redirect("/admin/users?notice=user_created", fiber.StatusSeeOther)
}

// adminSetStatus disables or re-enables an account. An admin cannot disable
// their own account, so the court is never left without one by mistake.
func (s *Server) adminSetStatus(from, to court.UserStatus) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Params("id"), 10, 64)
		if err != nil || id <= 0 {
			return court.ErrNotFound()
		}
		if id == currentUser(c).ID {
			return court.Errorf(court.EINVALID, "err.disable_self")
		}
		if err := s.db.SetUserStatus(c.UserContext(), id, nil, from, to); err != nil {
			return err
		}
		return c.Redirect("/admin/users?notice=user_status", fiber.StatusSeeOther)
	}
}

package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// outboxAPIRoutes adds the JSON routes of this part under /api/v1: the
// admin's view of the outbox.
func (s *Server) outboxAPIRoutes(api fiber.Router) {
	api.Get("/admin/outbox", s.apiRequireUser, s.apiRequireAdmin, s.apiOutbox)
	api.Post("/admin/outbox/:id/retry", s.apiRequireUser, s.apiRequireAdmin, s.apiRetryMail)
}

// outboxPageRoutes adds the page routes of this part: the contact address on
// the account page, and the admin's outbox page.
func (s *Server) outboxPageRoutes(pages fiber.Router) {
	pages.Post("/account/email", s.requireUser, s.setEmail)
	pages.Get("/admin/outbox", s.requireRole(court.RoleAdmin), s.adminOutbox)
	pages.Post("/admin/outbox/:id/retry", s.requireRole(court.RoleAdmin), s.adminRetryMail)
}

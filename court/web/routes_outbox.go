package web

import "github.com/gofiber/fiber/v2"

// outboxAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) outboxAPIRoutes(api fiber.Router) {}

// outboxPageRoutes adds the page routes of this part.
func (s *Server) outboxPageRoutes(pages fiber.Router) {}

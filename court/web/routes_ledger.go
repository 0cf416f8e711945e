package web

import "github.com/gofiber/fiber/v2"

// ledgerAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) ledgerAPIRoutes(api fiber.Router) {}

// ledgerPageRoutes adds the page routes of this part.
func (s *Server) ledgerPageRoutes(pages fiber.Router) {}

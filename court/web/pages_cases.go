package web

import "github.com/gofiber/fiber/v2"

// casePageRoutes registers the case pages.
func (s *Server) casePageRoutes(pages fiber.Router) {}

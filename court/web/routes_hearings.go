package web

import "github.com/gofiber/fiber/v2"

// hearingAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) hearingAPIRoutes(api fiber.Router) {}

// hearingPageRoutes adds the page routes of this part.
func (s *Server) hearingPageRoutes(pages fiber.Router) {}

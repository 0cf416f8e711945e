package web

import "github.com/gofiber/fiber/v2"

// statsAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) statsAPIRoutes(api fiber.Router) {}

// statsPageRoutes adds the page routes of this part.
func (s *Server) statsPageRoutes(pages fiber.Router) {}

package web

import "github.com/gofiber/fiber/v2"

// scheduleAPIRoutes adds the JSON routes of hearing scheduling under /api/v1.
func (s *Server) scheduleAPIRoutes(api fiber.Router) {}

// schedulePageRoutes adds the page routes of hearing scheduling.
func (s *Server) schedulePageRoutes(pages fiber.Router) {}

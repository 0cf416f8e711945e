package web

import "github.com/gofiber/fiber/v2"

// feeAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) feeAPIRoutes(api fiber.Router) {}

// feePageRoutes adds the page routes of this part.
func (s *Server) feePageRoutes(pages fiber.Router) {}

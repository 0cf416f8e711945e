package web

import "github.com/gofiber/fiber/v2"

// exhibitAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) exhibitAPIRoutes(api fiber.Router) {}

// exhibitPageRoutes adds the page routes of this part.
func (s *Server) exhibitPageRoutes(pages fiber.Router) {}

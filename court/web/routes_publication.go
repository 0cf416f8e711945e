package web

import "github.com/gofiber/fiber/v2"

// publicationAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) publicationAPIRoutes(api fiber.Router) {}

// publicationPageRoutes adds the page routes of this part.
func (s *Server) publicationPageRoutes(pages fiber.Router) {}

package web

import "github.com/gofiber/fiber/v2"

// paymentAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) paymentAPIRoutes(api fiber.Router) {}

// paymentPageRoutes adds the page routes of this part.
func (s *Server) paymentPageRoutes(pages fiber.Router) {}

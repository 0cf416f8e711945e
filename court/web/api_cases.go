package web

import "github.com/gofiber/fiber/v2"

// caseAPIRoutes registers the case API under /api/v1.
func (s *Server) caseAPIRoutes(api fiber.Router) {}

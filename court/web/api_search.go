package web

import "github.com/gofiber/fiber/v2"

// searchAPIRoutes registers case search under /api/v1.
func (s *Server) searchAPIRoutes(api fiber.Router) {}

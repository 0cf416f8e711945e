package web

import "github.com/gofiber/fiber/v2"

// answerAPIRoutes registers the answer, settlement and assignment API.
func (s *Server) answerAPIRoutes(api fiber.Router) {}

package web

import "github.com/gofiber/fiber/v2"

// answerPageRoutes registers the answer, settlement and assignment pages.
func (s *Server) answerPageRoutes(pages fiber.Router) {}

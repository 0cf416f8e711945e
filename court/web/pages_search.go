package web

import "github.com/gofiber/fiber/v2"

// searchPageRoutes registers the search page.
func (s *Server) searchPageRoutes(pages fiber.Router) {}

package web

import "github.com/gofiber/fiber/v2"

func (s *Server) draftAPIRoutes(api fiber.Router)    {}
func (s *Server) draftPageRoutes(pages fiber.Router) {}

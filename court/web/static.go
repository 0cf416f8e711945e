package web

import (
	"embed"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

//go:embed static
var staticFS embed.FS

// static serves the embedded style sheet, scripts and images. Nothing comes
// from a CDN: the court works offline.
func (s *Server) static(c *fiber.Ctx) error {
	name := c.Params("*")
	if name == "" || strings.Contains(name, "..") {
		return court.ErrNotFound()
	}
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		return court.ErrNotFound()
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(b)
}

package web

import (
	"io"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// uploadPath matches the routes whose body is streamed (exhibit uploads);
// every other route has its body bounded by limitBody.
var uploadPath = regexp.MustCompile(`^/(api/v1/)?cases/[^/]+/exhibits/?$`)

// streamsBody reports whether the request is an exhibit upload, whose body
// its handler streams to disk under the evidence service's own limit.
func streamsBody(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodPost && uploadPath.MatchString(c.Path())
}

// limitBody enforces Config.BodyLimit, which Fiber no longer does once it
// streams request bodies (StreamRequestBody): a declared length over the
// limit is refused with 413 before anything is read; a chunked body is read
// through the limit into memory, as Fiber would have, and refused when it
// goes over. Exhibit uploads are left to their handler; a page upload must
// carry its CSRF token in the X-CSRF-Token header (or, for a client that
// cannot set one, the csrf_token query parameter), so that the CSRF check
// never reads its body as a form.
func (s *Server) limitBody(c *fiber.Ctx) error {
	if streamsBody(c) {
		if !isAPI(c) && c.Get("X-CSRF-Token") == "" && c.Query("csrf_token") == "" {
			return court.Errorf(court.EFORBIDDEN, "err.csrf")
		}
		return c.Next()
	}
	req := c.Request()
	limit := s.cfg.BodyLimit
	if req.Header.ContentLength() > limit {
		// The body is not read. fasthttp drops up to 256 KiB of what is
		// left, and closes the connection when more is.
		return fiber.ErrRequestEntityTooLarge
	}
	if st := req.BodyStream(); st != nil && req.Header.ContentLength() < 0 {
		b, err := io.ReadAll(io.LimitReader(st, int64(limit)+1))
		if err != nil {
			return fiber.ErrBadRequest
		}
		if len(b) > limit {
			return fiber.ErrRequestEntityTooLarge
		}
		req.SetBody(b)
	}
	return c.Next()
}

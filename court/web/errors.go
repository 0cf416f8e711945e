package web

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// statusOf maps an error code to its HTTP status: the one place that does.
func statusOf(code court.Code) int {
	switch code {
	case court.EINVALID:
		return fiber.StatusBadRequest
	case court.EUNAUTHORIZED:
		return fiber.StatusUnauthorized
	case court.EFORBIDDEN:
		return fiber.StatusForbidden
	case court.ENOTFOUND:
		return fiber.StatusNotFound
	case court.ECONFLICT:
		return fiber.StatusConflict
	case court.ETOOMANY:
		return fiber.StatusTooManyRequests
	default:
		return fiber.StatusInternalServerError
	}
}

func asCourtError(err error, ce **court.Error) bool { return errors.As(err, ce) }

// fromFiber turns Fiber's own errors (no route, body too large, bad method)
// into court errors with messages from the catalogs.
func fromFiber(fe *fiber.Error) *court.Error {
	switch fe.Code {
	case fiber.StatusNotFound, fiber.StatusMethodNotAllowed:
		return court.ErrNotFound()
	case fiber.StatusRequestEntityTooLarge:
		return court.Errorf(court.EINVALID, "err.too_large")
	case fiber.StatusBadRequest, fiber.StatusUnsupportedMediaType, fiber.StatusUnprocessableEntity:
		return court.Errorf(court.EINVALID, "err.bad_request")
	case fiber.StatusTooManyRequests:
		return court.Errorf(court.ETOOMANY, "err.rate_limited")
	}
	return nil
}

// apiError is the stable JSON shape of every API error.
type apiError struct {
	Error struct {
		Code    court.Code        `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// handleError is Fiber's error handler: every error a handler returns ends
// here. Internal errors are logged with the request id and shown as a
// generic message; others are shown with their own.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var ce *court.Error
	var fe *fiber.Error
	status := fiber.StatusInternalServerError
	switch {
	case errors.As(err, &ce):
		status = statusOf(ce.Code)
	case errors.As(err, &fe) && fromFiber(fe) != nil:
		ce = fromFiber(fe)
		status = fe.Code
		if status == fiber.StatusMethodNotAllowed {
			status = fiber.StatusNotFound
		}
	default:
		s.log.Error("internal error", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		ce = court.Errorf(court.EINTERNAL, "err.internal", "RequestID", requestID(c))
	}
	lang := s.lang(c)
	if isAPI(c) {
		var body apiError
		body.Error.Code = ce.Code
		body.Error.Message = s.cat.M(lang, ce.Msg)
		if len(ce.Fields) > 0 {
			body.Error.Fields = map[string]string{}
			for f, m := range ce.Fields {
				body.Error.Fields[f] = s.cat.M(lang, m)
			}
		}
		return c.Status(status).JSON(body)
	}
	if ce.Code == court.EUNAUTHORIZED && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	p := s.newPage(c, "title.error")
	p.Error = s.cat.M(lang, ce.Msg)
	p.Data["Status"] = status
	if rerr := s.render(c, "error", status, p); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(p.Error)
	}
	return nil
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals("requestid").(string)
	return id
}

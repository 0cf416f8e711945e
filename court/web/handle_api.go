package web

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// apiRequireUser refuses API calls without a valid token.
func (s *Server) apiRequireUser(c *fiber.Ctx) error {
	if currentUser(c) == nil {
		return court.ErrUnauthorized()
	}
	return c.Next()
}

// decodeJSON reads a JSON request body strictly: the right content type, one
// object, no unknown fields.
func decodeJSON(c *fiber.Ctx, dst any) error {
	if !bytes.HasPrefix(c.Request().Header.ContentType(), []byte(fiber.MIMEApplicationJSON)) {
		return court.Errorf(court.EINVALID, "err.json_content_type")
	}
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return court.Errorf(court.EINVALID, "err.json")
	}
	if dec.More() {
		return court.Errorf(court.EINVALID, "err.json")
	}
	return nil
}

type tokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// apiCreateToken exchanges a username and password for an API token.
func (s *Server) apiCreateToken(c *fiber.Ctx) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.acc.Login(c.UserContext(), req.Username, req.Password)
	if err != nil {
		return err
	}
	tok, exp, err := s.acc.NewSession(c.UserContext(), u.ID, storage.KindAPI)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(tokenResponse{Token: tok, ExpiresAt: exp})
}

// apiDeleteToken revokes the token the request was made with.
func (s *Server) apiDeleteToken(c *fiber.Ctx) error {
	tok, _ := c.Locals(localToken).(string)
	if err := s.acc.EndSession(c.UserContext(), tok); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type meResponse struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	Role        court.Role `json:"role"`
	DisplayName string     `json:"display_name"`
}

// apiMe says who the caller is.
func (s *Server) apiMe(c *fiber.Ctx) error {
	u := currentUser(c)
	return c.JSON(meResponse{ID: u.ID, Username: u.Username, Role: u.Role, DisplayName: u.DisplayName})
}

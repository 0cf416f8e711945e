package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

func init() {
	noticeKeys["email_saved"] = true
	noticeKeys["mail_retried"] = true
	noticeKeys["pending_claim"] = true
}

// outboxPage is how many outbox messages a page or an API call lists.
const outboxPage = 50

// setEmail sets or removes the user's contact address. A merchant's also
// becomes its organisation's when the organisation has none.
func (s *Server) setEmail(c *fiber.Ctx) error {
	p := s.newPage(c, "title.account")
	f := formValues(c, p, "email")
	var v court.Validator
	email := v.Email("email", f["email"])
	if err := v.Err(); err != nil {
		if p.User.Role == court.RoleMerchant {
			if lerr := s.loadOrg(c, p); lerr != nil {
				return lerr
			}
		}
		return s.renderForm(c, "account", p, err)
	}
	if err := s.db.SetUserEmail(c.UserContext(), p.User, email); err != nil {
		return err
	}
	return c.Redirect("/account?notice=email_saved", fiber.StatusSeeOther)
}

// mailFilter reads the outbox listing's query: status and paging.
func mailFilter(c *fiber.Ctx) (storage.MailFilter, error) {
	var v court.Validator
	f := storage.MailFilter{Status: c.Query("status"), Limit: outboxPage}
	switch f.Status {
	case "", storage.MailPending, storage.MailSent, storage.MailFailed:
	default:
		v.Fail("status", "err.invalid_choice")
	}
	f.BeforeID = apiQueryInt(&v, c, "before", 0, 1, 1<<62)
	return f, v.Err()
}

// adminOutbox lists the outbox, newest first, a page at a time.
func (s *Server) adminOutbox(c *fiber.Ctx) error {
	p := s.newPage(c, "title.admin_outbox")
	f, err := mailFilter(c)
	if err != nil {
		return err
	}
	ms, err := s.db.Mail(c.UserContext(), f)
	if err != nil {
		return err
	}
	p.Data["Mail"] = ms
	p.Data["Status"] = f.Status
	if len(ms) == outboxPage {
		p.Data["Next"] = ms[len(ms)-1].ID
	}
	return s.render(c, "admin_outbox", fiber.StatusOK, p)
}

func mailID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, court.ErrNotFound()
	}
	return id, nil
}

// adminRetryMail makes a pending or failed message due now; the dispatcher
// takes it at its next round.
func (s *Server) adminRetryMail(c *fiber.Ctx) error {
	id, err := mailID(c)
	if err != nil {
		return err
	}
	if err := s.db.RetryMail(c.UserContext(), id, s.dk.Now()); err != nil {
		return err
	}
	return c.Redirect("/admin/outbox?notice=mail_retried", fiber.StatusSeeOther)
}

// apiRequireAdmin lets only admins through; anyone else finds nothing.
func (s *Server) apiRequireAdmin(c *fiber.Ctx) error {
	if currentUser(c).Role != court.RoleAdmin {
		return court.ErrNotFound()
	}
	return c.Next()
}

// apiMailList is a page of the outbox.
type apiMailList struct {
	Messages   []storage.OutMessage `json:"messages"`
	NextBefore int64                `json:"next_before,omitempty"`
}

func (s *Server) apiOutbox(c *fiber.Ctx) error {
	f, err := mailFilter(c)
	if err != nil {
		return err
	}
	ms, err := s.db.Mail(c.UserContext(), f)
	if err != nil {
		return err
	}
	res := apiMailList{Messages: ms}
	if len(ms) == outboxPage {
		res.NextBefore = ms[len(ms)-1].ID
	}
	return c.JSON(res)
}

func (s *Server) apiRetryMail(c *fiber.Ctx) error {
	id, err := mailID(c)
	if err != nil {
		return err
	}
	if err := s.db.RetryMail(c.UserContext(), id, s.dk.Now()); err != nil {
		return err
	}
	m, err := s.db.MailByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// ContactField is the account page's contact address field: what the user
// typed when the form comes back with an error, else the address on record.
func (p *page) ContactField() field {
	f := p.Field("email", "email", "field.email", "email", "hint.email", "maxlength:254")
	if _, typed := p.Form["email"]; !typed && p.User != nil {
		f.Value = p.User.Email
	}
	return f
}

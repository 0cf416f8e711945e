package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

// parsePages parses every page template with the shared layout and partials.
func parsePages() (map[string]*template.Template, error) {
	base, err := template.ParseFS(templateFS, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", f, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what every template receives.
type page struct {
	Lang   string
	User   *court.User
	CSRF   string
	Back   string // where the language switch returns to
	Title  string // message key of the page title
	Notice string // message key of a notice to show on top
	Error  string // a message for the whole form, already translated
	Form   map[string]string
	Fields map[string]string // field name -> translated error
	Data   map[string]any
	s      *Server
}

// newPage starts the data of a page for this request.
func (s *Server) newPage(c *fiber.Ctx, title string) *page {
	// The language switch returns to this page: the address itself for a
	// GET, the start page for a form's answer (the form's address may have
	// no page to GET).
	back := "/"
	if c.Method() == fiber.MethodGet {
		back = c.OriginalURL()
	}
	p := &page{
		Lang: s.lang(c), User: currentUser(c), CSRF: s.csrfToken(c), Back: back, Title: title,
		Form: map[string]string{}, Fields: map[string]string{}, Data: map[string]any{}, s: s,
	}
	if n := c.Query("notice"); noticeKeys[n] {
		p.Notice = "notice." + n
	}
	return p
}

// noticeKeys are the notices a redirect may ask a page to show.
var noticeKeys = map[string]bool{
	"registered": true, "logged_out": true, "password_changed": true, "user_created": true,
	"member_approved": true, "user_status": true, "pending": true,
	"draft_saved": true, "case_submitted": true, "case_accepted": true, "case_returned": true, "case_rejected": true,
	"case_withdrawn": true, "case_saved": true,
}

// T translates a message key with alternating name, value arguments.
func (p *page) T(key string, kv ...any) string {
	return p.s.cat.M(p.Lang, court.Msg(key, kv...))
}

// RoleName is the translated name of a role.
func (p *page) RoleName(r court.Role) string { return p.T("role." + string(r)) }

// OtherLang is the language the switch offers.
func (p *page) OtherLang() string {
	if p.Lang == i18n.English {
		return i18n.Chinese
	}
	return i18n.English
}

// field is the data of one labelled form field. Type is an input type, or
// "select", "textarea" or "checkbox" (checked when Value is not empty).
type field struct {
	Name, Type, Label, Hint, Value, Error, Autocomplete string
	InputMode                                           string
	MaxLen                                              int
	Required                                            bool
	Options                                             []option
}

type option struct{ Value, Label string }

// Field describes an input: name, type, label key and, optionally, a hint
// key, an autocomplete token, "required", "maxlength:N" and "inputmode:M".
func (p *page) Field(name, typ, label string, extra ...string) field {
	f := field{Name: name, Type: typ, Label: p.T(label), Value: p.Form[name], Error: p.Fields[name]}
	for _, e := range extra {
		switch {
		case e == "required":
			f.Required = true
		case strings.HasPrefix(e, "hint."):
			f.Hint = p.T(e)
		case strings.HasPrefix(e, "maxlength:"):
			f.MaxLen, _ = strconv.Atoi(strings.TrimPrefix(e, "maxlength:"))
		case strings.HasPrefix(e, "inputmode:"):
			f.InputMode = strings.TrimPrefix(e, "inputmode:")
		default:
			f.Autocomplete = e
		}
	}
	if typ == "password" {
		f.Value = "" // never echo a password back
	}
	return f
}

// RoleField is a select of the staff roles.
func (p *page) RoleField(name string) field {
	f := p.Field(name, "select", "field.role", "required")
	for _, r := range court.StaffRoles {
		f.Options = append(f.Options, option{string(r), p.RoleName(r)})
	}
	return f
}

// render writes a page with the given status.
func (s *Server) render(c *fiber.Ctx, name string, status int, p *page) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).Send(buf.Bytes())
}

// renderForm shows a form again with the errors of err: its fields next to
// them and its message on top. Errors that are not about the input (not
// invalid, conflict, unauthorized or too many) go to the error handler.
func (s *Server) renderForm(c *fiber.Ctx, name string, p *page, err error) error {
	var ce *court.Error
	if !asCourtError(err, &ce) {
		return err
	}
	switch ce.Code {
	case court.EINVALID, court.ECONFLICT, court.EUNAUTHORIZED, court.ETOOMANY, court.EFORBIDDEN:
	default:
		return err
	}
	p.Error = s.cat.M(p.Lang, ce.Msg)
	for f, m := range ce.Fields {
		p.Fields[f] = s.cat.M(p.Lang, m)
	}
	return s.render(c, name, statusOf(ce.Code), p)
}

// formValues copies the named form fields into p.Form (for showing the form
// again) and returns them.
func formValues(c *fiber.Ctx, p *page, names ...string) map[string]string {
	for _, n := range names {
		p.Form[n] = c.FormValue(n)
	}
	return p.Form
}

package web

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/rulings"
)

// Rulings and mediation documents (issue 6): the judge drafts, previews and
// signs; the parties and the court's staff read the signed document as a
// printable page, a PDF or JSON; anyone verifies a copy at /verify.

// rulingsSvc is the rulings service. A server built without one (tests of
// other parts) gets one without a key or font: drafts work, signing is
// refused, so every route exists for the access matrices.
func (s *Server) rulingsSvc() *rulings.Service {
	if s.cfg.Rulings == nil {
		s.cfg.Rulings = rulings.New(s.db, nil, s.dk.Profile, nil, "")
		if s.cfg.Ledger != nil {
			s.cfg.Rulings.Key = s.cfg.Ledger.Key()
		}
	}
	return s.cfg.Rulings
}

// rulingAPIRoutes adds the JSON routes of this part under /api/v1.
func (s *Server) rulingAPIRoutes(api fiber.Router) {
	s.rulingsSvc()
	api.Get("/cases/:id/rulings", s.apiRequireUser, s.apiRulings)
	api.Get("/cases/:id/ruling", s.apiRequireUser, s.apiRuling)
	api.Get("/cases/:id/ruling/pdf", s.apiRequireUser, s.apiRulingPDF)
	api.Get("/cases/:id/ruling/draft", s.apiRequireUser, s.apiRulingDraft)
	api.Put("/cases/:id/ruling/draft", s.apiRequireUser, s.apiSaveRulingDraft)
	api.Post("/cases/:id/ruling/sign", s.apiRequireUser, s.apiSignRuling)
	api.Post("/cases/:id/mediation", s.apiRequireUser, s.apiMediation)
	api.Get("/verify", s.apiVerify)
	api.Post("/verify", s.apiVerify)
}

// rulingPageRoutes adds the page routes of this part.
func (s *Server) rulingPageRoutes(pages fiber.Router) {
	s.rulingsSvc()
	pages.Get("/cases/:id/ruling", s.requireUser, s.rulingPage)
	pages.Get("/cases/:id/ruling/pdf", s.requireUser, s.rulingPDFPage)
	pages.Get("/cases/:id/ruling/edit", s.requireUser, s.rulingEdit)
	pages.Post("/cases/:id/ruling/edit", s.requireUser, s.rulingSave)
	pages.Get("/cases/:id/ruling/preview", s.requireUser, s.rulingPreview)
	pages.Post("/cases/:id/ruling/sign", s.requireUser, s.rulingSign)
	pages.Post("/cases/:id/mediation", s.requireUser, s.mediationSign)
	pages.Get("/verify", s.verifyPage)
	pages.Post("/verify", s.verifyPage)
}

func init() {
	for _, n := range []string{"ruling_saved", "ruling_signed", "mediation_signed"} {
		noticeKeys[n] = true
	}
}

// apiRulingRow is a document as the API lists it.
type apiRulingRow struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	Status    string  `json:"status"`
	Number    string  `json:"number"`
	SHA256    *string `json:"sha256,omitempty"`
	SignedAt  any     `json:"signed_at,omitempty"`
	ServedAt  any     `json:"served_at,omitempty"`
	LeafIndex *int64  `json:"leaf_index,omitempty"`
	UpdatedAt any     `json:"updated_at"`
}

func (s *Server) apiRulings(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	rs, err := s.rulingsSvc().List(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	out := make([]apiRulingRow, len(rs))
	for i, r := range rs {
		out[i] = apiRulingRow{ID: r.ID, Kind: r.Kind, Status: r.Status, Number: r.Number, SHA256: r.SHA256,
			LeafIndex: r.LeafIndex, UpdatedAt: r.UpdatedAt}
		if r.SignedAt != nil {
			out[i].SignedAt, out[i].ServedAt = *r.SignedAt, *r.ServedAt
		}
	}
	return c.JSON(fiber.Map{"rulings": out})
}

// apiSigned is a signed document as the API returns it: the record (what
// courtd verify checks offline), the document, its orders and views.
func apiSigned(sg *rulings.Signed) fiber.Map {
	r := sg.Ruling
	return fiber.Map{"id": r.ID, "kind": r.Kind, "number": r.Number, "signed_at": r.SignedAt, "served_at": r.ServedAt,
		"record": sg.Record, "document": sg.Doc, "orders": sg.Orders, "views": sg.Views, "verify_url": sg.VerifyURL,
		"pdf_sha256": sg.PDFSHA256}
}

func (s *Server) apiRuling(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	sg, err := s.rulingsSvc().Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(apiSigned(sg))
}

func (s *Server) apiRulingPDF(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	return s.sendPDF(c, id)
}

func (s *Server) sendPDF(c *fiber.Ctx, id int64) error {
	pdf, sg, err := s.rulingsSvc().PDF(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`inline; filename="ruling-%d.pdf"`, sg.Ruling.ID))
	return c.Send(pdf)
}

func apiEditing(e *rulings.Editing) fiber.Map {
	return fiber.Map{"draft": e.Draft, "saved_at": e.Saved, "signed": e.Signed, "preview": e.Preview}
}

func (s *Server) apiRulingDraft(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	e, err := s.rulingsSvc().Draft(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(apiEditing(e))
}

func (s *Server) apiSaveRulingDraft(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var d rulings.Draft
	if err := decodeJSON(c, &d); err != nil {
		return err
	}
	e, err := s.rulingsSvc().SaveDraft(c.UserContext(), currentUser(c), id, d)
	if err != nil {
		return err
	}
	return c.JSON(apiEditing(e))
}

func (s *Server) apiSignRuling(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	sg, err := s.rulingsSvc().Sign(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(apiSigned(sg))
}

// apiMediationRequest is the body of POST /cases/:id/mediation (all
// optional).
type apiMediationRequest struct {
	Note     string `json:"note"`
	FeeBorne string `json:"fee_borne"`
	DueDays  int    `json:"due_days"`
}

func (s *Server) apiMediation(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req apiMediationRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	sg, err := s.rulingsSvc().Mediate(c.UserContext(), currentUser(c), id, req.Note, req.FeeBorne, req.DueDays)
	if err != nil {
		return err
	}
	return c.JSON(apiSigned(sg))
}

// verifyInput reads a verification request: the number ("no") and either
// the SHA-256 ("sha256", 64 hex digits) or an uploaded copy ("file", whose
// SHA-256 is taken), from the query, a form or JSON.
func (s *Server) verifyInput(c *fiber.Ctx) (string, [32]byte, error) {
	var sum [32]byte
	no, hash := c.Query("no"), c.Query("sha256")
	if c.Method() == fiber.MethodPost {
		if strings.HasPrefix(string(c.Request().Header.ContentType()), fiber.MIMEApplicationJSON) {
			var req struct {
				No     string `json:"no"`
				SHA256 string `json:"sha256"`
			}
			if err := decodeJSON(c, &req); err != nil {
				return "", sum, err
			}
			no, hash = req.No, req.SHA256
		} else {
			no, hash = c.FormValue("no"), c.FormValue("sha256")
			if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
				f, err := fh.Open()
				if err != nil {
					return "", sum, err
				}
				defer f.Close()
				h := sha256.New()
				if _, err := io.Copy(h, io.LimitReader(f, int64(s.cfg.BodyLimit))); err != nil {
					return "", sum, err
				}
				copy(sum[:], h.Sum(nil))
				hash = ""
			}
		}
	}
	var v court.Validator
	v.Check(no != "", "no", "err.required")
	if hash != "" || sum == [32]byte{} {
		var ok bool
		sum, ok = rulings.ParseSHA256(hash)
		v.Check(ok, "sha256", "verify.err_sha256")
	}
	return no, sum, v.Err()
}

func (s *Server) apiVerify(c *fiber.Ctx) error {
	no, sum, err := s.verifyInput(c)
	if err != nil {
		return err
	}
	res, err := s.verifyCopy(c.UserContext(), no, sum)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
}

// docView is a document page: its paragraphs in the chosen language.
type docView struct {
	Paras     []rulings.Para
	Draft     bool
	CaseID    int64
	DocLang   string // language of the rendering
	PDF       bool   // a PDF can be had
	SHA256    string
	VerifyURL string
	Signed    *rulings.Signed
}

// docLang is the rendering asked for with ?doc=en; Chinese otherwise.
func docLang(c *fiber.Ctx) string {
	if c.Query("doc") == "en" {
		return "en"
	}
	return "zh-CN"
}

// rulingPage is the printable signed document.
func (s *Server) rulingPage(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	sg, err := s.rulingsSvc().Get(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	p := s.newPage(c, "ruling.title")
	p.Data["Doc"] = docView{Paras: rulings.Paragraphs(sg.Doc, docLang(c), sg.VerifyURL), CaseID: id, DocLang: docLang(c),
		PDF: s.rulingsSvc().Font != nil || sg.PDFSHA256 != "", SHA256: sg.Record.SHA256, VerifyURL: sg.VerifyURL, Signed: sg}
	return s.render(c, "ruling_doc", fiber.StatusOK, p)
}

func (s *Server) rulingPDFPage(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	return s.sendPDF(c, id)
}

// rulingPreview shows the judge's draft as the document it will be.
func (s *Server) rulingPreview(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	e, err := s.rulingsSvc().Draft(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	p := s.newPage(c, "ruling.preview_title")
	p.Data["Doc"] = docView{Paras: rulings.Paragraphs(e.Preview, docLang(c), ""), Draft: true, CaseID: id, DocLang: docLang(c)}
	return s.render(c, "ruling_doc", fiber.StatusOK, p)
}

// orderRows is how many order rows the draft form offers.
const orderRows = 3

// draftForm fills p.Form from a draft.
func draftForm(p *page, d rulings.Draft) {
	p.Form["claims"], p.Form["facts"], p.Form["evidence"] = d.Claims, d.Facts, d.Evidence
	p.Form["reasoning"], p.Form["exhibits"], p.Form["fee_borne"] = d.Reasoning, strings.Join(d.Exhibits, ", "), d.FeeBorne
	for i, o := range d.Orders {
		if i >= orderRows {
			break
		}
		n := strconv.Itoa(i)
		p.Form["payer_"+n], p.Form["payee_"+n], p.Form["amount_"+n] = o.Payer, o.Payee, o.Amount.Yuan()
		p.Form["due_days_"+n], p.Form["what_"+n] = strconv.Itoa(o.DueDays), o.What
	}
}

// formDraft reads the draft form.
func formDraft(c *fiber.Ctx, p *page) (rulings.Draft, error) {
	names := []string{"claims", "facts", "evidence", "reasoning", "exhibits", "fee_borne"}
	for i := 0; i < orderRows; i++ {
		n := strconv.Itoa(i)
		names = append(names, "payer_"+n, "payee_"+n, "amount_"+n, "due_days_"+n, "what_"+n)
	}
	formValues(c, p, names...)
	d := rulings.Draft{Claims: p.Form["claims"], Facts: p.Form["facts"], Evidence: p.Form["evidence"],
		Reasoning: p.Form["reasoning"], FeeBorne: p.Form["fee_borne"], Exhibits: []string{}}
	for _, e := range strings.FieldsFunc(p.Form["exhibits"], func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
		d.Exhibits = append(d.Exhibits, e)
	}
	var v court.Validator
	for i := 0; i < orderRows; i++ {
		n := strconv.Itoa(i)
		if strings.TrimSpace(p.Form["amount_"+n]) == "" {
			continue // an empty row is no order
		}
		amount := yuanField(&v, p, "amount_"+n)
		days, err := strconv.Atoi(strings.TrimSpace(p.Form["due_days_"+n]))
		if !v.Check(err == nil, "due_days_"+n, "ruling.err_due_days", "Max", rulings.MaxDueDays) {
			continue
		}
		d.Orders = append(d.Orders, rulings.Order{Payer: p.Form["payer_"+n], Payee: p.Form["payee_"+n], Amount: amount,
			DueDays: days, What: p.Form["what_"+n]})
	}
	if err := v.Err(); err != nil {
		return d, err
	}
	return d, nil
}

// orderFieldNames maps the service's field names ("orders.0.amount") to the
// form's ("amount_0").
func orderFieldNames(err error) error {
	ce, ok := err.(*court.Error)
	if !ok || ce.Fields == nil {
		return err
	}
	fs := map[string]court.Message{}
	for k, m := range ce.Fields {
		if parts := strings.Split(k, "."); len(parts) == 3 && parts[0] == "orders" {
			k = parts[2] + "_" + parts[1]
		}
		fs[k] = m
	}
	return &court.Error{Code: ce.Code, Msg: ce.Msg, Fields: fs}
}

// editPage fills the draft form's page.
func (s *Server) editPage(c *fiber.Ctx, e *rulings.Editing) *page {
	p := s.newPage(c, "ruling.edit_title")
	p.Data["Case"] = e.Case
	p.Data["Saved"] = e.Saved
	p.Data["Signed"] = e.Signed
	return p
}

func (s *Server) rulingEdit(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	e, err := s.rulingsSvc().Draft(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	p := s.editPage(c, e)
	draftForm(p, e.Draft)
	return s.render(c, "ruling_edit", fiber.StatusOK, p)
}

func (s *Server) rulingSave(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	e, err := s.rulingsSvc().Draft(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	p := s.editPage(c, e)
	d, err := formDraft(c, p)
	if err == nil {
		_, err = s.rulingsSvc().SaveDraft(c.UserContext(), p.User, id, d)
		err = orderFieldNames(err)
	}
	if err != nil {
		return s.renderForm(c, "ruling_edit", p, err)
	}
	return c.Redirect(fmt.Sprintf("/cases/%d/ruling/edit?notice=ruling_saved", id), fiber.StatusSeeOther)
}

func (s *Server) rulingSign(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	if _, err := s.rulingsSvc().Sign(c.UserContext(), currentUser(c), id); err != nil {
		// The form again, with why: only now is the draft (and its
		// preview) needed. A refused signature changed nothing.
		e, derr := s.rulingsSvc().Draft(c.UserContext(), currentUser(c), id)
		if derr != nil {
			return derr
		}
		p := s.editPage(c, e)
		draftForm(p, e.Draft)
		return s.renderForm(c, "ruling_edit", p, err)
	}
	return c.Redirect(fmt.Sprintf("/cases/%d/ruling?notice=ruling_signed", id), fiber.StatusSeeOther)
}

func (s *Server) mediationSign(c *fiber.Ctx) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		formValues(c, p, "note", "fee_borne", "due_days")
		days := 0
		if d := strings.TrimSpace(p.Form["due_days"]); d != "" {
			var err error
			if days, err = strconv.Atoi(d); err != nil {
				return "", invalidField("due_days")
			}
		}
		_, err := s.rulingsSvc().Mediate(c.UserContext(), p.User, id, p.Form["note"], p.Form["fee_borne"], days)
		return "notice=mediation_signed", err
	})
}

// verifyPage is the public verification page: the form, and with a number
// and a hash or file, the answer.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	p := s.newPage(c, "verify.title")
	p.Form["no"], p.Form["sha256"] = c.Query("no"), c.Query("sha256")
	if c.Method() == fiber.MethodGet && p.Form["no"] == "" {
		return s.render(c, "verify", fiber.StatusOK, p)
	}
	no, sum, err := s.verifyInput(c)
	if c.Method() == fiber.MethodPost {
		p.Form["no"], p.Form["sha256"] = c.FormValue("no"), c.FormValue("sha256")
	}
	if err != nil {
		return s.renderForm(c, "verify", p, err)
	}
	res, err := s.verifyCopy(c.UserContext(), no, sum)
	if err != nil {
		return s.renderForm(c, "verify", p, err)
	}
	p.Data["Result"] = res.Result
	p.Data["Published"] = res.Published
	return s.render(c, "verify", fiber.StatusOK, p)
}

// FeeBorneField is the select of who bears the filing fee.
func (p *page) FeeBorneField() field {
	f := p.Field("fee_borne", "select", "ruling.field_fee_borne", "required")
	for _, b := range []string{rulings.FeeRespondent, rulings.FeeClaimant, rulings.FeeShared} {
		f.Options = append(f.Options, option{b, p.T("ruling.fee_" + b)})
	}
	return f
}

// SideField is a select of a side of an order (payee includes the court).
func (p *page) SideField(name string, court bool) field {
	f := p.Field(name, "select", "ruling.field_"+strings.SplitN(name, "_", 2)[0])
	sides := []string{rulings.SideRespondent, rulings.SideClaimant}
	if court {
		sides = []string{rulings.SideClaimant, rulings.SideRespondent, rulings.SideCourt}
	}
	for _, sd := range sides {
		f.Options = append(f.Options, option{sd, p.T("ruling.side_" + sd)})
	}
	return f
}

// OrderRows are the indexes of the order rows of the draft form.
func (p *page) OrderRows() []string {
	out := make([]string, orderRows)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// rulingSigned reports whether case id has a signed document, for the case
// page's links (a settled case's mediation document is usually signed at
// the confirmation already).
func (s *Server) rulingSigned(ctx context.Context, id int64) (bool, error) {
	rs, err := s.db.RulingsOfCase(ctx, id)
	if err != nil {
		return false, err
	}
	for _, r := range rs {
		if r.Status == "signed" {
			return true, nil
		}
	}
	return false, nil
}

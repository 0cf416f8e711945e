package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Drafts of filings that are not complete (docket/drafts.go): the filing
// form's "save draft" keeps an incomplete claim here, "my cases" lists them
// with a link to continue, and /drafts/:id is the form again.

func init() {
	noticeKeys["draft_kept"] = true
	noticeKeys["draft_deleted"] = true
}

// draftKeeper keeps the filing of a form whose claim is not complete as a
// draft, given the amounts that could not be read; it answers the request.
type draftKeeper func(f court.Filing, bad map[string]string) error

// draftKeeper saves into draft id (0 for a new one) and goes to it, or shows
// the form again with the fields that are malformed.
func (s *Server) draftKeeper(c *fiber.Ctx, p *page, id int64) draftKeeper {
	return func(f court.Filing, bad map[string]string) error {
		fields := map[string]court.Message{}
		var ce *court.Error
		if err := f.CheckDraft(s.dk.Now()); asCourtError(err, &ce) {
			fields = ce.Fields
		}
		for k, key := range bad {
			fields[k] = court.Msg(key)
		}
		if len(fields) > 0 {
			return s.renderForm(c, "case_new", p, &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"), Fields: fields})
		}
		d, err := s.dk.SaveDraft(c.UserContext(), p.User, id, f)
		if err != nil {
			return s.renderForm(c, "case_new", p, err)
		}
		return c.Redirect("/drafts/"+strconv.FormatInt(d.ID, 10)+"?notice=draft_kept", fiber.StatusSeeOther)
	}
}

func (s *Server) draftAPIRoutes(api fiber.Router) {
	api.Post("/drafts", s.apiRequireUser, s.apiSaveDraft)
	api.Get("/drafts", s.apiRequireUser, s.apiListDrafts)
	api.Get("/drafts/:id", s.apiRequireUser, s.apiGetDraft)
	api.Put("/drafts/:id", s.apiRequireUser, s.apiSaveDraft)
	api.Delete("/drafts/:id", s.apiRequireUser, s.apiDeleteDraft)
	api.Post("/drafts/:id/submit", s.apiRequireUser, s.apiSubmitDraft)
}

func (s *Server) draftPageRoutes(pages fiber.Router) {
	pages.Get("/drafts/:id", s.requireRole(court.RoleClaimant), s.draftForm)
	pages.Post("/drafts/:id", s.requireRole(court.RoleClaimant), s.draftPost)
	pages.Post("/drafts/:id/delete", s.requireRole(court.RoleClaimant), s.draftDelete)
}

// apiDraftID reads :id, 0 when the route has none (a new draft).
func apiDraftID(c *fiber.Ctx) (int64, error) {
	if c.Params("id") == "" {
		return 0, nil
	}
	return apiCaseID(c) // the same rules: a positive number in plain form
}

// apiSaveDraft creates (POST, 201) or replaces (PUT, 200) a draft; the body
// is a filing, complete or not.
func (s *Server) apiSaveDraft(c *fiber.Ctx) error {
	id, err := apiDraftID(c)
	if err != nil {
		return err
	}
	var f court.Filing
	if err := decodeJSON(c, &f); err != nil {
		return err
	}
	d, err := s.dk.SaveDraft(c.UserContext(), currentUser(c), id, f)
	if err != nil {
		return err
	}
	if id == 0 {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(d)
}

func (s *Server) apiListDrafts(c *fiber.Ctx) error {
	ds, err := s.dk.Drafts(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(struct {
		Drafts []storage.Draft `json:"drafts"`
	}{ds})
}

func (s *Server) apiGetDraft(c *fiber.Ctx) error {
	id, err := apiDraftID(c)
	if err != nil {
		return err
	}
	d, err := s.dk.Draft(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (s *Server) apiDeleteDraft(c *fiber.Ctx) error {
	id, err := apiDraftID(c)
	if err != nil {
		return err
	}
	if err := s.dk.DeleteDraft(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiSubmitDraft files the draft as it is stored, with every check of a
// filing (all field errors at once): 201 with the submitted case, and the
// draft is gone.
func (s *Server) apiSubmitDraft(c *fiber.Ctx) error {
	id, err := apiDraftID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	d, err := s.dk.Draft(c.UserContext(), u, id)
	if err != nil {
		return err
	}
	cs, err := s.dk.FileDraft(c.UserContext(), u, id, d.Filing, true)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cs)
}

// loadDrafts puts the viewer's drafts into the home page.
func (s *Server) loadDrafts(c *fiber.Ctx, p *page) error {
	ds, err := s.dk.Drafts(c.UserContext(), p.User)
	if err != nil {
		return err
	}
	p.Data["Drafts"] = ds
	return nil
}

// draftPage is the filing form of the user's draft :id.
func (s *Server) draftPage(c *fiber.Ctx) (*page, *storage.Draft, error) {
	id, err := caseID(c)
	if err != nil {
		return nil, nil, err
	}
	p := s.newFilingPage(c)
	d, err := s.dk.Draft(c.UserContext(), p.User, id)
	if err != nil {
		return nil, nil, err
	}
	p.Title = "title.case_draft_edit"
	p.Data["Heading"] = "title.case_draft_edit"
	p.Data["Intro"] = "draft.intro"
	p.Data["Action"] = "/drafts/" + strconv.FormatInt(d.ID, 10)
	p.Data["DraftID"] = d.ID
	p.Data["KeepDraft"] = s.draftKeeper(c, p, d.ID)
	return p, d, nil
}

// draftForm shows a draft in the filing form.
func (s *Server) draftForm(c *fiber.Ctx) error {
	p, d, err := s.draftPage(c)
	if err != nil {
		return err
	}
	fillDraft(p, d.Filing)
	return s.render(c, "case_new", fiber.StatusOK, p)
}

// fillDraft puts a draft's filing into the form.
func fillDraft(p *page, f court.Filing) {
	yuan := func(v court.Fen) string {
		if v == 0 {
			return ""
		}
		return v.Yuan()
	}
	checked := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	for k, v := range map[string]string{
		"merchant_name": f.MerchantName, "merchant_email": f.MerchantEmail, "credit_code": f.CreditCode, "platform": f.Platform, "order_ref": f.OrderRef,
		"category": string(f.Category), "facts": f.Facts, "purchase_date": f.PurchaseDate, "refund": yuan(f.Refund),
		"compensation": yuan(f.Compensation), "costs": yuan(f.Costs),
		"service_consent": checked(f.ServiceConsent), "over_cap_consent": checked(f.OverCapConsent),
	} {
		p.Form[k] = v
	}
	ticked := map[string]bool{}
	for _, e := range f.Exclusions {
		ticked[e] = true
	}
	p.Data["Exclusions"] = ticked
}

// draftPost handles every button of a draft's form: saving keeps it (a
// case draft once complete), submitting files it with the full checks.
func (s *Server) draftPost(c *fiber.Ctx) error {
	p, d, err := s.draftPage(c)
	if err != nil {
		return err
	}
	return s.handleFiling(c, p, "draft_saved", func(f court.Filing, submit bool) (int64, error) {
		cs, err := s.dk.FileDraft(c.UserContext(), p.User, d.ID, f, submit)
		if err != nil {
			return 0, err
		}
		return cs.ID, nil
	})
}

// draftDelete discards a draft.
func (s *Server) draftDelete(c *fiber.Ctx) error {
	id, err := caseID(c)
	if err != nil {
		return err
	}
	if err := s.dk.DeleteDraft(c.UserContext(), currentUser(c), id); err != nil {
		return err
	}
	return c.Redirect("/home?notice=draft_deleted", fiber.StatusSeeOther)
}

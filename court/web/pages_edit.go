package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
)

// The edit page: the filing form of a draft, or of a claim the court
// returned for correction, filled in with what the case holds. Its buttons
// are those of the filing form; saving keeps the changes, submitting keeps
// them and sends the claim to the court.

// editFilingPage starts the edit page of case :id for its claimant. A case
// the user cannot see is ENOTFOUND; one they see but did not file is
// EFORBIDDEN; one in another state than draft or returned ECONFLICT.
func (s *Server) editFilingPage(c *fiber.Ctx) (*page, *court.Case, error) {
	id, err := caseID(c)
	if err != nil {
		return nil, nil, err
	}
	p := s.newFilingPage(c)
	cs, err := s.dk.Get(c.UserContext(), p.User, id)
	if err != nil {
		return nil, nil, err
	}
	if !isClaimantSide(p.User, cs) {
		return nil, nil, court.ErrForbidden()
	}
	if !docket.Editable(p.User, cs) {
		return nil, nil, court.Errorf(court.ECONFLICT, "err.transition", "Action", "edit", "Status", string(cs.Status))
	}
	p.Title = "title.case_edit"
	p.Data["Heading"] = "title.case_edit"
	p.Data["Intro"] = "edit.intro_returned"
	if cs.Status == court.CaseDraft {
		p.Title = "title.case_draft_edit"
		p.Data["Heading"] = "title.case_draft_edit"
		p.Data["Intro"] = "edit.intro_draft"
	}
	p.Data["Action"] = "/cases/" + strconv.FormatInt(cs.ID, 10) + "/edit"
	p.Data["SaveLabel"] = "edit.save"
	p.Data["SaveHint"] = "edit.save_hint_returned"
	if cs.Status == court.CaseDraft {
		p.Data["SaveHint"] = "filing.draft_hint"
	}
	p.Data["Case"] = cs
	return p, cs, nil
}

// fillFiling puts the filing of cs into the form.
func fillFiling(p *page, cs *court.Case) {
	yuan := func(f court.Fen) string {
		if f == 0 {
			return ""
		}
		return f.Yuan()
	}
	checked := func(b bool) string {
		if b {
			return "1"
		}
		return ""
	}
	for k, v := range map[string]string{
		"merchant_name": cs.MerchantName, "credit_code": cs.CreditCode, "platform": cs.Platform,
		"order_ref": cs.OrderRef, "category": string(cs.Category), "facts": cs.Facts,
		"purchase_date": cs.PurchaseDate, "refund": yuan(cs.Refund), "compensation": yuan(cs.Compensation),
		"costs": yuan(cs.Costs),
		// A stored filing had both consents it needed.
		"service_consent": "1", "over_cap_consent": checked(cs.OverCap),
	} {
		p.Form[k] = v
	}
}

// editFilingForm shows the edit page.
func (s *Server) editFilingForm(c *fiber.Ctx) error {
	p, cs, err := s.editFilingPage(c)
	if err != nil {
		return err
	}
	fillFiling(p, cs)
	return s.render(c, "case_new", fiber.StatusOK, p)
}

// editFiling handles every button of the edit page.
func (s *Server) editFiling(c *fiber.Ctx) error {
	p, cs, err := s.editFilingPage(c)
	if err != nil {
		return err
	}
	saved := "case_saved"
	if cs.Status == court.CaseDraft {
		saved = "draft_saved"
	}
	return s.handleFiling(c, p, saved, func(f court.Filing, submit bool) (int64, error) {
		ctx := c.UserContext()
		if _, err := s.dk.Update(ctx, p.User, cs.ID, f); err != nil {
			return 0, err
		}
		if submit {
			if _, err := s.dk.Submit(ctx, p.User, cs.ID); err != nil {
				return 0, err
			}
		}
		return cs.ID, nil
	})
}

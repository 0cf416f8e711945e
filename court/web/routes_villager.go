package web

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// A station agent files for a villager who is present: the filing form with
// the villager's identity and consent on top (GET/POST /cases/new/villager),
// or POST /api/v1/cases with a "villager" object.

// fileForVillager is the filing function of a station agent for v.
func (s *Server) fileForVillager(v court.Villager) func(ctx context.Context, u *court.User, f court.Filing, submit bool) (*court.Case, error) {
	return func(ctx context.Context, u *court.User, f court.Filing, submit bool) (*court.Case, error) {
		return s.dk.FileForVillager(ctx, u, v, s.acc, f, submit)
	}
}

// villagerFields are the villager's fields of the agent's form, in the
// order the page shows them.
var villagerFields = []string{"villager_name", "villager_resident_id", "villager_mobile", "villager_consent_method", "villager_consent"}

var villagerLabels = map[string]string{
	"villager_name":           "villager.field_name",
	"villager_resident_id":    "villager.field_resident_id",
	"villager_mobile":         "villager.field_mobile",
	"villager_consent_method": "villager.field_method",
	"villager_consent":        "villager.field_consent_short",
}

func (s *Server) villagerPageRoutes(pages fiber.Router) {
	pages.Get("/cases/new/villager", s.requireRole(court.RoleStationAgent), s.villagerForm)
	pages.Post("/cases/new/villager", s.requireRole(court.RoleStationAgent), s.fileVillagerClaim)
}

// newVillagerPage is the filing page with the villager's part.
func (s *Server) newVillagerPage(c *fiber.Ctx) *page {
	p := s.newFilingPage(c)
	p.Title = "title.case_villager"
	p.Data["Heading"] = "title.case_villager"
	p.Data["Intro"] = "villager.intro"
	p.Data["Action"] = "/cases/new/villager"
	p.Data["Villager"] = true
	order := append(append([]string{}, villagerFields...), filingFields...)
	labels := map[string]string{}
	for k, v := range filingLabels {
		labels[k] = v
	}
	for k, v := range villagerLabels {
		labels[k] = v
	}
	p.Data["Order"], p.Data["Labels"] = order, labels
	return p
}

func (s *Server) villagerForm(c *fiber.Ctx) error {
	return s.render(c, "case_new", fiber.StatusOK, s.newVillagerPage(c))
}

// fileVillagerClaim handles every button of the agent's filing form.
func (s *Server) fileVillagerClaim(c *fiber.Ctx) error {
	p := s.newVillagerPage(c)
	form := formValues(c, p, villagerFields...)
	v := court.Villager{Name: form["villager_name"], ResidentID: form["villager_resident_id"], Mobile: form["villager_mobile"],
		Method: court.ConsentMethod(form["villager_consent_method"]), Present: form["villager_consent"] != ""}
	// The review step shows the number masked, as the case will.
	p.Data["VillagerMasked"] = court.MaskResidentID(court.NormalizeResidentID(v.ResidentID))
	// The review step checks the villager too, so that the agent hears of
	// every problem before reading the claim back to the villager.
	if a := c.FormValue("action"); a == "review" || a == "" {
		if f, bad := readFiling(c, p); len(bad) == 0 {
			if err := s.dk.CheckForVillager(&v, &f); err != nil {
				return s.renderForm(c, "case_new", p, err)
			}
		}
	}
	return s.handleFiling(c, p, "draft_saved", func(f court.Filing, submit bool) (int64, error) {
		cs, err := s.dk.FileForVillager(c.UserContext(), p.User, v, s.acc, f, submit)
		if err != nil {
			return 0, err
		}
		return cs.ID, nil
	})
}

// ConsentMethodField is the select of how the villager consented.
func (p *page) ConsentMethodField() field {
	f := p.Field("villager_consent_method", "select", "villager.field_method", "hint.villager_method", "required")
	f.Options = append(f.Options, option{"", p.T("filing.choose")})
	for _, m := range court.ConsentMethods {
		f.Options = append(f.Options, option{string(m), p.T("villager.method_" + string(m))})
	}
	return f
}

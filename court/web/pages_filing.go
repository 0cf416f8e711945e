package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// The filing form: one page in four steps (who the claim is against, what
// happened, what is asked, review). Its buttons say what to do with it:
// action=propose fills in the compensation the law allows, review shows the
// total and the fee before anything is sent, draft keeps it, submit files it.

// filingFields are the form's fields in the order the page shows them; the
// error summary on top follows it.
var filingFields = []string{"merchant_name", "credit_code", "merchant_email", "platform", "order_ref", "category", "facts",
	"purchase_date", "refund", "compensation", "costs", "exclusions", "service_consent", "over_cap_consent"}

// filingLabels are the label keys of the fields, for the error summary.
var filingLabels = map[string]string{
	"merchant_name":    "field.merchant_name",
	"credit_code":      "field.merchant_credit_code",
	"merchant_email":   "field.merchant_email",
	"platform":         "field.platform",
	"order_ref":        "field.order_ref",
	"category":         "field.category",
	"facts":            "field.facts",
	"purchase_date":    "field.purchase_date",
	"refund":           "field.refund",
	"compensation":     "field.compensation",
	"costs":            "field.costs",
	"exclusions":       "field.exclusions",
	"service_consent":  "field.service_consent_short",
	"over_cap_consent": "field.over_cap_consent_short",
}

// The statutory floors of the compensation helper. They are the law's, not
// the court's, so they are not in the court profile.
const (
	crplFloor court.Fen = 50_000  // Consumer Rights Protection Law Art 55: at least 500 yuan
	foodFloor court.Fen = 100_000 // Food Safety Law Art 148: at least 1,000 yuan
)

// proposeCompensation is what the law lets a consumer ask on top of the
// refund, from the price paid: under Consumer Rights Protection Law Art 55
// (fraud) three times the price, at least 500 yuan; under Food Safety Law
// Art 148 (unsafe food) ten times the price, at least 1,000 yuan.
func proposeCompensation(basis string, price court.Fen) court.Fen {
	if basis == "food" {
		return max(10*price, foodFloor)
	}
	return max(3*price, crplFloor)
}

// newFilingPage starts the filing page with what its hints need.
func (s *Server) newFilingPage(c *fiber.Ctx) *page {
	p := s.newPage(c, "title.case_new")
	year := s.dk.Now().In(court.Zone).Year()
	if capAmt, ok := s.dk.Profile.Cap(year); ok {
		p.Data["Cap"] = capAmt.String()
		p.Data["Twice"] = (2 * capAmt).String()
	}
	p.Data["Order"] = filingFields
	p.Data["Labels"] = filingLabels
	p.Data["Exclusions"] = map[string]bool{}
	p.Data["CRPLFloor"] = crplFloor.String()
	p.Data["FoodFloor"] = foodFloor.String()
	p.Form["basis"] = "crpl"
	// Where the form posts, its heading and lead, and its save button:
	// those of a new claim unless the edit page sets its own.
	p.Data["Action"] = "/cases/new"
	p.Data["Heading"] = "title.case_new"
	p.Data["Intro"] = "filing.intro"
	p.Data["SaveLabel"] = "filing.save_draft"
	p.Data["SaveHint"] = "filing.draft_hint"
	return p
}

// CategoryField is the select of dispute categories, with an empty first
// choice so that nothing is chosen for the user.
func (p *page) CategoryField(name string) field {
	f := p.Field(name, "select", "field.category", "required")
	f.Options = append(f.Options, option{"", p.T("filing.choose")})
	for _, c := range court.Categories {
		f.Options = append(f.Options, option{string(c), p.CategoryName(c)})
	}
	return f
}

// exclusionChoice is one Art 166 checkbox.
type exclusionChoice struct {
	Value, Label string
	Checked      bool
}

// ExclusionChoices are the Art 166 checkboxes with what the form had ticked.
func (p *page) ExclusionChoices() []exclusionChoice {
	ticked, _ := p.Data["Exclusions"].(map[string]bool)
	out := make([]exclusionChoice, 0, len(court.Exclusions))
	for _, e := range court.Exclusions {
		out = append(out, exclusionChoice{string(e), p.T("exclusion." + string(e)), ticked[string(e)]})
	}
	return out
}

func (s *Server) filingForm(c *fiber.Ctx) error {
	return s.render(c, "case_new", fiber.StatusOK, s.newFilingPage(c))
}

// readFiling reads the form into a Filing. Amounts are typed in yuan; an
// empty one is zero. Amounts that cannot be read are returned as field
// errors (message keys).
func readFiling(c *fiber.Ctx, p *page) (court.Filing, map[string]string) {
	form := formValues(c, p, "merchant_name", "credit_code", "merchant_email", "platform", "order_ref", "category", "facts",
		"purchase_date", "refund", "compensation", "costs", "service_consent", "over_cap_consent", "basis")
	if form["basis"] != "food" {
		form["basis"] = "crpl"
	}
	f := court.Filing{
		MerchantName: form["merchant_name"], CreditCode: form["credit_code"], Platform: form["platform"],
		OrderRef: form["order_ref"], Category: court.Category(form["category"]), Facts: form["facts"],
		PurchaseDate: form["purchase_date"], ServiceConsent: form["service_consent"] != "",
		OverCapConsent: form["over_cap_consent"] != "", MerchantEmail: form["merchant_email"],
	}
	ticked := map[string]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("exclusions") {
		e := string(v)
		if !ticked[e] {
			ticked[e] = true
			f.Exclusions = append(f.Exclusions, e)
		}
	}
	p.Data["Exclusions"] = ticked
	bad := map[string]string{}
	for _, a := range []struct {
		name string
		dst  *court.Fen
	}{{"refund", &f.Refund}, {"compensation", &f.Compensation}, {"costs", &f.Costs}} {
		v, key := court.ParseYuan(form[a.name])
		switch key {
		case "", "err.required":
			*a.dst = v
		default:
			bad[a.name] = key
		}
	}
	return f, bad
}

// fileClaim handles every button of the filing form of a new claim.
func (s *Server) fileClaim(c *fiber.Ctx) error {
	p := s.newFilingPage(c)
	p.Data["KeepDraft"] = s.draftKeeper(c, p, 0)
	return s.handleFiling(c, p, "draft_saved", func(f court.Filing, submit bool) (int64, error) {
		cs, err := s.dk.File(c.UserContext(), p.User, f, submit)
		if err != nil {
			return 0, err
		}
		return cs.ID, nil
	})
}

// filingSave stores the filing of the form (a new case, or the changes to
// one) and, when submit is true, sends it to review; it returns the case.
type filingSave func(f court.Filing, submit bool) (int64, error)

// handleFiling handles every button of a filing form: propose, edit (back
// from the review), review, draft (save) and submit. Saving without
// submitting goes to the case with the notice saved names.
func (s *Server) handleFiling(c *fiber.Ctx, p *page, saved string, save filingSave) error {
	f, bad := readFiling(c, p)
	action := c.FormValue("action")
	switch action {
	case "propose":
		return s.proposeAmounts(c, p, f, bad)
	case "edit":
		return s.render(c, "case_new", fiber.StatusOK, p)
	case "draft", "submit", "review":
	default:
		action = "review"
	}
	// An incomplete claim is kept as a draft where the page allows it
	// (routes_drafts.go); a complete one becomes a case draft below.
	if keep, ok := p.Data["KeepDraft"].(draftKeeper); ok && action == "draft" {
		if g := f; len(bad) > 0 || g.Validate(s.dk.Profile, s.dk.Now(), false) != nil {
			return keep(f, bad)
		}
	}
	if len(bad) > 0 {
		return s.renderForm(c, "case_new", p, s.filingErrors(f, bad))
	}
	if action == "review" {
		g := f
		if err := g.Validate(s.dk.Profile, s.dk.Now(), false); err != nil {
			return s.renderForm(c, "case_new", p, err)
		}
		p.Title = "title.case_review"
		p.Data["Review"] = true
		p.Data["Filing"] = g
		p.Data["Total"] = g.Total()
		p.Data["Fee"] = s.dk.Profile.Fee(g.Total())
		return s.render(c, "case_new", fiber.StatusOK, p)
	}
	id, err := save(f, action == "submit")
	if err != nil {
		var ce *court.Error
		if asCourtError(err, &ce) && ce.Code == court.ECONFLICT {
			if id, ok := ce.Msg.Args["CaseID"].(int64); ok {
				p.Data["ConflictID"] = id
			}
		}
		return s.renderForm(c, "case_new", p, err)
	}
	to := "/cases/" + strconv.FormatInt(id, 10)
	if action == "submit" {
		return c.Redirect(to+"?notice=case_submitted", fiber.StatusSeeOther)
	}
	return c.Redirect(to+"?notice="+saved, fiber.StatusSeeOther)
}

// filingErrors is every error of a form whose amounts could not all be read:
// those amounts' own errors, and the other fields' errors from the usual
// checks (leaving out the checks of the total, which is unknown).
func (s *Server) filingErrors(f court.Filing, bad map[string]string) error {
	fields := map[string]court.Message{}
	var ce *court.Error
	if err := f.Validate(s.dk.Profile, s.dk.Now(), false); asCourtError(err, &ce) {
		for k, m := range ce.Fields {
			switch k {
			case "refund", "compensation", "costs", "over_cap_consent":
			default:
				fields[k] = m
			}
		}
	}
	for k, key := range bad {
		fields[k] = court.Msg(key)
	}
	return &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"), Fields: fields}
}

// proposeAmounts fills in the compensation the chosen law allows for the
// price typed as the refund. It proposes; the claimant decides.
func (s *Server) proposeAmounts(c *fiber.Ctx, p *page, f court.Filing, bad map[string]string) error {
	if bad["refund"] != "" || f.Refund <= 0 {
		return s.renderForm(c, "case_new", p, &court.Error{Code: court.EINVALID, Msg: court.Msg("err.propose_price"),
			Fields: map[string]court.Message{"refund": court.Msg("err.propose_price")}})
	}
	basis := p.Form["basis"]
	amount := proposeCompensation(basis, f.Refund)
	p.Form["compensation"] = amount.Yuan()
	if basis == "food" {
		p.Data["Proposed"] = p.T("filing.proposed_food", "Amount", amount.String(), "Price", f.Refund.String(), "Floor", foodFloor.String())
	} else {
		p.Data["Proposed"] = p.T("filing.proposed_crpl", "Amount", amount.String(), "Price", f.Refund.String(), "Floor", crplFloor.String())
	}
	return s.render(c, "case_new", fiber.StatusOK, p)
}

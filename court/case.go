package court

import (
	"strings"
	"time"
)

// CaseStatus is where a case stands in the small-claims procedure.
type CaseStatus string

// The states of a case. Later issues add hearing, ruling and payment states.
const (
	CaseDraft     CaseStatus = "draft"     // the claimant is writing it
	CaseSubmitted CaseStatus = "submitted" // waiting for a clerk's review
	CaseReturned  CaseStatus = "returned"  // back to the claimant for correction
	CaseRejected  CaseStatus = "rejected"  // refused by the clerk (final)
	CaseServed    CaseStatus = "served"    // accepted, docketed and served on the merchant
	CaseAnswered  CaseStatus = "answered"  // the merchant answered
	CaseSettled   CaseStatus = "settled"   // a settlement the judge confirmed (final)
	CaseWithdrawn CaseStatus = "withdrawn" // the claimant withdrew (final)
	// CaseConverted: taken out of small-claims procedure (Art 166, 169), e.g.
	// for a counterclaim; it goes on under simplified procedure (final here).
	CaseConverted CaseStatus = "converted"
	CaseRuled     CaseStatus = "ruled"  // a signed ruling (issue 6)
	CaseClosed    CaseStatus = "closed" // paid in full and confirmed (issue 6)
)

// CaseStatuses lists every state in procedural order.
var CaseStatuses = []CaseStatus{CaseDraft, CaseSubmitted, CaseReturned, CaseRejected, CaseServed, CaseAnswered,
	CaseSettled, CaseWithdrawn, CaseConverted, CaseRuled, CaseClosed}

// Final reports whether nothing more happens to a case in s.
func (s CaseStatus) Final() bool {
	return s == CaseRejected || s == CaseSettled || s == CaseWithdrawn || s == CaseConverted || s == CaseClosed
}

// Category is what a dispute is about.
type Category string

// The categories a consumer chooses from.
const (
	CatQuality     Category = "quality"
	CatCounterfeit Category = "counterfeit"
	CatAdvertising Category = "advertising"
	CatLivestream  Category = "livestream"
	CatDelivery    Category = "delivery"
	CatRefund      Category = "refund"
	CatService     Category = "service"
	CatOther       Category = "other"
)

// Categories lists the categories in display order.
var Categories = []Category{CatQuality, CatCounterfeit, CatAdvertising, CatLivestream, CatDelivery, CatRefund, CatService, CatOther}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if c == x {
			return true
		}
	}
	return false
}

// Exclusion is a kind of case that small-claims procedure does not take
// (Civil Procedure Law Art 166). The filing form asks about each.
type Exclusion string

// The Art 166 exclusions a consumer can tick.
const (
	ExclPersonalStatus Exclusion = "personal_status" // personal status or property ownership
	ExclForeign        Exclusion = "foreign"         // a foreign party or foreign-related facts
	ExclAppraisal      Exclusion = "appraisal"       // needs appraisal or expert assessment
	ExclWhereabouts    Exclusion = "whereabouts"     // the merchant cannot be found
	ExclCounterclaim   Exclusion = "counterclaim"    // a counterclaim is raised
)

// Exclusions lists them in display order.
var Exclusions = []Exclusion{ExclPersonalStatus, ExclForeign, ExclAppraisal, ExclWhereabouts, ExclCounterclaim}

// exclusionKeys are the messages that refuse each exclusion, naming Art 166.
var exclusionKeys = map[Exclusion]string{
	ExclPersonalStatus: "err.excluded_personal_status",
	ExclForeign:        "err.excluded_foreign",
	ExclAppraisal:      "err.excluded_appraisal",
	ExclWhereabouts:    "err.excluded_whereabouts",
	ExclCounterclaim:   "err.excluded_counterclaim",
}

// Filing is what a claimant (or a station agent for a villager) gives to
// open a case. Amounts are in fen.
type Filing struct {
	CreditCode   string   `json:"credit_code"`
	MerchantName string   `json:"merchant_name"`
	Platform     string   `json:"platform"`
	OrderRef     string   `json:"order_ref"`
	Category     Category `json:"category"`
	Facts        string   `json:"facts"`
	PurchaseDate string   `json:"purchase_date"` // YYYY-MM-DD
	Refund       Fen      `json:"refund"`
	Compensation Fen      `json:"compensation"`
	Costs        Fen      `json:"costs"`
	Exclusions   []string `json:"exclusions"`
	// OverCapConsent records the claimant's consent to small-claims
	// procedure for an amount between the cap and twice the cap; the
	// merchant's consent is asked when it answers.
	OverCapConsent bool `json:"over_cap_consent"`
	// ServiceConsent is the consent to electronic service (Art 90).
	ServiceConsent bool `json:"service_consent"`
	// VillagerConsent: a station agent files only for a villager who is
	// present and consents.
	VillagerConsent bool `json:"villager_consent"`
	// MerchantEmail is the merchant's contact address as the consumer knows
	// it (its customer-service address), optional.
	MerchantEmail string `json:"merchant_email"`
}

// Total is the sum claimed.
func (f *Filing) Total() Fen { return f.Refund + f.Compensation + f.Costs }

// Validate normalises f and checks it against the court's profile on the
// given day: every field error at once. A claim above the cap is refused with
// the cap and the reason, unless it is within twice the cap and the claimant
// consents; a claim of an excluded kind is refused naming Art 166.
func (f *Filing) Validate(p Profile, today time.Time, byAgent bool) error {
	var v Validator
	f.checkFields(&v, today, true)
	total := f.Total()
	if !v.Has("refund") && !v.Has("compensation") && !v.Has("costs") {
		switch cap, ok := p.Cap(today.In(Zone).Year()); {
		case total <= 0:
			v.Fail("refund", "err.amount_positive")
		case !ok:
			v.Fail("refund", "err.cap_unset")
		case total > 2*cap:
			v.Fail("refund", "err.over_twice_cap", "Cap", cap.String(), "Twice", (2 * cap).String())
		case total > cap && !f.OverCapConsent:
			v.Fail("over_cap_consent", "err.over_cap", "Cap", cap.String(), "Twice", (2 * cap).String())
		}
	}
	for _, e := range f.Exclusions {
		if key, ok := exclusionKeys[Exclusion(e)]; ok {
			v.Fail("exclusions", key)
		} else {
			v.Fail("exclusions", "err.invalid_choice")
		}
	}
	v.Check(f.ServiceConsent, "service_consent", "err.service_consent")
	if byAgent {
		v.Check(f.VillagerConsent, "villager_consent", "err.villager_consent")
	}
	return v.Err()
}

// checkFields normalises f's fields and checks their form: texts within
// their lengths and free of control characters, the credit code, the
// merchant's address and the date well formed, the category a known one,
// amounts within range. complete also asks for what a submitted claim must
// have (a credit code, the merchant's name, the category, the facts); a
// draft (CheckDraft) may lack them.
func (f *Filing) checkFields(v *Validator, today time.Time, complete bool) {
	minName, minFacts := 0, 0
	if complete {
		minName, minFacts = 2, 10
	}
	if complete || strings.TrimSpace(f.CreditCode) != "" {
		f.CreditCode = v.CreditCode("credit_code", f.CreditCode)
	}
	f.MerchantName = v.Text("merchant_name", f.MerchantName, minName, 100, false)
	f.Platform = v.Text("platform", f.Platform, 0, 100, false)
	f.OrderRef = v.Text("order_ref", f.OrderRef, 0, 100, false)
	f.MerchantEmail = v.Email("merchant_email", f.MerchantEmail)
	v.Check((!complete && f.Category == "") || f.Category.Valid(), "category", "err.category")
	f.Facts = v.Text("facts", f.Facts, minFacts, 5000, true)
	f.PurchaseDate = strings.TrimSpace(f.PurchaseDate)
	if f.PurchaseDate != "" {
		d, err := time.ParseInLocation("2006-01-02", f.PurchaseDate, Zone)
		switch {
		case err != nil:
			v.Fail("purchase_date", "err.date")
		case d.After(today):
			v.Fail("purchase_date", "err.date_future")
		}
	}
	for _, a := range []struct {
		field string
		v     Fen
	}{{"refund", f.Refund}, {"compensation", f.Compensation}, {"costs", f.Costs}} {
		v.Check(a.v >= 0 && a.v <= MaxFen, a.field, "err.amount_range")
	}
}

// Case is a consumer dispute.
type Case struct {
	ID           int64      `db:"id" json:"id"`
	Status       CaseStatus `db:"status" json:"status"`
	DocketNo     string     `db:"docket_no" json:"docket_no,omitempty"`
	ClaimantID   int64      `db:"claimant_id" json:"claimant_id"`
	FiledByID    int64      `db:"filed_by_id" json:"filed_by_id"`
	OrgID        int64      `db:"organization_id" json:"organization_id"`
	MerchantName string     `db:"merchant_name" json:"merchant_name"`
	CreditCode   string     `db:"credit_code" json:"credit_code"`
	Platform     string     `db:"platform" json:"platform"`
	OrderRef     string     `db:"order_ref" json:"order_ref"`
	Category     Category   `db:"category" json:"category"`
	Facts        string     `db:"facts" json:"facts"`
	PurchaseDate string     `db:"purchase_date" json:"purchase_date,omitempty"`
	Refund       Fen        `db:"refund" json:"refund"`
	Compensation Fen        `db:"compensation" json:"compensation"`
	Costs        Fen        `db:"costs" json:"costs"`
	Total        Fen        `db:"total" json:"total"`
	Fee          Fen        `db:"fee" json:"fee"`
	FeeStatus    string     `db:"fee_status" json:"fee_status"`
	OverCap      bool       `db:"over_cap" json:"over_cap"`
	JudgeID      *int64     `db:"judge_id" json:"judge_id,omitempty"`
	MediatorID   *int64     `db:"mediator_id" json:"mediator_id,omitempty"`
	Reason       string     `db:"reason" json:"reason,omitempty"` // why it was returned or rejected
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
	SubmittedAt  *time.Time `db:"submitted_at" json:"submitted_at,omitempty"`
	AcceptedAt   *time.Time `db:"accepted_at" json:"accepted_at,omitempty"`
	ServedAt     *time.Time `db:"served_at" json:"served_at,omitempty"`
	// MerchantSeenAt is when a merchant user first opened the case.
	MerchantSeenAt *time.Time `db:"merchant_seen_at" json:"merchant_seen_at,omitempty"`
	AnswerDue      *time.Time `db:"answer_due" json:"answer_due,omitempty"`
	EvidenceDue    *time.Time `db:"evidence_due" json:"evidence_due,omitempty"`
	ConcludeBy     *time.Time `db:"conclude_by" json:"conclude_by,omitempty"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

// Action is something a person does to a case.
type Action string

// The actions of this part of the procedure.
const (
	ActSubmit   Action = "submit"
	ActAccept   Action = "accept"
	ActReturn   Action = "return"
	ActReject   Action = "reject"
	ActWithdraw Action = "withdraw"
	ActAnswer   Action = "answer"  // the merchant answers (answer.go)
	ActSettle   Action = "settle"  // the judge confirms a settlement
	ActConvert  Action = "convert" // the judge takes the case out of small claims
)

// transitions says, for each action, from which states it may be taken and
// into which state it leads. Everything not listed is refused.
var transitions = map[Action]struct {
	from []CaseStatus
	to   CaseStatus
}{
	ActSubmit:   {[]CaseStatus{CaseDraft, CaseReturned}, CaseSubmitted},
	ActAccept:   {[]CaseStatus{CaseSubmitted}, CaseServed},
	ActReturn:   {[]CaseStatus{CaseSubmitted}, CaseReturned},
	ActReject:   {[]CaseStatus{CaseSubmitted}, CaseRejected},
	ActWithdraw: {[]CaseStatus{CaseDraft, CaseSubmitted, CaseReturned, CaseServed, CaseAnswered}, CaseWithdrawn},
	ActAnswer:   {[]CaseStatus{CaseServed}, CaseAnswered},
	ActSettle:   {[]CaseStatus{CaseServed, CaseAnswered}, CaseSettled},
	ActConvert:  {[]CaseStatus{CaseServed, CaseAnswered}, CaseConverted},
}

// Next returns the state action leads to from s, or an ECONFLICT error when
// the action is not possible in s.
func Next(s CaseStatus, a Action) (CaseStatus, error) {
	t, ok := transitions[a]
	if !ok {
		return "", Errorf(EINVALID, "err.invalid_choice")
	}
	for _, f := range t.from {
		if f == s {
			return t.to, nil
		}
	}
	return "", Errorf(ECONFLICT, "err.transition", "Action", string(a), "Status", string(s))
}

// AddMonths adds months to t the way a court counts a period in months: to
// the same day of the month, or the month's last day when it has no such
// day.
func AddMonths(t time.Time, months int) time.Time {
	t = t.In(Zone)
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), Zone)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), Zone).UTC()
}

// EndOfDay returns the last moment of the court day that is days after t's
// day: a deadline of "15 days" runs to the end of the 15th day.
func EndOfDay(t time.Time, days int) time.Time {
	y, m, d := t.In(Zone).Date()
	return time.Date(y, m, d+days+1, 0, 0, 0, 0, Zone).Add(-time.Microsecond).UTC()
}

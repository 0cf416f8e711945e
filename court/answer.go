package court

import (
	"strings"
	"time"
)

// AnswerKind is what the merchant says to the claim.
type AnswerKind string

// The kinds of answer.
const (
	AnswerAdmitAll  AnswerKind = "admit_all"  // pays the whole claim
	AnswerAdmitPart AnswerKind = "admit_part" // admits an amount, contests the rest
	AnswerContest   AnswerKind = "contest"    // contests the claim
)

// AnswerKinds lists the kinds in display order.
var AnswerKinds = []AnswerKind{AnswerAdmitAll, AnswerAdmitPart, AnswerContest}

// Valid reports whether k is a known kind.
func (k AnswerKind) Valid() bool {
	for _, x := range AnswerKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Conversion says where a counterclaim's question of conversion out of
// small-claims procedure (Art 166, 169) stands.
type Conversion string

// The states of that question.
const (
	ConversionNone     Conversion = ""         // no counterclaim
	ConversionPending  Conversion = "pending"  // the judge has to decide
	ConversionDeclined Conversion = "declined" // the judge kept the case in small claims
	ConversionDone     Conversion = "converted"
)

// Answer is the merchant's answer to a claim. Amounts are in fen.
type Answer struct {
	ID               int64      `db:"id" json:"id"`
	CaseID           int64      `db:"case_id" json:"case_id"`
	ByID             int64      `db:"by_user" json:"by_user"`
	Kind             AnswerKind `db:"kind" json:"kind"`
	Admitted         Fen        `db:"admitted" json:"admitted"`
	Defence          string     `db:"defence" json:"defence,omitempty"`
	Counterclaim     bool       `db:"counterclaim" json:"counterclaim"`
	CounterclaimText string     `db:"counterclaim_text" json:"counterclaim_text,omitempty"`
	// Late: answered after the answer deadline; the court accepts it.
	Late             bool       `db:"late" json:"late"`
	Conversion       Conversion `db:"conversion" json:"conversion,omitempty"`
	ConversionReason string     `db:"conversion_reason" json:"conversion_reason,omitempty"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
}

// Validate normalises a and checks it against a claim of total: the kind;
// for admit_part an amount above zero and below the total; a defence (up
// to 5,000 characters) for admit_part and contest; a counterclaim's text
// when there is one. Every field error at once. It sets Admitted to the
// total for admit_all and to zero for contest.
func (a *Answer) Validate(total Fen) error {
	var v Validator
	v.Check(a.Kind.Valid(), "kind", "err.invalid_choice")
	switch a.Kind {
	case AnswerAdmitAll:
		a.Admitted = total
	case AnswerAdmitPart:
		v.Check(a.Admitted > 0 && a.Admitted < total, "admitted", "answer.err_admitted", "Total", total.String())
	case AnswerContest:
		a.Admitted = 0
	}
	minDefence := 0
	if a.Kind == AnswerAdmitPart || a.Kind == AnswerContest {
		minDefence = 1
	}
	a.Defence = v.Text("defence", a.Defence, minDefence, 5000, true)
	if a.Counterclaim {
		a.CounterclaimText = v.Text("counterclaim_text", a.CounterclaimText, 1, 5000, true)
	} else {
		a.CounterclaimText = ""
	}
	return v.Err()
}

// OfferStatus is where a settlement offer stands.
type OfferStatus string

// The states of an offer. Only open offers can be answered; an accepted one
// waits for the judge.
const (
	OfferOpen      OfferStatus = "open"
	OfferAccepted  OfferStatus = "accepted"  // the other party agreed; the judge has to confirm
	OfferRejected  OfferStatus = "rejected"  // the other party said no
	OfferCountered OfferStatus = "countered" // the other party made a counter-offer
	OfferExpired   OfferStatus = "expired"   // nobody accepted it in time
	OfferConfirmed OfferStatus = "confirmed" // the judge confirmed: the case is settled
	OfferDeclined  OfferStatus = "declined"  // the judge refused to confirm it
)

// OfferMaxDays bounds how long an offer may stay open.
const OfferMaxDays = 30

// Offer is a settlement offer by one party to the other.
type Offer struct {
	ID          int64       `db:"id" json:"id"`
	CaseID      int64       `db:"case_id" json:"case_id"`
	ByID        int64       `db:"by_user" json:"by_user"`
	ByRole      Role        `db:"by_role" json:"by_role"` // claimant or merchant: the side that offers; mediator: a proposal to both
	Amount      Fen         `db:"amount" json:"amount"`
	Terms       string      `db:"terms" json:"terms"`
	ExpiresAt   time.Time   `db:"expires_at" json:"expires_at"`
	Status      OfferStatus `db:"status" json:"status"`
	CounterOf   *int64      `db:"counter_of" json:"counter_of,omitempty"`
	RespondedBy *int64      `db:"responded_by" json:"responded_by,omitempty"`
	RespondedAt *time.Time  `db:"responded_at" json:"responded_at,omitempty"`
	DecidedBy   *int64      `db:"decided_by" json:"decided_by,omitempty"`
	DecidedAt   *time.Time  `db:"decided_at" json:"decided_at,omitempty"`
	Reason      string      `db:"reason" json:"reason,omitempty"` // why the judge declined it
	CreatedAt   time.Time   `db:"created_at" json:"created_at"`
	// A mediator's proposal (ByRole mediator) is answered by each party
	// separately (see mediation.go); for a party's offer these stay empty.
	ClaimantAnswer     PartyAnswer `db:"claimant_answer" json:"claimant_answer,omitempty"`
	ClaimantAnsweredBy *int64      `db:"claimant_answered_by" json:"claimant_answered_by,omitempty"`
	ClaimantAnsweredAt *time.Time  `db:"claimant_answered_at" json:"claimant_answered_at,omitempty"`
	MerchantAnswer     PartyAnswer `db:"merchant_answer" json:"merchant_answer,omitempty"`
	MerchantAnsweredBy *int64      `db:"merchant_answered_by" json:"merchant_answered_by,omitempty"`
	MerchantAnsweredAt *time.Time  `db:"merchant_answered_at" json:"merchant_answered_at,omitempty"`
}

// StatusAt is the offer's status at now: an open offer past its expiry is
// expired, whether or not that was stored yet.
func (o *Offer) StatusAt(now time.Time) OfferStatus {
	if o.Status == OfferOpen && !now.Before(o.ExpiresAt) {
		return OfferExpired
	}
	return o.Status
}

// OfferTerms is what a party gives to make an offer.
type OfferTerms struct {
	Amount  Fen    `json:"amount"`
	Terms   string `json:"terms"`
	Expires string `json:"expires"` // YYYY-MM-DD, the last day it may be accepted
}

// Validate checks t for a claim of total on the given day: an amount above
// zero and at most the total, terms up to 2,000 characters, and an expiry
// date after today and at most OfferMaxDays days ahead. It returns the end
// of the expiry day in the court's zone.
func (t *OfferTerms) Validate(total Fen, now time.Time) (time.Time, error) {
	var v Validator
	v.Check(t.Amount > 0 && t.Amount <= total, "amount", "offer.err_amount", "Total", total.String())
	t.Terms = v.Text("terms", t.Terms, 0, 2000, true)
	var exp time.Time
	t.Expires = strings.TrimSpace(t.Expires)
	d, err := time.ParseInLocation("2006-01-02", t.Expires, Zone)
	today := now.In(Zone)
	todayStart := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, Zone)
	switch {
	case t.Expires == "":
		v.Fail("expires", "err.required")
	case err != nil:
		v.Fail("expires", "err.date")
	case !d.After(todayStart) || d.After(todayStart.AddDate(0, 0, OfferMaxDays)):
		v.Fail("expires", "offer.err_expires", "Days", OfferMaxDays)
	default:
		exp = EndOfDay(d, 0)
	}
	return exp, v.Err()
}

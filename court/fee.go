package court

import "time"

// Fee statuses of a case (cases.fee_status).
const (
	FeeUnpaid = "unpaid"
	FeePaid   = "paid"
	FeeWaived = "waived"
)

// FeePayDays is how long the claimant has to pay the fee once told to:
// seven days from the day after the court's notice (Litigation Fee Measures
// Art 22). The court accepts a claim with the fee unpaid and the acceptance
// is that notice (see docs/fees.md).
const FeePayDays = 7

// MaxFeeReduction is the largest fee a reduction may leave, as a share of
// the fee in percent: a reduction takes off at least 30% (Litigation Fee
// Measures Art 46, as we read it; see docs/fees.md).
const MaxFeeReduction = 70

// FeeDue is the last moment to pay the fee of c: the end of the seventh
// day after acceptance, while the fee is unpaid; nil before acceptance or
// once paid or waived.
func FeeDue(c *Case) *time.Time {
	if c.FeeStatus != FeeUnpaid || c.AcceptedAt == nil || c.Fee == 0 {
		return nil
	}
	d := EndOfDay(*c.AcceptedAt, FeePayDays)
	return &d
}

// FeeOpen reports whether the fee of a case in status s can still be paid,
// waived or reduced: from submission until the case ends.
func FeeOpen(s CaseStatus) bool {
	return s == CaseSubmitted || s == CaseReturned || s == CaseServed || s == CaseAnswered
}

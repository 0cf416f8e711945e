package court

import (
	"strings"
	"time"
)

// CheckDraft normalises a filing that is not complete yet and checks the
// fields it has: each text within its length and free of control
// characters, a credit code or a date well formed, a category or an
// exclusion one of the known ones, amounts within range. It does not ask
// for what is missing nor apply the procedure's rules (cap, Art 166,
// consents): Validate does, when the claim is submitted.
func (f *Filing) CheckDraft(today time.Time) error {
	var v Validator
	if strings.TrimSpace(f.CreditCode) != "" {
		f.CreditCode = NormalizeCreditCode(f.CreditCode)
		if k := CheckCreditCode(f.CreditCode); k != "" {
			v.Fail("credit_code", k)
		}
	}
	f.MerchantName = v.Text("merchant_name", f.MerchantName, 0, 100, false)
	f.Platform = v.Text("platform", f.Platform, 0, 100, false)
	f.OrderRef = v.Text("order_ref", f.OrderRef, 0, 100, false)
	v.Check(f.Category == "" || f.Category.Valid(), "category", "err.category")
	f.Facts = v.Text("facts", f.Facts, 0, 5000, true)
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
	v.Check(len(f.Exclusions) <= len(Exclusions), "exclusions", "err.invalid_choice")
	for _, e := range f.Exclusions {
		_, ok := exclusionKeys[Exclusion(e)]
		v.Check(ok, "exclusions", "err.invalid_choice")
	}
	return v.Err()
}

package court

import (
	"time"
)

// CheckDraft normalises a filing that is not complete yet and checks the
// fields it has: each text within its length and free of control
// characters, a credit code, an address or a date well formed, a category
// or an exclusion one of the known ones, amounts within range (checkFields,
// as Validate does). It does not ask
// for what is missing nor apply the procedure's rules (cap, Art 166,
// consents): Validate does, when the claim is submitted.
func (f *Filing) CheckDraft(today time.Time) error {
	var v Validator
	f.checkFields(&v, today, false)
	v.Check(len(f.Exclusions) <= len(Exclusions), "exclusions", "err.invalid_choice")
	for _, e := range f.Exclusions {
		_, ok := exclusionKeys[Exclusion(e)]
		v.Check(ok, "exclusions", "err.invalid_choice")
	}
	return v.Err()
}

package court

// ActClose closes a ruled or settled case whose every order is paid in full
// and the payee confirmed it (issue 6).
const ActClose Action = "close"

// The transition lives here, beside the payments part, rather than in the
// shared table of case.go. A settled case closes too when its mediation
// document's agreed amount is paid and confirmed.
func init() {
	transitions[ActClose] = struct {
		from []CaseStatus
		to   CaseStatus
	}{[]CaseStatus{CaseRuled, CaseSettled}, CaseClosed}
}

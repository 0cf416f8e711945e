package court

// ActRule is the judge signing the written ruling (issue 6): the case is
// ruled. Under small-claims procedure the judgment is final (Art 165); what
// follows is payment.
const ActRule Action = "rule"

// The transition lives here, beside the rulings part, rather than in the
// shared table of case.go.
func init() {
	transitions[ActRule] = struct {
		from []CaseStatus
		to   CaseStatus
	}{[]CaseStatus{CaseServed, CaseAnswered}, CaseRuled}
}

package court

// A mediation proposal is an Offer made by the case's assigned mediator
// (ByRole RoleMediator) to both parties at once. Each party answers it on
// its own; it becomes a settlement for the judge to confirm (OfferAccepted)
// only when both have accepted, ends (OfferRejected) when either rejects,
// and is countered when either answers it with an ordinary offer. The
// mediator may withdraw it while it is open.

// OfferWithdrawn is a mediator's proposal the mediator took back before
// both parties had accepted it.
const OfferWithdrawn OfferStatus = "withdrawn"

// PartyAnswer is one party's answer to a mediator's proposal.
type PartyAnswer string

// The answers: none yet, accepted or rejected.
const (
	AnswerNone     PartyAnswer = ""
	AnswerAccepted PartyAnswer = "accepted"
	AnswerRejected PartyAnswer = "rejected"
)

// IsProposal reports whether o is a mediator's proposal rather than a
// party's offer.
func (o *Offer) IsProposal() bool { return o.ByRole == RoleMediator }

// AnswerOf is the answer side (RoleClaimant or RoleMerchant) gave to the
// proposal o: AnswerNone for anything else.
func (o *Offer) AnswerOf(side Role) PartyAnswer {
	switch side {
	case RoleClaimant:
		return o.ClaimantAnswer
	case RoleMerchant:
		return o.MerchantAnswer
	}
	return AnswerNone
}

// Package fees takes the filing fee of a case: payments through a payment
// provider, and the waivers and reductions a clerk grants (Litigation Fee
// Measures Arts 44-48). Each fee event is stored, recorded on the docket
// and told to the claimant. See docs/fees.md for the procedure it follows.
package fees

import (
	"context"
	"strconv"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Provider is a way of paying the fee. An online provider (a bank or a
// payment platform) starts a payment and later confirms it by its reference;
// the built-in Counter stands for payments the court takes itself.
type Provider interface {
	// Name identifies the provider in requests and in the fee record.
	Name() string
	// Start begins the payment of the fee of c: the reference the payer
	// quotes, and where to pay or what to do.
	Start(ctx context.Context, c *court.Case) (Start, error)
	// Confirm checks the payment the proof names and returns what was
	// received. Errors: EINVALID for a malformed proof, ENOTFOUND for a
	// payment the provider does not know.
	Confirm(ctx context.Context, c *court.Case, p Proof) (Receipt, error)
}

// Start is how to pay a fee.
type Start struct {
	Reference string        `json:"reference"`
	PayURL    string        `json:"pay_url,omitempty"` // an online provider's payment page
	Say       court.Message `json:"-"`                 // instructions for the payer
}

// Proof is what is presented as evidence of a payment: the provider's
// reference (a receipt number, a bank transfer's serial) and the amount.
type Proof struct {
	Reference string
	Amount    court.Fen
}

// Receipt is a payment the provider vouches for.
type Receipt struct {
	Reference string
	Amount    court.Fen
	PaidAt    time.Time
}

// Counter is the built-in provider: the claimant pays at the court's
// counter or by bank transfer to the court's account quoting the case's
// reference, and a clerk records the receipt. The clerk, who holds the
// receipt or the bank statement, is the confirmation: Confirm checks the
// form of what the clerk typed, not a remote system.
type Counter struct {
	Now court.Clock
}

// CounterName is the name of the counter provider.
const CounterName = "counter"

// Name returns "counter".
func (Counter) Name() string { return CounterName }

// Start gives the reference to quote on a transfer and the instructions.
func (Counter) Start(_ context.Context, c *court.Case) (Start, error) {
	ref := "FEE-" + strconv.FormatInt(c.ID, 10)
	return Start{Reference: ref, Say: court.Msg("fee.counter_instructions", "Fee", c.Fee.String(), "Reference", ref)}, nil
}

// Confirm accepts the receipt reference and amount the clerk recorded.
func (k Counter) Confirm(_ context.Context, _ *court.Case, p Proof) (Receipt, error) {
	var v court.Validator
	ref := v.Text("reference", p.Reference, 2, 64, false)
	v.Check(p.Amount > 0 && p.Amount <= court.MaxFen, "amount", "err.amount_positive")
	if err := v.Err(); err != nil {
		return Receipt{}, err
	}
	now := time.Now().UTC()
	if k.Now != nil {
		now = k.Now()
	}
	return Receipt{Reference: ref, Amount: p.Amount, PaidAt: now}, nil
}

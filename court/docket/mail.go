package docket

import (
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// serviceMail is the message that serves case c on the merchant at its
// organisation's contact: what is claimed, by whom, and by when to answer
// (storage adds the docket number and drops it when there is no contact).
// An organisation with no active staff also gets a one-time claim code (made
// by the dispatcher when it sends the message), with which its first member
// joins at once; one with staff does not, so an address a consumer typed
// never opens the door to an organisation that already has members.
func serviceMail(c *court.Case, claimant *court.User, due time.Time, claim bool) storage.OrgMail {
	m := storage.OrgMail{OrgID: c.OrgID, Kind: storage.MailKindService, Data: map[string]any{
		"Claimant": claimant.DisplayName, "Merchant": c.MerchantName, "CreditCode": c.CreditCode,
		"Total": c.Total.String(), "Refund": c.Refund.String(), "Compensation": c.Compensation.String(),
		"Costs": c.Costs.String(), "Category": string(c.Category), "Due": due,
	}}
	m.Claim = claim
	return m
}

package storage

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
)

// FilingUpdate is a changed filing of a case still in From (a draft, or a
// case returned for correction), with the entries that record it. Case
// holds the filing's columns and ClaimantID; the other fields are ignored.
type FilingUpdate struct {
	From    court.CaseStatus
	Case    court.Case
	Entries []Entry
}

// UpdateFiling stores a changed filing in one transaction: the merchant
// organisation found by its credit code or created (as CreateCase does), the
// filing's columns, the search index row and the entries. It is ECONFLICT
// when the case is no longer in up.From, and ECONFLICT err.open_claim when
// the new order is that of another open claim; the case is then unchanged.
func (db *DB) UpdateFiling(ctx context.Context, id int64, up FilingUpdate) (*court.Case, error) {
	c := up.Case
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		var orgID int64
		err := txGet(ctx, tx, &orgID, sqlOrgByCode, c.CreditCode)
		if court.ErrorCode(err) == court.ENOTFOUND {
			err = txGet(ctx, tx, &orgID, sqlInsertOrg, c.CreditCode, c.MerchantName, now)
		}
		if err != nil {
			return err
		}
		c.OrgID = orgID
		// The Set columns include indexed ones, so applyChange re-indexes
		// the row within this transaction.
		err = applyChange(ctx, tx, id, Change{From: up.From, To: up.From, Entries: up.Entries,
			Set: map[string]any{
				"organization_id": c.OrgID, "merchant_name": c.MerchantName, "credit_code": c.CreditCode,
				"platform": c.Platform, "order_ref": c.OrderRef, "category": c.Category, "facts": c.Facts,
				"purchase_date": c.PurchaseDate, "refund": c.Refund, "compensation": c.Compensation,
				"costs": c.Costs, "total": c.Total, "fee": c.Fee, "over_cap": c.OverCap,
			}}, now)
		if _, ok := uniqueViolation(err); ok {
			return openClaimConflict(ctx, tx, c)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.CaseByIDWriter(ctx, id)
}

package docket

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// EntryCorrected records that the claimant corrected a filing the clerk
// returned. A draft gets no entry: it is not public yet.
const EntryCorrected = "corrected"

// Editable reports whether u may change the filing of c: its claimant (or
// whoever filed it) while it is a draft or returned for correction.
func Editable(u *court.User, c *court.Case) bool {
	return (c.ClaimantID == u.ID || c.FiledByID == u.ID) &&
		(c.Status == court.CaseDraft || c.Status == court.CaseReturned)
}

// Update changes the filing of a draft, or of a case returned for
// correction, checked exactly as File checks a new one; the fee and the
// over-cap mark follow the new amounts. It does not submit. Errors:
// ENOTFOUND for a case u cannot see, EFORBIDDEN for one u sees but did not
// file, ECONFLICT err.transition in any other state (or when the case
// moved meanwhile), EINVALID with every field error, ECONFLICT
// err.open_claim for the order of another open claim.
func (s *Service) Update(ctx context.Context, u *court.User, id int64, f court.Filing) (*court.Case, error) {
	c, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if c.ClaimantID != u.ID && c.FiledByID != u.ID {
		return nil, court.ErrForbidden()
	}
	if c.Status != court.CaseDraft && c.Status != court.CaseReturned {
		return nil, court.Errorf(court.ECONFLICT, "err.transition", "Action", "edit", "Status", string(c.Status))
	}
	now := s.Now()
	if err := f.Validate(s.Profile, now, false); err != nil {
		return nil, err
	}
	capAmt, _ := s.Profile.Cap(now.In(court.Zone).Year())
	up := storage.FilingUpdate{From: c.Status, Case: court.Case{
		ClaimantID:   c.ClaimantID,
		MerchantName: f.MerchantName, CreditCode: f.CreditCode, Platform: f.Platform, OrderRef: f.OrderRef,
		Category: f.Category, Facts: f.Facts, PurchaseDate: f.PurchaseDate,
		Refund: f.Refund, Compensation: f.Compensation, Costs: f.Costs, Total: f.Total(),
		Fee: s.Profile.Fee(f.Total()), OverCap: f.Total() > capAmt,
	}}
	if c.Status == court.CaseReturned {
		aid, role := actor(u)
		up.Entries = []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryCorrected, Public: true,
			Data: map[string]any{"Total": up.Case.Total.String(), "Fee": up.Case.Fee.String()}}}
	}
	return s.DB.UpdateFiling(ctx, id, up)
}

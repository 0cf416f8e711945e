package docket

import (
	"context"
	"errors"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// EntryVillagerConsent records, on a case a station agent filed, that the
// villager was present, was read the claim and consented, how and when.
const EntryVillagerConsent = "villager_consent"

// VillagerFinder finds or creates the claimant record of a villager; the
// accounts service is one (it holds the keys that protect the resident ID).
type VillagerFinder interface {
	Villager(ctx context.Context, v court.Villager) (*court.User, error)
}

// FileForVillager opens a case that station agent u files for the villager
// v, who is present and consents: a draft, or submitted when submit is
// true. The villager's claimant record is found by resident ID or created
// through find; the case's claimant is the villager and its filer the
// agent, who then sees and acts on it (CanSee). Errors: EFORBIDDEN for
// anyone but a station agent; EINVALID with every field error of the
// villager and the filing at once; ECONFLICT as File.
func (s *Service) FileForVillager(ctx context.Context, u *court.User, v court.Villager, find VillagerFinder, f court.Filing, submit bool) (*court.Case, error) {
	if u.Role != court.RoleStationAgent {
		return nil, court.ErrForbidden()
	}
	now := s.Now()
	if err := s.CheckForVillager(&v, &f); err != nil {
		return nil, err
	}
	villager, err := find.Villager(ctx, v)
	if err != nil {
		return nil, err
	}
	capAmt, _ := s.Profile.Cap(now.In(court.Zone).Year())
	c := court.Case{
		Status: court.CaseDraft, ClaimantID: villager.ID, FiledByID: u.ID,
		MerchantName: f.MerchantName, CreditCode: f.CreditCode, Platform: f.Platform, OrderRef: f.OrderRef,
		Category: f.Category, Facts: f.Facts, PurchaseDate: f.PurchaseDate,
		Refund: f.Refund, Compensation: f.Compensation, Costs: f.Costs, Total: f.Total(),
		Fee: s.Profile.Fee(f.Total()), OverCap: f.Total() > capAmt,
	}
	aid, role := actor(u)
	// The consent is on the docket from the start, draft or not: the
	// docket is append-only, so the record of it cannot be changed.
	nc := &storage.NewCase{Case: c, VillagerConsent: true, Entries: []storage.Entry{{
		ActorID: aid, ActorRole: role, Kind: EntryVillagerConsent, Public: true,
		Data: map[string]any{"Agent": u.DisplayName, "Villager": villager.DisplayName, "Method": string(v.Method),
			"At": now.In(court.Zone).Format("2006-01-02 15:04")},
	}}}
	if submit {
		nc.Case.Status = court.CaseSubmitted
		nc.Case.SubmittedAt = &now
		nc.Entries = append(nc.Entries, storage.Entry{ActorID: aid, ActorRole: role, Kind: EntryFiled, Public: true,
			Data: map[string]any{"Total": c.Total.String(), "Fee": c.Fee.String()}})
	}
	return s.DB.CreateCase(ctx, nc)
}

// CheckForVillager normalises v and f and checks them as FileForVillager
// does: EINVALID with every field error of both at once, or nil.
func (s *Service) CheckForVillager(v *court.Villager, f *court.Filing) error {
	f.VillagerConsent = v.Present
	fields := map[string]court.Message{}
	for _, err := range []error{v.Validate(), f.Validate(s.Profile, s.Now(), true)} {
		var ce *court.Error
		if errors.As(err, &ce) {
			for k, m := range ce.Fields {
				fields[k] = m
			}
		} else if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		return &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"), Fields: fields}
	}
	return nil
}

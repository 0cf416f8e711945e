package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Villager returns the claimant record of the villager v a station agent
// files for: the user registered with v's resident identity number, or a
// new one. A new record has no password anyone knows (a hash of random
// bytes that are thrown away): the villager does not log in; the station
// acts for them (docs/fees.md). The number is stored as for a consumer:
// AES-GCM encrypted, its HMAC for lookup, and masked for display. An
// existing record is not changed: its name and mobile are its owner's.
// Errors: EINVALID for v's fields, EINVALID on villager_resident_id when
// the number belongs to an account that is not a consumer's.
func (s *Service) Villager(ctx context.Context, v court.Villager) (*court.User, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	mac := s.Keys.ResidentMAC(v.ResidentID)
	u, err := s.findVillager(ctx, mac)
	if court.ErrorCode(err) != court.ENOTFOUND {
		return u, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	hash, err := HashPassword(ctx, base64.RawURLEncoding.EncodeToString(secret))
	if err != nil {
		return nil, err
	}
	sealed, err := s.Keys.SealResidentID(v.ResidentID)
	if err != nil {
		return nil, err
	}
	u, err = s.DB.CreateUser(ctx, &storage.NewUser{
		User: court.User{
			// The username is derived from the keyed hash: stable, unique
			// with it, and it reveals nothing of the number.
			Username: "villager-" + mac[:20], Role: court.RoleClaimant, DisplayName: v.Name, Mobile: v.Mobile,
			ResidentMasked: court.MaskResidentID(v.ResidentID), Lang: "zh-CN",
		},
		PasswordHash: hash, ResidentEnc: sealed, ResidentMAC: &mac,
	})
	if court.ErrorCode(err) == court.ECONFLICT {
		// Another agent created the same villager a moment ago.
		return s.findVillager(ctx, mac)
	}
	return u, err
}

func (s *Service) findVillager(ctx context.Context, mac string) (*court.User, error) {
	u, err := s.DB.UserByResidentMAC(ctx, mac)
	if err != nil {
		return nil, err
	}
	if u.Role != court.RoleClaimant {
		return nil, &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"),
			Fields: map[string]court.Message{"villager_resident_id": court.Msg("err.villager_not_consumer")}}
	}
	return u, nil
}

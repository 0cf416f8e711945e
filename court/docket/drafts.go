package docket

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Drafts of filings that are not complete yet. A consumer saves what they
// have, checked only for form (court.Filing.CheckDraft), and comes back to
// it; submitting it, or saving it once complete, makes it a case through
// File, with the full checks and every field error at once. Only consumers
// keep drafts: a station agent files with the villager present, at once.

// draftOwner refuses anyone but a consumer: ENOTFOUND, as a draft that
// does not exist.
func draftOwner(u *court.User) error {
	if u.Role != court.RoleClaimant {
		return court.ErrNotFound()
	}
	return nil
}

// SaveDraft stores f as u's draft id (0 for a new one). Errors: ENOTFOUND
// for anyone but a consumer or for another's draft; EINVALID for fields
// that are malformed (not for missing ones); ECONFLICT beyond
// storage.MaxDrafts.
func (s *Service) SaveDraft(ctx context.Context, u *court.User, id int64, f court.Filing) (*storage.Draft, error) {
	if err := draftOwner(u); err != nil {
		return nil, err
	}
	if err := f.CheckDraft(s.Now()); err != nil {
		return nil, err
	}
	return s.DB.SaveDraft(ctx, u.ID, id, f)
}

// Draft returns u's draft id; ENOTFOUND for anyone else.
func (s *Service) Draft(ctx context.Context, u *court.User, id int64) (*storage.Draft, error) {
	if err := draftOwner(u); err != nil {
		return nil, err
	}
	return s.DB.DraftOf(ctx, u.ID, id)
}

// Drafts lists u's drafts (none for anyone but a consumer).
func (s *Service) Drafts(ctx context.Context, u *court.User) ([]storage.Draft, error) {
	if u.Role != court.RoleClaimant {
		return []storage.Draft{}, nil
	}
	return s.DB.Drafts(ctx, u.ID)
}

// DeleteDraft discards u's draft id.
func (s *Service) DeleteDraft(ctx context.Context, u *court.User, id int64) error {
	if err := draftOwner(u); err != nil {
		return err
	}
	return s.DB.DeleteDraft(ctx, u.ID, id)
}

// FileDraft files f, the completed content of u's draft id, as File does (a
// case draft, or submitted when submit is true), and then discards the
// draft. Errors: those of Draft and File; the draft is kept when filing
// fails.
func (s *Service) FileDraft(ctx context.Context, u *court.User, id int64, f court.Filing, submit bool) (*court.Case, error) {
	if _, err := s.Draft(ctx, u, id); err != nil {
		return nil, err
	}
	c, err := s.File(ctx, u, f, submit)
	if err != nil {
		return nil, err
	}
	// The case is durable; a draft left behind by a failure here only
	// shows up once more in the list, and the open-claim check stops a
	// second filing of the same order.
	if err := s.DB.DeleteDraft(ctx, u.ID, id); err != nil && court.ErrorCode(err) != court.ENOTFOUND {
		return nil, err
	}
	return c, nil
}

package hearings

// Witnesses: a witness has no account and no access to the case. The judge
// makes a one-time link for one hearing; the first browser that opens it
// claims it (a secret in a cookie, only its hash kept), and that browser
// alone may then ask for join tokens, as often as a reconnection needs,
// while the room is open. The room knows the witness by a room-only role
// ("witness", not a court role) and by an id no user has.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// RoleWitness is a witness's role in the room.
const RoleWitness = "witness"

// WitnessIDBase is added to a witness link's id to make the witness's id in
// the room: far above any user id, and below 2^53 (exact in JavaScript).
const WitnessIDBase int64 = 1 << 40

// EntryWitnessLink is the docket entry of a witness link made.
const EntryWitnessLink = "hearing_witness_link"

const maxWitnessName = 50

// WitnessLinkPath is the page a witness link leads to.
func WitnessLinkPath(code string) string { return "/hearing/witness/" + code }

// NewSecret returns a random URL-safe secret (256 bits).
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// CreateWitnessLink makes a one-time link for the witness name to hearing
// hid of case id and returns its secret code. Errors: ENOTFOUND; EFORBIDDEN
// for anyone but the assigned judge; EINVALID for the name; ECONFLICT for
// a hearing without a room open now, or when rooms are not available.
func (s *Service) CreateWitnessLink(ctx context.Context, u *court.User, id, hid int64, name string) (string, error) {
	c, h, err := s.hearingFor(ctx, u, id, hid)
	if err != nil {
		return "", err
	}
	if !IsJudge(u, c) {
		return "", court.ErrForbidden()
	}
	var v court.Validator
	name = v.Text("witness_name", name, 1, maxWitnessName, false)
	if err := v.Err(); err != nil {
		return "", err
	}
	if err := s.roomOpen(h); err != nil {
		return "", err
	}
	code, err := NewSecret()
	if err != nil {
		return "", err
	}
	aid, role := actor(u)
	_, err = s.DB.CreateWitnessLink(ctx, h, storage.WitnessLink{Name: name, CodeHash: hashSecret(code), CreatedBy: u.ID, CreatedAt: s.Now().UTC()},
		storage.Record{Entries: []storage.Entry{{ActorID: aid, ActorRole: role, Kind: EntryWitnessLink, Public: true,
			Data: map[string]any{"Name": name, "HearingID": hid, "Start": stamp(h.Start)}}}})
	return code, err
}

// roomOpen says whether hearing h's room is open now and can be joined.
func (s *Service) roomOpen(h *court.Hearing) error {
	switch {
	case h.Kind == court.HearingWritten:
		return court.Errorf(court.ECONFLICT, "err.hearing_written_no_room")
	case !h.Open():
		return court.Errorf(court.ECONFLICT, "err.hearing_closed")
	case !h.Joinable(s.Now()):
		return court.Errorf(court.ECONFLICT, "err.hearing_not_open",
			"Opens", stamp(h.Start.Add(-court.HearingOpensBefore)), "End", stamp(h.End))
	case s.Issuer == nil:
		return ErrUnavailable()
	}
	return nil
}

// WitnessHearing returns the hearing a witness link leads to, claiming the
// link for the browser holding claim. Errors: ENOTFOUND for no such link;
// ECONFLICT when another browser claimed it.
func (s *Service) WitnessHearing(ctx context.Context, code, claim string) (*court.Hearing, *storage.WitnessLink, error) {
	if code == "" || claim == "" || len(code) > 100 || len(claim) > 100 {
		return nil, nil, court.ErrNotFound()
	}
	l, err := s.DB.ClaimWitnessLink(ctx, hashSecret(code), hashSecret(claim), s.Now().UTC())
	if err != nil {
		return nil, nil, err
	}
	h, err := s.DB.HearingByID(ctx, l.HearingID)
	if err != nil {
		return nil, nil, err
	}
	return h, l, nil
}

// WitnessToken returns a join token for the witness of link code, for the
// browser holding claim. Errors: those of WitnessHearing, and ECONFLICT
// for a room not open now.
func (s *Service) WitnessToken(ctx context.Context, code, claim string) (string, time.Time, error) {
	h, l, err := s.WitnessHearing(ctx, code, claim)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.roomOpen(h); err != nil {
		return "", time.Time{}, err
	}
	return s.Issuer.IssueToken(h.ID, WitnessIDBase+l.ID, RoleWitness, l.Name)
}

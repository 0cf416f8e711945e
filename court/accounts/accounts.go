// Package accounts registers users, checks their passwords and keeps their
// sessions: the rules of who someone is, between the web layer and storage.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Config holds the session lifetimes.
type Config struct {
	IdleTimeout time.Duration // a browser session unused this long ends
	MaxLifetime time.Duration // a browser session ends this long after login
	TokenTTL    time.Duration // an API token ends this long after issue
}

// DefaultConfig is 30 minutes idle, 12 hours absolute, 12-hour API tokens.
var DefaultConfig = Config{IdleTimeout: 30 * time.Minute, MaxLifetime: 12 * time.Hour, TokenTTL: 12 * time.Hour}

// Service is the accounts service.
type Service struct {
	DB   *storage.DB
	Keys *Keys
	Cfg  Config
	Now  court.Clock
}

// New returns a Service on db with keys and cfg.
func New(db *storage.DB, keys *Keys, cfg Config) *Service {
	return &Service{DB: db, Keys: keys, Cfg: cfg, Now: court.SystemClock}
}

// RegisterConsumer opens a consumer's account. Errors: EINVALID for bad
// fields, ECONFLICT for a taken username or identity number.
func (s *Service) RegisterConsumer(ctx context.Context, r court.ConsumerRegistration) (*court.User, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(ctx, r.Password)
	if err != nil {
		return nil, err
	}
	sealed, err := s.Keys.SealResidentID(r.ResidentID)
	if err != nil {
		return nil, err
	}
	mac := s.Keys.ResidentMAC(r.ResidentID)
	return s.DB.CreateUser(ctx, &storage.NewUser{
		User: court.User{
			Username: r.Username, Role: court.RoleClaimant, DisplayName: r.Name, Mobile: r.Mobile,
			ResidentMasked: court.MaskResidentID(r.ResidentID), Lang: langOrEmpty(r.Lang), Email: r.Email,
		},
		PasswordHash: hash, ResidentEnc: sealed, ResidentMAC: &mac,
	})
}

// RegisterMerchant opens a merchant staff account, creating the organisation
// when its credit code is new. For an organisation that already exists the
// account is pending until a member or an admin approves it, unless the
// registrant gives the claim code the court mailed to the organisation's
// contact. Errors: EINVALID, ECONFLICT.
func (s *Service) RegisterMerchant(ctx context.Context, r court.MerchantRegistration) (*court.User, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(ctx, r.Password)
	if err != nil {
		return nil, err
	}
	u, _, err := s.DB.CreateUserWithOrg(ctx, &storage.NewUser{
		User: court.User{Username: r.Username, Role: court.RoleMerchant, DisplayName: r.Name, Mobile: r.Mobile,
			Lang: langOrEmpty(r.Lang), Email: r.Email},
		PasswordHash: hash, ClaimCodeHash: claimHash(r.ClaimCode),
	}, r.CreditCode, r.OrgName)
	return u, err
}

// CreateStaff creates a staff account (clerk, judge, mediator, station agent,
// admin). Errors: EINVALID, ECONFLICT.
func (s *Service) CreateStaff(ctx context.Context, a court.StaffAccount) (*court.User, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(ctx, a.Password)
	if err != nil {
		return nil, err
	}
	return s.DB.CreateUser(ctx, &storage.NewUser{
		User:         court.User{Username: a.Username, Role: a.Role, DisplayName: a.Name},
		PasswordHash: hash,
	})
}

// Login checks a username and password. Errors: EUNAUTHORIZED for a wrong
// pair (without saying which half), ETOOMANY while the account is locked out,
// EFORBIDDEN for an account pending approval or disabled.
func (s *Service) Login(ctx context.Context, username, password string) (*court.User, error) {
	username = court.NormalizeUsername(username)
	if username == "" || len(username) > 64 || !utf8.ValidString(username) || len(password) > 4*court.PasswordMax {
		return nil, court.Errorf(court.EUNAUTHORIZED, "err.login_failed")
	}
	now := s.Now()
	th, err := s.DB.LoginThrottle(ctx, username)
	if err != nil {
		return nil, err
	}
	if until := th.Until(now); !until.IsZero() {
		return nil, court.Errorf(court.ETOOMANY, "err.login_locked", "Until", until)
	}
	u, hash, err := s.DB.Credentials(ctx, username)
	if court.ErrorCode(err) == court.ENOTFOUND {
		hash = dummyHash
	} else if err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(ctx, password, hash)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil {
		th, err := s.DB.RecordLoginFailure(ctx, username, now)
		if err != nil {
			return nil, err
		}
		if until := th.Until(now); !until.IsZero() {
			return nil, court.Errorf(court.ETOOMANY, "err.login_locked", "Until", until)
		}
		return nil, court.Errorf(court.EUNAUTHORIZED, "err.login_failed")
	}
	switch u.Status {
	case court.StatusPending:
		return nil, court.Errorf(court.EFORBIDDEN, "err.account_pending")
	case court.StatusDisabled:
		return nil, court.Errorf(court.EFORBIDDEN, "err.account_disabled")
	}
	if th.Failures > 0 {
		if err := s.DB.ClearLoginFailures(ctx, username); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// ChangePassword replaces a user's password after checking the current one,
// and ends the user's other sessions. Errors: EINVALID.
func (s *Service) ChangePassword(ctx context.Context, u *court.User, current, next, keepToken string) error {
	_, hash, err := s.DB.Credentials(ctx, u.Username)
	if err != nil {
		return err
	}
	var v court.Validator
	v.Password("new_password", next)
	if ok, err := VerifyPassword(ctx, current, hash); err != nil {
		return err
	} else if !ok {
		v.Fail("current_password", "err.password_wrong")
	}
	if err := v.Err(); err != nil {
		return err
	}
	newHash, err := HashPassword(ctx, next)
	if err != nil {
		return err
	}
	keep := ""
	if keepToken != "" {
		keep = TokenHash(keepToken)
	}
	return s.DB.SetPasswordHash(ctx, u.ID, newHash, keep)
}

// NewSession starts a session of the given kind for a user who has just
// proven who they are, and returns its secret token (to be sent to the
// client, never stored) and when it ends at the latest.
func (s *Service) NewSession(ctx context.Context, userID int64, kind string) (token string, expires time.Time, err error) {
	b := make([]byte, 32) // 256 bits
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	now := s.Now()
	ttl := s.Cfg.MaxLifetime
	if kind == storage.KindAPI {
		ttl = s.Cfg.TokenTTL
	}
	expires = now.Add(ttl)
	err = s.DB.CreateSession(ctx, &storage.Session{
		TokenHash: TokenHash(token), UserID: userID, Kind: kind, CreatedAt: now, LastSeenAt: now, ExpiresAt: expires,
	})
	return token, expires, err
}

// touchEvery limits writes for idle tracking to one a minute per session.
const touchEvery = time.Minute

// Authenticate returns the user of a session token of the given kind. An
// unknown, expired or idle session is EUNAUTHORIZED (and an ended one is
// deleted).
func (s *Service) Authenticate(ctx context.Context, token, kind string) (*court.User, error) {
	if token == "" || len(token) > 100 {
		return nil, court.ErrUnauthorized()
	}
	h := TokenHash(token)
	sess, u, err := s.DB.SessionUser(ctx, h)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return nil, court.ErrUnauthorized()
	} else if err != nil {
		return nil, err
	}
	now := s.Now()
	if sess.Kind != kind {
		return nil, court.ErrUnauthorized()
	}
	if !now.Before(sess.ExpiresAt) || (kind == storage.KindBrowser && now.Sub(sess.LastSeenAt) > s.Cfg.IdleTimeout) {
		if err := s.DB.DeleteSession(ctx, h); err != nil {
			return nil, err
		}
		return nil, court.ErrUnauthorized()
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.DB.TouchSession(ctx, h, now); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// EndSession deletes the session with the given token.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.DB.DeleteSession(ctx, TokenHash(token))
}

// Sweep deletes ended sessions and old login failures.
func (s *Service) Sweep(ctx context.Context) (int64, error) {
	now := s.Now()
	return s.DB.DeleteExpiredSessions(ctx, now, now.Add(-s.Cfg.IdleTimeout))
}

// ApproveMember activates a pending merchant staff member. approver must be an
// admin or active staff of the same organisation. Errors: ENOTFOUND when the
// member is not pending or not the approver's to approve; EFORBIDDEN when the
// approver may approve no one.
func (s *Service) ApproveMember(ctx context.Context, approver *court.User, memberID int64) error {
	if approver.Status != court.StatusActive {
		return court.ErrForbidden() // a pending member must not approve itself
	}
	var org *int64
	switch approver.Role {
	case court.RoleAdmin:
	case court.RoleMerchant:
		if approver.OrganizationID == nil {
			return court.ErrForbidden() // nil would approve in every organisation
		}
		org = approver.OrganizationID
	default:
		return court.ErrForbidden()
	}
	return s.DB.SetUserStatus(ctx, memberID, org, court.StatusPending, court.StatusActive)
}

// TokenHash is how a session secret is stored: its SHA-256, hex encoded.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Langs are the languages the court speaks.
var Langs = []string{"zh-CN", "en"}

func langOrEmpty(l string) string {
	for _, x := range Langs {
		if l == x {
			return l
		}
	}
	return ""
}

// claimHash is the stored form of a typed claim code ("" for none).
func claimHash(code string) string {
	if code == "" {
		return ""
	}
	return court.ClaimCodeHash(code)
}

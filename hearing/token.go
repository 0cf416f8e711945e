package hearing

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// DefaultTokenTTL is how long a join token stays valid: long enough to open
// the room page, short enough that a leaked link is soon useless.
const DefaultTokenTTL = 2 * time.Minute

// Claims is what a join token says: who joins which hearing, as what.
type Claims struct {
	Hearing int64      `json:"h"`
	User    int64      `json:"u"`
	Role    court.Role `json:"r"`
	Name    string     `json:"n"`
	ID      string     `json:"j"` // random, so a token is used once
	Expires int64      `json:"e"` // unix seconds
}

// Tokens issues and verifies short-lived join tokens: an HMAC-SHA256 over the
// claims with a key the court keeps. A verified token's id is remembered until
// it expires, so each token admits one join.
type Tokens struct {
	key []byte
	ttl time.Duration
	// Now is the clock; tests may replace it.
	Now func() time.Time

	mu   sync.Mutex
	used map[string]int64 // token id -> expiry (unix seconds)
}

// NewTokens returns Tokens signing with key (at least 32 bytes) whose tokens
// last ttl (DefaultTokenTTL when zero).
func NewTokens(key []byte, ttl time.Duration) (*Tokens, error) {
	if len(key) < 32 {
		return nil, errors.New("hearing: token key must have at least 32 bytes")
	}
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	return &Tokens{key: append([]byte(nil), key...), ttl: ttl, Now: time.Now, used: map[string]int64{}}, nil
}

// tokenPrefix is signed with the claims, so a token of this kind cannot be
// mistaken for another HMAC the same key might sign.
const tokenPrefix = "courtd-hearing-v1."

// Issue returns a token for (hearing, user, role, name).
func (t *Tokens) Issue(hearingID, userID int64, role court.Role, name string) (string, error) {
	tok, _, err := t.IssueUntil(hearingID, userID, role, name)
	return tok, err
}

// IssueUntil is Issue, also returning when the token expires.
func (t *Tokens) IssueUntil(hearingID, userID int64, role court.Role, name string) (string, time.Time, error) {
	if hearingID <= 0 || userID <= 0 || !roomRole(role) {
		return "", time.Time{}, court.Errorf(court.EINVALID, "err.hearing_token_claims")
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", time.Time{}, err
	}
	c := Claims{Hearing: hearingID, User: userID, Role: role, Name: clip(name, maxName),
		ID: hex.EncodeToString(id[:]), Expires: t.Now().Add(t.ttl).Unix()}
	body, err := json.Marshal(c)
	if err != nil {
		return "", time.Time{}, err
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	return payload + "." + base64.RawURLEncoding.EncodeToString(t.mac(payload)), time.Unix(c.Expires, 0).UTC(), nil
}

func (t *Tokens) mac(payload string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(tokenPrefix))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

var strictB64 = base64.RawURLEncoding.Strict()

// maxToken bounds what Verify will look at.
const maxToken = 1024

// Verify checks a token and spends it. It returns EUNAUTHORIZED with
// err.hearing_token_invalid for a forged or malformed token,
// err.hearing_token_expired after its expiry and err.hearing_token_used when
// it was already used.
func (t *Tokens) Verify(token string) (Claims, error) {
	var c Claims
	bad := court.Errorf(court.EUNAUTHORIZED, "err.hearing_token_invalid")
	if len(token) > maxToken {
		return c, bad
	}
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return c, bad
	}
	// Strict decoding: the last character of a base64 string carries a
	// few unused bits, and a lenient decoder would take several spellings
	// of one signature; only the one Issue wrote is valid.
	got, err := strictB64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, t.mac(payload)) {
		return c, bad
	}
	body, err := strictB64.DecodeString(payload)
	if err != nil || json.Unmarshal(body, &c) != nil || c.ID == "" || !roomRole(c.Role) || c.Hearing <= 0 || c.User <= 0 {
		return Claims{}, bad
	}
	now := t.Now().Unix()
	if now >= c.Expires {
		return Claims{}, court.Errorf(court.EUNAUTHORIZED, "err.hearing_token_expired")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, exp := range t.used { // ids are kept only until their token expires
		if now >= exp {
			delete(t.used, id)
		}
	}
	if _, spent := t.used[c.ID]; spent {
		return Claims{}, court.Errorf(court.EUNAUTHORIZED, "err.hearing_token_used")
	}
	t.used[c.ID] = c.Expires
	return c, nil
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// RoleWitness is the room role of a witness. It is not a court role
// (court.Role.Valid says no): a witness has no account and no access to the
// case, only this hearing's room, by a link the judge made.
const RoleWitness court.Role = "witness"

// roomRole reports whether r may be a token's role: a court role or a
// witness.
func roomRole(r court.Role) bool { return r.Valid() || r == RoleWitness }

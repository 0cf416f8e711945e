package roomlink_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/hearings/roomlink"
	"github.com/shangcheng-court/courtd/hearing"
)

// TestTokens: the adapter gives the media server's own tokens, with the
// expiry they carry; a role the room does not know is refused, and so is a
// witness id of zero.
func TestTokens(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	hs, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true, TokenTTL: 90 * time.Second}, hearing.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	var issuer hearings.TokenIssuer = roomlink.Tokens{Server: hs}
	for _, role := range []string{"judge", "clerk", "claimant", "merchant", hearings.RoleWitness} {
		tok, exp, err := issuer.IssueToken(7, 3, role, "张伟")
		if err != nil || tok == "" {
			t.Fatalf("%s: got %q %v", role, tok, err)
		}
		if d := time.Until(exp); d < 80*time.Second || d > 91*time.Second {
			t.Errorf("%s: expires in %s, want the server's 90 s", role, d)
		}
	}
	for _, role := range []string{"", "president", "Judge"} {
		if _, _, err := issuer.IssueToken(7, 3, role, "x"); err == nil {
			t.Errorf("role %q: got a token, want an error", role)
		}
	}
	if _, _, err := issuer.IssueToken(7, 0, "claimant", "x"); err == nil {
		t.Errorf("user 0: got a token, want an error")
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
)

// TestTokenCacheRevocation: token checks are cached for a moment in memory
// (storage/sessioncache.go), yet a revoked token is refused by the very next
// request, whether the token was deleted (logout) or its user disabled, and
// other tokens keep working.
func TestTokenCacheRevocation(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.Lang = "en"
	login := func(user string) string {
		t.Helper()
		res, _ := c.api("POST", "/api/v1/tokens", "", "application/json", `{"username":"`+user+`","password":"`+demo.Password+`"}`)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("login %s: got %d, want 201", user, res.StatusCode)
		}
		var tok struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal([]byte(res.Body), &tok); err != nil {
			t.Fatal(err)
		}
		return tok.Token
	}
	me := func(tok string, want int) int64 {
		t.Helper()
		res, _ := c.api("GET", "/api/v1/me", tok, "", "")
		if res.StatusCode != want {
			t.Fatalf("GET /me: got %d, want %d: %s", res.StatusCode, want, res.Body)
		}
		var u struct {
			ID int64 `json:"id"`
		}
		if want == http.StatusOK {
			if err := json.Unmarshal([]byte(res.Body), &u); err != nil {
				t.Fatal(err)
			}
		}
		return u.ID
	}

	a, b := login("claimant1"), login("claimant1")
	for range 3 { // the second and third answers come from the cache
		me(a, http.StatusOK)
		me(b, http.StatusOK)
	}
	if res, _ := c.api("DELETE", "/api/v1/tokens/current", a, "", ""); res.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE /tokens/current: got %d, want 204", res.StatusCode)
	}
	me(a, http.StatusUnauthorized)
	me(b, http.StatusOK)

	d := login("claimant2")
	id := me(d, http.StatusOK)
	me(d, http.StatusOK)
	if err := ts.DB.SetUserStatus(context.Background(), id, nil, court.StatusActive, court.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	me(d, http.StatusUnauthorized)
	me(b, http.StatusOK)
}

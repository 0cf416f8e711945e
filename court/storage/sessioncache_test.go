package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// A token check is answered from the cache (a row removed behind the
// cache's back is still found), and the next committed inTx makes the
// following check read the database again.
func TestSessionCacheServesUntilAWrite(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "court.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.sessions = newSessionCache(time.Hour) // a slow machine does not outlive the TTL
	u, err := db.CreateUser(ctx, &NewUser{User: court.User{Username: "c", Role: court.RoleClaimant, DisplayName: "c",
		Status: court.StatusActive}, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := db.CreateSession(ctx, &Session{TokenHash: "h", UserID: u.ID, Kind: KindAPI, CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, got, err := db.SessionUser(ctx, "h"); err != nil || got.ID != u.ID {
		t.Fatalf("SessionUser: got %v, %v; want user %d", got, err, u.ID)
	}
	// Not through inTx: the cache is not told.
	if _, err := db.w.Exec(`DELETE FROM sessions WHERE token_hash = 'h'`); err != nil {
		t.Fatal(err)
	}
	if _, got, err := db.SessionUser(ctx, "h"); err != nil || got.ID != u.ID {
		t.Fatalf("SessionUser right after: got %v, %v; want user %d from the cache", got, err, u.ID)
	}
	if err := db.TouchSession(ctx, "other", now); err != nil { // any committed inTx
		t.Fatal(err)
	}
	if _, _, err := db.SessionUser(ctx, "h"); court.ErrorCode(err) != court.ENOTFOUND {
		t.Fatalf("SessionUser after a write: got %v, want ENOTFOUND", err)
	}
}

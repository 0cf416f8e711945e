package web_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/court/web"
)

// lateStore lets the test give the server a ledger before serverIn has
// opened the database the ledger reads.
type lateStore struct{ db *storage.DB }

func (s *lateStore) LedgerSize(ctx context.Context) (int64, error) { return s.db.LedgerSize(ctx) }
func (s *lateStore) LedgerHashes(ctx context.Context, ix []int64) ([]tlog.Hash, error) {
	return s.db.LedgerHashes(ctx, ix)
}
func (s *lateStore) LatestCheckpoint(ctx context.Context) (string, bool, error) {
	return s.db.LatestCheckpoint(ctx)
}
func (s *lateStore) SaveCheckpoint(ctx context.Context, size int64, n string) error {
	return s.db.SaveCheckpoint(ctx, size, n)
}

// mustLedgerServer serves a court with a ledger and n docket entries (n
// leaves), and returns it with the ledger.
func mustLedgerServer(t *testing.T, n int) (*testServer, *ledger.Ledger) {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "courtd.test/ledger")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	st := &lateStore{}
	l := ledger.New(st, key)
	ts := mustServer(t, func(c *web.Config) { c.Ledger = l })
	st.db = ts.DB
	ctx := context.Background()
	u, err := ts.DB.CreateUser(ctx, &storage.NewUser{User: court.User{Username: "ledgerc", Role: court.RoleClaimant,
		DisplayName: "L", Status: court.StatusActive}, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	var entries []storage.Entry
	for i := range n {
		entries = append(entries, storage.Entry{ActorID: &u.ID, ActorRole: "claimant", Kind: "note", Public: true, Text: fmt.Sprint(i)})
	}
	code := "91330102MA2H3K7Q1" + string(court.CreditCodeCheck("91330102MA2H3K7Q1"))
	if _, err := ts.DB.CreateCase(ctx, &storage.NewCase{Case: court.Case{Status: court.CaseSubmitted, ClaimantID: u.ID,
		FiledByID: u.ID, MerchantName: "m", CreditCode: code, Category: court.CatCounterfeit, Facts: "f",
		Refund: 100, Total: 100}, Entries: entries}); err != nil {
		t.Fatal(err)
	}
	return ts, l
}

func TestAPILedger(t *testing.T) {
	ts, l := mustLedgerServer(t, 5)
	c := ts.client(t) // nobody logged in: the ledger is public

	res := c.get("/api/v1/ledger/key")
	if res.StatusCode != http.StatusOK || strings.TrimSpace(res.Body) != l.Key().VerifierKey() {
		t.Fatalf("GET key = %d %q, want 200 %q", res.StatusCode, res.Body, l.Key().VerifierKey())
	}
	v, err := note.NewVerifier(strings.TrimSpace(res.Body))
	if err != nil {
		t.Fatal(err)
	}

	// The first checkpoint is signed on demand and covers the 5 entries.
	res = c.get("/api/v1/ledger/checkpoint")
	cp, err := ledger.OpenCheckpoint(res.Body, v)
	if res.StatusCode != http.StatusOK || err != nil || cp.Size != 5 {
		t.Fatalf("GET checkpoint = %d %q (%v), want 200 and a signed checkpoint of 5 leaves", res.StatusCode, res.Body, err)
	}

	for i := range int64(5) {
		res = c.get(fmt.Sprintf("/api/v1/ledger/proof/inclusion?index=%d&size=5", i))
		var ip struct {
			Index, Size int64
			LeafHash    string `json:"leaf_hash"`
			Proof       []string
		}
		if err := json.Unmarshal([]byte(res.Body), &ip); res.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("inclusion %d: %d %s", i, res.StatusCode, res.Body)
		}
		proof, err := ledger.DecodeHashes(ip.Proof)
		if err != nil {
			t.Fatal(err)
		}
		lh, _ := base64.StdEncoding.DecodeString(ip.LeafHash)
		if err := tlog.CheckRecord(proof, 5, cp.Root, i, tlog.Hash(lh)); err != nil {
			t.Errorf("inclusion proof of leaf %d does not check against the checkpoint: %v", i, err)
		}
	}
	res = c.get("/api/v1/ledger/proof/consistency?old=2&new=5")
	var tp struct{ Proof []string }
	if err := json.Unmarshal([]byte(res.Body), &tp); res.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("consistency: %d %s", res.StatusCode, res.Body)
	}
	old, err := tlog.TreeHash(2, tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		return ts.DB.LedgerHashes(context.Background(), ix)
	}))
	if err != nil {
		t.Fatal(err)
	}
	proof, _ := ledger.DecodeHashes(tp.Proof)
	if err := tlog.CheckTree(proof, 5, cp.Root, 2, old); err != nil {
		t.Errorf("consistency proof 2 -> 5 does not check: %v", err)
	}

	// Bad parameters: each refused with 400 and a message in the
	// client's language (zh-CN) and in English.
	for _, q := range []string{
		"inclusion", "inclusion?index=0", "inclusion?size=5", "inclusion?index=a&size=5", "inclusion?index=-1&size=5",
		"inclusion?index=1e2&size=5", "inclusion?index=0&size=6", "inclusion?index=5&size=5", "inclusion?index=0&size=0",
		"inclusion?index=0&size=99999999999999999999", "inclusion?index=0x1&size=5", "inclusion?index=+1&size=5", "inclusion?index=%2B1&size=5", "inclusion?index=1%20&size=5",
		"consistency", "consistency?old=2", "consistency?old=0&new=5", "consistency?old=4&new=3",
		"consistency?old=1&new=6", "consistency?old=1.5&new=5",
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			c.Lang = lang
			res := c.get("/api/v1/ledger/proof/" + q)
			var e struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal([]byte(res.Body), &e)
			if res.StatusCode != http.StatusBadRequest || e.Error.Code != string(court.EINVALID) || e.Error.Message == "" ||
				strings.Contains(e.Error.Message, "err.") {
				t.Errorf("GET %s (%s) = %d %s, want 400 invalid with a message", q, lang, res.StatusCode, res.Body)
			}
		}
	}
	c.Lang = "zh-CN"

	// The tree grows: the checkpoint follows only once signed again.
	ts.DB.ChangeCase(context.Background(), 1, storage.Change{From: court.CaseSubmitted, To: court.CaseSubmitted,
		Entries: []storage.Entry{{ActorRole: "system", Kind: "note", Public: true}}})
	if n, _ := ts.DB.LedgerSize(context.Background()); n != 6 {
		t.Fatalf("ledger size after one more entry = %d, want 6", n)
	}
	if res := c.get("/api/v1/ledger/proof/inclusion?index=5&size=6"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("inclusion beyond the signed size = %d, want 400", res.StatusCode)
	}
	if _, signed, err := l.SignIfGrown(context.Background()); !signed || err != nil {
		t.Fatalf("SignIfGrown = %v, %v; want signed", signed, err)
	}
	if res := c.get("/api/v1/ledger/proof/inclusion?index=5&size=6"); res.StatusCode != http.StatusOK {
		t.Errorf("inclusion within the new signed size = %d %s, want 200", res.StatusCode, res.Body)
	}
}

// Without a ledger configured the routes do not exist.
func TestAPILedgerOff(t *testing.T) {
	ts := mustServer(t, nil)
	if res := ts.client(t).get("/api/v1/ledger/key"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /api/v1/ledger/key without a ledger = %d, want 404", res.StatusCode)
	}
}

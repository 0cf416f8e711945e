package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

// runCmd runs courtd with args and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &out)
	return code, out.String()
}

// rawDB opens the database file directly, as someone tampering with it
// would.
func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// addExhibit stores an exhibit as the evidence part does: its blob at
// blobs/<2 hex>/<64 hex>, a row in an exhibits table (created here with the
// columns audit reads) and its leaf, appended the way appendLeaf does.
func addExhibit(t *testing.T, dir string, caseID int64, content []byte) (int64, int64) {
	t.Helper()
	db := rawDB(t, dir)
	sum := sha256.Sum256(content)
	hx := hex.EncodeToString(sum[:])
	os.MkdirAll(filepath.Join(dir, "blobs", hx[:2]), 0o700)
	if err := os.WriteFile(filepath.Join(dir, "blobs", hx[:2], hx), content, 0o600); err != nil {
		t.Fatal(err)
	}
	var n, id int64
	if err := db.QueryRow(`SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_leaves`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(MAX(id) + 1, 1) FROM exhibits`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	data := ledger.ExhibitLeaf(caseID, id, sum, int64(len(content)))
	hs, err := tlog.StoredHashes(n, data, tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, x := range ix {
			var b []byte
			if err := db.QueryRow(`SELECT hash FROM ledger_hashes WHERE id = ?`, x).Scan(&b); err != nil {
				return nil, err
			}
			copy(out[i][:], b)
		}
		return out, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO ledger_leaves (idx, data) VALUES (?, ?)`, n, data)
	for i, h := range hs {
		mustExec(t, db, `INSERT INTO ledger_hashes (id, hash) VALUES (?, ?)`, tlog.StoredHashIndex(0, n)+int64(i), h[:])
	}
	// The exhibits table of migration 7, filled in as the evidence part
	// would (the uploader: the case's claimant).
	mustExec(t, db, `INSERT INTO exhibits (id, case_id, side, number, label, title, mime, size, sha256, leaf_index, uploaded_by, created_at)
		SELECT ?, ?, 'C', ?, 'C-' || ?, 'photo', 'image/png', ?, ?, ?, claimant_id, CURRENT_TIMESTAMP FROM cases WHERE id = ?`,
		id, caseID, id, id, len(content), hx, n, caseID)
	return id, n
}

// copyDir copies a (closed) data dir, so each tamper test starts sound.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestLedgerEndToEnd serves a court, files a case, adds an exhibit, proves
// it in a receipt, verifies the receipt offline, audits the data dir, and
// then tampers with it in each way audit must catch.
func TestLedgerEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	url, _, stop := startRun(t, "-addr", "127.0.0.1:0", "-data", dir, "-demo")
	res, err := http.Get(url + "/api/v1/ledger/key")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET key: %v %v", res, err)
	}
	pub, _ := io.ReadAll(res.Body)
	res.Body.Close()
	pubFile := filepath.Join(t.TempDir(), "court.pub")
	os.WriteFile(pubFile, pub, 0o644)
	if res, err := http.Get(url + "/api/v1/ledger/checkpoint"); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET checkpoint: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if fi, err := os.Stat(filepath.Join(dir, ledger.KeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ledger.key: %v %v, want mode 0600", fi, err)
	}

	// A case with docket entries, through the real storage.
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(dir, DBFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, &storage.NewUser{User: court.User{Username: "e2e", Role: court.RoleClaimant, DisplayName: "E",
		Status: court.StatusActive}, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	code := "91330102MA2H3K7Q1" + string(court.CreditCodeCheck("91330102MA2H3K7Q1"))
	c, err := db.CreateCase(ctx, &storage.NewCase{Case: court.Case{Status: court.CaseSubmitted, ClaimantID: u.ID, FiledByID: u.ID,
		MerchantName: "m", CreditCode: code, Category: court.CatCounterfeit, Facts: "假茶", Refund: 100, Total: 100},
		Entries: []storage.Entry{{ActorID: &u.ID, ActorRole: "claimant", Kind: "filed", Public: true, Text: "立案"},
			{ActorRole: "system", Kind: "note", Text: "second"}}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	content := []byte("\x89PNG photo of the fake Longjing tea")
	exID, leaf := addExhibit(t, dir, c.ID, content)

	// The receipt, as the evidence part will hand it out.
	db, err = storage.Open(ctx, filepath.Join(dir, DBFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ledger.LoadOrCreateKey(dir, "unused: the key exists")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	r := ledger.Receipt{CaseID: c.ID, ExhibitID: exID, ExhibitLabel: "C-1", ExhibitSHA256: hex.EncodeToString(sum[:]), ExhibitSize: int64(len(content))}
	if err := ledger.New(db, key).Prove(ctx, leaf, &r); err != nil {
		t.Fatal(err)
	}
	db.Close()
	b, _ := json.MarshalIndent(r, "", "  ")
	tmp := t.TempDir()
	receipt, file := filepath.Join(tmp, "receipt.json"), filepath.Join(tmp, "photo.png")
	os.WriteFile(receipt, b, 0o644)
	os.WriteFile(file, content, 0o644)

	if code, out := runCmd(t, "verify", "-key", pubFile, receipt, file); code != 0 || !strings.HasPrefix(out, "verified") {
		t.Errorf("verify = %d %q, want 0 verified", code, out)
	}
	if code, out := runCmd(t, "verify", "-key", pubFile, receipt); code != 0 || !strings.HasPrefix(out, "verified") {
		t.Errorf("verify without file = %d %q, want 0 verified", code, out)
	}
	os.WriteFile(filepath.Join(tmp, "changed.png"), append(bytes.Clone(content), 0), 0o644)
	if code, out := runCmd(t, "verify", "-key", pubFile, receipt, filepath.Join(tmp, "changed.png")); code != 1 || !strings.Contains(out, "not the exhibit filed") {
		t.Errorf("verify of a changed file = %d %q, want 1 naming the file", code, out)
	}
	other, err := ledger.LoadOrCreateKey(tmp, "courtd/other")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tmp, "other.pub"), []byte(other.VerifierKey()), 0o644)
	if code, out := runCmd(t, "verify", "-key", filepath.Join(tmp, "other.pub"), receipt, file); code != 1 || !strings.Contains(out, "signature") {
		t.Errorf("verify with another court's key = %d %q, want 1 (signature)", code, out)
	}
	bad := r
	bad.Proof = append([]string{}, r.Proof...)
	h, _ := base64.StdEncoding.DecodeString(bad.Proof[0])
	h[31] ^= 0x80
	bad.Proof[0] = base64.StdEncoding.EncodeToString(h)
	bb, _ := json.Marshal(bad)
	os.WriteFile(filepath.Join(tmp, "bad.json"), bb, 0o644)
	if code, out := runCmd(t, "verify", "-key", pubFile, filepath.Join(tmp, "bad.json"), file); code != 1 || !strings.Contains(out, "inclusion proof") {
		t.Errorf("verify of a bad proof = %d %q, want 1 (inclusion proof)", code, out)
	}
	if code, _ := runCmd(t, "verify", receipt); code != 1 {
		t.Errorf("verify without -key = %d, want 1", code)
	}

	// The sound data dir audits clean.
	if code, out := runCmd(t, "audit", "-data", dir); code != 0 || !strings.Contains(out, "ledger sound") {
		t.Fatalf("audit = %d %q, want 0, sound", code, out)
	}
	if code, out := runCmd(t, "audit", "-data", dir, "-key", pubFile); code != 0 {
		t.Fatalf("audit -key = %d %q, want 0", code, out)
	}

	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string
	}{
		{"docket text changed", func(t *testing.T, d string) {
			db := rawDB(t, d)
			mustExec(t, db, `DROP TRIGGER docket_entries_no_update`)
			mustExec(t, db, `UPDATE docket_entries SET text = '撤案' WHERE seq = 1`)
		}, "docket entry 1 of case 1 (leaf 0) does not match its leaf"},
		{"docket entry deleted", func(t *testing.T, d string) {
			db := rawDB(t, d)
			mustExec(t, db, `DROP TRIGGER docket_entries_no_delete`)
			mustExec(t, db, `DELETE FROM docket_entries WHERE seq = 2`)
		}, "docket entry 2 of case 1 (leaf 1) is missing"},
		{"leaf deleted", func(t *testing.T, d string) {
			db := rawDB(t, d)
			mustExec(t, db, `DROP TRIGGER ledger_leaves_no_delete`)
			mustExec(t, db, `DELETE FROM ledger_leaves WHERE idx = 1`)
		}, "leaf 1 is missing"},
		{"last leaf deleted", func(t *testing.T, d string) {
			db := rawDB(t, d)
			mustExec(t, db, `DROP TRIGGER ledger_leaves_no_delete`)
			mustExec(t, db, `DELETE FROM ledger_leaves WHERE idx = 2`)
		}, "exhibit 1 of case 1 (leaf 2): the leaf is not in the tree"},
		{"stored hash changed", func(t *testing.T, d string) {
			db := rawDB(t, d)
			mustExec(t, db, `DROP TRIGGER ledger_hashes_no_update`)
			mustExec(t, db, `UPDATE ledger_hashes SET hash = zeroblob(32) WHERE id = 1`)
		}, "stored hash 1 (leaf 1) differs"},
		{"blob byte changed", func(t *testing.T, d string) {
			p := filepath.Join(d, "blobs", r.ExhibitSHA256[:2], r.ExhibitSHA256)
			b, _ := os.ReadFile(p)
			b[3] ^= 1
			os.WriteFile(p, b, 0o600)
		}, "exhibit 1 of case 1: its file's content has changed"},
		{"exhibit row changed", func(t *testing.T, d string) {
			db := rawDB(t, d)
			mustExec(t, db, `DROP TRIGGER exhibits_no_update`)
			mustExec(t, db, `UPDATE exhibits SET size = size + 1`)
		}, "exhibit 1 of case 1 (leaf 2) does not match its leaf"},
		{"checkpoint forged", func(t *testing.T, d string) {
			db := rawDB(t, d)
			mustExec(t, db, `DROP TRIGGER ledger_checkpoints_no_update`)
			mustExec(t, db, `UPDATE ledger_checkpoints SET note = replace(note, char(10) || '3' || char(10), char(10) || '2' || char(10))`)
		}, "a stored checkpoint does not verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := copyDir(t, dir)
			tc.tamper(t, d)
			code, out := runCmd(t, "audit", "-data", d)
			if code != 1 || !strings.Contains(out, tc.want) {
				t.Errorf("audit after %s = %d\n%s\nwant exit 1 naming %q", tc.name, code, out, tc.want)
			}
		})
	}

	// With signed checkpoints, a lost ledger key stops the court.
	os.Remove(filepath.Join(dir, ledger.KeyFile))
	var errb bytes.Buffer
	if code := run(ctx, []string{"-addr", "127.0.0.1:0", "-data", dir}, strings.NewReader(""), io.Discard, &errb); code != 1 ||
		!strings.Contains(errb.String(), "restore the key file") {
		t.Errorf("start without ledger.key = %d %q, want 1 and advice to restore it", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, ledger.KeyFile)); !os.IsNotExist(err) {
		t.Errorf("a new ledger.key was created: %v", err)
	}
}

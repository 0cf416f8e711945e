package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

// The RFC 6962 reference leaves and tree heads (Certificate Transparency's
// merkle tree tests): the root of the first n leaves is rfcRoots[n].
var (
	rfcLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	rfcRoots  = []string{
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
)

func treeRoot(tb testing.TB, db *storage.DB, size int64) tlog.Hash {
	tb.Helper()
	ctx := context.Background()
	h, err := tlog.TreeHash(size, tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) { return db.LedgerHashes(ctx, ix) }))
	if err != nil {
		tb.Fatalf("TreeHash(%d): %v", size, err)
	}
	return h
}

func TestLedgerRootsMatchRFC6962(t *testing.T) {
	db, _ := MustDB(t)
	ctx := context.Background()
	if got := treeRoot(t, db, 0); hex.EncodeToString(got[:]) != rfcRoots[0] {
		t.Errorf("empty tree root = %x, want %s", got, rfcRoots[0])
	}
	for i, l := range rfcLeaves {
		data, _ := hex.DecodeString(l)
		// One leaf per transaction, as rows come; the last four in one.
		if i >= 4 {
			break
		}
		ids, err := db.AppendLeaves(ctx, data)
		if err != nil || ids[0] != int64(i) {
			t.Fatalf("AppendLeaves(leaf %d) = %v, %v; want index %d", i, ids, err, i)
		}
		if got := treeRoot(t, db, int64(i+1)); hex.EncodeToString(got[:]) != rfcRoots[i+1] {
			t.Errorf("root of %d leaves = %x, want %s", i+1, got, rfcRoots[i+1])
		}
	}
	var rest [][]byte
	for _, l := range rfcLeaves[4:] {
		data, _ := hex.DecodeString(l)
		rest = append(rest, data)
	}
	if ids, err := db.AppendLeaves(ctx, rest...); err != nil || ids[3] != 7 {
		t.Fatalf("AppendLeaves(4 leaves) = %v, %v; want indexes 4..7", ids, err)
	}
	for n := 0; n <= 8; n++ {
		if got := treeRoot(t, db, int64(n)); hex.EncodeToString(got[:]) != rfcRoots[n] {
			t.Errorf("root of %d leaves = %x, want %s", n, got, rfcRoots[n])
		}
	}
	if n, err := db.LedgerSize(ctx); err != nil || n != 8 {
		t.Errorf("LedgerSize = %d, %v; want 8", n, err)
	}
}

// xleaf is the leaf of an exhibit with the given content (case 1, id the
// first byte), for tests that need leaves but no rows.
func xleaf(content string) []byte {
	return ledger.ExhibitLeaf(1, int64(content[0]), sha256.Sum256([]byte(content)), int64(len(content)))
}

// MustLedger returns a ledger over db with a fresh key.
func MustLedger(tb testing.TB, db *storage.DB) *ledger.Ledger {
	tb.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "courtd.test/ledger")
	if err != nil {
		tb.Fatal(err)
	}
	key, err := ledger.ParseKey(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return ledger.New(db, key)
}

// mustAudit audits db's ledger with l's key and returns the report.
func mustAudit(tb testing.TB, db *storage.DB, l *ledger.Ledger, blobDir string) *ledger.AuditReport {
	tb.Helper()
	var rep *ledger.AuditReport
	err := db.AuditLedger(context.Background(), func(src ledger.AuditSource) error {
		var err error
		rep, err = ledger.Audit(context.Background(), src, l.Key().Verifier(), blobDir)
		return err
	})
	if err != nil {
		tb.Fatalf("Audit: %v", err)
	}
	return rep
}

// Every docket entry is a leaf whose data the audit recomputes from the row
// as read back (so the canonical encoding survives the round trip through
// the database, times included), and a change that rolls back takes its
// leaves with it.
func TestLedgerDocketEntries(t *testing.T) {
	db, _ := MustDB(t)
	ctx := context.Background()
	l := MustLedger(t, db)
	u := MustCreateUser(t, db, "c1", court.RoleClaimant, court.StatusActive)
	nc := newCase(u, codeA, "L1", court.CaseSubmitted)
	nc.Entries = []storage.Entry{
		{ActorID: &u.ID, ActorRole: "claimant", Kind: "filed", Public: true, Data: map[string]any{"total": 180000}},
		{ActorRole: "system", Kind: "note", Public: false, Text: "内部备注 a,b:c"},
	}
	c := MustCreateCase(t, db, nc)
	// A change that fails after its entry is appended (its notice names no
	// user): the transaction rolls back, leaves and all.
	_, err := db.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseServed,
		Entries: []storage.Entry{{ActorRole: "clerk", Kind: "served", Public: true}},
		Notify:  []storage.Notice{{UserID: 999999, Kind: "served"}}})
	if err == nil {
		t.Fatal("ChangeCase with a notice to no user succeeded; the test needs it to fail")
	}
	MustChange(t, db, c.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseServed,
		Entries: []storage.Entry{{ActorRole: "clerk", Kind: "served", Public: true, Text: "送达"}}})
	if n, err := db.LedgerSize(ctx); err != nil || n != 3 {
		t.Fatalf("LedgerSize = %d, %v; want 3 (one leaf per entry, none from the rolled back change)", n, err)
	}
	if _, _, err := l.SignIfGrown(ctx); err != nil {
		t.Fatal(err)
	}
	rep := mustAudit(t, db, l, "")
	if len(rep.Problems) != 0 || rep.Entries != 3 || rep.Leaves != 3 || rep.LatestSigned != 3 {
		t.Errorf("audit = %+v, want 3 entries, 3 leaves, signed at 3, no problems", rep)
	}
}

// Concurrent filings of one batch each get their own leaves, numbered
// without gaps, also when one of them is refused in its savepoint.
func TestLedgerFilingBatch(t *testing.T) {
	db, _ := MustDB(t)
	ctx := context.Background()
	l := MustLedger(t, db)
	u := MustCreateUser(t, db, "c1", court.RoleClaimant, court.StatusActive)
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			nc := newCase(u, codeA, "B"+string(rune('a'+i%10)), court.CaseSubmitted) // half of them conflict
			nc.Entries = []storage.Entry{{ActorID: &u.ID, ActorRole: "claimant", Kind: "filed", Public: true}}
			_, err := db.CreateCase(ctx, nc)
			errs <- err
		}()
	}
	var ok int
	for range 20 {
		if err := <-errs; err == nil {
			ok++
		} else if court.ErrorCode(err) != court.ECONFLICT {
			t.Fatalf("CreateCase: %v", err)
		}
	}
	if n, err := db.LedgerSize(ctx); err != nil || n != int64(ok) {
		t.Fatalf("LedgerSize = %d, %v; want %d (one per stored filing)", n, err, ok)
	}
	l.SignIfGrown(ctx)
	if rep := mustAudit(t, db, l, ""); len(rep.Problems) != 0 || rep.Entries != int64(ok) {
		t.Errorf("audit = %+v, want %d entries and no problems", rep, ok)
	}
}

// A checkpoint is signed exactly when the tree has grown, and stored.
func TestLedgerCheckpointWhenGrown(t *testing.T) {
	db, _ := MustDB(t)
	ctx := context.Background()
	l := MustLedger(t, db)
	c, signed, err := l.SignIfGrown(ctx)
	if err != nil || !signed || c.Size != 0 {
		t.Fatalf("first SignIfGrown = %d, %v, %v; want a checkpoint of size 0 signed", c.Size, signed, err)
	}
	if _, signed, _ := l.SignIfGrown(ctx); signed {
		t.Error("SignIfGrown signed again without growth")
	}
	db.AppendLeaves(ctx, xleaf("a"), xleaf("b"))
	c, signed, err = l.SignIfGrown(ctx)
	if err != nil || !signed || c.Size != 2 || c.Root != treeRoot(t, db, 2) {
		t.Fatalf("SignIfGrown after 2 leaves = %d, %v, %v; want size 2 signed with the tree's root", c.Size, signed, err)
	}
	if _, signed, _ := l.SignIfGrown(ctx); signed {
		t.Error("SignIfGrown signed again without growth")
	}
	// A fresh Ledger (a restart) finds the stored checkpoint.
	l2 := ledger.New(db, l.Key())
	if c2, err := l2.Latest(ctx); err != nil || c2.Note != c.Note {
		t.Errorf("Latest after restart = %q, %v; want the stored note %q", c2.Note, err, c.Note)
	}
	if _, signed, _ := l2.SignIfGrown(ctx); signed {
		t.Error("SignIfGrown after restart signed again without growth")
	}
	if rep := mustAudit(t, db, l, ""); rep.Checkpoints != 2 || len(withoutBareExhibits(rep.Problems)) != 0 {
		t.Errorf("audit = %+v, want 2 checkpoints stored, no problems", rep)
	}
}

// exhibitReceipt appends an exhibit leaf for content and returns the
// receipt Prove gives for it.
func exhibitReceipt(tb testing.TB, db *storage.DB, l *ledger.Ledger, caseID, exhibitID int64, content []byte) *ledger.Receipt {
	tb.Helper()
	ctx := context.Background()
	sum := sha256.Sum256(content)
	ids, err := db.AppendLeaves(ctx, ledger.ExhibitLeaf(caseID, exhibitID, sum, int64(len(content))))
	if err != nil {
		tb.Fatal(err)
	}
	r := &ledger.Receipt{CaseID: caseID, ExhibitID: exhibitID, ExhibitLabel: "C-1", ExhibitSHA256: hex.EncodeToString(sum[:]),
		ExhibitSize: int64(len(content))}
	if err := l.Prove(ctx, ids[0], r); err != nil {
		tb.Fatalf("Prove(%d): %v", ids[0], err)
	}
	return r
}

func TestLedgerReceiptVerifies(t *testing.T) {
	db, _ := MustDB(t)
	ctx := context.Background()
	l := MustLedger(t, db)
	db.AppendLeaves(ctx, []byte("x"), []byte("y"), []byte("z"))
	l.SignIfGrown(ctx) // the exhibit comes after this checkpoint: Prove must sign a new one
	content := []byte("%PDF-1.7 receipt of 2 jin of Longjing tea")
	r := exhibitReceipt(t, db, l, 7, 3, content)
	if r.Format != ledger.ReceiptFormat || r.LeafIndex != 3 {
		t.Fatalf("receipt = %+v, want format %s, leaf 3", r, ledger.ReceiptFormat)
	}
	vkey := l.Key().VerifierKey()
	c, err := ledger.VerifyReceipt(r, vkey, bytes.NewReader(content))
	if err != nil || c.Size != 4 {
		t.Fatalf("VerifyReceipt = size %d, %v; want verified against a checkpoint of 4 leaves", c.Size, err)
	}
	// More leaves later: the old receipt still verifies, and a new proof
	// of the same leaf against the larger tree too.
	db.AppendLeaves(ctx, []byte("later"))
	if _, err := ledger.VerifyReceipt(r, vkey, nil); err != nil {
		t.Errorf("old receipt after growth: %v", err)
	}

	other := MustLedger(t, db)
	bad := func(name string, mutate func(r *ledger.Receipt) (string, []byte), want string) {
		t.Helper()
		r2 := *r
		r2.Proof = append([]string(nil), r.Proof...)
		key, file := mutate(&r2)
		var f *bytes.Reader
		if file != nil {
			f = bytes.NewReader(file)
		}
		var err error
		if f != nil {
			_, err = ledger.VerifyReceipt(&r2, key, f)
		} else {
			_, err = ledger.VerifyReceipt(&r2, key, nil)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: VerifyReceipt = %v, want an error containing %q", name, err, want)
		}
	}
	bad("changed file", func(*ledger.Receipt) (string, []byte) {
		return vkey, append(bytes.Clone(content), ' ')
	}, "not the exhibit filed")
	bad("wrong key", func(*ledger.Receipt) (string, []byte) { return other.Key().VerifierKey(), nil }, "signature")
	bad("bad proof", func(r *ledger.Receipt) (string, []byte) {
		h, _ := base64.StdEncoding.DecodeString(r.Proof[0])
		h[0] ^= 1
		r.Proof[0] = base64.StdEncoding.EncodeToString(h)
		return vkey, nil
	}, "inclusion proof")
	bad("short proof", func(r *ledger.Receipt) (string, []byte) { r.Proof = r.Proof[1:]; return vkey, nil }, "inclusion proof")
	bad("other exhibit id", func(r *ledger.Receipt) (string, []byte) { r.ExhibitID = 4; return vkey, nil }, "leaf_hash")
	bad("other size", func(r *ledger.Receipt) (string, []byte) { r.ExhibitSize++; return vkey, nil }, "leaf_hash")
	bad("forged checkpoint", func(r *ledger.Receipt) (string, []byte) {
		r.Checkpoint = strings.Replace(r.Checkpoint, "\n4\n", "\n5\n", 1)
		return vkey, nil
	}, "signature")
	bad("unknown format", func(r *ledger.Receipt) (string, []byte) { r.Format = "x"; return vkey, nil }, "format")
}

// A consistency proof ties two checkpoints together, and fails when the
// history between them was rewritten.
func TestLedgerConsistency(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	l := MustLedger(t, db)
	db.AppendLeaves(ctx, []byte("a"), []byte("b"), []byte("c"))
	old, _, _ := l.SignIfGrown(ctx)
	db.AppendLeaves(ctx, []byte("d"), []byte("e"))
	cur, _, _ := l.SignIfGrown(ctx)
	p, err := l.ConsistencyProof(ctx, old.Size, cur.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p, cur.Size, cur.Root, old.Size, old.Root); err != nil {
		t.Errorf("consistency 3 -> 5: %v", err)
	}
	// The same court with its history rewritten: leaf 1 differs.
	db2, _ := MustDB(t)
	l2 := ledger.New(db2, l.Key())
	db2.AppendLeaves(ctx, []byte("a"), []byte("B"), []byte("c"), []byte("d"), []byte("e"))
	cur2, _, _ := l2.SignIfGrown(ctx)
	p2, err := l2.ConsistencyProof(ctx, old.Size, cur2.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(p2, cur2.Size, cur2.Root, old.Size, old.Root); err == nil {
		t.Error("consistency proof of a rewritten history checked out")
	}
	// Bounds: beyond the signed size, zero, old > new.
	for _, b := range [][2]int64{{0, 5}, {4, 3}, {3, 6}, {-1, 5}} {
		if _, err := l.ConsistencyProof(ctx, b[0], b[1]); court.ErrorCode(err) != court.EINVALID {
			t.Errorf("ConsistencyProof(%d, %d) = %v, want EINVALID", b[0], b[1], err)
		}
	}
	for _, b := range [][2]int64{{0, 0}, {5, 5}, {-1, 5}, {0, 6}} {
		if _, err := l.InclusionProof(ctx, b[0], b[1]); court.ErrorCode(err) != court.EINVALID {
			t.Errorf("InclusionProof(%d, %d) = %v, want EINVALID", b[0], b[1], err)
		}
	}
}

// FillLedger (the benchmarks' fast builder) makes the tree appendLeaf makes.
func TestLedgerFillMatchesAppend(t *testing.T) {
	ctx := context.Background()
	a, _ := MustDB(t)
	f, _ := MustDB(t)
	leaf := func(i int64) []byte { return xleaf(string(rune('A' + i))) }
	for i := range int64(37) {
		if _, err := a.AppendLeaves(ctx, leaf(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.FillLedger(ctx, 37, leaf); err != nil {
		t.Fatal(err)
	}
	for n := int64(1); n <= 37; n++ {
		if ra, rf := treeRoot(t, a, n), treeRoot(t, f, n); ra != rf {
			t.Fatalf("root of %d leaves: appended %x, filled %x", n, ra, rf)
		}
	}
}

// Run signs at start, stops when its context ends, and signs what grew
// since its last tick on the way out.
func TestLedgerRunStops(t *testing.T) {
	db, _ := MustDB(t)
	l := MustLedger(t, db)
	db.AppendLeaves(context.Background(), xleaf("a"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.Run(ctx, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		note, ok, err := db.LatestCheckpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ok && strings.Contains(note, "\n1\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of 1 leaf signed by Run at start within 5 s (latest %q)", note)
		}
		time.Sleep(5 * time.Millisecond)
	}
	db.AppendLeaves(context.Background(), xleaf("b"))
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop within 5 s of its context ending")
	}
	if note, _, _ := db.LatestCheckpoint(context.Background()); !strings.Contains(note, "\n2\n") {
		t.Errorf("latest checkpoint after Run stopped = %q, want the 2 leaves signed", note)
	}
}

// Receipts proven at once share the checkpoint that covers them all.
func TestLedgerProveBurstSharesCheckpoint(t *testing.T) {
	db, _ := MustDB(t)
	ctx := context.Background()
	l := MustLedger(t, db)
	l.SignIfGrown(ctx)
	var leaves [][]byte
	for i := range 20 {
		leaves = append(leaves, xleaf(string(rune('a'+i))))
	}
	ids, err := db.AppendLeaves(ctx, leaves...)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, len(ids))
	for _, id := range ids {
		go func() {
			var r ledger.Receipt
			errs <- l.Prove(ctx, id, &r)
		}()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if rep := mustAudit(t, db, l, ""); rep.Checkpoints != 2 || len(withoutBareExhibits(rep.Problems)) != 0 {
		t.Errorf("audit = %+v; want 2 checkpoints (the empty one and one for the burst), no problems", rep)
	}
}

// withoutBareExhibits drops from audit problems the exhibit leaves that
// xleaf appended with no exhibit row: since migration 7 the exhibits table
// exists, and audit rightly names each of them as missing.
func withoutBareExhibits(problems []string) []string {
	var out []string
	for _, p := range problems {
		if !(strings.HasPrefix(p, "exhibit ") && strings.Contains(p, "is missing, or no longer points at its leaf")) {
			out = append(out, p)
		}
	}
	return out
}

// A row that records its leaf index before appending gets exactly that
// leaf; a mismatch is refused and nothing is stored.
func TestLedgerAppendAt(t *testing.T) {
	db, _ := MustDB(t)
	ctx := context.Background()
	db.AppendLeaves(ctx, xleaf("a"))
	if got, err := db.AppendLeafAt(ctx, -1, xleaf("b")); err != nil || got != 1 {
		t.Fatalf("AppendLeafAt(next) = %d, %v; want 1", got, err)
	}
	if _, err := db.AppendLeafAt(ctx, 5, xleaf("c")); err == nil {
		t.Error("AppendLeafAt(5) with 2 leaves succeeded")
	}
	if n, _ := db.LedgerSize(ctx); n != 2 {
		t.Errorf("LedgerSize after a refused append = %d, want 2", n)
	}
}

package ledger_test

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court/ledger"
)

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	k, err := ledger.LoadOrCreateKey(dir, "courtd/浙0102")
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, ledger.KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ledger.key: %v %v, want mode 0600", fi, err)
	}
	// Loaded again: the same key, and its first origin.
	k2, err := ledger.LoadOrCreateKey(dir, "courtd/other")
	if err != nil || k2.VerifierKey() != k.VerifierKey() || k2.Origin() != "courtd/浙0102" {
		t.Fatalf("reloaded key = %v, %v; want the same key and origin", k2, err)
	}
	if _, err := note.NewVerifier(k.VerifierKey()); err != nil {
		t.Errorf("verifier key %q does not parse: %v", k.VerifierKey(), err)
	}
	// A checkpoint signed by it opens with its verifier, not another's.
	c, err := k.Sign(3, tlog.Hash{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ledger.OpenCheckpoint(c.Note, k.Verifier())
	if err != nil || got.Size != 3 || got.Root != (tlog.Hash{1, 2, 3}) || got.Origin != "courtd/浙0102" {
		t.Errorf("OpenCheckpoint = %+v, %v", got, err)
	}
	if !strings.HasPrefix(c.Note, "courtd/浙0102\n3\n") {
		t.Errorf("checkpoint note = %q, want origin, size, root lines", c.Note)
	}
	other, _ := ledger.LoadOrCreateKey(t.TempDir(), "courtd/浙0102")
	if _, err := ledger.OpenCheckpoint(c.Note, other.Verifier()); err == nil {
		t.Error("a checkpoint opened with another key of the same name")
	}
	// A damaged key file is an error, not a new key.
	os.WriteFile(filepath.Join(dir, ledger.KeyFile), []byte("PRIVATE+KEY+x+y+z\n"), 0o600)
	if _, err := ledger.LoadOrCreateKey(dir, "courtd/x"); err == nil {
		t.Error("a damaged key file loaded")
	}
}

func TestLeaves(t *testing.T) {
	sum := sha256.Sum256([]byte("tea"))
	x := ledger.ExhibitLeaf(12, 5, sum, 3)
	li, err := ledger.ParseLeaf(x)
	if err != nil || li.Kind != ledger.KindExhibit || li.CaseID != 12 || li.Ref != 5 || li.SHA256 != sum || li.Size != 3 {
		t.Errorf("ParseLeaf(%q) = %+v, %v", x, li, err)
	}
	actor := int64(9)
	at := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	e := ledger.Entry{CaseID: 12, Seq: 3, ActorID: &actor, ActorRole: "judge", Kind: "ruled", Public: true, Text: "判决", Data: `{"a":1}`, At: at}
	d := ledger.EntryLeaf(e)
	li, err = ledger.ParseLeaf(d)
	if err != nil || li.Kind != ledger.KindDocketEntry || li.CaseID != 12 || li.Ref != 3 || li.SHA256 != ledger.EntryDigest(e) {
		t.Errorf("ParseLeaf(%q) = %+v, %v", d, li, err)
	}
	if strings.Contains(string(d), "判决") || strings.Contains(string(d), "judge") {
		t.Errorf("entry leaf %q holds the entry's content; it must hold only ids and hashes", d)
	}
	// The same instant in another zone is the same entry; any field
	// changed, or text moved between fields, is another.
	same := e
	same.At = at.UTC()
	if ledger.EntryDigest(same) != ledger.EntryDigest(e) {
		t.Error("the digest depends on the time zone of the time")
	}
	for name, change := range map[string]func(*ledger.Entry){
		"actor":      func(e *ledger.Entry) { e.ActorID = nil },
		"role":       func(e *ledger.Entry) { e.ActorRole = "clerk" },
		"kind":       func(e *ledger.Entry) { e.Kind = "note" },
		"public":     func(e *ledger.Entry) { e.Public = false },
		"text":       func(e *ledger.Entry) { e.Text = "判决 " },
		"data":       func(e *ledger.Entry) { e.Data = `{"a":2}` },
		"time":       func(e *ledger.Entry) { e.At = e.At.Add(time.Nanosecond) },
		"text->data": func(e *ledger.Entry) { e.Text, e.Data = "", `判决{"a":1}` },
	} {
		c := e
		change(&c)
		if ledger.EntryDigest(c) == ledger.EntryDigest(e) {
			t.Errorf("changing %s leaves the digest unchanged", name)
		}
	}
	for _, bad := range []string{"", "courtd-leaf/1 ruling\ncase 1\n", "courtd-leaf/1 exhibit\ncase 1\nexhibit 2\nsha256 zz\nsize 1\n",
		"courtd-leaf/1 exhibit\ncase 01\nexhibit 5\nsha256 " + strings.Repeat("ab", 32) + "\nsize 3\n"} {
		if _, err := ledger.ParseLeaf([]byte(bad)); err == nil {
			t.Errorf("ParseLeaf(%q) accepted", bad)
		}
	}
}

package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Leaf data is a few lines of canonical text: a kind line, then "name value"
// lines in a fixed order. Text so that anyone can read a leaf; fixed so that
// the same thing always gives the same bytes. Only ids and hashes: leaves are
// public (GET /api/v1/ledger/...) and must hold no personal data.
const (
	KindExhibit     = "exhibit"
	KindDocketEntry = "docket-entry"
	leafPrefix      = "courtd-leaf/1 "
)

// ExhibitLeaf is the leaf data recorded for an exhibit: ids and its content
// hash, no personal data.
func ExhibitLeaf(caseID, exhibitID int64, sha256 [32]byte, size int64) []byte {
	return fmt.Appendf(nil, "%s%s\ncase %d\nexhibit %d\nsha256 %x\nsize %d\n",
		leafPrefix, KindExhibit, caseID, exhibitID, sha256[:], size)
}

// Entry is what a docket entry's leaf covers: every field of the row but
// its database id. Data is the JSON text exactly as stored.
type Entry struct {
	CaseID    int64
	Seq       int64
	ActorID   *int64
	ActorRole string
	Kind      string
	Public    bool
	Text      string
	Data      string
	At        time.Time
}

// EntryDigest is the SHA-256 of the canonical encoding of e's fields:
// actor, role, kind, public, text, data and time (UTC, RFC 3339 with
// nanoseconds), each as a netstring ("len:bytes,"), so that no choice of
// text can make two different entries encode alike. The one place this
// encoding is written: storage and audit both call it.
func EntryDigest(e Entry) [32]byte {
	actor := ""
	if e.ActorID != nil {
		actor = strconv.FormatInt(*e.ActorID, 10)
	}
	public := "0"
	if e.Public {
		public = "1"
	}
	var b strings.Builder
	for _, f := range []string{actor, e.ActorRole, e.Kind, public, e.Text, e.Data, e.At.UTC().Format(time.RFC3339Nano)} {
		fmt.Fprintf(&b, "%d:%s,", len(f), f)
	}
	return sha256.Sum256([]byte(b.String()))
}

// EntryLeaf is the leaf data recorded for a docket entry: its case, its
// place in the docket and the digest of its fields.
func EntryLeaf(e Entry) []byte {
	d := EntryDigest(e)
	return fmt.Appendf(nil, "%s%s\ncase %d\nseq %d\nsha256 %x\n", leafPrefix, KindDocketEntry, e.CaseID, e.Seq, d[:])
}

// LeafInfo is what a leaf's data says, parsed (see ParseLeaf).
type LeafInfo struct {
	Kind   string
	CaseID int64
	Ref    int64    // exhibit id, or docket sequence number
	SHA256 [32]byte // the exhibit's content, or the entry's digest
	Size   int64    // exhibits only
}

// ParseLeaf reads leaf data written by ExhibitLeaf or EntryLeaf. It
// accepts exactly what they write: it parses and then compares with a fresh
// encoding.
func ParseLeaf(data []byte) (LeafInfo, error) {
	var li LeafInfo
	s, ok := strings.CutPrefix(string(data), leafPrefix)
	if !ok {
		return li, fmt.Errorf("leaf data does not start with %q", leafPrefix)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	field := func(i int, name string) (string, error) {
		if i >= len(lines) {
			return "", fmt.Errorf("leaf data lacks %q", name)
		}
		v, ok := strings.CutPrefix(lines[i], name+" ")
		if !ok {
			return "", fmt.Errorf("leaf line %d is not %q", i+1, name)
		}
		return v, nil
	}
	num := func(i int, name string) (int64, error) {
		v, err := field(i, name)
		if err != nil {
			return 0, err
		}
		return strconv.ParseInt(v, 10, 64)
	}
	li.Kind = lines[0]
	var err error
	if li.CaseID, err = num(1, "case"); err != nil {
		return li, err
	}
	switch li.Kind {
	case KindExhibit:
		li.Ref, err = num(2, "exhibit")
	case KindDocketEntry:
		li.Ref, err = num(2, "seq")
	default:
		return li, fmt.Errorf("unknown leaf kind %q", li.Kind)
	}
	if err != nil {
		return li, err
	}
	h, err := field(3, "sha256")
	if err != nil {
		return li, err
	}
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		return li, fmt.Errorf("leaf sha256 %q is not 64 hex digits", h)
	} else {
		copy(li.SHA256[:], b)
	}
	var again []byte
	if li.Kind == KindExhibit {
		if li.Size, err = num(4, "size"); err != nil {
			return li, err
		}
		again = ExhibitLeaf(li.CaseID, li.Ref, li.SHA256, li.Size)
	} else {
		again = fmt.Appendf(nil, "%s%s\ncase %d\nseq %d\nsha256 %x\n", leafPrefix, KindDocketEntry, li.CaseID, li.Ref, li.SHA256[:])
	}
	if string(again) != string(data) {
		return li, fmt.Errorf("leaf data is not in canonical form")
	}
	return li, nil
}

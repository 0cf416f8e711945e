package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// AuditSource is one consistent view of everything the ledger covers (the
// storage package gives one in a read transaction). Each walk goes in
// ascending order of its key.
type AuditSource interface {
	Leaves(ctx context.Context, fn func(idx int64, data []byte) error) error
	StoredHashes(ctx context.Context, fn func(id int64, hash []byte) error) error
	CheckpointNotes(ctx context.Context) ([]string, error)
	// Entries walks every docket entry with its leaf index (nil for
	// entries written before the ledger existed).
	Entries(ctx context.Context, fn func(e Entry, leaf *int64) error) error
	// Exhibits walks every exhibit; ok is false when there is no exhibits
	// table (a court without the evidence part).
	Exhibits(ctx context.Context, fn func(x AuditExhibit) error) (ok bool, err error)
}

// AuditExhibit is an exhibit row as audit checks it.
type AuditExhibit struct {
	ID, CaseID int64
	SHA256     string // hex
	Size       int64
	LeafIndex  *int64
}

// AuditReport is what an audit found: counts, and one line per thing that
// does not match (none: the ledger is sound).
type AuditReport struct {
	Leaves, Checkpoints, Entries, EntriesBefore, Exhibits int64
	LatestSigned                                          int64 // size of the latest valid checkpoint
	Problems                                              []string
}

func (r *AuditReport) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// leafClaim is what a leaf says it covers, kept compact for the walk over
// the rows (24 bytes a leaf: 24 MB at a million leaves).
type leafClaim struct {
	kind    byte // 'd' docket entry, 'x' exhibit, 0 unreadable or missing
	covered bool
	caseID  int64
	ref     int64
}

// Audit recomputes the whole tree from the stored leaves and checks, in
// turn: that leaves are numbered without gaps, every stored hash against
// the recomputed one, every checkpoint's signature (by v) and root, every
// docket entry's and exhibit's leaf against its row, that every leaf's row
// exists, and, when blobDir is not empty, every exhibit's blob
// (blobDir/<2 hex>/<64 hex>) against its SHA-256 and size.
func Audit(ctx context.Context, src AuditSource, v note.Verifier, blobDir string) (*AuditReport, error) {
	rep := &AuditReport{}
	var hs []tlog.Hash // recomputed stored hashes, by storage index
	var claims []leafClaim
	read := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ix))
		for i, id := range ix {
			if id < 0 || id >= int64(len(hs)) {
				return nil, fmt.Errorf("hash %d not computed", id)
			}
			out[i] = hs[id]
		}
		return out, nil
	})
	// 1. Leaves, in order. The tree can only be recomputed up to the first
	// gap: after it, everything is reported against that point.
	gap := false
	err := src.Leaves(ctx, func(idx int64, data []byte) error {
		if gap {
			return nil
		}
		n := int64(len(claims))
		if idx != n {
			rep.problem("leaf %d is missing (the next stored leaf is %d): leaves were deleted", n, idx)
			gap = true
			return nil
		}
		add, err := tlog.StoredHashes(n, data, read)
		if err != nil {
			return err
		}
		hs = append(hs, add...)
		c := leafClaim{}
		if li, err := ParseLeaf(data); err != nil {
			rep.problem("leaf %d: %v", n, err)
		} else {
			c = leafClaim{kind: li.Kind[0], caseID: li.CaseID, ref: li.Ref}
			if li.Kind == KindExhibit {
				c.kind = 'x'
			}
		}
		claims = append(claims, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("leaves: %w", err)
	}
	n := int64(len(claims))
	rep.Leaves = n

	// 2. Stored hashes against the recomputed ones.
	var next int64
	err = src.StoredHashes(ctx, func(id int64, h []byte) error {
		for ; next < id && next < int64(len(hs)); next++ {
			rep.problem("stored hash %s is missing", nodeName(next))
		}
		next = id + 1
		if id >= int64(len(hs)) {
			if !gap {
				rep.problem("stored hash %d is beyond the tree of %d leaves", id, n)
			}
			return nil
		}
		if len(h) != tlog.HashSize || tlog.Hash(h) != hs[id] {
			rep.problem("stored hash %s differs from the one recomputed from the leaves", nodeName(id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stored hashes: %w", err)
	}
	for ; next < int64(len(hs)); next++ {
		rep.problem("stored hash %s is missing", nodeName(next))
	}

	// 3. Checkpoints: signature and root.
	notes, err := src.CheckpointNotes(ctx)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	for _, msg := range notes {
		rep.Checkpoints++
		c, err := OpenCheckpoint(msg, v)
		if err != nil {
			rep.problem("a stored checkpoint does not verify: %v", err)
			continue
		}
		if c.Size > n {
			rep.problem("checkpoint of %d leaves is larger than the tree of %d leaves left: leaves were deleted", c.Size, n)
			continue
		}
		root, err := tlog.TreeHash(c.Size, read)
		if err != nil {
			return nil, err
		}
		if root != c.Root {
			rep.problem("checkpoint of %d leaves: its signed root differs from the root recomputed from the leaves: history was rewritten", c.Size)
			continue
		}
		rep.LatestSigned = max(rep.LatestSigned, c.Size)
	}
	if n > 0 && rep.LatestSigned == 0 {
		rep.problem("no valid signed checkpoint covers the tree")
	}

	leafHash := func(idx int64) (tlog.Hash, bool) {
		if idx < 0 || idx >= n {
			return tlog.Hash{}, false
		}
		return hs[tlog.StoredHashIndex(0, idx)], true
	}
	// 4. Docket entries against their leaves.
	err = src.Entries(ctx, func(e Entry, leaf *int64) error {
		rep.Entries++
		if leaf == nil {
			rep.EntriesBefore++
			return nil
		}
		name := fmt.Sprintf("docket entry %d of case %d (leaf %d)", e.Seq, e.CaseID, *leaf)
		h, ok := leafHash(*leaf)
		if !ok {
			rep.problem("%s: the leaf is not in the tree", name)
			return nil
		}
		claims[*leaf].covered = true
		if tlog.RecordHash(EntryLeaf(e)) != h {
			rep.problem("%s does not match its leaf: the entry was changed", name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("docket entries: %w", err)
	}

	// 5. Exhibits against their leaves, and their blobs.
	hasExhibits, err := src.Exhibits(ctx, func(x AuditExhibit) error {
		rep.Exhibits++
		name := fmt.Sprintf("exhibit %d of case %d", x.ID, x.CaseID)
		sum, err := hex.DecodeString(x.SHA256)
		if err != nil || len(sum) != sha256.Size {
			rep.problem("%s: sha256 %q is not 64 hex digits", name, x.SHA256)
			return nil
		}
		if x.LeafIndex == nil {
			rep.problem("%s has no leaf", name)
		} else if h, ok := leafHash(*x.LeafIndex); !ok {
			rep.problem("%s (leaf %d): the leaf is not in the tree", name, *x.LeafIndex)
		} else {
			claims[*x.LeafIndex].covered = true
			if tlog.RecordHash(ExhibitLeaf(x.CaseID, x.ID, [32]byte(sum), x.Size)) != h {
				rep.problem("%s (leaf %d) does not match its leaf: the row was changed", name, *x.LeafIndex)
			}
		}
		if blobDir != "" {
			if msg := checkBlob(blobDir, hex.EncodeToString(sum), x.Size); msg != "" {
				rep.problem("%s: %s", name, msg)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("exhibits: %w", err)
	}

	// 6. Every leaf's row must exist.
	for i, c := range claims {
		switch {
		case c.covered:
		case c.kind == 'd':
			rep.problem("docket entry %d of case %d (leaf %d) is missing, or no longer points at its leaf", c.ref, c.caseID, i)
		case c.kind == 'x' && hasExhibits:
			rep.problem("exhibit %d of case %d (leaf %d) is missing, or no longer points at its leaf", c.ref, c.caseID, i)
		}
	}
	return rep, nil
}

// nodeName names a stored hash for a person: its index and tree position.
func nodeName(id int64) string {
	level, k := tlog.SplitStoredHashIndex(id)
	if level == 0 {
		return fmt.Sprintf("%d (leaf %d)", id, k)
	}
	return fmt.Sprintf("%d (level %d, node %d)", id, level, k)
}

// checkBlob re-hashes one blob; it returns what is wrong, or "".
func checkBlob(dir, sum string, size int64) string {
	f, err := os.Open(filepath.Join(dir, sum[:2], sum))
	if errors.Is(err, os.ErrNotExist) {
		return "its file is missing"
	}
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	h := sha256.New()
	got, err := io.Copy(h, f)
	if err != nil {
		return err.Error()
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return "its file's content has changed (SHA-256 differs)"
	}
	if got != size {
		return fmt.Sprintf("its file has %d bytes, the row says %d", got, size)
	}
	return ""
}

package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// leafData recomputes, from the receipt's own fields, the leaf it claims:
// the one place that knows, per kind, what a receipt covers.
func (r *Receipt) leafData() ([]byte, error) {
	switch r.Kind {
	case "", KindExhibit:
		sum, err := hex.DecodeString(r.ExhibitSHA256)
		if err != nil || len(sum) != sha256.Size {
			return nil, fmt.Errorf("exhibit_sha256 %q is not 64 hex digits", r.ExhibitSHA256)
		}
		return ExhibitLeaf(r.CaseID, r.ExhibitID, [32]byte(sum), r.ExhibitSize), nil
	}
	return nil, fmt.Errorf("receipt kind %q is not known to this courtd", r.Kind)
}

// VerifyReceipt checks a receipt offline against the court's public key
// (note verifier key text, from outside the receipt: a receipt cannot vouch
// for itself): the checkpoint's signature, that the leaf hash is the hash of
// the leaf the receipt's fields describe, and the inclusion proof of that
// leaf against the checkpoint's root. When file is not nil, it must also
// hash to the exhibit's SHA-256. It returns the checkpoint the receipt is
// proven against, or an error saying what failed.
func VerifyReceipt(r *Receipt, verifierKey string, file io.Reader) (Checkpoint, error) {
	if r.Format != ReceiptFormat {
		return Checkpoint{}, fmt.Errorf("receipt format %q is not %q", r.Format, ReceiptFormat)
	}
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("public key: %w", err)
	}
	c, err := OpenCheckpoint(r.Checkpoint, v)
	if err != nil {
		return Checkpoint{}, err
	}
	data, err := r.leafData()
	if err != nil {
		return c, err
	}
	want := tlog.RecordHash(data)
	got, err := DecodeHashes([]string{r.LeafHash})
	if err != nil {
		return c, fmt.Errorf("leaf_hash is not a base64 hash")
	}
	if got[0] != want {
		return c, fmt.Errorf("leaf_hash %s is not the hash of the exhibit's leaf (%s)", r.LeafHash, base64.StdEncoding.EncodeToString(want[:]))
	}
	if r.LeafIndex < 0 || r.LeafIndex >= c.Size {
		return c, fmt.Errorf("leaf %d is outside the checkpoint's tree of %d leaves", r.LeafIndex, c.Size)
	}
	proof, err := DecodeHashes(r.Proof)
	if err != nil {
		return c, fmt.Errorf("inclusion_proof: %w", err)
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Root, r.LeafIndex, want); err != nil {
		return c, fmt.Errorf("inclusion proof of leaf %d in the tree of %d leaves does not match the signed root: %w", r.LeafIndex, c.Size, err)
	}
	if file != nil {
		h := sha256.New()
		if _, err := io.Copy(h, file); err != nil {
			return c, fmt.Errorf("read file: %w", err)
		}
		if sum := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(sum, r.ExhibitSHA256) {
			return c, fmt.Errorf("file SHA-256 is %s, the exhibit's is %s: it is not the exhibit filed", sum, r.ExhibitSHA256)
		}
	}
	return c, nil
}

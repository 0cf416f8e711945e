// Package ledger keeps the court's append-only Merkle tree (RFC 6962) over
// exhibits and docket entries, with Ed25519 signed checkpoints.
//
// This file is the contract the evidence and ledger work share; the ledger
// work fills it in (see issue 4).
package ledger

import (
	"context"

	_ "golang.org/x/mod/sumdb/note"
	_ "golang.org/x/mod/sumdb/tlog"
)

// ExhibitLeaf is the leaf data recorded for an exhibit: ids and its content
// hash, no personal data.
func ExhibitLeaf(caseID, exhibitID int64, sha256 [32]byte, size int64) []byte {
	panic("ledger: not yet implemented")
}

// Receipt proves, offline, that an exhibit is in the court's ledger.
type Receipt struct {
	Format        string   `json:"format"` // "courtd-receipt/1"
	CaseID        int64    `json:"case_id"`
	DocketNo      string   `json:"docket_no,omitempty"`
	ExhibitID     int64    `json:"exhibit_id"`
	ExhibitLabel  string   `json:"exhibit_label"`  // C-1, R-2...
	ExhibitSHA256 string   `json:"exhibit_sha256"` // hex
	ExhibitSize   int64    `json:"exhibit_size"`
	LeafIndex     int64    `json:"leaf_index"`
	LeafHash      string   `json:"leaf_hash"`       // base64 of the RFC 6962 leaf hash
	Proof         []string `json:"inclusion_proof"` // base64 hashes
	Checkpoint    string   `json:"checkpoint"`      // signed note text
}

// Prover fills in the ledger part of a receipt (LeafIndex, LeafHash, Proof,
// Checkpoint) for the leaf at index, signing a fresh checkpoint if the latest
// one does not cover it yet.
type Prover interface {
	Prove(ctx context.Context, index int64, r *Receipt) error
}

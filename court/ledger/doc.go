// Package ledger keeps the court's append-only Merkle tree (RFC 6962) over
// exhibits and docket entries, with Ed25519 signed checkpoints.
//
// The tree itself is stored by the storage package (appended in the
// transaction of the row each leaf covers); this package defines what a leaf
// holds, signs and checks checkpoints, answers proofs and verifies receipts.
// It knows no SQL: it reads the tree through the small Store interface.
package ledger

import "context"

// ReceiptFormat is the Format of receipts this package writes and verifies.
const ReceiptFormat = "courtd-receipt/1"

// Receipt proves, offline, that an exhibit is in the court's ledger.
//
// Kind says what the leaf covers: "exhibit" (the default when empty). A
// later kind (a ruling, issue 6) adds its own fields and a case in
// Receipt.leafData; verification is otherwise the same.
type Receipt struct {
	Format        string   `json:"format"` // "courtd-receipt/1"
	Kind          string   `json:"kind,omitempty"`
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

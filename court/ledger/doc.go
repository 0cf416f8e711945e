// Package ledger keeps the court's append-only Merkle tree (RFC 6962) over
// exhibits and docket entries, with Ed25519 signed checkpoints.
package ledger

import (
	_ "golang.org/x/mod/sumdb/note"
	_ "golang.org/x/mod/sumdb/tlog"
)

package storage

import "context"

// appendLeaf appends data as the next leaf of the court's Merkle tree in tx,
// the transaction of the row it covers, and returns its index. (Contract of
// the ledger work, issue 4; filled in there.)
func appendLeaf(ctx context.Context, tx *wtx, data []byte) (int64, error) {
	return -1, nil
}

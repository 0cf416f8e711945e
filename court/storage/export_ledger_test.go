package storage

import "context"

// AppendLeaves appends leaves in one transaction, as the rows they cover
// would (tests of the tree itself).
func (db *DB) AppendLeaves(ctx context.Context, leaves ...[]byte) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(tx *wtx) error {
		for _, l := range leaves {
			id, err := appendLeaf(ctx, tx, l)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}

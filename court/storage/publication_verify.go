package storage

import "context"

// PublicationByHash returns the visible publication of document number
// whose published text has SHA-256 sum (64 lowercase hex digits):
// ENOTFOUND when there is none, or it was withdrawn, or its case sealed.
// /verify uses it to recognise the hash printed on a published decision.
func (db *DB) PublicationByHash(ctx context.Context, number, sum string) (*Publication, error) {
	var p Publication
	return &p, db.get(ctx, &p, `SELECT `+publicationColumns+` FROM publications p
		WHERE p.sha256 = ? AND p.number = ? AND`+visible, sum, number)
}

package storage

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
)

// UserByResidentMAC returns the user registered with the resident identity
// number whose keyed hash is mac (see accounts.Keys.ResidentMAC).
func (db *DB) UserByResidentMAC(ctx context.Context, mac string) (*court.User, error) {
	var u court.User
	if err := db.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE resident_id_mac = ?`, mac); err != nil {
		return nil, err
	}
	return &u, nil
}

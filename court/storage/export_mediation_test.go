package storage

import (
	"context"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrateTo moves the schema up or down to version (tests of one migration
// over data the migrations before it stored).
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(gooseDialect, db.w.DB, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if current > version {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

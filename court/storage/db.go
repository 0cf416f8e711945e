// Package storage keeps the court's data in SQL: one writer connection for
// every change and a pool of readers, with the schema migrations embedded.
// All SQL of the project lives here.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"runtime"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"

	"github.com/shangcheng-court/courtd/court"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the court database.
type DB struct {
	w       *sqlx.DB // the one writer connection
	r       *sqlx.DB // read-only pool
	Now     court.Clock
	path    string
	filings *filingBatcher
	hot     map[string]*sqlx.Stmt // prepared on w; see prepareHot
	// sessions caches SessionUser; inTx invalidates it (sessioncache.go).
	sessions *sessionCache
}

// DefaultFilingBatch is how many concurrent filings may share one commit.
const DefaultFilingBatch = 64

// SetFilingBatch sets how many concurrent filings may share one commit
// (1: one transaction per filing, the baseline of the benchmarks). Call it
// before serving.
func (db *DB) SetFilingBatch(n int) { db.filings.max = max(1, n) }

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. It refuses a database written by a newer courtd.
func Open(ctx context.Context, path string, log *slog.Logger) (*DB, error) {
	w, err := sqlx.Open(driverName, writerDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One writer: SQLite allows one anyway, and queueing here is cheaper
	// than retrying on SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	db := &DB{w: w, Now: court.SystemClock, path: path, sessions: newSessionCache(sessionCacheTTL)}
	if err := checkPragmas(func(dest any, q string) error { return w.GetContext(ctx, dest, q) }); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.migrate(ctx, log); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.prepareHot(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.backfillSearch(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("search index: %w", err)
	}
	r, err := sqlx.Open(driverName, readerDSN(path))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, 2*runtime.GOMAXPROCS(0)))
	r.SetMaxIdleConns(max(4, 2*runtime.GOMAXPROCS(0)))
	db.r = r
	db.filings = newFilingBatcher(db, DefaultFilingBatch)
	return db, nil
}

// SchemaVersion is the newest migration this binary carries: the number
// that starts the last migration file's name.
func SchemaVersion() int64 {
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	var v int64
	for _, f := range files {
		var n int64
		if _, err := fmt.Sscanf(path.Base(f), "%d_", &n); err == nil && n > v {
			v = n
		}
	}
	return v
}

// ErrNewerSchema is returned by Open for a database a newer courtd has
// migrated: running on it could corrupt what this binary does not know.
var ErrNewerSchema = errors.New("database schema is newer than this courtd")

func (db *DB) migrate(ctx context.Context, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(gooseDialect, db.w.DB, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if current > target {
		return fmt.Errorf("%w: %s is at schema version %d, this binary knows up to %d; run a newer courtd or restore a backup",
			ErrNewerSchema, db.path, current, target)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	for _, r := range res {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
		}
	}
	return nil
}

// Close closes both connection pools.
func (db *DB) Close() error {
	if db.filings != nil {
		db.filings.close()
	}
	for _, st := range db.hot {
		st.Close()
	}
	var errR error
	if db.r != nil {
		errR = db.r.Close()
	}
	return errors.Join(errR, db.w.Close())
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.GetContext(ctx, &one, "SELECT 1")
}

// IntegrityCheck runs the engine's consistency check and returns its verdict
// ("ok" when sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := db.w.GetContext(ctx, &res, integrityCheckSQL)
	return res, err
}

// Writer and Readers expose the pools to metrics collectors only.
func (db *DB) Writer() *sql.DB  { return db.w.DB }
func (db *DB) Readers() *sql.DB { return db.r.DB }

// inTx runs fn in one write transaction (BEGIN IMMEDIATE) and commits it, or
// rolls back when fn fails. Once it has ended, the cached token checks are
// stale (see sessionCache).
func (db *DB) inTx(ctx context.Context, fn func(tx *wtx) error) error {
	defer db.sessions.invalidate()
	return db.writeTx(ctx, fn)
}

// writeTx is inTx without invalidating the session cache, for the group
// commit of filings, which writes no session or user.
func (db *DB) writeTx(ctx context.Context, fn func(tx *wtx) error) error {
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&wtx{Tx: tx, hot: db.hot}); err != nil {
		return err
	}
	return tx.Commit()
}

// get and sel read through the reader pool; queries are written with ? and
// rebound for the driver.
func (db *DB) get(ctx context.Context, dest any, q string, args ...any) error {
	err := db.r.GetContext(ctx, dest, db.r.Rebind(q), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return court.ErrNotFound()
	}
	return err
}

func (db *DB) sel(ctx context.Context, dest any, q string, args ...any) error {
	return db.r.SelectContext(ctx, dest, db.r.Rebind(q), args...)
}

// hotStatements are prepared on the writer connection at Open; txGet and
// txExec run them as prepared statements within the transaction. The map is
// written only by Open, before any transaction, and read-only after.
var hotStatements = []string{sqlOrgByCode, sqlInsertOrg, sqlInsertCase, sqlInsertEntry, sqlSavepoint, sqlRollbackTo, sqlRelease,
	sqlClaimantName, sqlIndexCase, sqlIndexNewCase, sqlImportCase}

func (db *DB) prepareHot(ctx context.Context) error {
	db.hot = make(map[string]*sqlx.Stmt, len(hotStatements))
	for _, q := range hotStatements {
		st, err := db.w.PreparexContext(ctx, db.w.Rebind(q))
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		db.hot[q] = st
	}
	return nil
}

// wtx is a write transaction with the writer's prepared statements.
type wtx struct {
	*sqlx.Tx
	hot map[string]*sqlx.Stmt
	// deferIndex: createCase leaves the search index to its caller, which
	// writes it later in the same transaction (see filingBatcher.write).
	deferIndex bool
}

// txStmt returns q prepared for tx when it is a hot statement, else nil.
func txStmt(ctx context.Context, tx *wtx, q string) *sqlx.Stmt {
	if st, ok := tx.hot[q]; ok {
		return tx.StmtxContext(ctx, st)
	}
	return nil
}

func txGet(ctx context.Context, tx *wtx, dest any, q string, args ...any) error {
	var err error
	if st := txStmt(ctx, tx, q); st != nil {
		err = st.GetContext(ctx, dest, args...)
	} else {
		err = tx.GetContext(ctx, dest, tx.Rebind(q), args...)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return court.ErrNotFound()
	}
	return err
}

func txExec(ctx context.Context, tx *wtx, q string, args ...any) (sql.Result, error) {
	if st := txStmt(ctx, tx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, tx.Rebind(q), args...)
}

package storage

// Everything specific to SQLite lives in this file: the driver, connection
// settings and how constraint errors look. A PostgreSQL backend would replace
// this file and keep the rest, except full-text search: search.go (the
// segmentation of Chinese text for FTS5, and its SQL) and migration 00004 are
// SQLite's too; PostgreSQL would index the same segmented text in a tsvector.

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"
)

const (
	driverName   = "sqlite3"
	gooseDialect = goose.DialectSQLite3
)

// writerDSN opens the single writer connection: WAL, synchronous=FULL so a
// commit survives power loss, foreign keys on, BEGIN IMMEDIATE so a writer
// takes the lock at the start of its transaction, and a busy timeout.
func writerDSN(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// readerDSN opens read-only connections of the reader pool.
func readerDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_query_only", "1")
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// uriPath escapes what would end or change the path of an SQLite URI
// filename: '?' starts the parameters, '#' a fragment, and '%' an escape. A
// data dir named "court#1" must not become a database file named "court".
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// uniqueViolation reports the "table.column" a UNIQUE or PRIMARY KEY
// constraint error names, if err is one.
func uniqueViolation(err error) (string, bool) {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return "", false
	}
	if se.ExtendedCode != sqlite3.ErrConstraintUnique && se.ExtendedCode != sqlite3.ErrConstraintPrimaryKey {
		return "", false
	}
	_, col, _ := strings.Cut(se.Error(), "failed: ")
	return col, true
}

// integrityCheck runs the engine's own consistency check.
const integrityCheckSQL = "PRAGMA integrity_check"

func checkPragmas(get func(dest any, q string) error) error {
	var mode string
	if err := get(&mode, "PRAGMA journal_mode"); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	return nil
}

// tableExistsSQL counts the tables named ? (0 or 1).
const tableExistsSQL = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"

package storage

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Session is a browser session or an API token, known by the hash of its
// secret.
type Session struct {
	TokenHash  string    `db:"token_hash"`
	UserID     int64     `db:"user_id"`
	Kind       string    `db:"kind"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

// Session kinds.
const (
	KindBrowser = "browser"
	KindAPI     = "api"
)

// CreateSession stores s.
func (db *DB) CreateSession(ctx context.Context, s *Session) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `INSERT INTO sessions (token_hash, user_id, kind, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, s.Kind, s.CreatedAt, s.LastSeenAt, s.ExpiresAt)
		return err
	})
}

// SessionUser returns the session with the given token hash and its user,
// provided the user is active. A missing session is ENOTFOUND.
//
// Answers are kept a moment in memory (see sessionCache); any write
// transaction that commits, such as ending the session, makes the next call
// read the database again.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (*Session, *court.User, error) {
	now := time.Now()
	if s, u, ok := db.sessions.get(tokenHash, now); ok {
		return s, u, nil
	}
	gen := db.sessions.begin()
	var row struct {
		Session
		court.User
	}
	err := db.get(ctx, &row, `SELECT s.token_hash, s.user_id, s.kind, s.created_at AS created_at, s.last_seen_at, s.expires_at,
			u.id, u.username, u.role, u.display_name, u.mobile, u.resident_id_masked, u.organization_id, u.status, u.lang,
			u.contact_email
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND u.status = 'active'`, tokenHash)
	if err != nil {
		return nil, nil, err
	}
	db.sessions.put(tokenHash, gen, now, &row.Session, &row.User)
	return &row.Session, &row.User, nil
}

// TouchSession records that a session was used at t.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, t time.Time) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, t, tokenHash)
		return err
	})
}

// DeleteSession ends a session.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}

// DeleteExpiredSessions removes sessions past their absolute expiry and
// browser sessions idle since before idleBefore, and lock-out states whose
// run of failures has ended. It returns how many sessions went.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *wtx) error {
		res, err := txExec(ctx, tx, `DELETE FROM sessions WHERE expires_at <= ? OR (kind = 'browser' AND last_seen_at < ?)`, now, idleBefore)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		// Runs that never locked end after the window; runs that did, after
		// the lock-out memory (court.Throttle.Fail).
		short, long := now.Add(-court.LockoutWindow), now.Add(-court.LockoutMemory)
		_, err = txExec(ctx, tx, `DELETE FROM login_throttle
			WHERE (failures < ? AND last_at < ?) OR (last_at < ? AND locked_until < ?)`,
			court.LockoutThreshold, short, long, long)
		return err
	})
	return n, err
}

// LoginThrottle returns the lock-out state of username (zero if none).
func (db *DB) LoginThrottle(ctx context.Context, username string) (court.Throttle, error) {
	var t court.Throttle
	err := db.get(ctx, &t, `SELECT failures, last_at, locked_until FROM login_throttle WHERE username = ?`, username)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return court.Throttle{}, nil
	}
	return t, err
}

// RecordLoginFailure adds a failed login at now to username's state, in one
// transaction, and returns the new state.
func (db *DB) RecordLoginFailure(ctx context.Context, username string, now time.Time) (court.Throttle, error) {
	var t court.Throttle
	err := db.inTx(ctx, func(tx *wtx) error {
		err := txGet(ctx, tx, &t, `SELECT failures, last_at, locked_until FROM login_throttle WHERE username = ?`, username)
		if err != nil && court.ErrorCode(err) != court.ENOTFOUND {
			return err
		}
		t = t.Fail(now)
		_, err = txExec(ctx, tx, `INSERT INTO login_throttle (username, failures, last_at, locked_until) VALUES (?, ?, ?, ?)
			ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at, locked_until = excluded.locked_until`,
			username, t.Failures, t.LastAt, t.LockedUntil)
		return err
	})
	return t, err
}

// ClearLoginFailures ends username's run of failures after a good login.
func (db *DB) ClearLoginFailures(ctx context.Context, username string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `DELETE FROM login_throttle WHERE username = ?`, username)
		return err
	})
}

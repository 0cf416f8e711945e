package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// deadlineColumns are the case columns that hold a deadline. Queries name a
// column only from this set.
var deadlineColumns = map[string]bool{"answer_due": true, "evidence_due": true, "conclude_by": true}

// DueQuery selects cases whose deadline in Column has passed.
type DueQuery struct {
	Column string             // answer_due, evidence_due or conclude_by
	Status []court.CaseStatus // the states in which the deadline matters (at least one)
	Now    time.Time          // a deadline passed when it is before Now
	// Kind, when set, leaves out cases that already have a deadline event
	// "<Kind>:..." recorded for the deadline they have now: what is left is
	// what a scheduler has still to apply.
	Kind  string
	Limit int // at most this many (1 to 10,000; else 1,000)
}

// DueCases returns the cases q selects, earliest deadline first. It reads
// only the due part of the (status, deadline) index.
func (db *DB) DueCases(ctx context.Context, q DueQuery) ([]court.Case, error) {
	sql, args, err := dueSQL(q)
	if err != nil {
		return nil, err
	}
	cases := []court.Case{}
	return cases, db.sel(ctx, &cases, sql, args...)
}

func dueSQL(q DueQuery) (string, []any, error) {
	if !deadlineColumns[q.Column] || len(q.Status) == 0 {
		return "", nil, fmt.Errorf("due cases: bad query: column %q, %d states", q.Column, len(q.Status))
	}
	if q.Limit <= 0 || q.Limit > 10_000 {
		q.Limit = 1_000
	}
	sql := `SELECT ` + caseColumns + ` FROM cases WHERE status IN (?` + strings.Repeat(`, ?`, len(q.Status)-1) + `)
		AND ` + q.Column + ` < ?`
	args := make([]any, 0, len(q.Status)+3)
	for _, s := range q.Status {
		args = append(args, s)
	}
	args = append(args, q.Now.UTC())
	if q.Kind != "" {
		sql += ` AND NOT EXISTS (SELECT 1 FROM deadline_events e WHERE e.case_id = cases.id AND e.kind LIKE ?
			AND e.due = cases.` + q.Column + `)`
		args = append(args, q.Kind+":%")
	}
	sql += ` ORDER BY ` + q.Column + `, id LIMIT ?`
	args = append(args, q.Limit)
	return sql, args, nil
}

// Expiry is one deadline of one case passing, to apply exactly once.
type Expiry struct {
	CaseID int64
	// Kind is the event recorded: unique per case, e.g.
	// "answer_overdue:2026-03-17".
	Kind string
	Due  time.Time // the deadline that passed
	// Build returns the docket entries and notices of the expiry for the
	// case as it is within the transaction, or ok false when the expiry no
	// longer applies to it (it was answered, concluded or extended since it
	// was found).
	Build func(c *court.Case) (entries []Entry, notices []Notice, ok bool)
}

// ApplyExpiry applies x in one transaction: it records the event with the
// expiry's entries and notices, or nothing at all. applied is false when the
// event was recorded before (by an earlier or a concurrent run) or Build
// declined.
func (db *DB) ApplyExpiry(ctx context.Context, x Expiry) (applied bool, err error) {
	res, err := db.ApplyExpiries(ctx, []Expiry{x})
	return err == nil && res[0], err
}

// ApplyExpiries applies several expiries in one transaction (one durable
// commit, not one each: a scheduler catching up after a stop may have
// thousands). applied[i] tells whether xs[i] was applied, as ApplyExpiry
// does. An error applies none of them.
func (db *DB) ApplyExpiries(ctx context.Context, xs []Expiry) (applied []bool, err error) {
	err = db.inTx(ctx, func(tx *wtx) error {
		applied = make([]bool, len(xs))
		now := db.Now()
		for i, x := range xs {
			var c court.Case
			if err := txGet(ctx, tx, &c, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, x.CaseID); err != nil {
				return err
			}
			entries, notices, ok := x.Build(&c)
			if !ok {
				continue
			}
			if ok, err := recordEvent(ctx, tx, x.CaseID, x.Kind, x.Due, now); err != nil {
				return err
			} else if !ok {
				continue
			}
			for _, e := range entries {
				if err := appendEntry(ctx, tx, x.CaseID, e, now); err != nil {
					return err
				}
			}
			for _, n := range notices {
				if err := addNotice(ctx, tx, n, now); err != nil {
					return err
				}
			}
			applied[i] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// recordEvent inserts a deadline event; ok is false when the case has it
// already. due is stored as given (as read from the case), so that it
// compares equal to the case's column in DueCases.
func recordEvent(ctx context.Context, tx *wtx, caseID int64, kind string, due, now time.Time) (ok bool, err error) {
	res, err := txExec(ctx, tx, `INSERT INTO deadline_events (case_id, kind, due, applied_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (case_id, kind) DO NOTHING`, caseID, kind, due, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// KindExtended is the deadline event of a case's one extension of its time
// limit.
const KindExtended = "extended"

// Extension moves a case's time limit (conclude_by) once.
type Extension struct {
	CaseID int64
	// Build checks the case as it is within the transaction and returns
	// the new limit with the entries and notices to record, or an error
	// (the extension is then not made).
	Build func(c *court.Case) (to time.Time, entries []Entry, notices []Notice, err error)
}

// ExtendCase applies x in one transaction and returns the case after it. A
// case extended before is ECONFLICT (err.already_extended), even when two
// extensions race.
func (db *DB) ExtendCase(ctx context.Context, x Extension) (*court.Case, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		var c court.Case
		if err := txGet(ctx, tx, &c, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, x.CaseID); err != nil {
			return err
		}
		to, entries, notices, err := x.Build(&c)
		if err != nil {
			return err
		}
		if ok, err := recordEvent(ctx, tx, x.CaseID, KindExtended, to, now); err != nil {
			return err
		} else if !ok {
			return court.Errorf(court.ECONFLICT, "err.already_extended")
		}
		if _, err := txExec(ctx, tx, `UPDATE cases SET conclude_by = ?, updated_at = ? WHERE id = ?`,
			to.UTC(), now, x.CaseID); err != nil {
			return err
		}
		for _, e := range entries {
			if err := appendEntry(ctx, tx, x.CaseID, e, now); err != nil {
				return err
			}
		}
		for _, n := range notices {
			if err := addNotice(ctx, tx, n, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.CaseByIDWriter(ctx, x.CaseID)
}

// DeadlineEvent is an applied expiry or an extension.
type DeadlineEvent struct {
	CaseID    int64     `db:"case_id"`
	Kind      string    `db:"kind"`
	Due       time.Time `db:"due"`
	AppliedAt time.Time `db:"applied_at"`
}

// DeadlineEvents returns the deadline events of a case in the order they
// were applied.
func (db *DB) DeadlineEvents(ctx context.Context, caseID int64) ([]DeadlineEvent, error) {
	evs := []DeadlineEvent{}
	return evs, db.sel(ctx, &evs, `SELECT case_id, kind, due, applied_at FROM deadline_events WHERE case_id = ?
		ORDER BY applied_at, kind`, caseID)
}

// ActiveUsers returns the ids of the active users of a role.
func (db *DB) ActiveUsers(ctx context.Context, role court.Role) ([]int64, error) {
	ids := []int64{}
	return ids, db.sel(ctx, &ids, `SELECT id FROM users WHERE role = ? AND status = 'active' ORDER BY id`, role)
}

// JudgeCases returns the cases assigned to a judge in the given states (at
// most 10,000: a judge's docket is hundreds).
func (db *DB) JudgeCases(ctx context.Context, judgeID int64, status []court.CaseStatus) ([]court.Case, error) {
	if len(status) == 0 {
		return []court.Case{}, nil
	}
	q := `SELECT ` + caseColumns + ` FROM cases WHERE judge_id = ? AND status IN (?` +
		strings.Repeat(`, ?`, len(status)-1) + `) ORDER BY id LIMIT 10000`
	args := []any{judgeID}
	for _, s := range status {
		args = append(args, s)
	}
	cases := []court.Case{}
	return cases, db.sel(ctx, &cases, q, args...)
}

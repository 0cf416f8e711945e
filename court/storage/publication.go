package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Publication of rulings without personal data (migration 00014): sealed
// cases, the published documents with their full-text index, and what the
// anonymiser needs to know of a case's people.

// Seal is a judge's order that nothing of a case is published.
type Seal struct {
	CaseID   int64     `db:"case_id" json:"case_id"`
	Reason   string    `db:"reason" json:"reason"`
	JudgeID  int64     `db:"judge_id" json:"judge_id"`
	SealedAt time.Time `db:"sealed_at" json:"sealed_at"`
}

// SealCase seals case caseID with ch (its docket entry; the status stays)
// in one transaction: the seal is stored, every publication of the case is
// withdrawn and leaves the search index. A case sealed already is
// ECONFLICT.
func (db *DB) SealCase(ctx context.Context, s Seal, ch Change) error {
	return db.inTx(ctx, func(tx *wtx) error {
		if _, err := txExec(ctx, tx, `INSERT INTO case_seals (case_id, reason, judge_id, sealed_at) VALUES (?, ?, ?, ?)`,
			s.CaseID, s.Reason, s.JudgeID, s.SealedAt); err != nil {
			if _, ok := uniqueViolation(err); ok {
				return court.Errorf(court.ECONFLICT, "publication.err_sealed")
			}
			return err
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT id FROM publications WHERE case_id = ? AND withdrawn_at IS NULL`),
			s.CaseID); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := txExec(ctx, tx, `DELETE FROM publications_fts WHERE rowid = ?`, id); err != nil {
				return err
			}
		}
		if _, err := txExec(ctx, tx, `UPDATE publications SET withdrawn_at = ? WHERE case_id = ? AND withdrawn_at IS NULL`,
			s.SealedAt, s.CaseID); err != nil {
			return err
		}
		return applyChange(ctx, tx, s.CaseID, ch, s.SealedAt)
	})
}

// SealOf returns the seal of case caseID (ENOTFOUND when it is not sealed).
func (db *DB) SealOf(ctx context.Context, caseID int64) (*Seal, error) {
	var s Seal
	return &s, db.get(ctx, &s, `SELECT case_id, reason, judge_id, sealed_at FROM case_seals WHERE case_id = ?`, caseID)
}

// Unpublished returns up to limit signed documents that are not published
// yet and whose case is not sealed, oldest first.
func (db *DB) Unpublished(ctx context.Context, limit int) ([]Ruling, error) {
	rs := []Ruling{}
	return rs, db.sel(ctx, &rs, `SELECT `+rulingColumns+` FROM rulings r WHERE r.status = 'signed'
		AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.ruling_id = r.id)
		AND NOT EXISTS (SELECT 1 FROM case_seals s WHERE s.case_id = r.case_id)
		ORDER BY r.id LIMIT ?`, limit)
}

// Person is what the court knows of one natural person on a case, for the
// anonymiser: never shown, only removed.
type Person struct {
	ID             int64  `db:"id"`
	Name           string `db:"display_name"`
	Mobile         string `db:"mobile"`
	Email          string `db:"contact_email"`
	ResidentMasked string `db:"resident_id_masked"`
	ResidentEnc    []byte `db:"resident_id_enc"`
}

// CasePeople returns the natural persons of case caseID's parties: the
// claimant, whoever filed for them, and every staff member of the merchant.
func (db *DB) CasePeople(ctx context.Context, caseID int64) ([]Person, error) {
	ps := []Person{}
	return ps, db.sel(ctx, &ps, `SELECT u.id, u.display_name, u.mobile, u.contact_email,
		COALESCE(u.resident_id_masked, '') AS resident_id_masked, u.resident_id_enc
		FROM users u JOIN cases c ON c.id = ?
		WHERE u.id IN (c.claimant_id, c.filed_by_id) OR u.organization_id = c.organization_id ORDER BY u.id`, caseID)
}

// Publication is a published document: the anonymised body (JSON, as
// court/publication makes it) and what the search filters on.
type Publication struct {
	ID          int64      `db:"id"`
	RulingID    int64      `db:"ruling_id"`
	CaseID      int64      `db:"case_id"`
	Number      string     `db:"number"`
	Kind        string     `db:"kind"`
	Category    string     `db:"category"`
	Year        int        `db:"year"`
	Outcome     string     `db:"outcome"`
	Body        string     `db:"body"`
	SHA256      string     `db:"sha256"`
	PublishedAt time.Time  `db:"published_at"`
	WithdrawnAt *time.Time `db:"withdrawn_at"`
}

const publicationColumns = `p.id, p.ruling_id, p.case_id, p.number, p.kind, p.category, p.year, p.outcome, p.body, p.sha256,
	p.published_at, p.withdrawn_at`

// visible is the condition on publications as p that the public sees it:
// not withdrawn, and (checked again, in case a seal came another way) the
// case not sealed.
const visible = ` p.withdrawn_at IS NULL AND NOT EXISTS (SELECT 1 FROM case_seals s WHERE s.case_id = p.case_id)`

// Publish stores a publication and indexes text (the anonymised text the
// public can search) in one transaction, unless the case was sealed in the
// meantime (then nothing is stored and ok is false). A document published
// already is ECONFLICT.
func (db *DB) Publish(ctx context.Context, p Publication, text string) (id int64, ok bool, err error) {
	sum := sha256.Sum256([]byte(p.Body))
	err = db.inTx(ctx, func(tx *wtx) error {
		var sealed int
		if err := txGet(ctx, tx, &sealed, `SELECT COUNT(*) FROM case_seals WHERE case_id = ?`, p.CaseID); err != nil {
			return err
		}
		if sealed > 0 {
			return nil
		}
		res, err := txExec(ctx, tx, `INSERT INTO publications (ruling_id, case_id, number, kind, category, year, outcome, body,
			sha256, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.RulingID, p.CaseID, p.Number, p.Kind, p.Category,
			p.Year, p.Outcome, p.Body, hex.EncodeToString(sum[:]), p.PublishedAt)
		if err != nil {
			if _, ok := uniqueViolation(err); ok {
				return court.Errorf(court.ECONFLICT, "publication.err_published")
			}
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := txExec(ctx, tx, `INSERT INTO publications_fts (rowid, text) VALUES (?, ?)`, id, Segment(text)); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return id, ok, err
}

// PublicationFilter selects published documents. Zero fields select
// nothing in particular.
type PublicationFilter struct {
	Query    string // full text, as for cases (MatchQuery)
	Category string
	Year     int
	Outcome  string
	// Ascending (the export) reads in id order from AfterID on; otherwise
	// newest first, from Offset.
	Ascending bool
	AfterID   int64
	Offset    int
	Limit     int
}

// Publications returns the visible published documents matching f: newest
// first, or in id order after f.AfterID (the export's cursor). A query with no token matches nothing.
func (db *DB) Publications(ctx context.Context, f PublicationFilter) ([]Publication, error) {
	ps := []Publication{}
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT ` + publicationColumns + ` FROM publications p WHERE` + visible)
	if strings.TrimSpace(f.Query) != "" {
		match := MatchQuery(f.Query)
		if match == "" {
			return ps, nil
		}
		b.WriteString(` AND p.id IN (SELECT rowid FROM publications_fts WHERE publications_fts MATCH ?)`)
		args = append(args, match)
	}
	if f.Category != "" {
		b.WriteString(` AND p.category = ?`)
		args = append(args, f.Category)
	}
	if f.Year != 0 {
		b.WriteString(` AND p.year = ?`)
		args = append(args, f.Year)
	}
	if f.Outcome != "" {
		b.WriteString(` AND p.outcome = ?`)
		args = append(args, f.Outcome)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 20
	}
	if f.Ascending {
		b.WriteString(` AND p.id > ? ORDER BY p.id LIMIT ?`)
		args = append(args, max(f.AfterID, 0), f.Limit)
	} else {
		b.WriteString(` ORDER BY p.id DESC LIMIT ? OFFSET ?`)
		args = append(args, f.Limit, max(f.Offset, 0))
	}
	return ps, db.sel(ctx, &ps, b.String(), args...)
}

// PublicationByID returns a visible published document (ENOTFOUND for one
// that does not exist or was withdrawn).
func (db *DB) PublicationByID(ctx context.Context, id int64) (*Publication, error) {
	var p Publication
	return &p, db.get(ctx, &p, `SELECT `+publicationColumns+` FROM publications p WHERE p.id = ? AND`+visible, id)
}

// PublicationsOfCase returns every publication of case caseID, withdrawn
// ones too (for audit and tests).
func (db *DB) PublicationsOfCase(ctx context.Context, caseID int64) ([]Publication, error) {
	ps := []Publication{}
	return ps, db.sel(ctx, &ps, `SELECT `+publicationColumns+` FROM publications p WHERE p.case_id = ? ORDER BY p.id`, caseID)
}

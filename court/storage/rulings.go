package storage

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
)

// Ruling is a row of rulings (migration 00012): a judgment or a mediation
// document of one case, a draft or signed. Content is the draft as JSON
// (court/rulings owns its shape); the signed columns are set once by
// SignRuling and a trigger keeps them from changing.
type Ruling struct {
	ID        int64      `db:"id"`
	CaseID    int64      `db:"case_id"`
	Kind      string     `db:"kind"`
	Status    string     `db:"status"`
	Number    string     `db:"number"`
	Content   string     `db:"content"`
	Canonical *string    `db:"canonical"`
	SHA256    *string    `db:"sha256"`
	Signature *string    `db:"signature"`
	KeyName   *string    `db:"key_name"`
	JudgeID   int64      `db:"judge_id"`
	SignedAt  *time.Time `db:"signed_at"`
	ServedAt  *time.Time `db:"served_at"`
	LeafIndex *int64     `db:"leaf_index"`
	CreatedAt time.Time  `db:"created_at"`
	UpdatedAt time.Time  `db:"updated_at"`
}

// RulingOrder is one order of a signed document: payer pays payee Amount
// by DueAt (DueDays after service).
type RulingOrder struct {
	RulingID int64     `db:"ruling_id" json:"-"`
	Seq      int       `db:"seq" json:"seq"`
	Payer    string    `db:"payer" json:"payer"`
	Payee    string    `db:"payee" json:"payee"`
	Amount   court.Fen `db:"amount" json:"amount"`
	DueDays  int       `db:"due_days" json:"due_days"`
	DueAt    time.Time `db:"due_at" json:"due_at"`
	What     string    `db:"what" json:"what"`
}

const rulingColumns = `id, case_id, kind, status, number, content, canonical, sha256, signature, key_name, judge_id,
	signed_at, served_at, leaf_index, created_at, updated_at`

// SaveRulingDraft stores the draft of case caseID's document of kind: it
// creates the row or changes its content. A document already signed is
// ECONFLICT (the trigger would refuse it too).
func (db *DB) SaveRulingDraft(ctx context.Context, caseID int64, kind, number, content string, judgeID int64) (*Ruling, error) {
	var id int64
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		var status string
		err := txGet(ctx, tx, &status, `SELECT status FROM rulings WHERE case_id = ? AND kind = ?`, caseID, kind)
		switch {
		case court.ErrorCode(err) == court.ENOTFOUND:
			return txGet(ctx, tx, &id, `INSERT INTO rulings (case_id, kind, status, number, content, judge_id, created_at, updated_at)
				VALUES (?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id`, caseID, kind, number, content, judgeID, now, now)
		case err != nil:
			return err
		case status != "draft":
			return court.Errorf(court.ECONFLICT, "ruling.err_signed")
		}
		if err := txGet(ctx, tx, &id, `UPDATE rulings SET number = ?, content = ?, judge_id = ?, updated_at = ?
			WHERE case_id = ? AND kind = ? AND status = 'draft' RETURNING id`, number, content, judgeID, now, caseID, kind); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.rulingWriter(ctx, id)
}

func (db *DB) rulingWriter(ctx context.Context, id int64) (*Ruling, error) {
	var r Ruling
	if err := db.w.GetContext(ctx, &r, `SELECT `+rulingColumns+` FROM rulings WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &r, nil
}

// RulingOf returns case caseID's document of kind (ENOTFOUND when none).
func (db *DB) RulingOf(ctx context.Context, caseID int64, kind string) (*Ruling, error) {
	var r Ruling
	return &r, db.get(ctx, &r, `SELECT `+rulingColumns+` FROM rulings WHERE case_id = ? AND kind = ?`, caseID, kind)
}

// RulingsOfCase returns a case's documents, drafts included, oldest first.
func (db *DB) RulingsOfCase(ctx context.Context, caseID int64) ([]Ruling, error) {
	rs := []Ruling{}
	return rs, db.sel(ctx, &rs, `SELECT `+rulingColumns+` FROM rulings WHERE case_id = ? ORDER BY id`, caseID)
}

// SignedRulingByNumber returns the signed document numbered number
// (ENOTFOUND when there is none).
func (db *DB) SignedRulingByNumber(ctx context.Context, number string) (*Ruling, error) {
	var r Ruling
	return &r, db.get(ctx, &r, `SELECT `+rulingColumns+` FROM rulings WHERE number = ? AND status = 'signed'`, number)
}

// SignedRuling is what signing sets on a draft.
type SignedRuling struct {
	ID        int64
	Number    string
	Content   string
	Canonical string
	SHA256    [32]byte
	Signature string
	KeyName   string
	SignedAt  time.Time
	Orders    []RulingOrder
}

// SignRuling signs draft s.ID of case caseID in one transaction: the row
// gets its canonical form, hash and signature, its leaf is appended to the
// ledger, its orders are stored, and ch (the case's transition, docket
// entries and notices of service) is applied. It is ECONFLICT when the
// document is no longer a draft or the case moved.
func (db *DB) SignRuling(ctx context.Context, caseID int64, s SignedRuling, ch Change) (*Ruling, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		leaf, err := appendLeaf(ctx, tx, ledger.RulingLeaf(caseID, s.ID, s.SHA256))
		if err != nil {
			return err
		}
		res, err := txExec(ctx, tx, `UPDATE rulings SET status = 'signed', number = ?, content = ?, canonical = ?, sha256 = ?,
			signature = ?, key_name = ?, signed_at = ?, served_at = ?, leaf_index = ?, updated_at = ?
			WHERE id = ? AND case_id = ? AND status = 'draft'`,
			s.Number, s.Content, s.Canonical, hexSum(s.SHA256), s.Signature, s.KeyName, s.SignedAt, s.SignedAt, leaf, s.SignedAt,
			s.ID, caseID)
		if err != nil {
			if _, ok := uniqueViolation(err); ok {
				return court.Errorf(court.ECONFLICT, "ruling.err_number_taken")
			}
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.Errorf(court.ECONFLICT, "ruling.err_signed")
		}
		for _, o := range s.Orders {
			if _, err := txExec(ctx, tx, `INSERT INTO ruling_orders (ruling_id, seq, payer, payee, amount, due_days, due_at, what)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, o.Seq, o.Payer, o.Payee, o.Amount, o.DueDays, o.DueAt, o.What); err != nil {
				return err
			}
		}
		return applyChange(ctx, tx, caseID, ch, s.SignedAt)
	})
	if err != nil {
		return nil, err
	}
	return db.rulingWriter(ctx, s.ID)
}

// RulingOrders returns the orders of a signed document in order.
func (db *DB) RulingOrders(ctx context.Context, rulingID int64) ([]RulingOrder, error) {
	os := []RulingOrder{}
	return os, db.sel(ctx, &os, `SELECT ruling_id, seq, payer, payee, amount, due_days, due_at, what FROM ruling_orders
		WHERE ruling_id = ? ORDER BY seq`, rulingID)
}

// RulingPDF returns the stored PDF of a signed document; ok is false when
// none is stored yet.
func (db *DB) RulingPDF(ctx context.Context, rulingID int64) (pdf []byte, ok bool, err error) {
	err = db.get(ctx, &pdf, `SELECT pdf FROM ruling_pdfs WHERE ruling_id = ?`, rulingID)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return nil, false, nil
	}
	return pdf, err == nil, err
}

// SaveRulingPDF stores the PDF of a signed document once. When one is
// stored already (two first requests at once), that one is returned: every
// copy handed out is the same bytes.
func (db *DB) SaveRulingPDF(ctx context.Context, rulingID int64, pdf []byte, sum [32]byte) ([]byte, error) {
	var out []byte
	err := db.inTx(ctx, func(tx *wtx) error {
		if _, err := txExec(ctx, tx, `INSERT INTO ruling_pdfs (ruling_id, pdf, sha256, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (ruling_id) DO NOTHING`, rulingID, pdf, hexSum(sum), db.Now()); err != nil {
			return err
		}
		return txGet(ctx, tx, &out, `SELECT pdf FROM ruling_pdfs WHERE ruling_id = ?`, rulingID)
	})
	return out, err
}

// RulingPDFSum returns the SHA-256 (hex) of the stored PDF of a document,
// "" when none is stored.
func (db *DB) RulingPDFSum(ctx context.Context, rulingID int64) (string, error) {
	var s string
	err := db.get(ctx, &s, `SELECT sha256 FROM ruling_pdfs WHERE ruling_id = ?`, rulingID)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return "", nil
	}
	return s, err
}

// RecordRulingView records the first time user opened a signed document;
// later views change nothing. It returns the time of the first view.
func (db *DB) RecordRulingView(ctx context.Context, rulingID, userID int64) (time.Time, error) {
	var at time.Time
	err := db.inTx(ctx, func(tx *wtx) error {
		if _, err := txExec(ctx, tx, `INSERT INTO ruling_views (ruling_id, user_id, first_viewed_at) VALUES (?, ?, ?)
			ON CONFLICT (ruling_id, user_id) DO NOTHING`, rulingID, userID, db.Now()); err != nil {
			return err
		}
		return txGet(ctx, tx, &at, `SELECT first_viewed_at FROM ruling_views WHERE ruling_id = ? AND user_id = ?`, rulingID, userID)
	})
	return at, err
}

// RulingView is a party user's first view of a document.
type RulingView struct {
	UserID        int64     `db:"user_id" json:"user_id"`
	FirstViewedAt time.Time `db:"first_viewed_at" json:"first_viewed_at"`
}

// RulingViews lists who opened a document and when, first view first.
func (db *DB) RulingViews(ctx context.Context, rulingID int64) ([]RulingView, error) {
	vs := []RulingView{}
	return vs, db.sel(ctx, &vs, `SELECT user_id, first_viewed_at FROM ruling_views WHERE ruling_id = ? ORDER BY first_viewed_at, user_id`, rulingID)
}

// UserNames returns the display names of users by id.
func (db *DB) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := inQuery(`SELECT id, display_name FROM users WHERE id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Name string `db:"display_name"`
	}
	if err := db.sel(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

func hexSum(s [32]byte) string { return hex.EncodeToString(s[:]) }

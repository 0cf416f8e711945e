package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/shangcheng-court/courtd/court"
)

// Full-text search over cases, with SQLite FTS5 (see migration 00004 and
// dialect_sqlite.go). SQLite's unicode61 tokenizer takes a run of Han
// characters for one token, and a trigram tokenizer cannot find a
// two-character name such as 张伟, so the text is segmented here, in Go:
// every Han (and other CJK) character becomes a token of its own and other
// text is kept as words of letters and digits; punctuation separates. A query
// is segmented the same way and each of its terms searched as a phrase, so
// 张伟 is the adjacent tokens 张 伟 and not 张 and 伟 anywhere apart. The index
// row of a case is written in the same transaction as the case.

// Tokens splits s into search tokens: each CJK character alone, other
// letters and digits in words (lower case), the rest separating. The text is
// NFKC-normalised first, so full-width digits and letters match their ASCII
// forms.
func Tokens(s string) []string {
	seg := Segment(s)
	if seg == "" {
		return nil
	}
	return strings.Split(seg, " ")
}

// Segment returns s as the index keeps it: its tokens (see Tokens)
// separated by single spaces.
func Segment(s string) string {
	if !norm.NFKC.IsNormalString(s) {
		s = norm.NFKC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	inWord := false // the last rune written belongs to a word still open
	sep := func() {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
	}
	for _, r := range s {
		switch {
		case r < 0x80:
			switch {
			case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			default:
				inWord = false
				continue
			}
			if !inWord {
				sep()
				inWord = true
			}
			b.WriteRune(r)
		case isCJK(r):
			sep()
			b.WriteRune(r)
			inWord = false
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if !inWord {
				sep()
				inWord = true
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			inWord = false
		}
	}
	return b.String()
}

// isCJK reports whether r is written without spaces between words: Han,
// kana, Hangul and Bopomofo.
func isCJK(r rune) bool {
	if 0x4E00 <= r && r <= 0x9FFF { // the common Han block, first
		return true
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo)
}

// MatchQuery turns what a user typed into an FTS5 query: each term (split at
// white space) becomes the phrase of its tokens, and every term must match.
// It is "" when q has no token at all. Tokens hold only letters and digits,
// so nothing the user types can reach the FTS5 query syntax.
func MatchQuery(q string) string {
	var phrases []string
	for _, term := range strings.Fields(q) {
		if toks := Tokens(term); len(toks) > 0 {
			phrases = append(phrases, `"`+strings.Join(toks, " ")+`"`)
		}
	}
	return strings.Join(phrases, " ")
}

// The statements that keep the index in step. INSERT OR REPLACE serves both a
// new case and a changed one (contentless_delete allows replacing by rowid).
const (
	sqlClaimantName = `SELECT display_name FROM users WHERE id = ?`
	sqlIndexCase    = `INSERT OR REPLACE INTO cases_fts (rowid, facts, claimant, merchant, credit_code, order_ref, docket_no)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	// sqlIndexNewCase indexes a case just inserted: its id was never in the
	// index (a rolled-back filing's row goes with its savepoint), and a
	// plain INSERT spares FTS5 looking for a row to replace.
	sqlIndexNewCase = `INSERT INTO cases_fts (rowid, facts, claimant, merchant, credit_code, order_ref, docket_no)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	sqlCaseForIndex = `SELECT c.id, c.facts, u.display_name, c.merchant_name, c.credit_code, c.order_ref,
		COALESCE(c.docket_no, '') AS docket_no FROM cases c JOIN users u ON u.id = c.claimant_id WHERE c.id = ?`
)

// searchColumns are the columns of cases whose change must reach the index.
var searchColumns = map[string]bool{"facts": true, "merchant_name": true, "credit_code": true, "order_ref": true,
	"claimant_id": true, "docket_no": true}

// touchesSearch reports whether a change alters what the index holds.
func touchesSearch(ch Change) bool {
	if ch.Docket {
		return true
	}
	for col := range ch.Set {
		if searchColumns[col] {
			return true
		}
	}
	return false
}

// searchDoc is what the index holds of one case, before segmentation.
type searchDoc struct {
	ID         int64  `db:"id"`
	Facts      string `db:"facts"`
	Claimant   string `db:"display_name"`
	Merchant   string `db:"merchant_name"`
	CreditCode string `db:"credit_code"`
	OrderRef   string `db:"order_ref"`
	DocketNo   string `db:"docket_no"`
}

// indexDoc writes (or, unless isNew, replaces) the index row of one case in
// tx.
func indexDoc(ctx context.Context, tx *wtx, d searchDoc, isNew bool) error {
	q := sqlIndexCase
	if isNew {
		q = sqlIndexNewCase
	}
	_, err := txExec(ctx, tx, q, d.ID, Segment(d.Facts), Segment(d.Claimant), Segment(d.Merchant),
		Segment(d.CreditCode), Segment(d.OrderRef), Segment(d.DocketNo))
	return err
}

// indexNewCase indexes a case createCase has just inserted in tx, unless
// the transaction defers it.
func indexNewCase(ctx context.Context, tx *wtx, c *court.Case) error {
	if tx.deferIndex {
		return nil
	}
	return indexCreated(ctx, tx, c)
}

// indexCreated writes the index row of a case created in tx.
func indexCreated(ctx context.Context, tx *wtx, c *court.Case) error {
	var name string
	if err := txGet(ctx, tx, &name, sqlClaimantName, c.ClaimantID); err != nil {
		return err
	}
	return indexDoc(ctx, tx, searchDoc{ID: c.ID, Facts: c.Facts, Claimant: name, Merchant: c.MerchantName,
		CreditCode: c.CreditCode, OrderRef: c.OrderRef, DocketNo: c.DocketNo}, true)
}

// reindexCase indexes case id again from what tx sees of it.
func reindexCase(ctx context.Context, tx *wtx, id int64) error {
	var d searchDoc
	if err := txGet(ctx, tx, &d, sqlCaseForIndex, id); err != nil {
		return err
	}
	return indexDoc(ctx, tx, d, false)
}

// searchBackfill is the setting migration 00004 leaves when cases stored
// before it still need their index rows.
const searchBackfill = "search_backfill"

// backfillSearch indexes every case when migration 00004 asked for it, a
// thousand cases a transaction, then clears the request.
func (db *DB) backfillSearch(ctx context.Context) error {
	var pending string
	err := db.w.GetContext(ctx, &pending, `SELECT value FROM settings WHERE name = ?`, searchBackfill)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var after int64
	for {
		var ids []int64
		if err := db.w.SelectContext(ctx, &ids, `SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT 1000`, after); err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		if err := db.inTx(ctx, func(tx *wtx) error {
			for _, id := range ids {
				if err := reindexCase(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
	_, err = db.w.ExecContext(ctx, `DELETE FROM settings WHERE name = ?`, searchBackfill)
	return err
}

// OptimizeSearch merges the search index into one b-tree, as after a bulk
// load; the index stays correct without it, only a little slower to read.
func (db *DB) OptimizeSearch(ctx context.Context) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO cases_fts (cases_fts) VALUES ('optimize')`)
	return err
}

// SetSearchMerging turns the index's incremental merging of its segments on
// (SQLite's default) or off (during a bulk load, which optimizes once at the
// end instead of merging after every commit).
func (db *DB) SetSearchMerging(ctx context.Context, on bool) error {
	n := 4 // FTS5's default automerge
	if !on {
		n = 0
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO cases_fts (cases_fts, rank) VALUES ('automerge', ?)`, n)
	return err
}

// SearchFilter selects cases for a search. The zero fields select nothing in
// particular.
type SearchFilter struct {
	// Query is what the user typed; "" searches no text (filters only).
	Query    string
	JudgeID  *int64
	NotDraft bool // only cases filed with the court (see CaseFilter)
	Status   []court.CaseStatus
	Category court.Category
	OrgID    *int64
	// From and To bound the time of filing (submitted_at): From <= t < To.
	From, To *time.Time
	BeforeID int64 // paging: cases with a smaller id
	Offset   int
	Limit    int
}

// searchScanMax is how many cases of one merchant or judge a search reads
// one by one, checking each against the index, before it reads the index's
// matches newest first instead. Checking one case costs 5 to 100 us (a
// phrase of common characters is the dear end); reading matches about 1 us
// each, and with a scope above searchScanMax of 100,000 cases a page of 20
// is found within about 4,000 of them. Measured on the 100,000-case demo.
const searchScanMax = 500

// SearchCases returns the cases matching f, newest first (by id, the order
// of filing): a court works a search result like a list, and newest first
// lets the index stop after one page however common the words are. A query
// with no token at all matches nothing.
func (db *DB) SearchCases(ctx context.Context, f SearchFilter) ([]court.Case, error) {
	cases := []court.Case{}
	where, args := searchWhere(f)
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	f.Offset = max(0, f.Offset)
	if strings.TrimSpace(f.Query) == "" {
		q := `SELECT ` + caseColumns + ` FROM cases c WHERE 1=1` + where + ` ORDER BY c.id DESC LIMIT ? OFFSET ?`
		return cases, db.sel(ctx, &cases, q, append(args, f.Limit, f.Offset)...)
	}
	match := MatchQuery(f.Query)
	if match == "" {
		return cases, nil
	}
	if f.OrgID != nil || f.JudgeID != nil {
		// One merchant's or one judge's cases: when they are few, read
		// them newest first and ask the index about each (a seek), rather
		// than read the matches of a common word until enough of them are
		// that merchant's (35 ms at p50 for a small merchant).
		var n int
		scope := SearchFilter{OrgID: f.OrgID, JudgeID: f.JudgeID}
		sw, sargs := searchWhere(scope)
		if err := db.get(ctx, &n, `SELECT COUNT(*) FROM cases c WHERE 1=1`+sw, sargs...); err != nil {
			return nil, err
		}
		if n <= searchScanMax {
			q := `SELECT ` + caseColumns + ` FROM cases WHERE id IN (
				SELECT c.id FROM cases c WHERE 1=1` + where + ` AND EXISTS (
					SELECT 1 FROM cases_fts WHERE cases_fts MATCH ? AND cases_fts.rowid = c.id)
				ORDER BY c.id DESC LIMIT ? OFFSET ?) ORDER BY id DESC`
			return cases, db.sel(ctx, &cases, q, append(args, match, f.Limit, f.Offset)...)
		}
	}
	// The index is the outer loop, read backwards by rowid (= case id), so
	// the first page is found without reading every match; CROSS JOIN keeps
	// SQLite to that order. Only ids come from it; the cases are read by id.
	q := `SELECT ` + caseColumns + ` FROM cases WHERE id IN (
		SELECT cases_fts.rowid FROM cases_fts CROSS JOIN cases c ON c.id = cases_fts.rowid
		WHERE cases_fts MATCH ?` + where + ` ORDER BY cases_fts.rowid DESC LIMIT ? OFFSET ?) ORDER BY id DESC`
	args = append([]any{match}, args...)
	return cases, db.sel(ctx, &cases, q, append(args, f.Limit, f.Offset)...)
}

// searchWhere is the filter part of a search, on cases as c.
func searchWhere(f SearchFilter) (string, []any) {
	var b strings.Builder
	var args []any
	if f.JudgeID != nil {
		b.WriteString(` AND c.judge_id = ?`)
		args = append(args, *f.JudgeID)
	}
	if f.NotDraft {
		b.WriteString(` AND c.status <> 'draft' AND (c.status <> 'withdrawn' OR c.submitted_at IS NOT NULL)`)
	}
	if len(f.Status) > 0 {
		b.WriteString(` AND c.status IN (?` + strings.Repeat(`, ?`, len(f.Status)-1) + `)`)
		for _, s := range f.Status {
			args = append(args, s)
		}
	}
	if f.Category != "" {
		b.WriteString(` AND c.category = ?`)
		args = append(args, f.Category)
	}
	if f.OrgID != nil {
		b.WriteString(` AND c.organization_id = ?`)
		args = append(args, *f.OrgID)
	}
	if f.From != nil {
		b.WriteString(` AND c.submitted_at >= ?`)
		args = append(args, f.From.UTC())
	}
	if f.To != nil {
		b.WriteString(` AND c.submitted_at < ?`)
		args = append(args, f.To.UTC())
	}
	if f.BeforeID > 0 {
		b.WriteString(` AND c.id < ?`)
		args = append(args, f.BeforeID)
	}
	return b.String(), args
}

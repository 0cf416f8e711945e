package storage

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
)

const caseColumns = `id, status, COALESCE(docket_no, '') AS docket_no, claimant_id, filed_by_id, organization_id,
	merchant_name, credit_code, platform, order_ref, category, facts, purchase_date, refund, compensation, costs, total,
	fee, fee_status, over_cap, judge_id, mediator_id, reason, created_at, submitted_at, accepted_at, served_at,
	merchant_seen_at, answer_due, evidence_due, conclude_by, updated_at`

// Entry is a docket entry: one event of a case. Kind names the event; Data
// holds what its message needs; Text is free text a person wrote (a reason,
// a defence). Internal entries are for court staff only.
type Entry struct {
	ID        int64          `db:"id" json:"-"`
	CaseID    int64          `db:"case_id" json:"case_id"`
	Seq       int            `db:"seq" json:"seq"`
	ActorID   *int64         `db:"actor_id" json:"actor_id,omitempty"`
	ActorRole string         `db:"actor_role" json:"actor_role"`
	Kind      string         `db:"kind" json:"kind"`
	Public    bool           `db:"public" json:"public"`
	Text      string         `db:"text" json:"text,omitempty"`
	DataJSON  string         `db:"data" json:"-"`
	Data      map[string]any `db:"-" json:"data,omitempty"`
	At        time.Time      `db:"at" json:"at"`
}

// Notice is a message in one user's inbox.
type Notice struct {
	ID        int64          `db:"id" json:"id"`
	UserID    int64          `db:"user_id" json:"-"`
	CaseID    *int64         `db:"case_id" json:"case_id,omitempty"`
	Kind      string         `db:"kind" json:"kind"`
	DataJSON  string         `db:"data" json:"-"`
	Data      map[string]any `db:"-" json:"data,omitempty"`
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
	ReadAt    *time.Time     `db:"read_at" json:"read_at,omitempty"`
}

// NewCase is a case to create with the docket entries of its filing.
type NewCase struct {
	Case            court.Case
	VillagerConsent bool
	Entries         []Entry
	// MerchantEmail is the merchant's contact address as the filer knows
	// it (optional), kept on the organisation if it has none yet, in the
	// filer's language MerchantEmailLang.
	MerchantEmail     string
	MerchantEmailLang string
}

// The statements of a filing, prepared once on the writer connection (see
// hotStatements): parsing them again for every filing cost a third of the
// writer's time.
const (
	sqlOrgByCode  = `SELECT id FROM organizations WHERE credit_code = ?`
	sqlInsertOrg  = `INSERT INTO organizations (credit_code, name, created_at) VALUES (?, ?, ?) RETURNING id`
	sqlInsertCase = `INSERT INTO cases (status, claimant_id, filed_by_id, organization_id, merchant_name,
		credit_code, platform, order_ref, category, facts, purchase_date, refund, compensation, costs, total, fee,
		fee_status, over_cap, service_consent, villager_consent, created_at, submitted_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlInsertEntry = `INSERT INTO docket_entries (case_id, seq, actor_id, actor_role, kind, public, text, data, at, leaf_index)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// CreateCase stores a new case (a draft or a submitted filing) and returns
// once it is durable. The merchant organisation is found by its credit code,
// or created (it is then served at its contact until its staff register). An
// open claim by the same claimant against the same merchant for the same
// order is ECONFLICT with CaseID. Concurrent filings share one commit (see
// filingBatcher).
func (db *DB) CreateCase(ctx context.Context, nc *NewCase) (*court.Case, error) {
	return db.filings.submit(ctx, nc)
}

// createCase inserts nc in tx at now.
func createCase(ctx context.Context, tx *wtx, nc *NewCase, now time.Time) (*court.Case, error) {
	c := nc.Case
	var orgID int64
	err := txGet(ctx, tx, &orgID, sqlOrgByCode, c.CreditCode)
	if court.ErrorCode(err) == court.ENOTFOUND {
		err = txGet(ctx, tx, &orgID, sqlInsertOrg, c.CreditCode, c.MerchantName, now)
	}
	if err != nil {
		return nil, err
	}
	if err := setOrgContact(ctx, tx, orgID, nc.MerchantEmail, nc.MerchantEmailLang); err != nil {
		return nil, err
	}
	c.OrgID, c.CreatedAt, c.UpdatedAt = orgID, now, now
	if c.FeeStatus == "" {
		c.FeeStatus = "unpaid" // the case returned must be the case stored
	}
	err = txGet(ctx, tx, &c.ID, sqlInsertCase, caseArgs(&c, nc.VillagerConsent)...)
	if _, ok := uniqueViolation(err); ok {
		return nil, openClaimConflict(ctx, tx, c)
	}
	if err != nil {
		return nil, err
	}
	if err := indexNewCase(ctx, tx, &c); err != nil {
		return nil, err
	}
	for i, e := range nc.Entries {
		// A new case's docket starts here: no need to ask for the next
		// sequence number (one query fewer per filing).
		if err := appendEntrySeq(ctx, tx, c.ID, int64(i+1), e, now); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

func openClaimConflict(ctx context.Context, tx *wtx, c court.Case) error {
	var id int64
	err := txGet(ctx, tx, &id, `SELECT id FROM cases WHERE claimant_id = ? AND organization_id = ? AND order_ref = ?
		AND status NOT IN ('rejected','settled','withdrawn')`, c.ClaimantID, c.OrgID, c.OrderRef)
	if err != nil {
		return err
	}
	return &court.Error{Code: court.ECONFLICT, Msg: court.Msg("err.open_claim", "CaseID", id),
		Fields: map[string]court.Message{"order_ref": court.Msg("err.open_claim", "CaseID", id)}}
}

// appendEntry adds an entry at the end of a case's docket, and its leaf to
// the court's ledger in the same transaction (the entry row keeps the leaf
// index; see ledger.EntryLeaf for what the leaf holds).
func appendEntry(ctx context.Context, tx *wtx, caseID int64, e Entry, now time.Time) error {
	var seq int64
	if err := txGet(ctx, tx, &seq, sqlNextEntrySeq, caseID); err != nil {
		return err
	}
	return appendEntrySeq(ctx, tx, caseID, seq, e, now)
}

// appendEntrySeq is appendEntry for a caller that knows the entry's
// sequence number.
func appendEntrySeq(ctx context.Context, tx *wtx, caseID, seq int64, e Entry, now time.Time) error {
	data := "{}"
	if len(e.Data) > 0 {
		b, err := json.Marshal(e.Data)
		if err != nil {
			return err
		}
		data = string(b)
	}
	leaf, err := appendLeaf(ctx, tx, ledger.EntryLeaf(ledger.Entry{CaseID: caseID, Seq: seq, ActorID: e.ActorID,
		ActorRole: e.ActorRole, Kind: e.Kind, Public: e.Public, Text: e.Text, Data: data, At: now}))
	if err != nil {
		return err
	}
	_, err = txExec(ctx, tx, sqlInsertEntry,
		caseID, seq, e.ActorID, e.ActorRole, e.Kind, e.Public, e.Text, data, now, leaf)
	return err
}

// CaseByID returns a case.
func (db *DB) CaseByID(ctx context.Context, id int64) (*court.Case, error) {
	var c court.Case
	if err := db.get(ctx, &c, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &c, nil
}

// CaseFilter selects cases for a listing. The zero fields select nothing
// in particular; Visible restricts to what one user may see.
type CaseFilter struct {
	ClaimantOrFiler *int64 // the claimant or whoever filed for them
	OrgID           *int64
	JudgeID         *int64
	MediatorID      *int64
	// NotDraft keeps only cases filed with the court: neither drafts nor
	// drafts withdrawn before they were ever submitted.
	NotDraft bool
	Served   bool // only cases served on the merchant
	Status   []court.CaseStatus
	BeforeID int64 // paging: cases with a smaller id (newest first)
	Oldest   bool  // oldest first instead (a queue worked in order of arrival)
	Limit    int
}

// Cases lists cases matching f, newest first.
func (db *DB) Cases(ctx context.Context, f CaseFilter) ([]court.Case, error) {
	q := `SELECT ` + caseColumns + ` FROM cases WHERE 1=1`
	var args []any
	if f.ClaimantOrFiler != nil {
		// Not "claimant_id = ? OR filed_by_id = ?": SQLite answers that by
		// reading every case of the party and sorting them (12 ms for a
		// claimant with 2,000 cases); the ids from the two covering indexes
		// are read in order and stop at the page (1 ms).
		q += ` AND id IN (SELECT id FROM cases WHERE claimant_id = ? UNION ALL SELECT id FROM cases WHERE filed_by_id = ?)`
		args = append(args, *f.ClaimantOrFiler, *f.ClaimantOrFiler)
	}
	if f.OrgID != nil {
		q += ` AND organization_id = ?`
		args = append(args, *f.OrgID)
	}
	if f.JudgeID != nil {
		q += ` AND judge_id = ?`
		args = append(args, *f.JudgeID)
	}
	if f.MediatorID != nil {
		q += ` AND mediator_id = ?`
		args = append(args, *f.MediatorID)
	}
	if f.NotDraft {
		q += ` AND status <> 'draft' AND (status <> 'withdrawn' OR submitted_at IS NOT NULL)`
	}
	if f.Served {
		q += ` AND served_at IS NOT NULL`
	}
	if len(f.Status) > 0 {
		q += ` AND status IN (?` + strings.Repeat(`, ?`, len(f.Status)-1) + `)`
		for _, s := range f.Status {
			args = append(args, s)
		}
	}
	if f.BeforeID > 0 {
		q += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Oldest {
		q += ` ORDER BY id LIMIT ?`
	} else {
		q += ` ORDER BY id DESC LIMIT ?`
	}
	args = append(args, f.Limit)
	cases := []court.Case{}
	return cases, db.sel(ctx, &cases, q, args...)
}

// Change is a transition of one case: from the state the caller saw to the
// next, with the columns it sets and the entries and notices it records.
type Change struct {
	From, To court.CaseStatus
	// Set are columns to set with their values (column names are the
	// caller's constants, never user input).
	Set     map[string]any
	Entries []Entry
	Notify  []Notice
	// Mail are messages to organisations' contacts (service on a merchant);
	// each notice in Notify is also mailed to its user's contact.
	Mail []OrgMail
	// IfNull are columns that must still be NULL for the change to apply
	// (a first-time mark such as merchant_seen_at); otherwise it is
	// ECONFLICT like a stale From.
	IfNull []string
	// Docket, when true, gives the case the next docket number of Year.
	Docket bool
	Year   int
	Number func(year, seq int) string
}

// ChangeCase applies ch to a case in one transaction. It is ECONFLICT when
// the case is no longer in ch.From (someone acted first); the case is then
// unchanged.
func (db *DB) ChangeCase(ctx context.Context, id int64, ch Change) (*court.Case, error) {
	err := db.inTx(ctx, func(tx *wtx) error { return applyChange(ctx, tx, id, ch, db.Now()) })
	if err != nil {
		return nil, err
	}
	return db.CaseByIDWriter(ctx, id)
}

// applyChange applies ch to case id within tx at now (see ChangeCase).
func applyChange(ctx context.Context, tx *wtx, id int64, ch Change, now time.Time) error {
	set := []string{"status = ?", "updated_at = ?"}
	args := []any{ch.To, now}
	for col, v := range ch.Set {
		set = append(set, col+" = ?")
		args = append(args, v)
	}
	if ch.Docket {
		var seq int
		if err := txGet(ctx, tx, &seq, `INSERT INTO docket_counters (year, last_seq) VALUES (?, 1)
			ON CONFLICT (year) DO UPDATE SET last_seq = docket_counters.last_seq + 1 RETURNING last_seq`, ch.Year); err != nil {
			return err
		}
		set = append(set, "docket_year = ?", "docket_seq = ?", "docket_no = ?")
		args = append(args, ch.Year, seq, ch.Number(ch.Year, seq))
	}
	args = append(args, id, ch.From)
	where := ` WHERE id = ? AND status = ?`
	for _, col := range ch.IfNull {
		where += ` AND ` + col + ` IS NULL`
	}
	res, err := txExec(ctx, tx, `UPDATE cases SET `+strings.Join(set, ", ")+where, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return court.Errorf(court.ECONFLICT, "err.case_changed")
	}
	if touchesSearch(ch) {
		if err := reindexCase(ctx, tx, id); err != nil {
			return err
		}
	}
	if err := entriesAndNotices(ctx, tx, id, ch.Entries, ch.Notify, now); err != nil {
		return err
	}
	for _, m := range ch.Mail {
		if err := mailOrg(ctx, tx, &id, m, now); err != nil {
			return err
		}
	}
	return nil
}

// entriesAndNotices appends entries to case caseID's docket and adds
// notices, at now, in tx.
func entriesAndNotices(ctx context.Context, tx *wtx, caseID int64, entries []Entry, notices []Notice, now time.Time) error {
	for _, e := range entries {
		if err := appendEntry(ctx, tx, caseID, e, now); err != nil {
			return err
		}
	}
	for _, n := range notices {
		if err := addNotice(ctx, tx, n, now); err != nil {
			return err
		}
	}
	return nil
}

// CaseByIDWriter reads a case through the writer connection: right after a
// change, so the answer includes it whatever the reader pool has seen.
func (db *DB) CaseByIDWriter(ctx context.Context, id int64) (*court.Case, error) {
	var c court.Case
	if err := db.w.GetContext(ctx, &c, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &c, nil
}

func addNotice(ctx context.Context, tx *wtx, n Notice, now time.Time) error {
	data := "{}"
	if len(n.Data) > 0 {
		b, err := json.Marshal(n.Data)
		if err != nil {
			return err
		}
		data = string(b)
	}
	if _, err := txExec(ctx, tx, `INSERT INTO notifications (user_id, case_id, kind, data, created_at) VALUES (?, ?, ?, ?, ?)`,
		n.UserID, n.CaseID, n.Kind, data, now); err != nil {
		return err
	}
	return mailNotice(ctx, tx, n, now)
}

// Docket returns a case's entries in order; internal ones only when asked.
func (db *DB) Docket(ctx context.Context, caseID int64, internal bool) ([]Entry, error) {
	q := `SELECT id, case_id, seq, actor_id, actor_role, kind, public, text, data, at FROM docket_entries WHERE case_id = ?`
	if !internal {
		q += ` AND public`
	}
	q += ` ORDER BY seq`
	entries := []Entry{}
	if err := db.sel(ctx, &entries, q, caseID); err != nil {
		return nil, err
	}
	for i := range entries {
		if err := json.Unmarshal([]byte(entries[i].DataJSON), &entries[i].Data); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// Notices returns a user's newest notices and how many are unread.
func (db *DB) Notices(ctx context.Context, userID int64, limit int) ([]Notice, int, error) {
	ns := []Notice{}
	if err := db.sel(ctx, &ns, `SELECT id, user_id, case_id, kind, data, created_at, read_at FROM notifications
		WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit); err != nil {
		return nil, 0, err
	}
	for i := range ns {
		if err := json.Unmarshal([]byte(ns[i].DataJSON), &ns[i].Data); err != nil {
			return nil, 0, err
		}
	}
	var unread int
	err := db.get(ctx, &unread, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID)
	return ns, unread, err
}

// ActiveStaff returns the ids of an organisation's active staff.
func (db *DB) ActiveStaff(ctx context.Context, orgID int64) ([]int64, error) {
	ids := []int64{}
	return ids, db.sel(ctx, &ids, `SELECT id FROM users WHERE organization_id = ? AND status = 'active' ORDER BY id`, orgID)
}

// DocketSeqs returns, per year, the docket sequence numbers given out, in
// order: an audit that they run 1..n without gap or duplicate.
func (db *DB) DocketSeqs(ctx context.Context) (map[int][]int, error) {
	var rows []struct {
		Year int `db:"docket_year"`
		Seq  int `db:"docket_seq"`
	}
	if err := db.sel(ctx, &rows, `SELECT docket_year, docket_seq FROM cases WHERE docket_seq IS NOT NULL ORDER BY docket_year, docket_seq`); err != nil {
		return nil, err
	}
	out := map[int][]int{}
	for _, r := range rows {
		out[r.Year] = append(out[r.Year], r.Seq)
	}
	return out, nil
}

// MarkNoticesRead marks a user's unread notices about a case as read. It
// looks before it writes: opening a case is frequent, an unread notice rare.
func (db *DB) MarkNoticesRead(ctx context.Context, userID, caseID int64) error {
	var unread int
	if err := db.get(ctx, &unread, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND case_id = ? AND read_at IS NULL`,
		userID, caseID); err != nil || unread == 0 {
		return err
	}
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND case_id = ? AND read_at IS NULL`,
			db.Now(), userID, caseID)
		return err
	})
}

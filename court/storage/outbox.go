package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Outbox message statuses.
const (
	MailPending = "pending" // waiting for its next attempt
	MailSent    = "sent"
	MailFailed  = "failed" // gave up after the last attempt; an admin may retry
)

// MailKindService is the message that serves a case on a merchant
// organisation at its contact. Messages that copy an in-app notice have the
// kind MailNoticePrefix + the notice's kind.
const (
	MailKindService  = "service"
	MailNoticePrefix = "notice."
)

// MailClaimKey marks, in a message's data, that the message carries a claim
// code: the dispatcher makes the code when it sends it (AddClaimCode), so
// that no code is ever stored, only its hash.
const MailClaimKey = "Claim"

// OutMessage is one message of the outbox: to one address, in one language,
// its text rendered at sending from Kind and Data.
type OutMessage struct {
	ID        int64          `db:"id" json:"id"`
	Recipient string         `db:"recipient" json:"recipient"`
	Lang      string         `db:"lang" json:"lang"`
	Kind      string         `db:"kind" json:"kind"`
	CaseID    *int64         `db:"case_id" json:"case_id,omitempty"`
	UserID    *int64         `db:"user_id" json:"user_id,omitempty"`
	OrgID     *int64         `db:"organization_id" json:"organization_id,omitempty"`
	DataJSON  string         `db:"data" json:"-"`
	Data      map[string]any `db:"-" json:"-"`
	Status    string         `db:"status" json:"status"`
	Attempts  int            `db:"attempts" json:"attempts"`
	NextAt    time.Time      `db:"next_at" json:"next_at"`
	LastError string         `db:"last_error" json:"last_error,omitempty"`
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
	SentAt    *time.Time     `db:"sent_at" json:"sent_at,omitempty"`
}

const outboxColumns = `id, recipient, lang, kind, case_id, user_id, organization_id, data, status, attempts, next_at,
	last_error, created_at, sent_at`

// OrgMail is a message to an organisation's contact address, part of a
// Change. It is dropped when the organisation has no contact. With Claim,
// it carries a one-time claim code (see MailClaimKey).
type OrgMail struct {
	OrgID int64
	Kind  string
	Data  map[string]any
	Claim bool
}

func marshalData(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	return string(b), err
}

// enqueue adds m to the outbox, due at once.
func enqueue(ctx context.Context, tx *wtx, m OutMessage, now time.Time) error {
	data, err := marshalData(m.Data)
	if err != nil {
		return err
	}
	if m.Lang == "" {
		m.Lang = "zh-CN"
	}
	_, err = txExec(ctx, tx, `INSERT INTO outbox (recipient, lang, kind, case_id, user_id, organization_id, data, status,
		attempts, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
		m.Recipient, m.Lang, m.Kind, m.CaseID, m.UserID, m.OrgID, data, now, now)
	return err
}

// mailNotice copies an in-app notice to its user's contact address, when
// the user has one, in the user's language. It runs in the notice's
// transaction: a notice is never without its mail, and a rolled-back event
// sends nothing.
func mailNotice(ctx context.Context, tx *wtx, n Notice, now time.Time) error {
	var u struct {
		Email string `db:"contact_email"`
		Lang  string `db:"lang"`
		Name  string `db:"display_name"`
	}
	if err := txGet(ctx, tx, &u, `SELECT contact_email, lang, display_name FROM users WHERE id = ?`, n.UserID); err != nil {
		return err
	}
	if u.Email == "" {
		return nil
	}
	data := make(map[string]any, len(n.Data)+2)
	for k, v := range n.Data {
		data[k] = v
	}
	data["Name"] = u.Name
	if n.CaseID != nil {
		var no string
		if err := txGet(ctx, tx, &no, `SELECT COALESCE(docket_no, '') FROM cases WHERE id = ?`, *n.CaseID); err != nil {
			return err
		}
		data["CaseDocketNo"] = no
	}
	uid := n.UserID
	return enqueue(ctx, tx, OutMessage{Recipient: u.Email, Lang: u.Lang, Kind: MailNoticePrefix + n.Kind,
		CaseID: n.CaseID, UserID: &uid, Data: data}, now)
}

// mailOrg queues m to its organisation's contact. No contact: nothing is
// queued.
func mailOrg(ctx context.Context, tx *wtx, caseID *int64, m OrgMail, now time.Time) error {
	var o struct {
		Email string `db:"contact_email"`
		Lang  string `db:"contact_lang"`
	}
	if err := txGet(ctx, tx, &o, `SELECT contact_email, contact_lang FROM organizations WHERE id = ?`, m.OrgID); err != nil {
		return err
	}
	if o.Email == "" {
		return nil
	}
	data := make(map[string]any, len(m.Data)+1)
	for k, v := range m.Data {
		data[k] = v
	}
	if m.Claim {
		data[MailClaimKey] = true
	}
	if caseID != nil {
		var no string
		if err := txGet(ctx, tx, &no, `SELECT COALESCE(docket_no, '') FROM cases WHERE id = ?`, *caseID); err != nil {
			return err
		}
		data["CaseDocketNo"] = no
	}
	orgID := m.OrgID
	return enqueue(ctx, tx, OutMessage{Recipient: o.Email, Lang: o.Lang, Kind: m.Kind, CaseID: caseID, OrgID: &orgID,
		Data: data}, now)
}

// setOrgContact gives an organisation a contact address when it has none
// yet: the first one given is kept, so a later filer cannot redirect the
// court's mail.
func setOrgContact(ctx context.Context, tx *wtx, orgID int64, email, lang string) error {
	if email == "" {
		return nil
	}
	if lang == "" {
		lang = "zh-CN"
	}
	_, err := txExec(ctx, tx, `UPDATE organizations SET contact_email = ?, contact_lang = ? WHERE id = ? AND contact_email = ''`,
		email, lang, orgID)
	return err
}

// DueMail returns up to limit pending messages whose next attempt is due at
// now, oldest first.
func (db *DB) DueMail(ctx context.Context, now time.Time, limit int) ([]OutMessage, error) {
	ms := []OutMessage{}
	if err := db.sel(ctx, &ms, `SELECT `+outboxColumns+` FROM outbox WHERE status = 'pending' AND next_at <= ?
		ORDER BY next_at, id LIMIT ?`, now, limit); err != nil {
		return nil, err
	}
	return ms, decodeMail(ms)
}

func decodeMail(ms []OutMessage) error {
	for i := range ms {
		if err := json.Unmarshal([]byte(ms[i].DataJSON), &ms[i].Data); err != nil {
			return err
		}
	}
	return nil
}

// MailByID returns one outbox message.
func (db *DB) MailByID(ctx context.Context, id int64) (*OutMessage, error) {
	var m OutMessage
	if err := db.get(ctx, &m, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, id); err != nil {
		return nil, err
	}
	ms := []OutMessage{m}
	return &ms[0], decodeMail(ms)
}

// MailSentAt records a delivered message. It changes only a pending message
// at the attempt the caller read (ECONFLICT otherwise: someone else
// delivered or changed it).
func (db *DB) MailSentAt(ctx context.Context, m *OutMessage, at time.Time) error {
	return db.updateMail(ctx, `UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = ''
		WHERE id = ? AND status = 'pending' AND attempts = ?`, at, m.ID, m.Attempts)
}

// AddClaimCode stores the hash of a claim code the dispatcher made for
// message m, before it sends it: a code that reaches its reader is always
// known. It reports false, storing nothing, when the organisation has an
// active member by now (someone claimed it since the message was queued):
// the message then goes without a code. ENOTFOUND when m is no claim for an
// organisation.
func (db *DB) AddClaimCode(ctx context.Context, m *OutMessage, codeHash string, now time.Time) (bool, error) {
	if m.OrgID == nil || m.Data[MailClaimKey] != true {
		return false, court.ErrNotFound()
	}
	issued := false
	err := db.inTx(ctx, func(tx *wtx) error {
		var members int
		if err := txGet(ctx, tx, &members, `SELECT COUNT(*) FROM users WHERE organization_id = ? AND status = 'active'`,
			*m.OrgID); err != nil || members > 0 {
			return err
		}
		_, err := txExec(ctx, tx, `INSERT INTO claim_codes (organization_id, outbox_id, code_hash, created_at) VALUES (?, ?, ?, ?)`,
			*m.OrgID, m.ID, codeHash, now)
		issued = err == nil
		return err
	})
	return issued, err
}

// MailAttemptFailed records a failed attempt: the message waits until next,
// or, when final, is marked failed. lastErr is kept (bounded) for the admin.
func (db *DB) MailAttemptFailed(ctx context.Context, m *OutMessage, lastErr string, next time.Time, final bool) error {
	if len(lastErr) > 500 {
		lastErr = lastErr[:500]
	}
	status := MailPending
	if final {
		status = MailFailed
	}
	return db.updateMail(ctx, `UPDATE outbox SET status = ?, attempts = attempts + 1, next_at = ?, last_error = ?
		WHERE id = ? AND status = 'pending' AND attempts = ?`, status, next, lastErr, m.ID, m.Attempts)
}

// RetryMail makes a pending or failed message due at now (an admin's "retry
// now"). A sent message is ECONFLICT; an unknown one ENOTFOUND.
func (db *DB) RetryMail(ctx context.Context, id int64, now time.Time) error {
	err := db.updateMail(ctx, `UPDATE outbox SET status = 'pending', next_at = ? WHERE id = ? AND status <> 'sent'`, now, id)
	if court.ErrorCode(err) == court.ECONFLICT {
		if _, gerr := db.MailByID(ctx, id); gerr != nil {
			return gerr
		}
	}
	return err
}

// updateMail runs one update of one message; no row changed is ECONFLICT.
func (db *DB) updateMail(ctx context.Context, q string, args ...any) error {
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := txExec(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.Errorf(court.ECONFLICT, "err.mail_changed")
		}
		return nil
	})
}

// MailFilter selects outbox messages for the admin's listing.
type MailFilter struct {
	Status   string // "" for all
	BeforeID int64  // paging: messages with a smaller id (newest first)
	Limit    int
}

// Mail lists outbox messages, newest first.
func (db *DB) Mail(ctx context.Context, f MailFilter) ([]OutMessage, error) {
	q := `SELECT ` + outboxColumns + ` FROM outbox WHERE 1=1`
	var args []any
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.BeforeID > 0 {
		q += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	ms := []OutMessage{}
	if err := db.sel(ctx, &ms, q, args...); err != nil {
		return nil, err
	}
	return ms, decodeMail(ms)
}

// SetUserEmail sets (or, with "", removes) a user's contact address. A
// merchant's address also becomes its organisation's contact when the
// organisation has none.
func (db *DB) SetUserEmail(ctx context.Context, u *court.User, email string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		if _, err := txExec(ctx, tx, `UPDATE users SET contact_email = ? WHERE id = ?`, email, u.ID); err != nil {
			return err
		}
		if u.OrganizationID != nil {
			return setOrgContact(ctx, tx, *u.OrganizationID, email, u.Lang)
		}
		return nil
	})
}

// useClaimCode spends a claim code of organisation orgID for user userID,
// and with it the other codes of the same message. It reports whether the
// code was valid (made for that organisation and not spent).
func useClaimCode(ctx context.Context, tx *wtx, orgID int64, codeHash string, userID int64, now time.Time) (bool, error) {
	var mailID int64
	err := txGet(ctx, tx, &mailID, `SELECT outbox_id FROM claim_codes
		WHERE organization_id = ? AND code_hash = ? AND used_at IS NULL`, orgID, codeHash)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := txExec(ctx, tx, `UPDATE claim_codes SET used_at = ?, used_by = ? WHERE outbox_id = ? AND used_at IS NULL`,
		now, userID, mailID); err != nil {
		return false, err
	}
	return true, nil
}

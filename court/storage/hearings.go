package storage

// Hearings (issue 5): scheduling with the judge's clash check, the parties'
// agreement to a written hearing, attendance, and the written thread. Every
// write records its docket entries and notices in the same transaction.

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

const hearingColumns = `id, case_id, kind, status, start_at, end_at, sequence, reason, minutes, started_at, ended_at,
	created_by, created_at, updated_at`

// Record is what a hearing write adds to the case: docket entries and
// notices.
type Record struct {
	Entries []Entry
	Notify  []Notice
}

func (db *DB) record(ctx context.Context, tx *wtx, caseID int64, r Record) error {
	return entriesAndNotices(ctx, tx, caseID, r.Entries, r.Notify, db.Now())
}

// hearingClash is ECONFLICT naming the docket number of a live (video or
// audio) hearing of judgeID's cases, other than except, that overlaps
// [start, end); nil when there is none.
func hearingClash(ctx context.Context, tx *wtx, judgeID int64, start, end time.Time, except int64) error {
	var rows []struct {
		DocketNo string    `db:"docket_no"`
		Start    time.Time `db:"start_at"`
	}
	err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT COALESCE(c.docket_no, '') AS docket_no, h.start_at
		FROM hearings h JOIN cases c ON c.id = h.case_id
		WHERE c.judge_id = ? AND h.status IN ('scheduled', 'started') AND h.kind <> 'written'
		AND h.start_at < ? AND h.end_at > ? AND h.id <> ? ORDER BY h.start_at LIMIT 1`), judgeID, end, start, except)
	if err != nil || len(rows) == 0 {
		return err
	}
	m := court.Msg("err.hearing_clash", "DocketNo", rows[0].DocketNo, "Start", rows[0].Start.In(court.Zone).Format("2006-01-02 15:04"))
	return &court.Error{Code: court.ECONFLICT, Msg: m, Fields: map[string]court.Message{"time": m}}
}

// HearingChecks are the rules CreateHearing checks in its transaction.
type HearingChecks struct {
	// ClashJudge: a live hearing of this judge overlapping the new one is
	// ECONFLICT naming the other case.
	ClashJudge *int64
	// Consent: a written hearing without both sides' agreement is
	// ECONFLICT.
	Consent bool
}

// CreateHearing stores a new hearing with its record after the checks
// (in the same transaction, so two requests at once cannot both take a
// slot, nor a hearing overtake a side's withdrawn agreement).
func (db *DB) CreateHearing(ctx context.Context, h *court.Hearing, check HearingChecks, r Record) (*court.Hearing, error) {
	clashJudge := check.ClashJudge
	var id int64
	err := db.inTx(ctx, func(tx *wtx) error {
		if clashJudge != nil && h.Kind != court.HearingWritten {
			if err := hearingClash(ctx, tx, *clashJudge, h.Start, h.End, 0); err != nil {
				return err
			}
		}
		if h.Kind == court.HearingWritten && check.Consent {
			// Both sides' agreement, read in the transaction that relies on
			// it: a side withdrawing meanwhile is not overtaken.
			var n int
			if err := txGet(ctx, tx, &n, `SELECT COUNT(*) FROM hearing_consents WHERE case_id = ? AND agreed`, h.CaseID); err != nil {
				return err
			}
			if n < 2 {
				m := court.Msg("err.hearing_written_consent")
				return &court.Error{Code: court.ECONFLICT, Msg: m, Fields: map[string]court.Message{"kind": m}}
			}
		}
		now := db.Now()
		if err := txGet(ctx, tx, &id, `INSERT INTO hearings (case_id, kind, status, start_at, end_at, created_by, created_at, updated_at)
			VALUES (?, ?, 'scheduled', ?, ?, ?, ?, ?) RETURNING id`, h.CaseID, h.Kind, h.Start, h.End, h.CreatedBy, now, now); err != nil {
			return err
		}
		for i := range r.Entries {
			r.Entries[i].Data = withHearing(r.Entries[i].Data, id)
		}
		for i := range r.Notify {
			r.Notify[i].Data = withHearing(r.Notify[i].Data, id)
		}
		return db.record(ctx, tx, h.CaseID, r)
	})
	if err != nil {
		return nil, err
	}
	return db.hearingW(ctx, id)
}

// withHearing completes the data of a new hearing's entry or notice with
// its id and join link, known only once it is inserted.
func withHearing(d map[string]any, id int64) map[string]any {
	if d == nil {
		d = map[string]any{}
	}
	d["HearingID"] = id
	if cid, ok := d["CaseID"]; ok {
		d["Link"] = court.HearingLink(cid.(int64), id)
	}
	return d
}

// HearingUpdate changes a hearing that is still in From: the columns in Set
// (the caller's constants, never user input), with its record.
type HearingUpdate struct {
	From []court.HearingStatus
	Set  map[string]any
	// ClashJudge, when set, refuses a new time that overlaps another live
	// hearing of that judge.
	ClashJudge *int64
	Record
}

// UpdateHearing applies u to hearing id of case caseID. It is ECONFLICT
// when the hearing is no longer in one of u.From.
func (db *DB) UpdateHearing(ctx context.Context, caseID, id int64, u HearingUpdate) (*court.Hearing, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		var h court.Hearing
		if err := txGet(ctx, tx, &h, `SELECT `+hearingColumns+` FROM hearings WHERE id = ? AND case_id = ?`, id, caseID); err != nil {
			return err
		}
		ok := false
		for _, s := range u.From {
			ok = ok || h.Status == s
		}
		if !ok {
			return court.Errorf(court.ECONFLICT, "err.hearing_changed")
		}
		if u.ClashJudge != nil && h.Kind != court.HearingWritten {
			start, _ := u.Set["start_at"].(time.Time)
			end, _ := u.Set["end_at"].(time.Time)
			if err := hearingClash(ctx, tx, *u.ClashJudge, start, end, id); err != nil {
				return err
			}
		}
		q := `UPDATE hearings SET updated_at = ?`
		args := []any{db.Now()}
		for col, v := range u.Set {
			q += `, ` + col + ` = ?`
			args = append(args, v)
		}
		q += ` WHERE id = ? AND status = ?`
		args = append(args, id, h.Status)
		if _, err := txExec(ctx, tx, q, args...); err != nil {
			return err
		}
		return db.record(ctx, tx, caseID, u.Record)
	})
	if err != nil {
		return nil, err
	}
	return db.hearingW(ctx, id)
}

// Hearing returns hearing id of case caseID.
func (db *DB) Hearing(ctx context.Context, caseID, id int64) (*court.Hearing, error) {
	var h court.Hearing
	if err := db.get(ctx, &h, `SELECT `+hearingColumns+` FROM hearings WHERE id = ? AND case_id = ?`, id, caseID); err != nil {
		return nil, err
	}
	return &h, nil
}

// HearingByID returns a hearing whatever its case (for the media server's
// callbacks, which know only the hearing).
func (db *DB) HearingByID(ctx context.Context, id int64) (*court.Hearing, error) {
	var h court.Hearing
	if err := db.get(ctx, &h, `SELECT `+hearingColumns+` FROM hearings WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &h, nil
}

func (db *DB) hearingW(ctx context.Context, id int64) (*court.Hearing, error) {
	var h court.Hearing
	if err := db.w.GetContext(ctx, &h, db.w.Rebind(`SELECT `+hearingColumns+` FROM hearings WHERE id = ?`), id); err != nil {
		return nil, err
	}
	return &h, nil
}

// Hearings returns a case's hearings, earliest first.
func (db *DB) Hearings(ctx context.Context, caseID int64) ([]court.Hearing, error) {
	hs := []court.Hearing{}
	return hs, db.sel(ctx, &hs, `SELECT `+hearingColumns+` FROM hearings WHERE case_id = ? ORDER BY start_at, id`, caseID)
}

// SetConsent records a side's word on a written hearing, replacing its
// earlier one, with its record.
func (db *DB) SetConsent(ctx context.Context, caseID int64, c court.Consent, r Record) error {
	return db.inTx(ctx, func(tx *wtx) error {
		if _, err := txExec(ctx, tx, `INSERT INTO hearing_consents (case_id, side, user_id, agreed, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (case_id, side) DO UPDATE SET user_id = excluded.user_id, agreed = excluded.agreed, at = excluded.at`,
			caseID, c.Side, c.UserID, c.Agreed, db.Now()); err != nil {
			return err
		}
		return db.record(ctx, tx, caseID, r)
	})
}

// Consents returns the sides' words on a written hearing of a case.
func (db *DB) Consents(ctx context.Context, caseID int64) ([]court.Consent, error) {
	cs := []court.Consent{}
	return cs, db.sel(ctx, &cs, `SELECT side, user_id, agreed, at FROM hearing_consents WHERE case_id = ? ORDER BY side`, caseID)
}

// RecordJoin opens a stay of userID in hearing h at at; a stay still open
// (a join without its leave, e.g. a dropped connection) is closed first;
// a join older than a stay still open is a late report and is dropped.
func (db *DB) RecordJoin(ctx context.Context, h *court.Hearing, userID int64, role string, at time.Time, r Record) error {
	return db.inTx(ctx, func(tx *wtx) error {
		// The media server reports from several goroutines, so the
		// admission of a connection that a newer one of the same user
		// has replaced may come after the newer one's: the user is in the
		// room already, from a later time, and nothing is to be recorded.
		var later int
		if err := txGet(ctx, tx, &later, `SELECT COUNT(*) FROM hearing_attendance
			WHERE hearing_id = ? AND user_id = ? AND left_at IS NULL AND joined_at > ?`, h.ID, userID, at); err != nil {
			return err
		}
		if later > 0 {
			return nil
		}
		if _, err := txExec(ctx, tx, `UPDATE hearing_attendance SET left_at = ? WHERE hearing_id = ? AND user_id = ? AND left_at IS NULL`,
			at, h.ID, userID); err != nil {
			return err
		}
		if _, err := txExec(ctx, tx, `INSERT INTO hearing_attendance (hearing_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)`,
			h.ID, userID, role, at); err != nil {
			return err
		}
		return db.record(ctx, tx, h.CaseID, r)
	})
}

// RecordLeave closes userID's open stay in hearing h at at. It is
// ENOTFOUND when there is none.
func (db *DB) RecordLeave(ctx context.Context, h *court.Hearing, userID int64, at time.Time, r Record) error {
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := txExec(ctx, tx, `UPDATE hearing_attendance SET left_at = ? WHERE hearing_id = ? AND user_id = ? AND left_at IS NULL`,
			at, h.ID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.ErrNotFound()
		}
		return db.record(ctx, tx, h.CaseID, r)
	})
}

// Attendance returns who was in hearing id when, in order of arrival.
func (db *DB) Attendance(ctx context.Context, id int64) ([]court.Attendance, error) {
	as := []court.Attendance{}
	return as, db.sel(ctx, &as, `SELECT a.id, a.hearing_id, a.user_id, u.display_name AS name, a.role, a.joined_at, a.left_at
		FROM hearing_attendance a JOIN users u ON u.id = a.user_id WHERE a.hearing_id = ? ORDER BY a.joined_at, a.id`, id)
}

// AddPost adds a question or an answer to a written hearing of case caseID,
// with its record. A second answer of a side to one question is ECONFLICT.
func (db *DB) AddPost(ctx context.Context, caseID int64, p *court.HearingPost, r Record) (*court.HearingPost, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		p.CreatedAt = db.Now()
		err := txGet(ctx, tx, &p.ID, `INSERT INTO hearing_posts (hearing_id, question_id, author_id, author_role, side, text, due_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.HearingID, p.QuestionID, p.AuthorID, p.AuthorRole, p.Side, p.Text, p.Due, p.CreatedAt)
		if _, ok := uniqueViolation(err); ok {
			return court.Errorf(court.ECONFLICT, "err.hearing_answered")
		}
		if err != nil {
			return err
		}
		return db.record(ctx, tx, caseID, r)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Posts returns the thread of a written hearing in order.
func (db *DB) Posts(ctx context.Context, hearingID int64) ([]court.HearingPost, error) {
	ps := []court.HearingPost{}
	return ps, db.sel(ctx, &ps, `SELECT id, hearing_id, question_id, author_id, author_role, side, text, due_at, created_at
		FROM hearing_posts WHERE hearing_id = ? ORDER BY id`, hearingID)
}

// NextHearings returns, for each case of judgeID with a scheduled or running
// video or audio hearing that has not ended by now, the earliest start.
func (db *DB) NextHearings(ctx context.Context, judgeID int64, now time.Time) (map[int64]time.Time, error) {
	var rows []struct {
		CaseID int64     `db:"case_id"`
		Start  time.Time `db:"start_at"`
	}
	if err := db.sel(ctx, &rows, `SELECT h.case_id, h.start_at FROM hearings h JOIN cases c ON c.id = h.case_id
		WHERE c.judge_id = ? AND h.status IN ('scheduled', 'started') AND h.kind <> 'written' AND h.end_at > ?
		ORDER BY h.start_at DESC`, judgeID, now); err != nil {
		return nil, err
	}
	out := make(map[int64]time.Time, len(rows))
	for _, r := range rows {
		out[r.CaseID] = r.Start // the latest rows first: the earliest start stays
	}
	return out, nil
}

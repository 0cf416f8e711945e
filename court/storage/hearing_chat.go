package storage

// The text panel of the hearing rooms (migration 00019), written message
// by message as the room reports them.

import (
	"context"
	"time"
)

// ChatRow is one message of a hearing room's text panel.
type ChatRow struct {
	HearingID int64     `db:"hearing_id"`
	Seq       int64     `db:"seq"`
	UserID    int64     `db:"user_id"`
	Role      string    `db:"role"`
	Name      string    `db:"name"`
	Text      string    `db:"text"`
	At        time.Time `db:"at"`
}

// AppendChat adds m to its hearing's text panel and returns its number:
// the next of that hearing, taken in the write transaction, so numbers
// have no gaps or duplicates. A hearing that already has max messages
// gets none more: ok is false and nothing is written.
func (db *DB) AppendChat(ctx context.Context, m ChatRow, max int64) (seq int64, ok bool, err error) {
	err = db.inTx(ctx, func(tx *wtx) error {
		if err := txGet(ctx, tx, &seq, `SELECT COALESCE(MAX(seq), 0) + 1 FROM hearing_chat WHERE hearing_id = ?`, m.HearingID); err != nil {
			return err
		}
		if seq > max {
			return nil
		}
		ok = true
		_, err := txExec(ctx, tx, `INSERT INTO hearing_chat (hearing_id, seq, user_id, role, name, text, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.HearingID, seq, m.UserID, m.Role, m.Name, m.Text, m.At.UTC())
		return err
	})
	if err != nil || !ok {
		return 0, false, err
	}
	return seq, true, nil
}

// Chat returns hearing hid's text panel in order.
func (db *DB) Chat(ctx context.Context, hid int64) ([]ChatRow, error) {
	rows := []ChatRow{}
	return rows, db.sel(ctx, &rows, `SELECT hearing_id, seq, user_id, role, name, text, at
		FROM hearing_chat WHERE hearing_id = ? ORDER BY seq`, hid)
}

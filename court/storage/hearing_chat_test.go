package storage_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// TestHearingChat: a hearing's text panel is numbered from 1 without gaps,
// read back in order, bounded per hearing, and append-only: neither an
// UPDATE nor a DELETE gets through, even from another connection.
func TestHearingChat(t *testing.T) {
	db, path := MustDB(t)
	ctx := context.Background()
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	c := MustCreateCase(t, db, newCase(alice, codeA, "DY-1", court.CaseSubmitted))
	start := t0.Add(24 * time.Hour)
	h, err := db.CreateHearing(ctx, &court.Hearing{CaseID: c.ID, Kind: court.HearingVideo, Start: start, End: start.Add(time.Hour),
		CreatedBy: alice.ID}, storage.HearingChecks{}, storage.Record{})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Second)
	for i, text := range []string{"一", "二", "三"} {
		seq, ok, err := db.AppendChat(ctx, storage.ChatRow{HearingID: h.ID, UserID: alice.ID, Role: "claimant", Name: "张伟", Text: text, At: at}, 3)
		if err != nil || !ok || seq != int64(i+1) {
			t.Fatalf("append %s: got seq %d, %v, %v; want %d", text, seq, ok, err, i+1)
		}
	}
	if _, ok, err := db.AppendChat(ctx, storage.ChatRow{HearingID: h.ID, UserID: alice.ID, Role: "claimant", Name: "张伟", Text: "四", At: at}, 3); ok || err != nil {
		t.Errorf("append past the bound: got ok %v, %v; want refused without error", ok, err)
	}
	// A witness has no user row: its room id is kept as is.
	if _, _, err := db.AppendChat(ctx, storage.ChatRow{HearingID: h.ID, UserID: 1<<40 + 1, Role: "witness", Name: "李四", Text: "证言", At: at}, 10); err != nil {
		t.Errorf("a witness's message: %v", err)
	}
	if _, _, err := db.AppendChat(ctx, storage.ChatRow{HearingID: h.ID + 1000, UserID: alice.ID, Role: "claimant", Name: "x", Text: "x", At: at}, 10); err == nil {
		t.Errorf("a message of no hearing: got no error")
	}
	rows, err := db.Chat(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Text)
		if !r.At.Equal(at) {
			t.Errorf("row %d at %v, want %v", r.Seq, r.At, at)
		}
	}
	if strings.Join(got, ",") != "一,二,三,证言" {
		t.Errorf("chat: got %v, want 一,二,三,证言", got)
	}

	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE hearing_chat SET text = 'changed'`,
		`UPDATE hearing_chat SET seq = seq + 100 WHERE seq = 1`,
		`DELETE FROM hearing_chat`,
		`DELETE FROM hearing_chat WHERE seq = 2`,
	} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want an error containing \"append-only\"", q, err)
		}
	}
	if n := countRows(t, db, "hearing_chat"); n != 4 {
		t.Errorf("after the refused changes: got %d rows, want 4", n)
	}
}

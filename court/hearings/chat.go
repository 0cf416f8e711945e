package hearings

// The text panel of a hearing room on the record as it happens: the room
// reports each message when it is posted (roomlink's OnChat hook) and it is
// written at once, so a server that stops during a hearing loses none of
// it. The transcript of the end (the docket entry and the exhibit) is read
// back from here, so it also holds what was said before a restart.

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Bounds of what the room may put on the record. The room has the same
// message length (hearing's maxChat) and refuses a participant posting
// faster than a person types; maxChatRecord bounds a hearing across
// restarts of the room (each run of the room holds at most 5,000).
const (
	maxChatText   = 2000 // runes
	maxChatName   = 100  // runes
	maxChatRole   = 20
	maxChatRecord = 20000
)

// RecordChat writes one message of hearing hid's text panel, from the
// participant userID (a user, or a witness's room id) shown as name in
// role, posted at at. The room reports it, not a person acting on the case,
// so it checks the hearing, not a viewer. Errors: ENOTFOUND for an unknown
// hearing; EINVALID for a written hearing (it has no room) or a message out
// of bounds; ECONFLICT (err.hearing_chat_full) once the hearing has
// maxChatRecord messages.
func (s *Service) RecordChat(ctx context.Context, hid, userID int64, m ChatLine) error {
	h, err := s.DB.HearingByID(ctx, hid)
	if err != nil {
		return err
	}
	if h.Kind == court.HearingWritten {
		return court.Errorf(court.EINVALID, "err.hearing_bad_message")
	}
	text := strings.TrimSpace(m.Text)
	switch {
	case text == "":
		return court.Errorf(court.EINVALID, "err.hearing_chat_empty")
	case !utf8.ValidString(text) || utf8.RuneCountInString(text) > maxChatText:
		return court.Errorf(court.EINVALID, "err.hearing_chat_too_long", "Max", maxChatText)
	case !utf8.ValidString(m.Name) || utf8.RuneCountInString(m.Name) > maxChatName || m.Role == "" || len(m.Role) > maxChatRole:
		return court.Errorf(court.EINVALID, "err.hearing_bad_message")
	}
	at := m.At
	if at.IsZero() {
		at = s.Now()
	}
	_, ok, err := s.DB.AppendChat(ctx, storage.ChatRow{HearingID: hid, UserID: userID, Role: m.Role, Name: m.Name,
		Text: text, At: at.UTC()}, maxChatRecord)
	if err != nil {
		return err
	}
	if !ok {
		return court.Errorf(court.ECONFLICT, "err.hearing_chat_full", "Max", maxChatRecord)
	}
	return nil
}

// ChatRecord returns hearing hid's text panel as recorded, in order.
func (s *Service) ChatRecord(ctx context.Context, hid int64) ([]ChatLine, error) {
	rows, err := s.DB.Chat(ctx, hid)
	if err != nil {
		return nil, err
	}
	out := make([]ChatLine, len(rows))
	for i, r := range rows {
		out[i] = ChatLine{Name: r.Name, Role: r.Role, Text: r.Text, At: r.At}
	}
	return out, nil
}

// TranscriptChat is the text panel a transcript of hearing hid shows: the
// recorded one, or room (the room's own, kept in memory) for a hearing of
// which nothing was recorded (a room run without the OnChat hook). A failed
// read returns room with the error: the transcript is better with what the
// room kept than without.
func (s *Service) TranscriptChat(ctx context.Context, hid int64, room []ChatLine) ([]ChatLine, error) {
	rec, err := s.ChatRecord(ctx, hid)
	if err != nil || len(rec) == 0 {
		return room, err
	}
	return rec, nil
}

// TranscriptLines turns a text panel into the lines of the docket's
// transcript entry.
func TranscriptLines(chat []ChatLine) []TranscriptLine {
	out := make([]TranscriptLine, len(chat))
	for i, m := range chat {
		out[i] = TranscriptLine{At: m.At, Name: m.Name, Text: m.Text}
	}
	return out
}

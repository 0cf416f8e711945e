package roomlink

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/hearing"
)

// onChat writes each message of the text panel to the record as it is
// posted (before the hook returns, on the poster's connection), so a server
// that stops during the hearing loses none of it. The room bounds the rate
// of each participant, the court the length and the number per hearing.
func (r *Recorder) onChat(hid int64, m hearing.ChatMessage) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	line := hearings.ChatLine{Name: m.Name, Role: string(m.Role), Text: m.Text, At: m.At}
	if err := r.Service.RecordChat(ctx, hid, m.From, line); err != nil {
		r.Log.Error("hearing record: chat", "hearing", hid, "user", m.From, "err", err)
	}
}

// chatHistory is the text panel of hearing hid on the record, for a room
// that opens again after a restart. A failed read shows nothing earlier:
// the record itself is intact.
func (r *Recorder) chatHistory(hid int64) []hearing.ChatMessage {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	rows, err := r.Service.DB.Chat(ctx, hid)
	if err != nil {
		r.Log.Error("hearing record: chat history", "hearing", hid, "err", err)
		return nil
	}
	out := make([]hearing.ChatMessage, len(rows))
	for i, row := range rows {
		out[i] = hearing.ChatMessage{From: row.UserID, Name: row.Name, Role: court.Role(row.Role), Text: row.Text, At: row.At}
	}
	return out
}

// chatLines converts the room's chat to the court's lines.
func chatLines(ms []hearing.ChatMessage) []hearings.ChatLine {
	out := make([]hearings.ChatLine, len(ms))
	for i, m := range ms {
		out[i] = hearings.ChatLine{Name: m.Name, Role: string(m.Role), Text: m.Text, At: m.At}
	}
	return out
}

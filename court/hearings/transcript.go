package hearings

import (
	"context"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// EntryTranscript is the docket entry that keeps a hearing room's text panel.
const EntryTranscript = "hearing_transcript"

// TranscriptLine is one line of a hearing room's text panel.
type TranscriptLine struct {
	At   time.Time
	Name string
	Text string
}

// RecordTranscript puts the text panel of hearing hid on the case's docket,
// one entry holding every line ("HH:MM:SS name: text", Beijing time), once
// the hearing has ended. Nothing is written for an empty panel. Everyone
// admitted saw the lines as they were posted, so the entry is public like
// the minutes. Errors: ENOTFOUND; ECONFLICT for a hearing not started or
// ended.
func (s *Service) RecordTranscript(ctx context.Context, hid int64, lines []TranscriptLine) error {
	if len(lines) == 0 {
		return nil
	}
	h, err := s.DB.HearingByID(ctx, hid)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.At.In(court.Zone).Format("15:04:05"))
		b.WriteString(" ")
		b.WriteString(l.Name)
		b.WriteString(": ")
		b.WriteString(l.Text)
		b.WriteString("\n")
	}
	_, err = s.DB.UpdateHearing(ctx, h.CaseID, hid, storage.HearingUpdate{
		From: []court.HearingStatus{court.HearingStarted, court.HearingEnded},
		Set:  map[string]any{},
		Record: storage.Record{Entries: []storage.Entry{{ActorRole: "system", Kind: EntryTranscript, Public: true,
			Text: strings.TrimRight(b.String(), "\n"), Data: map[string]any{"HearingID": hid, "Lines": len(lines), "Start": stamp(h.Start)}}}},
	})
	return err
}

// CloseStays closes, at at, every stay in hearing hid's room still open:
// when a hearing ends, whoever has not yet been seen leaving (a connection
// whose end is still on its way, a server stopping) left then.
func (s *Service) CloseStays(ctx context.Context, hid int64, at time.Time) error {
	att, err := s.DB.Attendance(ctx, hid)
	if err != nil {
		return err
	}
	for _, a := range att {
		if a.LeftAt != nil {
			continue
		}
		// ENOTFOUND: its own leave came in meanwhile.
		if err := s.RecordLeave(ctx, hid, a.UserID, at); err != nil && court.ErrorCode(err) != court.ENOTFOUND {
			return err
		}
	}
	return nil
}

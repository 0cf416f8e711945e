package hearings

// Attaching a hearing's recording to its case: each file (and a plain text
// transcript of the room: who was there when, and the chat) becomes a court
// exhibit J-n, streamed into the evidence store (hashed, typed by its
// content), on the ledger and on the docket, so the parties and the judge
// play it back from the case page like any exhibit.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Recording is one file of a hearing's recording. hearing/record.File has
// the same fields: record.Finish's files convert with Recording(f).
type Recording struct {
	Path   string
	UserID int64
	Name   string // the participant's name as shown in the room
	Kind   string // "audio", "video" or "screen"
	Part   int    // 1, 2... one per time the participant published this kind
	MIME   string
}

// ChatLine is one line of the room's text panel (hearing.ChatMessage).
type ChatLine struct {
	Name string
	Role string
	Text string
	At   time.Time
}

// kindTitles name the recordings' kinds in exhibit titles.
var kindTitles = map[string]string{"audio": "音频", "video": "视频", "screen": "屏幕共享"}

// RecordingTitle is the exhibit title of a recording file, e.g.
// "庭审录像 张三 视频", with the part when there are several.
func RecordingTitle(r Recording) string {
	kind := kindTitles[r.Kind]
	if kind == "" {
		kind = r.Kind
	}
	t := "庭审录像 " + r.Name + " " + kind
	if r.Part > 1 {
		t += fmt.Sprintf(" (第%d段)", r.Part)
	}
	return t
}

// TranscriptTitle is the title of the transcript exhibit.
const TranscriptTitle = "庭审文字记录"

// AttachRecord attaches the recording of hearing hid, and its transcript
// built from the attendance and the text panel on record (chat, the room's
// own, only when none was recorded: TranscriptChat), to the hearing's case as
// court exhibits filed in the name of the case's judge (the court's side,
// J-n). It is the media server's report, so it checks the hearing, not a
// viewer. The files are left where they are: the caller removes them once
// attached. It attaches what it can and returns the exhibits made and the
// errors of the others (those files are worth keeping for an operator).
// Errors: ENOTFOUND for an unknown hearing; ECONFLICT for a case without
// a judge.
func (s *Service) AttachRecord(ctx context.Context, ev *evidence.Service, hid int64, files []Recording, chat []ChatLine) ([]storage.Exhibit, error) {
	h, err := s.DB.HearingByID(ctx, hid)
	if err != nil {
		return nil, err
	}
	c, err := s.DB.CaseByID(ctx, h.CaseID)
	if err != nil {
		return nil, err
	}
	if c.JudgeID == nil {
		return nil, court.Errorf(court.ECONFLICT, "err.recording_no_judge")
	}
	judge, err := s.DB.UserByID(ctx, *c.JudgeID)
	if err != nil {
		return nil, err
	}
	target := &evidence.Target{Case: c, Side: evidence.SideCourt, User: judge}
	desc := fmt.Sprintf("%s 庭审 #%d", c.DocketNo, hid)

	var out []storage.Exhibit
	var errs []error
	// The court's own recording may be larger than a party's upload may be;
	// the recorder bounds it.
	attach := func(r io.Reader, size int64, meta evidence.Meta) {
		p, err := ev.Blobs.Ingest(r, max(ev.MaxSize, size), size)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", meta.FileName, err))
			return
		}
		e, err := ev.Finish(ctx, target, p, meta)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", meta.FileName, err))
			return
		}
		out = append(out, *e)
	}
	for _, r := range files {
		f, err := os.Open(r.Path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if st, err := f.Stat(); err != nil {
			errs = append(errs, err)
		} else {
			name := fmt.Sprintf("hearing-%d-u%d-%s-%d%s", hid, r.UserID, r.Kind, r.Part, filepath.Ext(r.Path))
			attach(f, st.Size(), evidence.Meta{Title: RecordingTitle(r), Description: desc, FileName: name})
		}
		f.Close()
	}

	attendance, err := s.DB.Attendance(ctx, hid)
	if err != nil {
		return out, errors.Join(append(errs, err)...)
	}
	chat, err = s.TranscriptChat(ctx, hid, chat)
	if err != nil {
		errs = append(errs, err)
	}
	text := Transcript(c, h, attendance, chat)
	attach(strings.NewReader(text), int64(len(text)), evidence.Meta{Title: TranscriptTitle, Description: desc,
		FileName: fmt.Sprintf("hearing-%d-transcript.txt", hid)})
	return out, errors.Join(errs...)
}

// Transcript is the plain UTF-8 text record of a hearing room: the case,
// start and end, who was present when, and the chat, with times in the
// court's zone.
func Transcript(c *court.Case, h *court.Hearing, attendance []court.Attendance, chat []ChatLine) string {
	var b strings.Builder
	clock := func(t time.Time) string { return t.In(court.Zone).Format("2006-01-02 15:04:05") }
	fmt.Fprintf(&b, "%s\n案号: %s\n庭审: #%d (%s)\n", TranscriptTitle, c.DocketNo, h.ID, h.Kind)
	if h.StartedAt != nil {
		fmt.Fprintf(&b, "开始: %s\n", clock(*h.StartedAt))
	}
	if h.EndedAt != nil {
		fmt.Fprintf(&b, "结束: %s\n", clock(*h.EndedAt))
	}
	b.WriteString("\n出席 (进入 - 离开):\n")
	for _, a := range attendance {
		left := "-"
		if a.LeftAt != nil {
			left = clock(*a.LeftAt)
		}
		fmt.Fprintf(&b, "%s (%s): %s - %s\n", oneLine(a.Name), a.Role, clock(a.JoinedAt), left)
	}
	b.WriteString("\n文字交流:\n")
	for _, m := range chat {
		fmt.Fprintf(&b, "[%s] %s (%s): %s\n", clock(m.At), oneLine(m.Name), m.Role, oneLine(m.Text))
	}
	if len(chat) == 0 {
		b.WriteString("(无)\n")
	}
	if h.Minutes != "" { // saved before the end; later minutes are on the docket
		fmt.Fprintf(&b, "\n法官笔录:\n%s\n", h.Minutes)
	}
	return b.String()
}

// oneLine makes a participant's text one line of the transcript: a line
// break is shown as ⏎, so no one can forge a line of the record, and other
// control characters (which would also make the file not text) as spaces.
func oneLine(s string) string {
	s = strings.NewReplacer("\r\n", " ⏎ ", "\n", " ⏎ ", "\r", " ⏎ ").Replace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}

// Package roomlink joins the court's hearings (court/hearings: who may
// attend, the record) to the media server (hearing: the rooms). The court
// issues join tokens through Tokens; the media server reports what happens
// in a room through the hooks of Recorder, which write it to the record.
// cmd/courtd wires them; the court's own packages import no media code.
package roomlink

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/hearing"
)

// Tokens adapts hearing.Server to hearings.TokenIssuer: the court's
// join role (a string: judge, clerk, claimant, merchant) becomes the role
// the token carries, and the expiry is the one the media server put in it.
// The room trusts only that role: judge controls go to a token whose role
// is judge, which the court gives only to the case's assigned judge.
type Tokens struct{ Server *hearing.Server }

// IssueToken implements hearings.TokenIssuer.
func (t Tokens) IssueToken(hearingID, userID int64, role, name string) (string, time.Time, error) {
	return t.Server.IssueTokenUntil(hearingID, userID, court.Role(role), name)
}

// Recorder writes what the media server reports into the hearing record.
// Its hooks run on the connection's goroutine: each write is one short
// transaction, done before the hook returns so that a join is on the record
// before its leave. A failed write is logged; the hearing goes on.
type Recorder struct {
	Service *hearings.Service
	Log     *slog.Logger
	// Server is the media server, set once it exists (before any hearing
	// runs): onLeave asks it who is still present.
	Server *hearing.Server

	mu      sync.Mutex
	started map[int64]bool // hearings already marked started by this process
}

// NewRecorder returns a Recorder writing through svc.
func NewRecorder(svc *hearings.Service, log *slog.Logger) *Recorder {
	return &Recorder{Service: svc, Log: log, started: map[int64]bool{}}
}

// Hooks returns the media server's hooks.
func (r *Recorder) Hooks() hearing.Hooks {
	return hearing.Hooks{OnAdmit: r.onAdmit, OnLeave: r.onLeave, OnChat: r.onChat, ChatHistory: r.chatHistory, OnEnd: r.onEnd}
}

const recordTimeout = 5 * time.Second

// witness reports whether a participant is a witness, who has no account
// and so no line of attendance of its own (its link is on the docket).
func witness(p hearing.Presence) bool { return p.Role == hearing.RoleWitness }

// onAdmit records the participant's entry. The hearing starts with the
// first party the judge admits (the judge alone in the room is not yet a
// hearing).
func (r *Recorder) onAdmit(hid int64, p hearing.Presence, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if p.Role != court.RoleJudge {
		r.markStarted(ctx, hid, at)
	}
	if witness(p) {
		return
	}
	if err := r.Service.RecordJoin(ctx, hid, p.ID, string(p.Role), at); err != nil {
		r.Log.Error("hearing record: join", "hearing", hid, "user", p.ID, "err", err)
	}
}

func (r *Recorder) markStarted(ctx context.Context, hid int64, at time.Time) {
	r.mu.Lock()
	done := r.started[hid]
	r.started[hid] = true
	r.mu.Unlock()
	if done {
		return
	}
	// ECONFLICT: already started (the judge started it, or a restart).
	if _, err := r.Service.MarkStarted(ctx, hid, at); err != nil && court.ErrorCode(err) != court.ECONFLICT {
		r.Log.Error("hearing record: start", "hearing", hid, "err", err)
	}
}

// onLeave closes the participant's stay. A connection replaced by a newer
// one of the same user (a reload, a reconnection) also ends here, after the
// new one came in: the user is still present then, and the stay goes on.
func (r *Recorder) onLeave(hid int64, p hearing.Presence, at time.Time) {
	if !p.Admitted || witness(p) {
		return
	}
	if r.Server != nil {
		for _, q := range r.Server.Presence(hid) {
			if q.ID == p.ID {
				return
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if err := r.Service.RecordLeave(ctx, hid, p.ID, at); err != nil && court.ErrorCode(err) != court.ENOTFOUND {
		r.Log.Error("hearing record: leave", "hearing", hid, "user", p.ID, "err", err)
	}
}

// onEnd marks the hearing ended, closes the stays still open and keeps
// the text panel on the docket.
func (r *Recorder) onEnd(rec hearing.Record) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if _, err := r.Service.MarkEnded(ctx, rec.Hearing, rec.Ended); err != nil && court.ErrorCode(err) != court.ECONFLICT {
		r.Log.Error("hearing record: end", "hearing", rec.Hearing, "err", err)
		return
	}
	if err := r.Service.CloseStays(ctx, rec.Hearing, rec.Ended); err != nil {
		r.Log.Error("hearing record: close stays", "hearing", rec.Hearing, "err", err)
	}
	// The panel as recorded message by message (chat.go), which also holds
	// what was said before a restart of the server.
	chat, err := r.Service.TranscriptChat(ctx, rec.Hearing, chatLines(rec.Chat))
	if err != nil {
		r.Log.Error("hearing record: read chat", "hearing", rec.Hearing, "err", err)
	}
	if err := r.Service.RecordTranscript(ctx, rec.Hearing, hearings.TranscriptLines(chat)); err != nil {
		r.Log.Error("hearing record: transcript", "hearing", rec.Hearing, "err", err)
	}
}

package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/hearing"
)

// TestRoomTokens: the court's join tokens come from the media server and
// are what the room trusts. A party's token lets it into the waiting room
// as that party, and the judge's token is the only one with the judge's
// controls: a party's "admit" is refused. Someone who may not see the case
// gets no token (404) and an admin none either (403).
func TestRoomTokens(t *testing.T) {
	ts, _, _ := roomServer(t)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	clockAt(ts, startOf(t, slot).Add(-5*time.Minute))
	tokPath := hearingPath(cs.ID, h.ID, "/token")

	token := func(user string) string {
		t.Helper()
		res, e := a.call(user, "POST", tokPath, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s token: got %d %+v, want 200", user, res.StatusCode, e.Error)
		}
		var tok struct {
			Token   string    `json:"token"`
			Expires time.Time `json:"expires"`
		}
		decodeInto(t, res, &tok)
		if d := time.Until(tok.Expires); d < time.Minute || d > 3*time.Minute {
			t.Errorf("%s token expires in %s, want the media server's 2 minutes", user, d)
		}
		return tok.Token
	}
	for u, want := range map[string]int{"claimant2": 404, "merchant2": 404, "admin1": 403} {
		if res, _ := a.call(u, "POST", tokPath, nil); res.StatusCode != want {
			t.Errorf("%s token: got %d, want %d", u, res.StatusCode, want)
		}
	}

	join := func(user string) (*hearing.Presence, func(hearing.Message) hearing.Message) {
		t.Helper()
		c, _, err := wsDial(t, ts, http.Header{"Origin": {ts.URL}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.WriteJSON(hearing.Message{Type: hearing.TypeJoin, Token: token(user)})
		m := wsRead(t, c)
		if m.Type != hearing.TypeJoined || m.You == nil {
			t.Fatalf("%s join: got %+v", user, m)
		}
		return m.You, func(out hearing.Message) hearing.Message { c.WriteJSON(out); return wsRead(t, c) }
	}
	you, ask := join("claimant1")
	if you.ID != a.ids["claimant1"] || you.Role != court.RoleClaimant || you.Admitted {
		t.Errorf("claimant joined as %+v, want claimant %d waiting", you, a.ids["claimant1"])
	}
	if m := ask(hearing.Message{Type: hearing.TypeAdmit, All: true}); m.Type != hearing.TypeError || m.Key != "err.hearing_not_admitted" && m.Key != "err.hearing_not_judge" {
		t.Errorf("a party admitting: got %+v, want refused", m)
	}
	you, _ = join("judge1")
	if you.Role != court.RoleJudge || !you.Admitted {
		t.Errorf("judge joined as %+v, want the judge, admitted", you)
	}
	// A clerk attends as a clerk: no judge controls.
	you, _ = join("clerk1")
	if you.Role != court.RoleClerk || you.Admitted {
		t.Errorf("clerk joined as %+v, want a clerk waiting", you)
	}
}

// TestRoomRecord: the media server's hooks write the record. The judge
// alone does not start the hearing; the first party admitted does. Each
// admission is a join on the record and each end of an admitted
// connection a leave, except a connection replaced by the same user's new
// one (the stay goes on). A waiting participant who leaves is not on the
// record. The end marks the hearing ended and keeps the text panel.
func TestRoomRecord(t *testing.T) {
	ts, _, rec := roomServer(t)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	hooks := rec.Hooks()
	ctx := t.Context()
	at := time.Now().UTC().Truncate(time.Second)
	judge := hearing.Presence{ID: a.ids["judge1"], Name: "赵敏", Role: court.RoleJudge, Admitted: true}
	claimant := hearing.Presence{ID: a.ids["claimant1"], Name: "张伟", Role: court.RoleClaimant, Admitted: true}
	merchant := hearing.Presence{ID: a.ids["merchant1"], Name: "王芳", Role: court.RoleMerchant}

	hooks.OnAdmit(h.ID, judge, at)
	if got, _ := ts.DB.HearingByID(ctx, h.ID); got.Status != court.HearingScheduled {
		t.Errorf("the judge alone: got status %s, want scheduled", got.Status)
	}
	hooks.OnAdmit(h.ID, claimant, at.Add(time.Minute))
	if got, _ := ts.DB.HearingByID(ctx, h.ID); got.Status != court.HearingStarted || got.StartedAt == nil || !got.StartedAt.Equal(at.Add(time.Minute)) {
		t.Errorf("first party admitted: got %s at %v, want started at %v", got.Status, got.StartedAt, at.Add(time.Minute))
	}
	hooks.OnLeave(h.ID, merchant, at.Add(2*time.Minute)) // left the waiting room
	hooks.OnLeave(h.ID, claimant, at.Add(3*time.Minute))
	hooks.OnAdmit(h.ID, claimant, at.Add(4*time.Minute)) // back within the rejoin period
	hooks.OnEnd(hearing.Record{Hearing: h.ID, Started: at, Ended: at.Add(30 * time.Minute), EndedBy: judge.ID,
		Chat: []hearing.ChatMessage{{From: claimant.ID, Name: claimant.Name, Role: claimant.Role, Text: "我有收据。", At: at}}})

	att, err := ts.DB.Attendance(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range att {
		left := "open"
		if s.LeftAt != nil {
			left = s.LeftAt.Sub(at).String()
		}
		got = append(got, fmt.Sprintf("%d %s %s-%s", s.UserID, s.Role, s.JoinedAt.Sub(at), left))
	}
	want := []string{
		fmt.Sprintf("%d judge 0s-30m0s", judge.ID),
		fmt.Sprintf("%d claimant 1m0s-3m0s", claimant.ID),
		fmt.Sprintf("%d claimant 4m0s-30m0s", claimant.ID),
	}
	if gb, wb := mustJSON(t, got), mustJSON(t, want); gb != wb {
		t.Errorf("attendance: got %s, want %s", gb, wb)
	}
	hr, _ := ts.DB.HearingByID(ctx, h.ID)
	if hr.Status != court.HearingEnded || hr.EndedAt == nil || !hr.EndedAt.Equal(at.Add(30*time.Minute)) {
		t.Errorf("end: got %s at %v, want ended at +30m", hr.Status, hr.EndedAt)
	}
	entries, err := ts.DB.Docket(ctx, cs.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var transcript string
	for _, e := range entries {
		if e.Kind == hearings.EntryTranscript {
			transcript = e.Text
		}
	}
	if wantT := at.In(court.Zone).Format("15:04:05") + " 张伟: 我有收据。"; transcript != wantT {
		t.Errorf("transcript: got %q, want %q", transcript, wantT)
	}
}

// TestRoomRecordReplaced: a second connection of the same user (a reload,
// a reconnection) replaces the first; the first one's end comes while the
// user is in the room again, and the stay stays open.
func TestRoomRecordReplaced(t *testing.T) {
	ts, hs, _ := roomServer(t)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	clockAt(ts, startOf(t, slot).Add(-5*time.Minute))
	tokPath := hearingPath(cs.ID, h.ID, "/token")
	for i := 0; i < 2; i++ {
		res, _ := a.call("judge1", "POST", tokPath, nil)
		var tok struct{ Token string }
		decodeInto(t, res, &tok)
		c, _, err := wsDial(t, ts, http.Header{"Origin": {ts.URL}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.WriteJSON(hearing.Message{Type: hearing.TypeJoin, Token: tok.Token})
		if m := wsRead(t, c); m.Type != hearing.TypeJoined {
			t.Fatalf("join %d: got %+v", i, m)
		}
	}
	// Let the replaced connection's end reach the hooks.
	time.Sleep(500 * time.Millisecond)
	if n := len(hs.Presence(h.ID)); n != 1 {
		t.Fatalf("presence: got %d, want the judge once", n)
	}
	att, err := ts.DB.Attendance(t.Context(), h.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(att) == 0 || att[len(att)-1].LeftAt != nil {
		t.Errorf("attendance after a replaced connection: got %s, want the last stay open", mustJSON(t, att))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

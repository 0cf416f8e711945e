package web_test

// The text panel of a hearing room reaches the record as it happens
// (court/hearings/chat.go, roomlink's OnChat), survives a media server that
// stops without the hearing's end, and makes the transcripts of the end.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/hearings/roomlink"
	"github.com/shangcheng-court/courtd/hearing"
)

// chatRoom is a media server with the given hooks, its signalling served on
// a WebSocket of its own (the court's tokens are the server's: issued here
// directly, as roomlink.Tokens does).
type chatRoom struct {
	srv *hearing.Server
	url string
}

func newChatRoom(t *testing.T, hooks hearing.Hooks) *chatRoom {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	srv, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true}, hooks)
	if err != nil {
		t.Fatal(err)
	}
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		srv.Serve(c, nil)
	}))
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return &chatRoom{srv: srv, url: "ws" + strings.TrimPrefix(hs.URL, "http")}
}

// chatClient is one participant's socket; every message it receives goes
// to msgs.
type chatClient struct {
	t      *testing.T
	ws     *websocket.Conn
	msgs   chan hearing.Message
	joined hearing.Message // the room's answer to the join
}

func (r *chatRoom) join(t *testing.T, hid, user int64, role court.Role, name string) *chatClient {
	t.Helper()
	tok, err := r.srv.IssueToken(hid, user, role, name)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(r.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &chatClient{t: t, ws: ws, msgs: make(chan hearing.Message, 1000)}
	go func() {
		defer close(c.msgs)
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var m hearing.Message
			if json.Unmarshal(b, &m) == nil {
				c.msgs <- m
			}
		}
	}()
	t.Cleanup(func() { ws.Close() })
	c.send(hearing.Message{Type: hearing.TypeJoin, Token: tok})
	c.joined = c.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeJoined })
	return c
}

func (c *chatClient) send(m hearing.Message) {
	if err := c.ws.WriteJSON(m); err != nil {
		c.t.Fatal(err)
	}
}

func (c *chatClient) waitFor(ok func(hearing.Message) bool) hearing.Message {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m, open := <-c.msgs:
			if !open {
				c.t.Fatal("connection closed while waiting")
			}
			if ok(m) {
				return m
			}
		case <-timeout:
			c.t.Fatal("timed out waiting for a message")
		}
	}
}

// say posts text and waits until the room sends it back. The hook that
// records it runs right after, on the poster's connection, before its next
// message is read.
func (c *chatClient) say(text string) {
	c.t.Helper()
	c.send(hearing.Message{Type: hearing.TypeChat, Text: text})
	c.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeChat && m.Chat.Text == text })
}

// TestRoomChatRecord: each message of the text panel is on the record as
// soon as it is posted, so a media server that stops without the hearing's
// end (a crash: the end hook never runs) loses none of it. After the
// restart the hearing goes on; its end writes the docket's transcript and
// the transcript exhibit from the record: every message of both runs, in
// order. A participant flooding the panel is refused past its allowance,
// and what is refused is neither shown nor recorded.
func TestRoomChatRecord(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), hearingAt("", "10:00", 60), http.StatusCreated)
	svc := &hearings.Service{DB: ts.DB, Now: ts.Dk.Now}
	rec := roomlink.NewRecorder(svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	judgeID, claimantID := a.ids["judge1"], a.ids["claimant1"]

	// The first run stops without the end.
	crash := rec.Hooks()
	crash.OnEnd = nil
	room := newChatRoom(t, crash)
	rec.Server = room.srv
	judge := room.join(t, h.ID, judgeID, court.RoleJudge, "赵敏")
	claimant := room.join(t, h.ID, claimantID, court.RoleClaimant, "张伟")
	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	claimant.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeEvent && m.Event == hearing.EventAdmitted })
	claimant.say("我有收据。")
	judge.say("请上传收据。")
	claimant.say("已上传: C-1")
	judge.ws.Close()
	claimant.ws.Close()
	room.srv.Close()

	rows, err := ts.DB.Chat(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d %d %s %s %s", r.Seq, r.UserID, r.Role, r.Name, r.Text))
	}
	want := []string{
		fmt.Sprintf("1 %d claimant 张伟 我有收据。", claimantID),
		fmt.Sprintf("2 %d judge 赵敏 请上传收据。", judgeID),
		fmt.Sprintf("3 %d claimant 张伟 已上传: C-1", claimantID),
	}
	if gb, wb := mustJSON(t, got), mustJSON(t, want); gb != wb {
		t.Fatalf("chat on record after the crash: got %s, want %s", gb, wb)
	}
	for _, r := range rows {
		if time.Since(r.At) > time.Minute || r.At.Location() != time.UTC {
			t.Errorf("row %d: at %v, want just now, in UTC", r.Seq, r.At)
		}
	}
	if hr, _ := ts.DB.HearingByID(ctx, h.ID); hr.Status != court.HearingStarted {
		t.Errorf("after the crash: got status %s, want started (the end never came)", hr.Status)
	}

	// The restart: a new media server, the hearing goes on and ends.
	var mu sync.Mutex
	var ended []hearing.Record
	hooks := rec.Hooks()
	onEnd := hooks.OnEnd
	hooks.OnEnd = func(r hearing.Record) {
		onEnd(r)
		mu.Lock()
		ended = append(ended, r)
		mu.Unlock()
	}
	room = newChatRoom(t, hooks)
	rec.Server = room.srv
	judge = room.join(t, h.ID, judgeID, court.RoleJudge, "赵敏")
	claimant = room.join(t, h.ID, claimantID, court.RoleClaimant, "张伟")
	// The reopened room shows what was said before the crash, to the judge
	// at once and to the claimant when admitted.
	history := func(ms []hearing.ChatMessage) string {
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%d %s %s", m.From, m.Name, m.Text))
		}
		return strings.Join(out, " | ")
	}
	wantHistory := fmt.Sprintf("%d 张伟 我有收据。 | %d 赵敏 请上传收据。 | %d 张伟 已上传: C-1", claimantID, judgeID, claimantID)
	if got := history(judge.joined.History); got != wantHistory {
		t.Errorf("the judge's history after the restart: got %q, want %q", got, wantHistory)
	}
	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	admitted := claimant.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeEvent && m.Event == hearing.EventAdmitted })
	if got := history(admitted.History); got != wantHistory {
		t.Errorf("the claimant's history when admitted after the restart: got %q, want %q", got, wantHistory)
	}
	claimant.say("网络断了, 我回来了。")
	texts := []string{"我有收据。", "请上传收据。", "已上传: C-1", "网络断了, 我回来了。"}

	// A flood: 30 messages at once. The first ones pass (the allowance is
	// 10 at once, this participant has used 1), the rest are refused with
	// their own error, and only what passed is shown and recorded.
	for i := range 30 {
		claimant.send(hearing.Message{Type: hearing.TypeChat, Text: "刷屏 " + strconv.Itoa(i)})
	}
	passed, refused := 0, 0
	for passed+refused < 30 {
		m := claimant.waitFor(func(m hearing.Message) bool {
			return (m.Type == hearing.TypeChat && strings.HasPrefix(m.Chat.Text, "刷屏")) || m.Type == hearing.TypeError
		})
		if m.Type == hearing.TypeError {
			if m.Key != "err.hearing_chat_rate" || m.Code != court.ETOOMANY {
				t.Fatalf("flood: got error %s (%s), want err.hearing_chat_rate", m.Key, m.Code)
			}
			refused++
			continue
		}
		passed++
		texts = append(texts, m.Chat.Text)
	}
	if passed < 5 || passed > 10 || refused < 20 {
		t.Errorf("flood of 30: %d passed, %d refused; want at most the 9 left of the allowance (and a refill) to pass", passed, refused)
	}
	judge.say("今天到此为止。")
	texts = append(texts, "今天到此为止。")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rows, err := ts.DB.Chat(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == len(texts) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat on record after the flood: got %d rows, want %d", len(rows), len(texts))
		}
	}

	judge.send(hearing.Message{Type: hearing.TypeEnd})
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(ended)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the end never reached the hooks")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(ended[0].Chat); n != len(texts) {
		t.Fatalf("the room kept %d messages in memory, want %d (both runs: it opened with the record's)", n, len(texts))
	}

	// The docket's transcript: every message of both runs, in order.
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
	lines := strings.Split(transcript, "\n")
	if len(lines) != len(texts) {
		t.Fatalf("docket transcript: got %d lines, want %d:\n%s", len(lines), len(texts), transcript)
	}
	for i, l := range lines {
		if _, text, _ := strings.Cut(l, ": "); text != texts[i] {
			t.Errorf("docket transcript line %d: got %q, want the message %q", i+1, l, texts[i])
		}
	}

	// The transcript exhibit, as the recorder attaches it with the room's
	// own chat: built from the record, all in order.
	roomChat := make([]hearings.ChatLine, len(ended[0].Chat))
	for i, m := range ended[0].Chat {
		roomChat[i] = hearings.ChatLine{Name: m.Name, Role: string(m.Role), Text: m.Text, At: m.At}
	}
	exs, err := svc.AttachRecord(ctx, ts.Ev, h.ID, nil, roomChat)
	if err != nil || len(exs) != 1 {
		t.Fatalf("attach: got %d exhibits, %v; want the transcript", len(exs), err)
	}
	res, _ := a.call("claimant1", "GET", casePath(cs.ID, "/exhibits/"+strconv.FormatInt(exs[0].ID, 10)+"/content"), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("transcript exhibit: got %d, want 200", res.StatusCode)
	}
	_, chat, ok := strings.Cut(res.Body, "文字交流:\n")
	if !ok {
		t.Fatalf("transcript exhibit without its chat section:\n%s", res.Body)
	}
	chatLines := strings.Split(strings.TrimRight(chat, "\n"), "\n")
	if len(chatLines) != len(texts) {
		t.Fatalf("transcript exhibit: got %d chat lines, want %d:\n%s", len(chatLines), len(texts), chat)
	}
	for i, l := range chatLines {
		if !strings.HasSuffix(l, "): "+texts[i]) {
			t.Errorf("transcript exhibit line %d: got %q, want the message %q", i+1, l, texts[i])
		}
	}
}

// TestRecordChatBounds: the court checks what the room reports before it
// goes on the record: an unknown hearing, an empty or too long message, a
// name too long or no role are refused with their errors and write nothing.
func TestRecordChatBounds(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), hearingAt("", "10:00", 60), http.StatusCreated)
	svc := &hearings.Service{DB: ts.DB, Now: ts.Dk.Now}
	ctx := context.Background()
	ok := hearings.ChatLine{Name: "张伟", Role: "claimant", Text: "好", At: time.Now()}
	with := func(f func(*hearings.ChatLine)) hearings.ChatLine { l := ok; f(&l); return l }
	for _, tc := range []struct {
		name string
		hid  int64
		line hearings.ChatLine
		code court.Code
		key  string
	}{
		{"unknown hearing", h.ID + 1000, ok, court.ENOTFOUND, ""},
		{"empty", h.ID, with(func(l *hearings.ChatLine) { l.Text = " \n " }), court.EINVALID, "err.hearing_chat_empty"},
		{"too long", h.ID, with(func(l *hearings.ChatLine) { l.Text = strings.Repeat("字", 2001) }), court.EINVALID, "err.hearing_chat_too_long"},
		{"not UTF-8", h.ID, with(func(l *hearings.ChatLine) { l.Text = "\xff" }), court.EINVALID, "err.hearing_chat_too_long"},
		{"name too long", h.ID, with(func(l *hearings.ChatLine) { l.Name = strings.Repeat("名", 101) }), court.EINVALID, "err.hearing_bad_message"},
		{"no role", h.ID, with(func(l *hearings.ChatLine) { l.Role = "" }), court.EINVALID, "err.hearing_bad_message"},
	} {
		err := svc.RecordChat(ctx, tc.hid, a.ids["claimant1"], tc.line)
		if court.ErrorCode(err) != tc.code {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
			continue
		}
		if e, _ := err.(*court.Error); tc.key != "" && (e == nil || e.Msg.Key != tc.key) {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.key)
		}
	}
	if rows, err := ts.DB.Chat(ctx, h.ID); err != nil || len(rows) != 0 {
		t.Errorf("after the refused messages: got %d rows, %v; want none", len(rows), err)
	}
	// The longest message passes, trimmed.
	if err := svc.RecordChat(ctx, h.ID, a.ids["claimant1"], with(func(l *hearings.ChatLine) { l.Text = " " + strings.Repeat("字", 2000) + " " })); err != nil {
		t.Fatalf("2,000 characters: %v", err)
	}
	if rows, _ := ts.DB.Chat(ctx, h.ID); len(rows) != 1 || rows[0].Text != strings.Repeat("字", 2000) {
		t.Errorf("the longest message: got %d rows, want it once, trimmed", len(rows))
	}
}

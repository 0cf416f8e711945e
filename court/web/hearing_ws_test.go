package web_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/web"
	"github.com/shangcheng-court/courtd/hearing"
)

// hearingServer is a court serving hearings on loopback media ports.
func hearingServer(t *testing.T) (*testServer, *hearing.Server) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	hs, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true}, hearing.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustServer(t, func(c *web.Config) { c.Hearings = hs })
	t.Cleanup(func() { hs.Close() }) // before the court stops: it ends the sockets
	return ts, hs
}

func wsDial(t *testing.T, ts *testServer, h http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/hearing/ws", h)
}

func wsRead(t *testing.T, c *websocket.Conn) hearing.Message {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var m hearing.Message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHearingSocket: the court's /hearing/ws hands a connection with a
// valid token to the hearing server; a bad token gets an error in the
// user's language; another site's page and plain requests are refused.
func TestHearingSocket(t *testing.T) {
	ts, hs := hearingServer(t)
	tok, err := hs.IssueToken(9, 4, court.RoleJudge, "王法官")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := wsDial(t, ts, http.Header{"Origin": {ts.URL}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.WriteJSON(hearing.Message{Type: hearing.TypeJoin, Token: tok})
	if m := wsRead(t, c); m.Type != hearing.TypeJoined || m.You == nil || m.You.ID != 4 || !m.You.Admitted {
		t.Fatalf("join: got %+v, want joined as admitted judge 4", m)
	}

	for _, tt := range []struct{ lang, want string }{
		{"zh-CN", "已被使用"},
		{"en", "already used"},
	} {
		c2, _, err := wsDial(t, ts, http.Header{"Accept-Language": {tt.lang}})
		if err != nil {
			t.Fatal(err)
		}
		c2.WriteJSON(hearing.Message{Type: hearing.TypeJoin, Token: tok}) // replayed
		m := wsRead(t, c2)
		if m.Type != hearing.TypeError || m.Key != "err.hearing_token_used" || !strings.Contains(m.Error, tt.want) {
			t.Errorf("%s replay: got %+v, want err.hearing_token_used saying %q", tt.lang, m, tt.want)
		}
		c2.Close()
	}

	_, res, err := wsDial(t, ts, http.Header{"Origin": {"https://evil.example"}})
	if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: got %v, want 403", res)
	}
	if r := ts.client(t).get("/hearing/ws"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("plain GET: got %d, want 400", r.StatusCode)
	}
}

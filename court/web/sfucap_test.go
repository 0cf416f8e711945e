package web_test

import (
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/web"
	"github.com/shangcheng-court/courtd/hearing"
)

// TestHearingFull: a join past the media server's cap gets err.hearing_full
// in the user's language through the court's socket, and /metrics shows the
// participants, the cap and the refusals.
func TestHearingFull(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	hs, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true, MaxParticipants: 1}, hearing.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	ts := mustServer(t, func(c *web.Config) { c.Hearings = hs })
	t.Cleanup(func() { hs.Close() })

	tok, _ := hs.IssueToken(9, 4, court.RoleJudge, "王法官")
	c, _, err := wsDial(t, ts, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.WriteJSON(hearing.Message{Type: hearing.TypeJoin, Token: tok})
	if m := wsRead(t, c); m.Type != hearing.TypeJoined {
		t.Fatalf("first join: got %+v, want joined", m)
	}
	for i, tt := range []struct{ lang, want string }{
		{"zh-CN", "服务器当前已满"},
		{"en", "media server is full"},
	} {
		tok, _ := hs.IssueToken(10, int64(20+i), court.RoleClaimant, "张伟")
		c2, _, err := wsDial(t, ts, http.Header{"Accept-Language": {tt.lang}})
		if err != nil {
			t.Fatal(err)
		}
		c2.WriteJSON(hearing.Message{Type: hearing.TypeJoin, Token: tok})
		m := wsRead(t, c2)
		if m.Type != hearing.TypeError || m.Key != "err.hearing_full" || m.Code != court.ETOOMANY || !strings.Contains(m.Error, tt.want) {
			t.Errorf("%s: got %+v, want err.hearing_full containing %q", tt.lang, m, tt.want)
		}
		c2.Close()
	}

	body := ts.client(t).get("/metrics").Body
	for _, want := range []string{
		"courtd_hearing_participants 1", "courtd_hearing_max_participants 1", "courtd_hearing_refused_total 2",
		"courtd_hearing_rooms ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics: missing %q", want)
		}
	}
}

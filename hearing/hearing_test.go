package hearing_test

import (
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
)

const (
	judgeID    = 1
	consumerID = 2
	merchantID = 3
	hearingID  = 77
)

func isEvent(ev string) func(hearing.Message) bool {
	return func(m hearing.Message) bool { return m.Type == hearing.TypeEvent && m.Event == ev }
}

func isError(key string) func(hearing.Message) bool {
	return func(m hearing.Message) bool { return m.Type == hearing.TypeError && m.Key == key }
}

func TestTokens(t *testing.T) {
	key := make([]byte, 32)
	tk, err := hearing.NewTokens(key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tk.Now = func() time.Time { return now }
	tok, err := tk.Issue(5, 9, court.RoleClaimant, "张伟")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := hearing.NewTokens(append([]byte("x"), key[1:]...), time.Minute)
	other.Now = tk.Now
	forged, _ := other.Issue(5, 9, court.RoleJudge, "x")
	expired, _ := tk.Issue(5, 9, court.RoleClaimant, "x")

	c, err := tk.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hearing != 5 || c.User != 9 || c.Role != court.RoleClaimant || c.Name != "张伟" {
		t.Errorf("claims: got %+v", c)
	}
	payload, sig, _ := cut(tok)
	// The signature with its last character changed: to another valid
	// one, and to one that differs only in the bits base64 leaves unused
	// (a lenient decoder reads the same signature from both).
	last := strings.IndexByte(b64, sig[len(sig)-1])
	changed := b64[(last+4)%64 : (last+4)%64+1]
	unused := b64[last^1 : last^1+1]
	tests := []struct {
		name, token, key string
	}{
		{"replayed", tok, "err.hearing_token_used"},
		{"other key", forged, "err.hearing_token_invalid"},
		{"garbage", "abc", "err.hearing_token_invalid"},
		{"empty", "", "err.hearing_token_invalid"},
		{"payload changed", payload + "x." + sig, "err.hearing_token_invalid"},
		{"signature changed", payload + "." + sig[:len(sig)-1] + changed, "err.hearing_token_invalid"},
		{"signature's unused bits changed", payload + "." + sig[:len(sig)-1] + unused, "err.hearing_token_invalid"},
	}
	for _, tt := range tests {
		_, err := tk.Verify(tt.token)
		if e, ok := err.(*court.Error); !ok || e.Code != court.EUNAUTHORIZED || e.Msg.Key != tt.key {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.key)
		}
	}
	now = now.Add(time.Minute)
	if _, err := tk.Verify(expired); err == nil || err.(*court.Error).Msg.Key != "err.hearing_token_expired" {
		t.Errorf("expired: got %v, want err.hearing_token_expired", err)
	}
	if _, err := hearing.NewTokens(key[:16], 0); err == nil {
		t.Error("short key: got no error")
	}
}

// b64 is the base64url alphabet, in the order of the values.
const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TestJoinRefused: a bad, expired or replayed token gets an error message
// and a closed connection, and never enters the room.
func TestJoinRefused(t *testing.T) {
	th := mustHearing(t, nil)
	tok := th.token(t, hearingID, consumerID, court.RoleClaimant)
	first, _ := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer first.close()
	used := dial(t, th, tok)
	used.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeJoined })
	used.close()

	// An expired token: signed with the server's key by a clock an hour behind.
	past, err := hearing.NewTokens(th.Key, 0)
	if err != nil {
		t.Fatal(err)
	}
	past.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	old, err := past.Issue(hearingID, merchantID, court.RoleMerchant, "x")
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct{ name, token, key string }{
		{"forged", tok[:len(tok)-4] + "AAAA", "err.hearing_token_invalid"},
		{"replayed", tok, "err.hearing_token_used"},
		{"expired", old, "err.hearing_token_expired"},
	} {
		c := dial(t, th, tt.token)
		c.waitFor(isError(tt.key))
		c.waitClosed()
		c.close()
	}
	// Something else than join first.
	c := dial(t, th, "")
	c.waitFor(isError("err.hearing_token_invalid"))
	c.waitClosed()
	c.close()
}

// TestFlood: a client sending messages faster than any room page would is
// cut off.
func TestFlood(t *testing.T) {
	th := mustHearing(t, nil)
	c, _ := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer c.close()
	for range 150 {
		c.send(hearing.Message{Type: hearing.TypeChat, Text: "x"})
	}
	c.waitFor(isError("err.hearing_too_many"))
	c.waitClosed()
}

// TestHearing is the whole room: the parties wait and receive nothing; the
// judge admits them; everyone receives the other two's audio and video; a
// mute stops one track; chat is kept; remove cuts the removed one off both
// ways; end closes everything and hands the record over.
func TestHearing(t *testing.T) {
	th := mustHearing(t, nil)
	judge, jm := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	if !jm.You.Admitted {
		t.Fatalf("judge: got waiting, want admitted")
	}
	judge.level = 30 // the judge talks
	judge.publish(false)

	consumer, cm := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer consumer.close()
	merchant, mm := join(t, th, hearingID, merchantID, court.RoleMerchant)
	defer merchant.close()
	if cm.You.Admitted || mm.You.Admitted {
		t.Fatalf("parties: got admitted on join, want waiting")
	}
	judge.waitFor(func(m hearing.Message) bool {
		return m.Type == hearing.TypeEvent && m.Event == hearing.EventWaiting && m.Target == merchantID
	})
	// Waiting: no media either way.
	consumer.send(hearing.Message{Type: hearing.TypeChat, Text: "hello?"})
	consumer.waitFor(isError("err.hearing_not_admitted"))
	merchant.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	merchant.waitFor(isError("err.hearing_not_judge"))
	time.Sleep(500 * time.Millisecond)
	if n := consumer.total() + merchant.total(); n != 0 {
		t.Fatalf("waiting parties received %d packets, want 0", n)
	}

	if got := th.Srv.Presence(hearingID); len(got) != 3 {
		t.Errorf("Presence: got %d people, want 3", len(got))
	}
	judge.send(hearing.Message{Type: hearing.TypeAdmit, Target: consumerID})
	consumer.waitFor(isEvent(hearing.EventAdmitted))
	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	merchant.waitFor(isEvent(hearing.EventAdmitted))
	consumer.publish(false)
	merchant.publish(false)

	clients := map[int64]*client{judgeID: judge, consumerID: consumer, merchantID: merchant}
	for id, c := range clients {
		for other := range clients {
			if other == id {
				continue
			}
			for _, kind := range []string{"audio", "video"} {
				eventually(t, "user "+itoa(id)+" receives "+itoa(other)+" "+kind, func() bool {
					return c.count(other, kind) > 10
				})
			}
		}
	}
	// Presence lists all three, and the judge speaks.
	judge.waitFor(func(m hearing.Message) bool {
		if m.Type != hearing.TypePresence || len(m.Participants) != 3 {
			return false
		}
		for _, p := range m.Participants {
			if p.Speaking {
				return true
			}
		}
		return false
	})

	// Mute the merchant's audio: nobody gets it; its video still flows.
	judge.send(hearing.Message{Type: hearing.TypeMute, Target: merchantID, Kind: "audio", On: true})
	merchant.waitFor(isEvent(hearing.EventMuted))
	stops(t, "muted audio", consumer, merchantID, "audio")
	stops(t, "muted audio", judge, merchantID, "audio")
	flows(t, "the muted merchant's video", consumer, merchantID, "video")
	judge.send(hearing.Message{Type: hearing.TypeMute, Target: merchantID, Kind: "audio", On: false})
	eventually(t, "unmuted audio flows again", func() bool { return flowing(consumer, merchantID, "audio") })
	judge.send(hearing.Message{Type: hearing.TypeMute, Target: consumerID, Kind: "video", On: true})
	consumer.waitFor(isEvent(hearing.EventMuted))
	stops(t, "muted video", merchant, consumerID, "video")
	flows(t, "the video-muted consumer's audio", merchant, consumerID, "audio")
	judge.send(hearing.Message{Type: hearing.TypeMute, Target: consumerID, Kind: "video", On: false})
	judge.send(hearing.Message{Type: hearing.TypeAskMute, Target: merchantID, Kind: "audio"})
	if m := merchant.waitFor(isEvent(hearing.EventAskMute)); m.Kind != "audio" {
		t.Errorf("ask_mute: got kind %q, want audio", m.Kind)
	}
	judge.send(hearing.Message{Type: hearing.TypeMute, Target: merchantID, Kind: "sound", On: true})
	judge.waitFor(isError("err.hearing_bad_kind"))
	judge.send(hearing.Message{Type: hearing.TypeRemove, Target: judgeID})
	judge.waitFor(isError("err.hearing_not_judge_target"))
	judge.send(hearing.Message{Type: hearing.TypeAdmit, Target: 999})
	judge.waitFor(isError("err.hearing_no_such_participant"))

	// The recorder's tap gets the forwarded packets.
	if th.tappedCount(judgeID, "video") < 10 || th.tappedCount(consumerID, "audio") < 10 {
		t.Errorf("OnTrack taps: got judge video %d, consumer audio %d packets, want both at least 10",
			th.tappedCount(judgeID, "video"), th.tappedCount(consumerID, "audio"))
	}

	// Chat goes to everyone admitted and into the record.
	consumer.send(hearing.Message{Type: hearing.TypeChat, Text: "  我已提交订单截图  "})
	got := merchant.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeChat })
	if got.Chat.Text != "我已提交订单截图" || got.Chat.From != consumerID {
		t.Errorf("chat: got %+v", got.Chat)
	}
	consumer.send(hearing.Message{Type: hearing.TypeChat, Text: " "})
	consumer.waitFor(isError("err.hearing_chat_empty"))

	// Remove the merchant: it is told and disconnected; nothing flows to or
	// from it any more.
	judge.send(hearing.Message{Type: hearing.TypeRemove, Target: merchantID})
	merchant.waitFor(isEvent(hearing.EventRemoved))
	merchant.waitClosed()
	eventually(t, "the removed merchant's tap ends", func() bool { return th.tappedCount(merchantID, "video") == -1 })
	stops(t, "the removed merchant's video", consumer, merchantID, "video")
	stops(t, "the removed merchant's audio", judge, merchantID, "audio")
	stops(t, "the judge's video to the removed merchant", merchant, judgeID, "video")
	stops(t, "the consumer's audio to the removed merchant", merchant, consumerID, "audio")
	flows(t, "the judge's video to the consumer", consumer, judgeID, "video")
	// Removed means no kept admission: joining again means waiting again.
	back, bm := join(t, th, hearingID, merchantID, court.RoleMerchant)
	if bm.You.Admitted {
		t.Errorf("removed merchant rejoined admitted, want waiting")
	}

	judge.send(hearing.Message{Type: hearing.TypeEnd})
	for _, c := range []*client{judge, consumer, back} {
		c.waitFor(isEvent(hearing.EventEnded))
		c.waitClosed()
	}
	back.close()
	th.mu.Lock()
	defer th.mu.Unlock()
	if len(th.ended) != 1 || th.ended[0].Hearing != hearingID || th.ended[0].EndedBy != judgeID ||
		len(th.ended[0].Chat) != 1 || len(th.chats) != 1 {
		t.Errorf("record: got %+v, chats %d", th.ended, len(th.chats))
	}
	// An ended hearing takes nobody in.
	late := dial(t, th, th.token(t, hearingID, consumerID, court.RoleClaimant))
	late.waitFor(isError("err.hearing_ended"))
	late.close()
}

// TestReconnect: a participant whose connection drops comes back admitted
// within the rejoin period and receives media again; after it, it waits.
func TestReconnect(t *testing.T) {
	th := mustHearing(t, func(c *hearing.Config) { c.Rejoin = 3 * time.Second })
	judge, _ := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	judge.publish(false)
	consumer, _ := join(t, th, hearingID, consumerID, court.RoleClaimant)
	judge.send(hearing.Message{Type: hearing.TypeAdmit, Target: consumerID})
	consumer.waitFor(isEvent(hearing.EventAdmitted))
	eventually(t, "consumer receives the judge", func() bool { return consumer.count(judgeID, "video") > 5 })
	consumer.close() // the network drops

	again, m := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer again.close()
	if !m.You.Admitted {
		t.Fatalf("rejoin within the period: got waiting, want admitted")
	}
	again.publish(false)
	eventually(t, "rejoined consumer receives the judge", func() bool { return again.count(judgeID, "video") > 5 })
	eventually(t, "judge receives the rejoined consumer", func() bool { return judge.count(consumerID, "audio") > 5 })

	// The same user joining from a second device replaces the first.
	second, m2 := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer second.close()
	again.waitFor(isEvent(hearing.EventReplaced))
	if !m2.You.Admitted {
		t.Errorf("second device: got waiting, want admitted")
	}
	second.close()
	time.Sleep(3500 * time.Millisecond)
	late, m3 := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer late.close()
	if m3.You.Admitted {
		t.Errorf("rejoin after the period: got admitted, want waiting")
	}
}

// TestScreenShare: one participant at a time holds the screen slot; its
// screen track reaches the others only while it holds it.
func TestScreenShare(t *testing.T) {
	th := mustHearing(t, nil)
	judge, consumer := admitted(t, th)
	judge.publish(false)
	consumer.send(hearing.Message{Type: hearing.TypeScreen, On: true})
	consumer.waitFor(func(m hearing.Message) bool {
		return m.Type == hearing.TypeEvent && m.Event == hearing.EventScreen && m.On
	})
	judge.send(hearing.Message{Type: hearing.TypeScreen, On: true})
	judge.waitFor(isError("err.hearing_screen_busy"))
	consumer.publish(true)
	eventually(t, "judge receives the screen", func() bool { return judge.count(consumerID, "screen") > 5 })
	judge.send(hearing.Message{Type: hearing.TypeScreen, On: false, Target: consumerID})
	consumer.waitFor(func(m hearing.Message) bool {
		return m.Type == hearing.TypeEvent && m.Event == hearing.EventScreen && !m.On
	})
	stops(t, "the released screen", judge, consumerID, "screen")
	flows(t, "the camera after the screen's release", judge, consumerID, "video")
}

// TestNoLeaks: 50 join, admit, publish, leave cycles leave the goroutine
// count at its baseline and the heap flat; closing the server releases
// the rest.
func TestNoLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("50 real WebRTC sessions")
	}
	th := mustHearing(t, nil)
	idle := settle(t, 0) // the server with its media ports, no room
	judge, _ := join(t, th, hearingID, judgeID, court.RoleJudge)
	judge.publish(false)
	user := int64(100)
	cycle := func() {
		user++ // a new participant each time, so each one waits to be admitted
		c, _ := join(t, th, hearingID, user, court.RoleClaimant)
		judge.send(hearing.Message{Type: hearing.TypeAdmit, Target: user})
		c.waitFor(isEvent(hearing.EventAdmitted))
		c.publish(false)
		eventually(t, "media flows", func() bool { return c.count(judgeID, "audio") > 0 && judge.count(user, "audio") > 0 })
		c.close()
	}
	for range 3 { // warm up pools and caches
		cycle()
	}
	base := settle(t, 0)
	heap0 := heapInUse()
	for range 50 {
		cycle()
	}
	if n := settle(t, base); n > base+2 {
		t.Errorf("goroutines after 50 cycles: got %d, want about %d", n, base)
	}
	// Measured: about 1.5 MB more after 50 cycles (pion keeps per-SSRC
	// state for every track the judge's connection ever received, until it
	// closes); a leak of the participants' media would be far more.
	if h := heapInUse(); h > heap0+8<<20 {
		t.Errorf("heap after 50 cycles: got %d MB, want about %d MB", h>>20, heap0>>20)
	}
	t.Logf("goroutines: idle server %d, room with judge %d, after 50 cycles %d; heap %d KB -> %d KB",
		idle, base, runtime.NumGoroutine(), heap0>>10, heapInUse()>>10)
	judge.mu.Lock()
	t.Logf("judge's subscribe transceivers: %d; SDP %d bytes", len(judge.sub.GetTransceivers()), len(judge.sub.CurrentRemoteDescription().SDP))
	judge.mu.Unlock()
	judge.close()
	th.Srv.Close()
	if n := settle(t, idle); n > idle {
		t.Errorf("goroutines after the server closed: got %d, want at most %d", n, idle)
	}
}

// settle waits until the goroutine count stops falling (or reaches want).
func settle(t *testing.T, want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		time.Sleep(100 * time.Millisecond)
		m := runtime.NumGoroutine()
		if (want > 0 && m <= want) || (want == 0 && m == n && i > 5) {
			return m
		}
		n = m
	}
	return n
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestSpeaking: who speaks comes from the audio level each audio packet
// carries: a loud publisher is speaking, a silent one is not.
func TestSpeaking(t *testing.T) {
	th := mustHearing(t, nil)
	judge, consumer := admitted(t, th)
	judge.level = 20     // -20 dBov: talking
	consumer.level = 127 // silence
	judge.publish(false)
	consumer.publish(false)
	eventually(t, "media both ways", func() bool {
		return consumer.count(judgeID, "audio") > 5 && judge.count(consumerID, "audio") > 5
	})
	consumer.waitFor(func(m hearing.Message) bool {
		speaking := map[int64]bool{}
		for _, p := range m.Participants {
			speaking[p.ID] = p.Speaking
		}
		return m.Type == hearing.TypePresence && len(m.Participants) == 2 && speaking[judgeID] && !speaking[consumerID]
	})
}

// TestFallbacks: a client that cannot use UDP gets its media over the TCP
// port; a client allowed only relayed candidates gets it through the
// embedded TURN server.
func TestFallbacks(t *testing.T) {
	th := mustHearing(t, func(c *hearing.Config) {
		c.TURNPort = freeUDPPort(t)
		c.TURNSecret = "turn-secret-for-tests"
		c.TURNRelayIP = "127.0.0.1"
	})
	judge, jm := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	if len(jm.ICEServers) != 1 || jm.ICEServers[0].Username == "" || jm.ICEServers[0].Credential == "" {
		t.Fatalf("joined: got ICE servers %+v, want the TURN server with credentials", jm.ICEServers)
	}
	judge.publish(false)

	tcp := dialWith(t, th, th.token(t, hearingID, consumerID, court.RoleClaimant), clientAPI(t, webrtc.NetworkTypeTCP4))
	defer tcp.close()
	tcp.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeJoined })
	relayed := dialWith(t, th, th.token(t, hearingID, merchantID, court.RoleMerchant), clientAPI(t))
	defer relayed.close()
	m := relayed.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeJoined })
	relayed.conf = webrtc.Configuration{ICETransportPolicy: webrtc.ICETransportPolicyRelay}
	for _, s := range m.ICEServers {
		relayed.conf.ICEServers = append(relayed.conf.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	tcp.waitFor(isEvent(hearing.EventAdmitted))
	relayed.waitFor(isEvent(hearing.EventAdmitted))
	tcp.publish(false)
	relayed.publish(false)
	for _, c := range []*client{tcp, relayed} {
		eventually(t, "fallback client receives the judge", func() bool { return c.count(judgeID, "video") > 5 })
	}
	eventually(t, "judge receives the TCP client", func() bool { return judge.count(consumerID, "audio") > 5 })
	eventually(t, "judge receives the relayed client", func() bool { return judge.count(merchantID, "audio") > 5 })
	for _, c := range []*client{tcp, relayed} {
		want := "tcp"
		if c == relayed {
			want = "relay"
		}
		if got := selectedCandidate(c); got != want {
			t.Errorf("selected local candidate: got %q, want %q", got, want)
		}
	}
}

// selectedCandidate returns how c's subscribe connection reaches the
// server: "relay", "tcp" or "udp".
func selectedCandidate(c *client) string {
	c.mu.Lock()
	pc := c.sub
	c.mu.Unlock()
	pair, err := pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		return ""
	}
	if pair.Local.Typ == webrtc.ICECandidateTypeRelay {
		return "relay"
	}
	return pair.Local.Protocol.String()
}

func freeUDPPort(t *testing.T) int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// TestICERestart: both connections survive an ICE restart (new credentials,
// as after a change of network) and media keeps flowing.
func TestICERestart(t *testing.T) {
	th := mustHearing(t, nil)
	judge, consumer := admitted(t, th)
	judge.publish(false)
	consumer.publish(false)
	eventually(t, "media both ways", func() bool {
		return consumer.count(judgeID, "video") > 5 && judge.count(consumerID, "video") > 5
	})

	sub, pub := consumer.remoteUfrag(hearing.PCSubscribe), consumer.remoteUfrag(hearing.PCPublish)
	if sub == "" || pub == "" {
		t.Fatalf("ufrags before restart: got %q and %q", sub, pub)
	}
	consumer.send(hearing.Message{Type: hearing.TypeRestart})
	consumer.restartPublish()
	eventually(t, "new server credentials on both connections", func() bool {
		return consumer.remoteUfrag(hearing.PCSubscribe) != sub && consumer.remoteUfrag(hearing.PCPublish) != pub
	})
	eventually(t, "media after the restart", func() bool {
		return flowing(consumer, judgeID, "video") && flowing(judge, consumerID, "audio")
	})
}

// TestAllInterfaces: with no listen address the media ports serve every
// interface (the production setting), loopback included when asked.
func TestAllInterfaces(t *testing.T) {
	th := mustHearing(t, func(c *hearing.Config) { c.ListenIP = "" })
	if udp, tcp := th.Srv.Ports(); udp == 0 || tcp == 0 {
		t.Fatalf("ports: got UDP %d, TCP %d", udp, tcp)
	}
	judge, consumer := admitted(t, th)
	judge.publish(false)
	consumer.publish(false)
	eventually(t, "media both ways", func() bool {
		return consumer.count(judgeID, "video") > 5 && judge.count(consumerID, "audio") > 5
	})
}

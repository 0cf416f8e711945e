package hearing_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
	"github.com/shangcheng-court/courtd/hearing/hearingtest"
)

// testHearing is a hearing server on loopback, signalling over a real
// WebSocket served by net/http.
type testHearing struct {
	Srv  *hearing.Server
	Key  []byte // the token key
	URL  string // ws://...
	Page string // http://... serving roomPage

	mu     sync.Mutex
	tapped map[string]int // "2/audio" -> packets the OnTrack tap got; -1 after the end
	ended  []hearing.Record
	chats  []hearing.ChatMessage
	leaves int
}

func mustHearing(tb testing.TB, adjust func(*hearing.Config)) *testHearing {
	tb.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	cfg := hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true}
	if adjust != nil {
		adjust(&cfg)
	}
	th := &testHearing{Key: key, tapped: map[string]int{}}
	srv, err := hearing.New(cfg, hearing.Hooks{
		OnEnd: func(r hearing.Record) { th.mu.Lock(); th.ended = append(th.ended, r); th.mu.Unlock() },
		OnChat: func(_ int64, m hearing.ChatMessage) {
			th.mu.Lock()
			th.chats = append(th.chats, m)
			th.mu.Unlock()
		},
		OnLeave: func(int64, hearing.Presence, time.Time) { th.mu.Lock(); th.leaves++; th.mu.Unlock() },
		OnTrack: func(_ int64, p hearing.Presence, kind string, _ webrtc.RTPCodecParameters) func(*rtp.Packet) {
			key := itoa(p.ID) + "/" + kind
			return func(pkt *rtp.Packet) {
				th.mu.Lock()
				defer th.mu.Unlock()
				if pkt == nil {
					th.tapped[key] = -1
				} else if th.tapped[key] >= 0 {
					th.tapped[key]++
				}
			}
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	th.Srv = srv
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !websocket.IsWebSocketUpgrade(r) { // the browser test's page
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(roomPage))
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		srv.Serve(c, nil)
	}))
	th.URL = "ws" + strings.TrimPrefix(hs.URL, "http")
	th.Page = hs.URL
	tb.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	return th
}

// tappedCount returns what the OnTrack tap of user's kind got (-1: ended).
func (th *testHearing) tappedCount(user int64, kind string) int {
	th.mu.Lock()
	defer th.mu.Unlock()
	return th.tapped[itoa(user)+"/"+kind]
}

func (th *testHearing) token(tb testing.TB, hearingID, user int64, role court.Role) string {
	tb.Helper()
	tok, err := th.Srv.IssueToken(hearingID, user, role, string(role))
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// clientAPI is the WebRTC stack of the test clients: loopback only, no mDNS,
// UDP unless other network types are given.
func clientAPI(tb testing.TB, networks ...webrtc.NetworkType) *webrtc.API {
	se := hearingtest.Loopback(networks...)
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		tb.Fatal(err)
	}
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		tb.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me))
}

const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// client is an in-process participant: a WebSocket, a publish connection
// sending synthetic audio and video, and a subscribe connection counting
// what arrives per (publisher stream, kind).
type client struct {
	tb      testing.TB
	ws      *websocket.Conn
	api     *webrtc.API
	conf    webrtc.Configuration // of both peer connections
	wmu     sync.Mutex
	msgs    chan hearing.Message
	read    chan struct{} // closed when readLoop ends
	closing atomic.Bool
	wg      sync.WaitGroup

	mu       sync.Mutex
	pub, sub *webrtc.PeerConnection
	counts   map[string]*atomic.Int64 // "p12/audio" -> packets received
	stopSend chan struct{}
	// level, when set before publish, is put in every audio packet as the
	// audio level header extension (-dBov: 0 loud, 127 silent), as browsers do.
	level uint8
	// plis counts the keyframe requests (PLI) the publisher received.
	plis atomic.Int64
}

// dial connects and sends join with token; it does not wait for an answer.
func dial(tb testing.TB, th *testHearing, token string) *client {
	tb.Helper()
	return dialWith(tb, th, token, clientAPI(tb))
}

// dialWith is dial with a given WebRTC stack.
func dialWith(tb testing.TB, th *testHearing, token string, api *webrtc.API) *client {
	tb.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(th.URL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	c := &client{tb: tb, ws: ws, api: api, msgs: make(chan hearing.Message, 1000),
		read: make(chan struct{}), counts: map[string]*atomic.Int64{}, stopSend: make(chan struct{})}
	go c.readLoop()
	c.send(hearing.Message{Type: hearing.TypeJoin, Token: token})
	return c
}

// join connects and waits for the joined message.
func join(tb testing.TB, th *testHearing, hearingID, user int64, role court.Role) (*client, hearing.Message) {
	tb.Helper()
	c := dial(tb, th, th.token(tb, hearingID, user, role))
	m := c.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeJoined })
	return c, m
}

func (c *client) send(m hearing.Message) {
	b, _ := json.Marshal(m)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *client) readLoop() {
	defer close(c.read)
	defer close(c.msgs)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var m hearing.Message
		if err := json.Unmarshal(b, &m); err != nil {
			c.tb.Errorf("bad message %s", b)
			continue
		}
		switch {
		case m.Type == hearing.TypeOffer && m.PC == hearing.PCSubscribe:
			c.answerSubscribe(*m.SDP)
		case m.Type == hearing.TypeAnswer && m.PC == hearing.PCPublish:
			c.mu.Lock()
			pub := c.pub
			c.mu.Unlock()
			if err := pub.SetRemoteDescription(*m.SDP); err != nil {
				c.failf("publish answer: %v", err)
			}
		default:
			select {
			case c.msgs <- m:
			default:
				c.tb.Errorf("client message queue full")
			}
		}
	}
}

func (c *client) answerSubscribe(offer webrtc.SessionDescription) {
	c.mu.Lock()
	if c.sub == nil {
		pc, err := c.api.NewPeerConnection(c.conf)
		if err != nil {
			c.mu.Unlock()
			c.failf("subscribe: %v", err)
			return
		}
		pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			key := tr.StreamID() + "/" + tr.Kind().String()
			if strings.HasPrefix(tr.ID(), "screen") {
				key = tr.StreamID() + "/screen"
			}
			c.mu.Lock()
			n := c.counts[key]
			if n == nil {
				n = &atomic.Int64{}
				c.counts[key] = n
			}
			c.mu.Unlock()
			buf := make([]byte, 1500)
			for {
				if _, _, err := tr.Read(buf); err != nil {
					return
				}
				n.Add(1)
			}
		})
		c.sub = pc
	}
	pc := c.sub
	c.mu.Unlock()
	if err := pc.SetRemoteDescription(offer); err != nil {
		c.failf("subscribe offer: %v", err)
		return
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		c.failf("subscribe answer: %v", err)
		return
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		c.failf("subscribe answer: %v", err)
		return
	}
	<-gathered
	c.send(hearing.Message{Type: hearing.TypeAnswer, PC: hearing.PCSubscribe, SDP: pc.LocalDescription()})
}

// publish opens the publish connection with an audio and a video track (and
// a screen track when screen is set) and sends RTP on them every 20 ms until
// the client closes.
func (c *client) publish(screen bool) {
	c.tb.Helper()
	pc, err := c.api.NewPeerConnection(c.conf)
	if err != nil {
		c.tb.Fatal(err)
	}
	audio, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "a", "s")
	video, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "s")
	tracks := []*webrtc.TrackLocalStaticRTP{audio, video}
	if screen {
		sc, _ := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "sc", "s")
		tracks = append(tracks, sc)
	}
	var levelExt uint8
	for _, tr := range tracks {
		s, err := pc.AddTrack(tr)
		if err != nil {
			c.tb.Fatal(err)
		}
		for _, e := range s.GetParameters().HeaderExtensions {
			if e.URI == audioLevelURI && tr == audio {
				levelExt = uint8(e.ID)
			}
		}
		c.wg.Add(1)
		go func() { // read RTCP so the interceptors run, as a browser does
			defer c.wg.Done()
			for {
				pkts, _, err := s.ReadRTCP()
				if err != nil {
					return
				}
				for _, p := range pkts {
					if _, ok := p.(*rtcp.PictureLossIndication); ok {
						c.plis.Add(1)
					}
				}
			}
		}()
	}
	c.mu.Lock()
	c.pub = pc
	c.mu.Unlock()
	c.offerPublish(pc, nil)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		payload := make([]byte, 200)
		var seq uint16
		for {
			select {
			case <-c.stopSend:
				return
			case <-tick.C:
			}
			seq++
			for i, tr := range tracks {
				pkt := &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 960,
					SSRC: uint32(i + 1), PayloadType: 96}, Payload: payload}
				if tr == audio && c.level != 0 && levelExt != 0 {
					_ = pkt.SetExtension(levelExt, []byte{c.level})
				}
				_ = tr.WriteRTP(pkt)
			}
		}
	}()
}

// count returns the packets received from a publisher's track kind.
func (c *client) count(user int64, kind string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.counts["p"+itoa(user)+"/"+kind]
	if n == nil {
		return 0
	}
	return n.Load()
}

// total returns all packets received.
func (c *client) total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var t int64
	for _, n := range c.counts {
		t += n.Load()
	}
	return t
}

// admitted joins the judge and the consumer to the hearing, admits the
// consumer, and returns both; they are closed when the test ends.
func admitted(t *testing.T, th *testHearing) (judge, consumer *client) {
	t.Helper()
	judge, _ = join(t, th, hearingID, judgeID, court.RoleJudge)
	t.Cleanup(judge.close)
	consumer, _ = join(t, th, hearingID, consumerID, court.RoleClaimant)
	t.Cleanup(consumer.close)
	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	consumer.waitFor(isEvent(hearing.EventAdmitted))
	return judge, consumer
}

// waitFor returns the first message (from now on) satisfying ok.
func (c *client) waitFor(ok func(hearing.Message) bool) hearing.Message {
	c.tb.Helper()
	return hearingtest.WaitFor(c.tb, c.msgs, ok)
}

// waitClosed waits until the server closes the WebSocket.
func (c *client) waitClosed() {
	c.tb.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, open := <-c.msgs:
			if !open {
				return
			}
		case <-timeout:
			c.tb.Fatalf("connection not closed")
		}
	}
}

// close drops the client: WebSocket and peer connections, and waits for
// its goroutines.
func (c *client) close() {
	c.closing.Store(true)
	select {
	case <-c.stopSend:
	default:
		close(c.stopSend)
	}
	c.ws.Close()
	<-c.read // no offer is being answered while the connections close
	c.mu.Lock()
	pub, sub := c.pub, c.sub
	c.mu.Unlock()
	if pub != nil {
		pub.GracefulClose()
	}
	if sub != nil {
		sub.GracefulClose()
	}
	c.wg.Wait()
}

// failf reports a negotiation failure, unless the client is closing: the
// server then closes its side too, and an offer already received may meet
// a connection the server's DTLS close has just closed.
func (c *client) failf(format string, args ...any) {
	if !c.closing.Load() {
		c.tb.Errorf(format, args...)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// eventually polls cond for up to 30 s: alone a hearing test connects in
// about a second, but CI runs it beside the browser tests on two cores,
// where one run took more than 10 s to receive a track.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stops fails the test unless c stops receiving user's kind within 3 s
// (packets already in flight may still arrive at first).
func stops(tb testing.TB, what string, c *client, user int64, kind string) {
	tb.Helper()
	for deadline := time.Now().Add(3 * time.Second); flowing(c, user, kind); {
		if time.Now().After(deadline) {
			tb.Errorf("%s: still flowing, want stopped", what)
			return
		}
	}
}

// flows fails the test unless c receives user's kind within 3 s.
func flows(tb testing.TB, what string, c *client, user int64, kind string) {
	tb.Helper()
	for deadline := time.Now().Add(3 * time.Second); !flowing(c, user, kind); {
		if time.Now().After(deadline) {
			tb.Errorf("%s: not flowing, want flowing", what)
			return
		}
	}
}

// flowing reports whether c receives user's kind: the count rises within
// half a second.
func flowing(c *client, user int64, kind string) bool {
	before := c.count(user, kind)
	time.Sleep(300 * time.Millisecond)
	return c.count(user, kind) > before
}

// restartPublish re-offers the publish connection with new ICE credentials,
// as a browser does after a network change.
func (c *client) restartPublish() {
	c.tb.Helper()
	c.mu.Lock()
	pc := c.pub
	c.mu.Unlock()
	c.offerPublish(pc, &webrtc.OfferOptions{ICERestart: true})
}

// offerPublish sends an offer of the publish connection pc, with its
// candidates gathered.
func (c *client) offerPublish(pc *webrtc.PeerConnection, opts *webrtc.OfferOptions) {
	c.tb.Helper()
	offer, err := pc.CreateOffer(opts)
	if err != nil {
		c.tb.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		c.tb.Fatal(err)
	}
	<-gathered
	c.send(hearing.Message{Type: hearing.TypeOffer, PC: hearing.PCPublish, SDP: pc.LocalDescription()})
}

// remoteUfrag returns the ICE username fragment of the server's side of a
// connection ("" before it is known).
func (c *client) remoteUfrag(which string) string {
	c.mu.Lock()
	pc := c.sub
	if which == hearing.PCPublish {
		pc = c.pub
	}
	c.mu.Unlock()
	if pc == nil {
		return ""
	}
	d := pc.CurrentRemoteDescription()
	if d == nil {
		return ""
	}
	for _, line := range strings.Split(d.SDP, "\n") {
		if u, ok := strings.CutPrefix(strings.TrimSpace(line), "a=ice-ufrag:"); ok {
			return u
		}
	}
	return ""
}

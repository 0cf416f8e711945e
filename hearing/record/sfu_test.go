package record

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
	"github.com/shangcheng-court/courtd/hearing/hearingtest"
)

// publisher is an in-process participant that publishes Opus packets and
// VP8 frames (with real frame headers) through pion, as a browser would.
type publisher struct {
	t    *testing.T
	ws   *websocket.Conn
	wmu  sync.Mutex
	msgs chan hearing.Message
	pc   *webrtc.PeerConnection
	plis atomic.Int64 // keyframe requests received
	stop chan struct{}
	wg   sync.WaitGroup
}

func joinAs(t *testing.T, srv *hearing.Server, url string, hid, uid int64, role court.Role, name string) *publisher {
	t.Helper()
	tok, err := srv.IssueToken(hid, uid, role, name)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &publisher{t: t, ws: ws, msgs: make(chan hearing.Message, 1000), stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.msgs)
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var m hearing.Message
			if json.Unmarshal(b, &m) == nil {
				p.msgs <- m
			}
		}
	}()
	p.send(hearing.Message{Type: hearing.TypeJoin, Token: tok})
	return p
}

func (p *publisher) send(m hearing.Message) {
	b, _ := json.Marshal(m)
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_ = p.ws.WriteMessage(websocket.TextMessage, b)
}

func (p *publisher) waitFor(ok func(hearing.Message) bool) hearing.Message {
	p.t.Helper()
	return hearingtest.WaitFor(p.t, p.msgs, ok)
}

// publish offers audio and video and sends them until close.
func (p *publisher) publish() {
	t := p.t
	t.Helper()
	se := hearingtest.Loopback()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p.pc = pc
	audio, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "a", "s")
	video, _ := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "s")
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		s, err := pc.AddTrack(tr)
		if err != nil {
			t.Fatal(err)
		}
		p.wg.Add(1)
		go func() { // read RTCP, counting keyframe requests
			defer p.wg.Done()
			for {
				pkts, _, err := s.ReadRTCP()
				if err != nil {
					return
				}
				for _, k := range pkts {
					if _, ok := k.(*rtcp.PictureLossIndication); ok {
						p.plis.Add(1)
					}
				}
			}
		}()
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	p.send(hearing.Message{Type: hearing.TypeOffer, PC: hearing.PCPublish, SDP: pc.LocalDescription()})
	ans := p.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeAnswer })
	if err := pc.SetRemoteDescription(*ans.SDP); err != nil {
		t.Fatal(err)
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			_ = audio.WriteSample(media.Sample{Data: []byte{0xfc, byte(i), 1, 2, 3}, Duration: 20 * time.Millisecond})
			if i%2 == 0 { // 25 frames/s of 3000 bytes (3 packets), a keyframe each second
				_ = video.WriteSample(media.Sample{Data: vp8Frame(i, i%50 == 0, 3000), Duration: 40 * time.Millisecond})
			}
		}
	}()
}

func (p *publisher) close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	if p.pc != nil {
		p.pc.Close()
	}
	p.ws.Close()
	p.wg.Wait()
}

// closedWebM reports whether the WebM file at path has been closed: its
// Segment size is filled in (it is "unknown" while recording).
func closedWebM(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	i := strings.Index(string(b), string(id(idSegment)))
	return i > 0 && len(b) > i+12 && string(b[i+4:i+12]) != string(unknownSize[:])
}

// TestRecordHearing runs a real hearing server with the recorder on its
// hooks: a judge and a party publish through pion; the recording is
// announced; it starts with a keyframe request; removing the party closes
// its files; ending the hearing hands over valid files; nothing leaks.
func TestRecordHearing(t *testing.T) {
	base := runtime.NumGoroutine()
	key := make([]byte, 32)
	rand.Read(key)
	rec, err := New(Config{Dir: filepath.Join(t.TempDir(), "rec")})
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan []File, 1)
	attached := make(chan struct{}) // closed when the test has read the files
	var once sync.Once
	release := func() { once.Do(func() { close(attached) }) }
	t.Cleanup(release)
	var mu sync.Mutex
	trackEnded := map[int64]int{} // user -> taps that got nil
	hooks := rec.Wrap(hearing.Hooks{
		OnTrack: func(hid int64, p hearing.Presence, kind string, codec webrtc.RTPCodecParameters) func(*rtp.Packet) {
			return func(pkt *rtp.Packet) {
				if pkt == nil {
					mu.Lock()
					trackEnded[p.ID]++
					mu.Unlock()
				}
			}
		},
	}, func(_ context.Context, r hearing.Record, files []File) error {
		if r.Hearing == 9 {
			ended <- files
		}
		<-attached
		return nil
	})
	srv, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true, Recording: true}, hooks)
	if err != nil {
		t.Fatal(err)
	}
	rec.SetKeyframe(srv.RequestKeyframe)
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err == nil {
			srv.Serve(c, nil)
		}
	}))
	url := "ws" + strings.TrimPrefix(hs.URL, "http")

	judge := joinAs(t, srv, url, 9, 1, court.RoleJudge, "王法官")
	if m := judge.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeJoined }); !m.Recording {
		t.Error("joined does not say the hearing is recorded")
	}
	party := joinAs(t, srv, url, 9, 2, court.RoleClaimant, "张三")
	party.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeJoined })
	judge.send(hearing.Message{Type: hearing.TypeAdmit, Target: 2})
	party.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeEvent && m.Event == hearing.EventAdmitted })
	judge.publish()
	party.publish()

	deadline := time.Now().Add(15 * time.Second)
	partyVideo := ""
	for time.Now().Before(deadline) && partyVideo == "" {
		time.Sleep(200 * time.Millisecond)
		matches, _ := filepath.Glob(filepath.Join(rec.cfg.Dir, "h9-*", "u2-video-1.webm"))
		if len(matches) == 1 {
			if st, err := os.Stat(matches[0]); err == nil && st.Size() > 20000 {
				partyVideo = matches[0]
			}
		}
	}
	if partyVideo == "" {
		t.Fatal("the party's video is not being recorded")
	}
	if party.plis.Load() == 0 {
		t.Error("no keyframe was requested when the recording started")
	}
	if closedWebM(partyVideo) {
		t.Fatal("the party's video is closed while it publishes")
	}

	judge.send(hearing.Message{Type: hearing.TypeRemove, Target: 2})
	for time.Now().Before(deadline) {
		mu.Lock()
		n := trackEnded[2]
		mu.Unlock()
		if n == 2 && closedWebM(partyVideo) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !closedWebM(partyVideo) {
		t.Fatal("removing the party did not close its video file")
	}
	party.close()

	time.Sleep(500 * time.Millisecond) // some more of the judge
	judge.send(hearing.Message{Type: hearing.TypeEnd})
	var files []File
	select {
	case files = <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the hearing did not end")
	}
	judge.close()
	kinds := map[string]bool{}
	for _, f := range files {
		kinds[f.Name+"/"+f.Kind] = true
		if f.MIME == "audio/ogg" {
			if n := len(checkOgg(t, f.Path)); n < 10 {
				t.Errorf("%s: %d audio packets", f.Path, n)
			}
		} else {
			w := checkWebM(t, f.Path)
			if len(w.frames) < 5 || w.width != 16 || w.codec != "V_VP8" {
				t.Errorf("%s: %d frames of %s %dx%d", f.Path, len(w.frames), w.codec, w.width, w.height)
			}
		}
	}
	for _, k := range []string{"王法官/audio", "王法官/video", "张三/audio", "张三/video"} {
		if !kinds[k] {
			t.Errorf("no recording %s in %v", k, kinds)
		}
	}
	release() // the attachment is done: the files go
	srv.Close()
	rec.Close()
	for _, f := range files {
		if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
			t.Errorf("%s is still in the temp area after its attachment", f.Path)
		}
	}

	hs.Close()
	for i := 0; i < 50 && runtime.NumGoroutine() > base+2; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("got %d goroutines, want about %d:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

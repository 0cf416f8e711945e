package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
)

// peer is one participant of the load: it publishes audio and video and
// receives everyone else's.
type peer interface {
	// heard is how many (publisher, kind) sources it receives from.
	heard() int
	close()
}

// roomSize is the number of participants of every room: a judge and three
// others (claimant, merchant, a witness), as in a small-claims hearing.
const roomSize = 4

// ---- SFU participants: pion clients speaking the hearing protocol ----

// clientAPI is the WebRTC stack of the load's clients: loopback UDP only
// and no interceptors at all (no NACK, no reports, no TWCC), so that the
// load generator spends its CPU on sending and receiving, and a lost packet
// stays lost (a retransmission would hide a loss and count as a late
// packet).
func clientAPI() (*webrtc.API, error) {
	var se webrtc.SettingEngine
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	se.LoggerFactory = lf
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		return nil, err
	}
	// An empty registry: without one, NewAPI installs pion's defaults.
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me),
		webrtc.WithInterceptorRegistry(&interceptor.Registry{})), nil
}

// sfuPeer is a participant connected to the SFU child: the signalling
// WebSocket, a publish connection and a subscribe connection.
type sfuPeer struct {
	api   *webrtc.API
	tally *tally
	ws    *websocket.Conn
	wmu   sync.Mutex
	stop  chan struct{}
	wg    sync.WaitGroup
	src   sources
	errs  chan error  // the first negotiation failure
	full  atomic.Bool // the server refused the join: err.hearing_full

	mu       sync.Mutex
	pub, sub *webrtc.PeerConnection
}

// joinSFU connects user (role) to hearing h of the SFU child at addr.
func joinSFU(api *webrtc.API, t *tally, addr string, h, user int64, role court.Role) (*sfuPeer, error) {
	q := url.Values{"h": {strconv.FormatInt(h, 10)}, "u": {strconv.FormatInt(user, 10)}, "r": {string(role)}}
	resp, err := http.Get("http://" + addr + "/token?" + q.Encode())
	if err != nil {
		return nil, err
	}
	tok, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token: %s %s", resp.Status, tok)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		return nil, err
	}
	p := &sfuPeer{api: api, tally: t, ws: ws, stop: make(chan struct{}), errs: make(chan error, 1)}
	p.wg.Add(1)
	go p.readLoop()
	p.send(hearing.Message{Type: hearing.TypeJoin, Token: string(tok)})
	return p, nil
}

func (p *sfuPeer) send(m hearing.Message) {
	b, _ := json.Marshal(m)
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_ = p.ws.WriteMessage(websocket.TextMessage, b)
}

func (p *sfuPeer) fail(err error) {
	select {
	case p.errs <- err:
	default:
	}
}

// readLoop follows the protocol of docs/hearing.md: publish once admitted,
// answer every subscribe offer, and, as the judge, admit whoever waits.
func (p *sfuPeer) readLoop() {
	defer p.wg.Done()
	for {
		_, b, err := p.ws.ReadMessage()
		if err != nil {
			return
		}
		var m hearing.Message
		if err := json.Unmarshal(b, &m); err != nil {
			p.fail(fmt.Errorf("bad message %.100s", b))
			continue
		}
		switch {
		case m.Type == hearing.TypeJoined && m.You != nil && m.You.Admitted,
			m.Type == hearing.TypeEvent && m.Event == hearing.EventAdmitted:
			if err := p.publish(); err != nil {
				p.fail(fmt.Errorf("publish: %w", err))
			}
		case m.Type == hearing.TypeEvent && m.Event == hearing.EventWaiting:
			p.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
		case m.Type == hearing.TypeAnswer && m.PC == hearing.PCPublish:
			p.mu.Lock()
			pub := p.pub
			p.mu.Unlock()
			if err := pub.SetRemoteDescription(*m.SDP); err != nil {
				p.fail(fmt.Errorf("publish answer: %w", err))
			}
		case m.Type == hearing.TypeOffer && m.PC == hearing.PCSubscribe:
			if err := p.answer(*m.SDP); err != nil {
				p.fail(fmt.Errorf("subscribe: %w", err))
			}
		case m.Type == hearing.TypeError:
			if m.Key == "err.hearing_full" {
				p.full.Store(true)
			}
			p.fail(fmt.Errorf("server: %s", m.Key))
		}
	}
}

// publish opens the publish connection with an audio and a video track and
// starts sending once it is connected.
func (p *sfuPeer) publish() error {
	pc, err := p.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "me")
	if err != nil {
		return err
	}
	video, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "me")
	if err != nil {
		return err
	}
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		s, err := pc.AddTrack(tr)
		if err != nil {
			return err
		}
		p.wg.Add(1)
		go func() { // drain RTCP (keyframe requests, NACKs, reports), as a browser reads it
			defer p.wg.Done()
			buf := make([]byte, 1500)
			for {
				if _, _, err := s.Read(buf); err != nil {
					return
				}
			}
		}()
	}
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s != webrtc.PeerConnectionStateConnected {
			return
		}
		once.Do(func() {
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.sendMedia(audio, video)
			}()
		})
	})
	p.mu.Lock()
	p.pub = pc
	p.mu.Unlock()
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return err
	}
	<-gathered
	p.send(hearing.Message{Type: hearing.TypeOffer, PC: hearing.PCPublish, SDP: pc.LocalDescription()})
	return nil
}

// sendMedia sends the publisher's RTP until the peer closes.
func (p *sfuPeer) sendMedia(audio, video *webrtc.TrackLocalStaticRTP) {
	var aSeq, vSeq uint16
	var aTS, vTS uint32
	publish(p.stop, p.tally, func(b []byte, isVideo, last bool) {
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96}, Payload: b}
		if isVideo {
			vSeq++
			pkt.SequenceNumber, pkt.Timestamp, pkt.Marker = vSeq, vTS, last
			if last {
				vTS += 90000 / 30
			}
			_ = video.WriteRTP(&pkt)
			return
		}
		aSeq++
		aTS += 960
		pkt.SequenceNumber, pkt.Timestamp = aSeq, aTS
		_ = audio.WriteRTP(&pkt)
	})
}

// answer answers a subscribe offer, creating the subscribe connection on
// the first one; each new remote track gets a reader that feeds the tally.
func (p *sfuPeer) answer(offer webrtc.SessionDescription) error {
	p.mu.Lock()
	if p.sub == nil {
		pc, err := p.api.NewPeerConnection(webrtc.Configuration{})
		if err != nil {
			p.mu.Unlock()
			return err
		}
		pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
			key := tr.StreamID() + "/" + tr.Kind().String()
			buf := make([]byte, 1500)
			var h rtp.Header
			first := true
			for {
				n, _, err := tr.Read(buf)
				if err != nil {
					return
				}
				off, err := h.Unmarshal(buf[:n])
				if err != nil {
					continue
				}
				p.tally.received(buf[off:n])
				if first {
					p.src.add(key)
					first = false
				}
			}
		})
		p.sub = pc
	}
	pc := p.sub
	p.mu.Unlock()
	if err := pc.SetRemoteDescription(offer); err != nil {
		return err
	}
	ans, err := pc.CreateAnswer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(ans); err != nil {
		return err
	}
	<-gathered
	p.send(hearing.Message{Type: hearing.TypeAnswer, PC: hearing.PCSubscribe, SDP: pc.LocalDescription()})
	return nil
}

func (p *sfuPeer) heard() int { return p.src.count() }

func (p *sfuPeer) close() {
	close(p.stop)
	p.ws.Close()
	p.mu.Lock()
	pub, sub := p.pub, p.sub
	p.mu.Unlock()
	if pub != nil {
		pub.Close()
	}
	if sub != nil {
		sub.Close()
	}
	p.wg.Wait()
}

// ---- relay participants: plain UDP ----

// relayPeer is a participant of the baseline: one UDP socket to the relay.
type relayPeer struct {
	conn  *net.UDPConn
	stop  chan struct{}
	wg    sync.WaitGroup
	src   sources
	tally *tally
}

// joinRelay connects member of room to the relay at addr and starts
// sending and receiving.
func joinRelay(t *tally, addr string, room uint32, member int) (*relayPeer, error) {
	ra, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.DialUDP("udp", nil, ra)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadBuffer(1 << 20)
	p := &relayPeer{conn: conn, stop: make(chan struct{}), tally: t}
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 1500)
		var seen [16][2]bool
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			if n < relayHeader+stampSize {
				continue
			}
			t.received(buf[relayHeader:n])
			if m, k := buf[4]&15, buf[5]&1; !seen[m][k] { // the lock only once per source
				seen[m][k] = true
				p.src.add(strconv.Itoa(int(m)) + "/" + strconv.Itoa(int(k)))
			}
		}
	}()
	go func() {
		defer p.wg.Done()
		buf := make([]byte, relayHeader+videoPayload)
		binary.BigEndian.PutUint32(buf, room)
		buf[4] = byte(member)
		publish(p.stop, t, func(b []byte, video, _ bool) {
			buf[5] = 0
			if video {
				buf[5] = 1
			}
			n := copy(buf[relayHeader:], b)
			_, _ = conn.Write(buf[:relayHeader+n])
		})
	}()
	return p, nil
}

func (p *relayPeer) heard() int { return p.src.count() }

func (p *relayPeer) close() {
	close(p.stop)
	time.Sleep(10 * time.Millisecond)
	p.conn.Close()
	p.wg.Wait()
}

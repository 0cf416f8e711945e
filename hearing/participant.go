package hearing

import (
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court"
)

// participant is one signalling connection in a room, with its publish and
// subscribe peer connections once admitted.
//
// Goroutines: the caller's (Serve: reads signalling), writeLoop (the only
// writer of conn), one forward loop per published track and one RTCP reader
// per track sent to this participant. stop ends writeLoop; closeMedia closes
// the peer connections, which ends the others, and waits for them.
type participant struct {
	room     *room
	conn     Conn
	id       int64
	name     string
	role     court.Role
	localize func(court.Message) string

	// Guarded by room.mu.
	admitted bool
	removed  bool
	closing  bool // closeMedia ran: no more forward loops
	pubs     []*pubTrack

	mutedAudio atomic.Bool
	mutedVideo atomic.Bool
	lastSound  atomic.Int64 // unix nanos of the last loud audio packet

	// videoPaused: the participant receives no camera video (audio only,
	// videopause.go).
	videoPaused atomic.Bool

	out        chan []byte
	done       chan struct{}
	stopOnce   sync.Once
	writerDone chan struct{}
	readerDone chan struct{}

	// pubMu serialises the publish connection's negotiation.
	pubMu      sync.Mutex
	pub        *webrtc.PeerConnection
	pubPending []webrtc.ICECandidateInit // candidates before the offer

	// subMu serialises the subscribe connection's negotiation: one offer at
	// a time; changes meanwhile set subAgain and are offered after the answer.
	subMu      sync.Mutex
	sub        *webrtc.PeerConnection
	subOffered bool
	subAgain   bool
	subRestart bool
	subPending []webrtc.ICECandidateInit
	senders    map[*pubTrack]*webrtc.RTPSender
	mediaGone  bool // closeMedia ran: create nothing more

	wg sync.WaitGroup // forward loops and RTCP readers
}

func newParticipant(r *room, conn Conn, c Claims, localize func(court.Message) string) *participant {
	return &participant{room: r, conn: conn, id: c.User, name: c.Name, role: c.Role, localize: localize,
		out: make(chan []byte, 256), done: make(chan struct{}), writerDone: make(chan struct{}), readerDone: make(chan struct{}),
		senders: map[*pubTrack]*webrtc.RTPSender{}}
}

func (p *participant) presence() Presence {
	p.room.mu.Lock()
	defer p.room.mu.Unlock()
	return p.presenceLocked(p.room.talking[p.id])
}

func (p *participant) presenceLocked(talking bool) Presence {
	return Presence{ID: p.id, Name: p.name, Role: p.role, Admitted: p.admitted, Speaking: talking,
		AudioOff: p.mutedAudio.Load(), VideoOff: p.mutedVideo.Load(), Screen: p.room.screen.Load() == p.id,
		AudioOnly: p.videoPaused.Load()}
}

// send queues m for the writer. A client too slow to take its messages is
// disconnected rather than allowed to hold the room up.
func (p *participant) send(m Message) {
	b, err := json.Marshal(m)
	if err != nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	select {
	case p.out <- b:
	default:
		p.stop()
	}
}

func (p *participant) sendErr(err error) {
	if court.ErrorCode(err) == court.EINTERNAL {
		p.room.s.logf("hearing %d user %d: %v", p.room.id, p.id, err)
	}
	select {
	case p.out <- errorMessage(err, p.localize):
	default:
	}
}

// stop ends the connection: the writer flushes what is queued and closes it,
// which ends the read loop too.
func (p *participant) stop() { p.stopOnce.Do(func() { close(p.done) }) }

func (p *participant) writeLoop() {
	defer close(p.writerDone)
	defer p.conn.Close()
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	write := func(b []byte) bool {
		_ = p.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		return p.conn.WriteMessage(wsText, b) == nil
	}
	for {
		select {
		case b := <-p.out:
			if !write(b) {
				p.stop()
				return
			}
		case <-ping.C:
			if p.conn.WriteControl(wsPing, nil, time.Now().Add(writeTimeout)) != nil {
				p.stop()
				return
			}
		case <-p.done:
			for {
				select {
				case b := <-p.out:
					if !write(b) {
						return
					}
				default:
					// The closing handshake: the client answers the close
					// frame, which ends the reader. Closing the socket
					// before that, with client data unread, would reset
					// the connection and could lose what was just sent.
					_ = p.conn.WriteControl(wsClose, []byte{0x03, 0xe8}, time.Now().Add(time.Second))
					select {
					case <-p.readerDone:
					case <-time.After(time.Second):
					}
					return
				}
			}
		}
	}
}

// readLoop handles the participant's messages until the connection ends.
// A client sending more than maxPerSecond messages in a second is cut off:
// no honest room page comes near it (ICE candidates are the busiest).
func (p *participant) readLoop() {
	defer close(p.readerDone)
	p.conn.SetPongHandler(func(string) error {
		return p.conn.SetReadDeadline(time.Now().Add(readTimeout))
	})
	window, count := time.Now(), 0
	for {
		_ = p.conn.SetReadDeadline(time.Now().Add(readTimeout))
		_, b, err := p.conn.ReadMessage()
		if err != nil {
			return
		}
		if now := time.Now(); now.Sub(window) > time.Second {
			window, count = now, 0
		}
		if count++; count == maxPerSecond+1 {
			p.sendErr(court.Errorf(court.ETOOMANY, "err.hearing_too_many"))
			p.stop()
		}
		if count > maxPerSecond {
			// Read on, ignoring, until the writer has flushed the error and
			// closed the socket: closing with unread data would reset the
			// connection and lose the error.
			continue
		}
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			p.sendErr(court.Errorf(court.EINVALID, "err.hearing_bad_message"))
			continue
		}
		if err := p.handle(m); err != nil {
			p.sendErr(err)
		}
	}
}

func (p *participant) isAdmitted() bool {
	p.room.mu.Lock()
	defer p.room.mu.Unlock()
	return p.admitted
}

// handle acts on one message from the client.
func (p *participant) handle(m Message) error {
	r := p.room
	admitted := p.isAdmitted()
	judge := p.role == court.RoleJudge && admitted
	switch m.Type {
	case TypeOffer, TypeAnswer, TypeCandidate, TypeRestart, TypeChat, TypeScreen, TypeVideoReceive:
		if !admitted {
			return court.Errorf(court.EFORBIDDEN, "err.hearing_not_admitted")
		}
	case TypeAdmit, TypeAskMute, TypeMute, TypeRemove, TypeEnd:
		if !judge {
			return court.Errorf(court.EFORBIDDEN, "err.hearing_not_judge")
		}
	default:
		return court.Errorf(court.EINVALID, "err.hearing_bad_message")
	}
	switch m.Type {
	case TypeOffer:
		if m.PC != PCPublish || m.SDP == nil || m.SDP.Type != webrtc.SDPTypeOffer {
			return court.Errorf(court.EINVALID, "err.hearing_bad_message")
		}
		return p.onPublishOffer(*m.SDP)
	case TypeAnswer:
		if m.PC != PCSubscribe || m.SDP == nil || m.SDP.Type != webrtc.SDPTypeAnswer {
			return court.Errorf(court.EINVALID, "err.hearing_bad_message")
		}
		return p.onSubscribeAnswer(*m.SDP)
	case TypeCandidate:
		if m.Candidate == nil {
			return court.Errorf(court.EINVALID, "err.hearing_bad_message")
		}
		return p.onCandidate(m.PC, *m.Candidate)
	case TypeRestart:
		p.subMu.Lock()
		p.subRestart = true
		p.negotiateLocked()
		p.subMu.Unlock()
		return nil
	case TypeChat:
		return r.post(p, m.Text)
	case TypeScreen:
		return r.setScreen(p, m.Target, m.On)
	case TypeVideoReceive:
		return p.setVideoReceive(m.On)
	case TypeAdmit:
		return r.admit(m.Target, m.All)
	case TypeAskMute:
		q, err := r.find(m.Target)
		if err != nil {
			return err
		}
		q.send(Message{Type: TypeEvent, Event: EventAskMute, Kind: m.Kind})
		return nil
	case TypeMute:
		q, err := r.find(m.Target)
		if err != nil {
			return err
		}
		switch m.Kind {
		case "audio":
			q.mutedAudio.Store(m.On)
		case "video":
			q.mutedVideo.Store(m.On)
		default:
			return court.Errorf(court.EINVALID, "err.hearing_bad_kind")
		}
		q.send(Message{Type: TypeEvent, Event: EventMuted, Kind: m.Kind, On: m.On})
		r.broadcastPresence()
		return nil
	case TypeRemove:
		return r.remove(m.Target)
	case TypeEnd:
		r.end(p.id)
		return nil
	}
	return nil
}

func (p *participant) newPC() (*webrtc.PeerConnection, error) {
	pc, err := p.room.s.media.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	// A connection that fails (the network dropped for longer than the ICE
	// timeouts) ends the participant: the client joins again and, within
	// Config.Rejoin, is admitted at once.
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateFailed {
			p.stop()
		}
	})
	return pc, nil
}

// onPublishOffer answers the client's offer on the publish connection,
// creating the connection on the first offer.
func (p *participant) onPublishOffer(offer webrtc.SessionDescription) error {
	p.pubMu.Lock()
	defer p.pubMu.Unlock()
	if p.pub == nil {
		p.subMu.Lock()
		gone := p.mediaGone
		p.subMu.Unlock()
		if gone {
			return nil
		}
		pc, err := p.newPC()
		if err != nil {
			return err
		}
		pc.OnTrack(p.onTrack)
		p.pub = pc
	}
	if err := p.pub.SetRemoteDescription(offer); err != nil {
		return court.Errorf(court.EINVALID, "err.hearing_bad_sdp")
	}
	for _, c := range p.pubPending {
		_ = p.pub.AddICECandidate(c)
	}
	p.pubPending = nil
	answer, err := p.pub.CreateAnswer(nil)
	if err != nil {
		return court.Errorf(court.EINVALID, "err.hearing_bad_sdp")
	}
	gathered := webrtc.GatheringCompletePromise(p.pub)
	if err := p.pub.SetLocalDescription(answer); err != nil {
		return err
	}
	<-gathered // host candidates on the muxed ports: immediate
	p.send(Message{Type: TypeAnswer, PC: PCPublish, SDP: p.pub.LocalDescription()})
	return nil
}

func (p *participant) onSubscribeAnswer(answer webrtc.SessionDescription) error {
	p.subMu.Lock()
	defer p.subMu.Unlock()
	if p.sub == nil || !p.subOffered {
		return court.Errorf(court.ECONFLICT, "err.hearing_no_offer")
	}
	if err := p.sub.SetRemoteDescription(answer); err != nil {
		return court.Errorf(court.EINVALID, "err.hearing_bad_sdp")
	}
	p.subOffered = false
	for _, c := range p.subPending {
		_ = p.sub.AddICECandidate(c)
	}
	p.subPending = nil
	if p.subAgain {
		p.subAgain = false
		p.negotiateLocked()
	}
	return nil
}

func (p *participant) onCandidate(pc string, c webrtc.ICECandidateInit) error {
	switch pc {
	case PCPublish:
		p.pubMu.Lock()
		defer p.pubMu.Unlock()
		if p.pub == nil || p.pub.RemoteDescription() == nil {
			if len(p.pubPending) < maxPendingCandidates {
				p.pubPending = append(p.pubPending, c)
			}
			return nil
		}
		_ = p.pub.AddICECandidate(c) // a bad candidate is the client's loss only
	case PCSubscribe:
		p.subMu.Lock()
		defer p.subMu.Unlock()
		if p.sub == nil || p.sub.RemoteDescription() == nil || p.subOffered {
			if len(p.subPending) < maxPendingCandidates {
				p.subPending = append(p.subPending, c)
			}
			return nil
		}
		_ = p.sub.AddICECandidate(c)
	default:
		return court.Errorf(court.EINVALID, "err.hearing_bad_message")
	}
	return nil
}

const maxPendingCandidates = 64

// startSubscribe creates the subscribe connection (once admitted) and
// offers it whatever the others publish.
func (p *participant) startSubscribe() {
	p.subMu.Lock()
	if p.sub == nil && !p.mediaGone {
		pc, err := p.newPC()
		if err != nil {
			p.subMu.Unlock()
			p.sendErr(err)
			return
		}
		p.sub = pc
	}
	p.subMu.Unlock()
	p.syncSubscriptions()
}

// syncSubscriptions adds to the subscribe connection every forwardable
// track of the other admitted participants and removes the rest, then
// renegotiates if anything changed.
//
// The room is read with subMu held, not before taking it: calls run
// concurrently (every published track and every leave resyncs everyone),
// and a snapshot taken before waiting for subMu could be applied after a
// newer one, withdrawing a track published in between for good (the flaky
// TestHearing: one forwarded track never arrived). Under subMu the last
// call to run has seen every change made before it.
func (p *participant) syncSubscriptions() {
	r := p.room
	p.subMu.Lock()
	defer p.subMu.Unlock()
	if p.sub == nil || p.mediaGone {
		return
	}
	want := p.wantedLocked()
	changed := false
	for t, s := range p.senders {
		if !want[t] {
			_ = p.sub.RemoveTrack(s)
			delete(p.senders, t)
			changed = true
		}
	}
	for t := range want {
		if p.senders[t] != nil {
			continue
		}
		s, err := p.sub.AddTrack(p.trackFor(t))
		if err != nil {
			p.room.s.logf("hearing %d: add track for %d: %v", r.id, p.id, err)
			continue
		}
		p.senders[t] = s
		changed = true
		p.wg.Add(1)
		go p.readRTCP(s, t)
		t.requestKeyframe() // so the new subscriber sees a picture at once
	}
	if changed {
		p.negotiateLocked()
	}
}

// wantedLocked returns the tracks p should receive now: the forwardable
// tracks of the other admitted participants, none if p is not (or no longer)
// the admitted connection of its user. Called with subMu held; it takes
// room.mu (the lock order is subMu, then room.mu).
func (p *participant) wantedLocked() map[*pubTrack]bool {
	r := p.room
	want := map[*pubTrack]bool{}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !p.admitted || r.parts[p.id] != p {
		return want
	}
	for _, q := range r.parts {
		if q == p || !q.admitted {
			continue
		}
		for _, t := range q.pubs {
			if t.forwardable() {
				want[t] = true
			}
		}
	}
	return want
}

// negotiateLocked sends an offer on the subscribe connection, or notes that
// one is due once the outstanding offer is answered. Called with subMu held.
func (p *participant) negotiateLocked() {
	if p.sub == nil || p.mediaGone {
		return
	}
	if p.subOffered {
		p.subAgain = true
		return
	}
	if len(p.sub.GetTransceivers()) == 0 {
		return // nothing to receive yet
	}
	offer, err := p.sub.CreateOffer(&webrtc.OfferOptions{ICERestart: p.subRestart})
	if err != nil {
		// A connection the client has just closed (its DTLS close arrives
		// before its socket's) is no news; anything else is.
		if p.sub.ConnectionState() != webrtc.PeerConnectionStateClosed {
			p.room.s.logf("hearing %d: offer for %d: %v", p.room.id, p.id, err)
		}
		return
	}
	p.subRestart = false
	gathered := webrtc.GatheringCompletePromise(p.sub)
	if err := p.sub.SetLocalDescription(offer); err != nil {
		p.room.s.logf("hearing %d: offer for %d: %v", p.room.id, p.id, err)
		return
	}
	<-gathered
	p.subOffered = true
	p.send(Message{Type: TypeOffer, PC: PCSubscribe, SDP: p.sub.LocalDescription()})
}

// readRTCP reads what the subscriber's browser says about track t (this is
// what lets the NACK and report interceptors work) and passes its keyframe
// requests on to the publisher. It ends when the sender stops.
func (p *participant) readRTCP(s *webrtc.RTPSender, t *pubTrack) {
	defer p.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, _, err := s.Read(buf)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				t.requestKeyframe()
			}
		}
	}
}

// closeMedia closes both peer connections and waits for every goroutine
// they fed.
func (p *participant) closeMedia() {
	p.room.mu.Lock()
	p.closing = true
	p.room.mu.Unlock()
	p.subMu.Lock()
	p.mediaGone = true
	sub := p.sub
	p.subMu.Unlock()
	p.pubMu.Lock()
	pub := p.pub
	p.pubMu.Unlock()
	if pub != nil {
		_ = pub.GracefulClose()
	}
	if sub != nil {
		_ = sub.GracefulClose()
	}
	p.wg.Wait()
}

// pubTrack is a track a participant publishes, forwarded to the others
// through one local track that every subscriber's sender is bound to.
type pubTrack struct {
	owner    *participant
	remote   *webrtc.TrackRemote
	local    *webrtc.TrackLocalStaticRTP
	kind     webrtc.RTPCodecType
	screen   bool
	levelExt uint8 // audio level header extension id, 0 when not negotiated
	tap      func(*rtp.Packet)
	lastPLI  atomic.Int64
	retrying atomic.Bool // a keyframe retry is scheduled (keyframeSoon)
}

var trackSeq atomic.Int64

// onTrack starts forwarding a track the participant publishes: one audio
// track and one camera track; a second video track is the screen share,
// forwarded only while the participant holds the room's screen slot. Any
// further track is ignored, so a client cannot flood the others.
func (p *participant) onTrack(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	r := p.room
	kind := remote.Kind()
	name := kind.String()
	r.mu.Lock()
	videos, audios := 0, 0
	for _, t := range p.pubs {
		if t.kind == webrtc.RTPCodecTypeVideo {
			videos++
		} else {
			audios++
		}
	}
	tooMany := (kind == webrtc.RTPCodecTypeVideo && videos >= 2) || (kind == webrtc.RTPCodecTypeAudio && audios >= 1)
	if tooMany || !p.admitted || p.closing {
		r.mu.Unlock()
		return // pion discards what nobody reads
	}
	screen := kind == webrtc.RTPCodecTypeVideo && videos == 1
	if screen {
		name = "screen"
	}
	// Stream id "p<user id>" tells subscribers whose track it is; the track
	// id says which: audio, video or screen (plus a number, so a republished
	// track is a new track).
	local, err := webrtc.NewTrackLocalStaticRTP(remote.Codec().RTPCodecCapability,
		name+"-"+strconv.FormatInt(trackSeq.Add(1), 10), "p"+strconv.FormatInt(p.id, 10))
	if err != nil {
		r.mu.Unlock()
		return
	}
	t := &pubTrack{owner: p, remote: remote, local: local, kind: kind, screen: screen}
	for _, ext := range recv.GetParameters().HeaderExtensions {
		if ext.URI == audioLevelURI {
			t.levelExt = uint8(ext.ID)
		}
	}
	p.pubs = append(p.pubs, t)
	p.wg.Add(1)
	me := p.presenceLocked(r.talking[p.id])
	r.mu.Unlock()

	if h := r.s.hooks.OnTrack; h != nil {
		t.tap = h(r.id, me, name, remote.Codec())
	}
	go t.forward()
	r.resync()
}

// forwardable reports whether subscribers should get t now.
func (t *pubTrack) forwardable() bool {
	return !t.screen || t.owner.room.screen.Load() == t.owner.id
}

func (t *pubTrack) muted() bool {
	if t.kind == webrtc.RTPCodecTypeAudio {
		return t.owner.mutedAudio.Load()
	}
	return t.owner.mutedVideo.Load()
}

// forward copies t's packets to its subscribers until the publisher's
// connection closes, then withdraws the track.
func (t *pubTrack) forward() {
	p := t.owner
	defer p.wg.Done()
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := t.remote.Read(buf)
		if err != nil {
			break
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		if t.kind == webrtc.RTPCodecTypeAudio {
			t.hear(&pkt)
		}
		if t.muted() || !t.forwardable() {
			continue
		}
		// Header extension ids were negotiated with the publisher, not with
		// each subscriber, so they are not passed on (who speaks is in the
		// presence messages).
		pkt.Header.Extension = false
		pkt.Header.Extensions = pkt.Header.Extensions[:0]
		_ = t.local.WriteRTP(&pkt) // a subscriber's failure is its own
		if t.tap != nil {
			t.tap(&pkt)
		}
	}
	if t.tap != nil {
		t.tap(nil)
	}
	r := p.room
	r.mu.Lock()
	for i, x := range p.pubs {
		if x == t {
			p.pubs = append(p.pubs[:i], p.pubs[i+1:]...)
			break
		}
	}
	r.mu.Unlock()
	r.resync()
}

// hear notes when the publisher speaks: the audio level the browser puts
// in each packet (0 loudest, 127 silence, in -dBov), or, without that
// extension, any audio packet at all.
func (t *pubTrack) hear(pkt *rtp.Packet) {
	if t.levelExt != 0 {
		e := pkt.GetExtension(t.levelExt)
		if len(e) == 0 || e[0]&0x7f > speakingLevel {
			return
		}
	}
	t.owner.lastSound.Store(time.Now().UnixNano())
}

// speakingLevel is the quietest level (-dBov) that counts as speech.
const speakingLevel = 50

// requestKeyframe asks the publisher for a keyframe, at most once a second:
// every new or lossy subscriber asks, and a storm of requests would make
// the publisher send nothing but keyframes.
func (t *pubTrack) requestKeyframe() {
	if t.kind != webrtc.RTPCodecTypeVideo {
		return
	}
	now := time.Now().UnixNano()
	last := t.lastPLI.Load()
	if now-last < int64(time.Second) || !t.lastPLI.CompareAndSwap(last, now) {
		return
	}
	t.owner.pubMu.Lock()
	pc := t.owner.pub
	t.owner.pubMu.Unlock()
	if pc != nil {
		_ = pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(t.remote.SSRC())}})
	}
}

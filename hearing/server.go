package hearing

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court"
)

// Hooks tell the court what happens in its hearings, for the record. Each is
// optional and is called without any lock held, from the goroutine of the
// connection concerned; it must not block for long.
type Hooks struct {
	// OnJoin: a participant entered the room (waiting or admitted).
	OnJoin func(hearingID int64, p Presence, at time.Time)
	// OnAdmit: a participant was admitted into the hearing.
	OnAdmit func(hearingID int64, p Presence, at time.Time)
	// OnLeave: a participant's connection ended (left, dropped, removed).
	OnLeave func(hearingID int64, p Presence, at time.Time)
	// OnChat: a chat message was posted.
	OnChat func(hearingID int64, m ChatMessage)
	// ChatHistory: the chat of a hearing already on the record when its
	// room opens (a room reopened after a restart of the server). The room
	// shows it to those it admits, before its own, and does not report it
	// to OnChat again.
	ChatHistory func(hearingID int64) []ChatMessage
	// OnEnd: the hearing ended; the record holds its chat.
	OnEnd func(r Record)
	// OnTrack: a participant started publishing a track (kind "audio",
	// "video" or "screen"). The function it returns, if any, is the
	// recorder's tap: it gets every packet forwarded from that track, on
	// the forwarding goroutine (the packet is only valid during the call;
	// it must not block), and nil once when the track ends.
	OnTrack func(hearingID int64, p Presence, kind string, codec webrtc.RTPCodecParameters) func(*rtp.Packet)
}

// Record is what a hearing leaves behind when it ends.
type Record struct {
	Hearing int64
	Started time.Time
	Ended   time.Time
	EndedBy int64 // user id; 0 when the court ended it
	Chat    []ChatMessage
}

// Server runs the hearing rooms: signalling, admission and forwarding. One
// Server serves every hearing of the court over one set of media ports.
type Server struct {
	cfg    Config
	media  *media
	tokens *Tokens
	hooks  Hooks
	log    *slog.Logger

	mu     sync.Mutex
	rooms  map[int64]*room
	ended  map[int64]bool
	closed bool
	conns  sync.WaitGroup // connections being served

	slots slots // admission control (admission.go)
}

// New opens the media ports and returns a Server. Close releases them.
func New(cfg Config, hooks Hooks) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rejoin <= 0 {
		cfg.Rejoin = 60 * time.Second
	}
	tokens, err := NewTokens(cfg.TokenKey, cfg.TokenTTL)
	if err != nil {
		return nil, err
	}
	m, err := newMedia(&cfg)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, media: m, tokens: tokens, hooks: hooks, log: cfg.Logger,
		rooms: map[int64]*room{}, ended: map[int64]bool{},
		slots: slots{max: max(cfg.MaxParticipants, 0), maxRooms: max(cfg.MaxRooms, 0)}}, nil
}

// IssueToken returns a short-lived, single-use token that lets user join
// hearing hearingID as role, shown to the others as name. The court calls it
// once it has decided the user may attend (a party or the judge of the case).
func (s *Server) IssueToken(hearingID, userID int64, role court.Role, name string) (string, error) {
	return s.tokens.Issue(hearingID, userID, role, name)
}

// IssueTokenUntil is IssueToken, also returning when the token expires.
func (s *Server) IssueTokenUntil(hearingID, userID int64, role court.Role, name string) (string, time.Time, error) {
	return s.tokens.IssueUntil(hearingID, userID, role, name)
}

// Ports returns the media ports in use (useful when the config asked for 0).
func (s *Server) Ports() (udp, tcp int) { return s.media.udpPort, s.media.tcpPort }

// running returns the room of hearingID, nil when it is not running.
func (s *Server) running(hearingID int64) *room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rooms[hearingID]
}

// End ends a hearing from the court side; it is a no-op for a hearing that
// is not running.
func (s *Server) End(hearingID int64) {
	r := s.running(hearingID)
	if r != nil {
		r.end(0)
	}
}

// Chat returns a copy of the chat so far of a running hearing.
func (s *Server) Chat(hearingID int64) []ChatMessage {
	r := s.running(hearingID)
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]ChatMessage(nil), r.chat...)
}

// Presence returns who is in a running hearing (admitted or waiting), for
// the court's pages; nil when the hearing is not running.
func (s *Server) Presence(hearingID int64) []Presence {
	r := s.running(hearingID)
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Presence, 0, len(r.parts))
	for _, p := range r.parts {
		out = append(out, p.presenceLocked(r.talking[p.id]))
	}
	slices.SortFunc(out, func(a, b Presence) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Close ends every hearing, waits for their connections to finish and
// releases the media ports.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	rooms := make([]*room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	for _, r := range rooms {
		r.end(0)
	}
	s.conns.Wait()
	for _, r := range rooms {
		r.stop()
	}
	s.media.close()
	return nil
}

// roomFor returns the running room of a hearing, opening it if need be.
func (s *Server) roomFor(hearingID int64) (*room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.ended[hearingID] {
		return nil, court.Errorf(court.ECONFLICT, "err.hearing_ended")
	}
	r := s.rooms[hearingID]
	if r == nil {
		if s.roomsFullLocked() {
			s.slots.refuse()
			return nil, errFull()
		}
		r = newRoom(s, hearingID)
		s.rooms[hearingID] = r
	}
	return r, nil
}

// iceServers lists the TURN server for clients, with credentials valid for
// a day (a hearing lasts hours at most).
func (s *Server) iceServers() []ICEServer {
	if s.media.turn == nil {
		return nil
	}
	user, pass, err := turn.GenerateLongTermCredentials(s.cfg.TURNSecret, 24*time.Hour)
	if err != nil {
		return nil
	}
	host := s.cfg.TURNRelayIP
	if len(s.cfg.PublicIPs) > 0 {
		host = s.cfg.PublicIPs[0]
	}
	url := "turn:" + net.JoinHostPort(host, strconv.Itoa(s.cfg.TURNPort)) + "?transport=udp"
	return []ICEServer{{URLs: []string{url}, Username: user, Credential: pass}}
}

// Serve runs one signalling connection until it ends: the first message
// must be a join with a valid token, sent within joinTimeout. localize turns
// an error's message into the user's language (nil: the key is sent alone).
// Serve returns only when everything the connection started has stopped,
// so the caller may release conn.
func (s *Server) Serve(conn Conn, localize func(court.Message) string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.conns.Add(1)
	s.mu.Unlock()
	defer s.conns.Done()

	conn.SetReadLimit(maxMessage)
	_ = conn.SetReadDeadline(time.Now().Add(joinTimeout))
	refuse := func(err error) {
		_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		_ = conn.WriteMessage(wsText, errorMessage(err, localize))
		conn.Close()
	}
	_, b, err := conn.ReadMessage()
	if err != nil {
		conn.Close()
		return
	}
	var m Message
	if err := json.Unmarshal(b, &m); err != nil || m.Type != TypeJoin {
		refuse(court.Errorf(court.EINVALID, "err.hearing_join_first"))
		return
	}
	claims, err := s.tokens.Verify(m.Token)
	if err != nil {
		refuse(err)
		return
	}
	r, err := s.roomFor(claims.Hearing)
	if err != nil {
		refuse(err)
		return
	}
	p := newParticipant(r, conn, claims, localize)
	go p.writeLoop()
	if err := r.join(p); err != nil {
		p.sendErr(err)
		close(p.readerDone) // nothing will read: the writer need not wait
		p.stop()
		<-p.writerDone
		return
	}
	p.readLoop()
	r.leave(p)
	p.stop()
	<-p.writerDone
}

// Timeouts of the signalling connection.
const (
	joinTimeout  = 10 * time.Second
	readTimeout  = 45 * time.Second // three missed pings
	pingEvery    = 15 * time.Second
	writeTimeout = 10 * time.Second
)

// errorMessage is the error message for err, with its text when localize
// is given. Internal errors are logged by the caller and shown as such.
func errorMessage(err error, localize func(court.Message) string) []byte {
	var e *court.Error
	if !errors.As(err, &e) {
		e = court.Errorf(court.EINTERNAL, "err.hearing_internal")
	}
	m := Message{Type: TypeError, Code: e.Code, Key: e.Msg.Key}
	if localize != nil {
		m.Error = localize(e.Msg)
	}
	b, _ := json.Marshal(m)
	return b
}

func (s *Server) logf(format string, args ...any) {
	s.log.Warn(fmt.Sprintf(format, args...))
}

package hearing

import (
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court"
)

// Conn is the WebSocket the signalling runs over: the methods of
// github.com/fasthttp/websocket's Conn (which gofiber/contrib/websocket
// embeds) that this package uses. Writes are serialised by the package:
// only one goroutine per connection ever writes.
type Conn interface {
	ReadMessage() (messageType int, p []byte, err error)
	WriteMessage(messageType int, data []byte) error
	WriteControl(messageType int, data []byte, deadline time.Time) error
	SetReadLimit(limit int64)
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	SetPongHandler(h func(appData string) error)
	Close() error
}

// WebSocket message types (RFC 6455), as fasthttp/websocket numbers them.
const (
	wsText  = 1
	wsClose = 8
	wsPing  = 9
)

// Message types. docs/hearing.md describes each one.
const (
	// client -> server
	TypeJoin      = "join"
	TypeOffer     = "offer"     // also server -> client, for the subscribe connection
	TypeAnswer    = "answer"    // also server -> client, for the publish connection
	TypeCandidate = "candidate" // both ways
	TypeRestart   = "restart"   // ask for an ICE restart of the subscribe connection
	TypeAdmit     = "admit"
	TypeAskMute   = "ask_mute"
	TypeMute      = "mute"
	TypeRemove    = "remove"
	TypeEnd       = "end"
	TypeScreen    = "screen"
	TypeChat      = "chat" // both ways
	// server -> client
	TypeJoined   = "joined"
	TypePresence = "presence"
	TypeEvent    = "event"
	TypeError    = "error"
)

// Connection names: each participant has a publish connection (the client
// offers, the server answers) and a subscribe connection (the server offers,
// the client answers), so neither side ever offers on a connection the
// other offers on, and renegotiation cannot collide.
const (
	PCPublish   = "pub"
	PCSubscribe = "sub"
)

// Events carried by a TypeEvent message.
const (
	EventAdmitted    = "admitted"     // you are in the hearing
	EventWaiting     = "waiting"      // someone is in the waiting room (judge)
	EventAskMute     = "ask_mute"     // the judge asks you to mute
	EventMuted       = "muted"        // the judge muted (On) or unmuted your Kind
	EventRemoved     = "removed"      // the judge removed you
	EventEnded       = "ended"        // the hearing is over
	EventReplaced    = "replaced"     // you joined again from elsewhere
	EventScreen      = "screen"       // screen share granted (On) or released
	EventLeft        = "left"         // Target left
	EventJoinedRoom  = "joined"       // Target entered the hearing
	EventRecordingOn = "recording_on" // reserved for the recorder
)

// Message is every signalling message, both ways; Type says which fields
// matter.
type Message struct {
	Type string `json:"type"`

	Token     string                     `json:"token,omitempty"`
	PC        string                     `json:"pc,omitempty"`
	SDP       *webrtc.SessionDescription `json:"sdp,omitempty"`
	Candidate *webrtc.ICECandidateInit   `json:"candidate,omitempty"`

	// Target is a participant (user id) for admit, ask_mute, mute, remove;
	// admit with All admits everyone waiting.
	Target int64  `json:"target,omitempty"`
	All    bool   `json:"all,omitempty"`
	Kind   string `json:"kind,omitempty"` // "audio" or "video"
	On     bool   `json:"on,omitempty"`
	Text   string `json:"text,omitempty"`

	// Server -> client.
	You          *Presence     `json:"you,omitempty"`
	ICEServers   []ICEServer   `json:"ice_servers,omitempty"`
	Participants []Presence    `json:"participants,omitempty"`
	Event        string        `json:"event,omitempty"`
	Chat         *ChatMessage  `json:"chat,omitempty"`
	History      []ChatMessage `json:"history,omitempty"`
	Recording    bool          `json:"recording,omitempty"` // joined: the hearing is recorded
	Code         court.Code    `json:"code,omitempty"`
	Key          string        `json:"key,omitempty"`
	Error        string        `json:"error,omitempty"`
}

// ICEServer is a STUN or TURN server the client may use, with credentials.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Presence is one participant as the others see it.
type Presence struct {
	ID       int64      `json:"id"`
	Name     string     `json:"name"`
	Role     court.Role `json:"role"`
	Admitted bool       `json:"admitted"`
	Speaking bool       `json:"speaking"`
	AudioOff bool       `json:"audio_muted"`
	VideoOff bool       `json:"video_muted"`
	Screen   bool       `json:"screen"`
	// AudioOnly: the participant has paused the video it receives.
	AudioOnly bool `json:"audio_only"`
}

// ChatMessage is one line of the hearing's text panel, kept for the record.
type ChatMessage struct {
	From int64      `json:"from"`
	Name string     `json:"name"`
	Role court.Role `json:"role"`
	Text string     `json:"text"`
	At   time.Time  `json:"at"`
}

// Limits on what a client may send.
const (
	maxMessage = 64 << 10 // an SDP with many candidates fits easily
	maxChat    = 2000     // runes
	maxName    = 100      // runes
	// maxChatLines bounds a hearing's chat (kept in memory until it ends):
	// hours of real use stay far below it.
	maxChatLines = 5000
	maxPerSecond = 100 // messages from one client
)

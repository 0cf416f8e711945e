// Package hearing runs the remote hearings' video rooms: a waiting room the
// judge controls, WebSocket signalling with typed JSON messages, and a
// selective forwarding unit on pion/webrtc v4 that forwards each admitted
// participant's audio and video to the others over one shared UDP port (ICE
// UDP mux), with ICE over TCP and an optional embedded TURN server as
// fallbacks.
//
// The court decides who may join and says so with a short-lived, single-use
// token (Server.IssueToken); Hooks tell it what happened, for the record.
// The court never imports this package. docs/hearing.md describes the
// protocol, docs/operations.md the ports.
package hearing

// Package hearing will hold the remote hearings: rooms the judge controls,
// WebSocket signalling and a selective forwarding unit on pion/webrtc v4,
// and recording. It asks the court, through a small interface it defines,
// who may join which hearing; the court never imports it. Nothing is here
// yet: the docket and evidence come first (see the issues).
package hearing

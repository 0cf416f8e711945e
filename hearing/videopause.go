package hearing

// Audio-only receiving: a participant on a weak link pauses the camera video
// it receives (message video_receive, on: false) and resumes it (on: true).
//
// Every subscriber of a published track shares one TrackLocalStaticRTP, so
// the forwarding loop writes each packet once and pion copies it to every
// subscriber's sender. To leave one subscriber out, each subscriber's sender
// is bound to the shared track through a gatedTrack: its Bind hands the
// shared track a write stream that drops packets while that subscriber has
// paused. The track stays negotiated (no renegotiation, the SDP still says
// whose track it is), so resuming is immediate: the gate opens and the
// publisher is asked for a keyframe, so that the picture comes back at once
// rather than at the publisher's next periodic keyframe.
//
// The screen share is not paused: it is the evidence being presented, which
// a participant on audio only must still see, and it is one stream at a
// time, not one per participant. Audio is never paused.

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// TypeVideoReceive is the client's message to pause (On false) or resume
// (On true) the camera video it receives.
const TypeVideoReceive = "video_receive"

// gatedTrack is one subscriber's binding of a shared local track: packets
// pass only while paused is false.
type gatedTrack struct {
	*webrtc.TrackLocalStaticRTP
	paused *atomic.Bool // the subscriber's participant.videoPaused
}

// Bind binds the shared track to this subscriber's sender through a gated
// write stream. Unbind is the shared track's own: it finds the binding by
// the context's id, which the gated context keeps.
func (g *gatedTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	return g.TrackLocalStaticRTP.Bind(gatedContext{TrackLocalContext: ctx,
		w: gatedWriter{w: ctx.WriteStream(), paused: g.paused}})
}

// gatedContext is the sender's context with its write stream gated.
type gatedContext struct {
	webrtc.TrackLocalContext
	w gatedWriter
}

func (c gatedContext) WriteStream() webrtc.TrackLocalWriter { return c.w }

// gatedWriter drops packets while paused. Dropping looks like success to
// the shared track, which would otherwise report this subscriber's "error"
// on every packet.
type gatedWriter struct {
	w      webrtc.TrackLocalWriter
	paused *atomic.Bool
}

func (g gatedWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	if g.paused.Load() {
		return 0, nil
	}
	return g.w.WriteRTP(h, payload)
}

func (g gatedWriter) Write(b []byte) (int, error) {
	if g.paused.Load() {
		return len(b), nil
	}
	return g.w.Write(b)
}

// pausable reports whether t is paused for a subscriber on audio only: the
// camera, not audio nor the screen share.
func (t *pubTrack) pausable() bool { return t.kind == webrtc.RTPCodecTypeVideo && !t.screen }

// trackFor returns what p's subscribe connection sends for t: the shared
// track itself, or, for a camera, the shared track behind p's gate.
func (p *participant) trackFor(t *pubTrack) webrtc.TrackLocal {
	if !t.pausable() {
		return t.local
	}
	return &gatedTrack{TrackLocalStaticRTP: t.local, paused: &p.videoPaused}
}

// setVideoReceive pauses (on false) or resumes (on true) the camera video p
// receives. Resuming asks each camera p receives for a keyframe. The others
// see in the presence list who is on audio only.
func (p *participant) setVideoReceive(on bool) error {
	if p.videoPaused.Swap(!on) == !on {
		return nil // no change: nothing to tell anyone
	}
	if on {
		p.subMu.Lock()
		var cams []*pubTrack
		for t := range p.senders {
			if t.pausable() {
				cams = append(cams, t)
			}
		}
		p.subMu.Unlock()
		for _, t := range cams {
			t.keyframeSoon()
		}
	}
	p.room.broadcastPresence()
	return nil
}

// keyframeSoon asks the publisher of t for a keyframe through the throttled
// requester. When the requester has just sent one (less than a second ago)
// the keyframe it brought went by while this subscriber was paused, so the
// request is made again as soon as the throttle allows.
func (t *pubTrack) keyframeSoon() {
	before := t.lastPLI.Load()
	t.requestKeyframe()
	if t.lastPLI.Load() != before {
		return
	}
	if !t.retrying.CompareAndSwap(false, true) {
		return // one retry per track is enough, however often a client toggles
	}
	wait := time.Duration(before+int64(time.Second)-time.Now().UnixNano()) + time.Millisecond
	time.AfterFunc(max(wait, time.Millisecond), func() {
		t.retrying.Store(false)
		t.requestKeyframe()
	})
}

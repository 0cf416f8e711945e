package hearing

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// nopWriter stands for a subscriber's SRTP write stream: the gate's cost is
// measured, not the network's.
type nopWriter struct{ n atomic.Int64 }

func (w *nopWriter) WriteRTP(_ *rtp.Header, p []byte) (int, error) { w.n.Add(1); return len(p), nil }
func (w *nopWriter) Write(b []byte) (int, error)                   { w.n.Add(1); return len(b), nil }

// benchContext is a sender's bind context with a VP8 codec.
type benchContext struct {
	id string
	w  webrtc.TrackLocalWriter
}

func (c benchContext) CodecParameters() []webrtc.RTPCodecParameters {
	return []webrtc.RTPCodecParameters{{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, PayloadType: 96}}
}
func (c benchContext) HeaderExtensions() []webrtc.RTPHeaderExtensionParameter { return nil }
func (c benchContext) SSRC() webrtc.SSRC                                      { return 1234 }
func (c benchContext) SSRCRetransmission() webrtc.SSRC                        { return 0 }
func (c benchContext) SSRCForwardErrorCorrection() webrtc.SSRC                { return 0 }
func (c benchContext) WriteStream() webrtc.TrackLocalWriter                   { return c.w }
func (c benchContext) ID() string                                             { return c.id }
func (c benchContext) RTCPReader() interceptor.RTCPReader                     { return nil }

// BenchmarkForwardGate: one forwarded camera packet written to the three
// subscribers of a room of four, bound directly (as before audio only
// existed) or through each subscriber's gate, open or with one of the three
// paused. docs/benchmarks.md has the figures.
func BenchmarkForwardGate(b *testing.B) {
	for _, tc := range []struct {
		name   string
		gated  bool
		paused int
	}{{"plain", false, 0}, {"gated", true, 0}, {"gated-one-paused", true, 1}} {
		b.Run(tc.name, func(b *testing.B) {
			local, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video-1", "p1")
			if err != nil {
				b.Fatal(err)
			}
			ws := make([]*nopWriter, 3)
			for i := range ws {
				ws[i] = &nopWriter{}
				ctx := benchContext{id: strconv.Itoa(i), w: ws[i]}
				var tr webrtc.TrackLocal = local
				if tc.gated {
					paused := &atomic.Bool{}
					paused.Store(i < tc.paused)
					tr = &gatedTrack{TrackLocalStaticRTP: local, paused: paused}
				}
				if _, err := tr.Bind(ctx); err != nil {
					b.Fatal(err)
				}
			}
			pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: 1}, Payload: make([]byte, 1000)}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				pkt.SequenceNumber = uint16(i)
				if err := local.WriteRTP(pkt); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if got, want := ws[len(ws)-1].n.Load(), int64(b.N); got != want {
				b.Fatalf("an open subscriber got %d packets, want %d", got, want)
			}
			if tc.paused > 0 && ws[0].n.Load() != 0 {
				b.Fatalf("the paused subscriber got %d packets, want 0", ws[0].n.Load())
			}
		})
	}
}

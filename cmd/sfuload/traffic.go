package main

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// The traffic of one publisher, the same for the SFU and the relay:
//   - video: 1.5 Mbps at 30 frames/s, each frame a burst of 5 packets of
//     1250 bytes of payload (150 packets/s);
//   - audio: one 100-byte packet every 20 ms, as Opus sends (50 packets/s).
//
// Every payload starts with stampSize bytes: the send time (nanoseconds
// since origin, on the monotonic clock; senders and receivers are in this
// process) and a flag set on packets sent during the measured window.
const (
	videoFrame   = time.Second / 30
	videoBurst   = 5
	videoPayload = 1250
	audioEvery   = 20 * time.Millisecond
	audioPayload = 100
	stampSize    = 9
)

var origin = time.Now()

// tally gathers what every receiver of a step saw. Only packets sent while
// measuring is set count, so the in-flight packets at either end of the
// window cannot be mistaken for loss.
type tally struct {
	measuring atomic.Bool
	sent      atomic.Int64 // measured packets sent (each should arrive fanout times)
	recv      atomic.Int64 // measured packets received
	hist      [histBuckets]atomic.Int64
	over      atomic.Int64 // later than the last bucket
}

// The latency histogram: 10 us buckets up to 500 ms.
const (
	histStep    = 10 * time.Microsecond
	histBuckets = 50000
)

// stamp writes the send time and the measuring flag into p.
func (t *tally) stamp(p []byte) {
	binary.BigEndian.PutUint64(p, uint64(time.Since(origin)))
	if t.measuring.Load() {
		p[8] = 1
		t.sent.Add(1)
	} else {
		p[8] = 0
	}
}

// received notes a payload that arrived now.
func (t *tally) received(p []byte) {
	if len(p) < stampSize || p[8] != 1 {
		return
	}
	t.recv.Add(1)
	d := time.Since(origin) - time.Duration(binary.BigEndian.Uint64(p))
	if d < 0 {
		d = 0
	}
	if i := int(d / histStep); i < histBuckets {
		t.hist[i].Add(1)
	} else {
		t.over.Add(1)
	}
}

// percentile returns the latency below which q (0..1) of the measured
// packets arrived, as the upper bound of its bucket.
func (t *tally) percentile(q float64) time.Duration {
	total := t.over.Load()
	for i := range t.hist {
		total += t.hist[i].Load()
	}
	if total == 0 {
		return 0
	}
	want := int64(q*float64(total) + 0.5)
	var seen int64
	for i := range t.hist {
		seen += t.hist[i].Load()
		if seen >= want {
			return time.Duration(i+1) * histStep
		}
	}
	return histBuckets * histStep
}

// publish sends one publisher's traffic until stop closes. send gets the
// payload (valid only during the call), whether it is video, and whether
// it ends a frame (the RTP marker bit). The first frame comes after a random
// delay so that rooms do not burst in step.
func publish(stop <-chan struct{}, t *tally, send func(p []byte, video, last bool)) {
	audio := make([]byte, audioPayload)
	video := make([]byte, videoPayload)
	now := time.Now()
	nextAudio := now.Add(rand.N(audioEvery))
	nextVideo := now.Add(rand.N(videoFrame))
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		next := nextAudio
		if nextVideo.Before(next) {
			next = nextVideo
		}
		timer.Reset(time.Until(next))
		select {
		case <-stop:
			return
		case <-timer.C:
		}
		now := time.Now()
		if !now.Before(nextAudio) {
			t.stamp(audio)
			send(audio, false, true)
			nextAudio = catchUp(nextAudio.Add(audioEvery), now)
		}
		if !now.Before(nextVideo) {
			for i := range videoBurst {
				t.stamp(video)
				send(video, true, i == videoBurst-1)
			}
			nextVideo = catchUp(nextVideo.Add(videoFrame), now)
		}
	}
}

// catchUp keeps a late sender from bursting to make up for lost time (a
// starved load generator would otherwise flood the server afterwards).
func catchUp(next, now time.Time) time.Time {
	if now.Sub(next) > 100*time.Millisecond {
		return now
	}
	return next
}

// sources records which (publisher, kind) pairs a receiver has heard from.
type sources struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (s *sources) add(key string) {
	s.mu.Lock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[key] = true
	s.mu.Unlock()
}

func (s *sources) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// durations formats for tables.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

package hearing

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court"
)

// TestSyncSubscriptionsConcurrent is the regression test of the flaky
// TestHearing: publishers add and replace tracks at the same instant, each
// followed by the resync the SFU does (as in onTrack and forward), and
// afterwards the subscriber must hold exactly the tracks published. When the
// room was read before taking the subscribe lock, a call holding an older
// snapshot could run last and withdraw a newer track for good; this test
// caught that in most runs (see docs/benchmarks.md, "SFU reliability").
func TestSyncSubscriptionsConcurrent(t *testing.T) {
	s, err := New(Config{TokenKey: make([]byte, 32), ListenIP: "127.0.0.1", Loopback: true, TCPPort: -1}, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := newRoom(s, 1)
	defer r.stop()

	member := func(id int64) *participant {
		p := newParticipant(r, nil, Claims{Hearing: 1, User: id, Role: court.RoleClaimant, Name: "p"}, nil)
		p.admitted = true
		r.parts[id] = p
		return p
	}
	sub := member(1)
	pc, err := sub.newPC()
	if err != nil {
		t.Fatal(err)
	}
	sub.sub = pc
	defer sub.closeMedia()
	var pubs []*participant
	for id := int64(2); id <= 5; id++ {
		pubs = append(pubs, member(id))
	}

	seq := 0
	newTrack := func(owner *participant) *pubTrack {
		seq++
		local, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2},
			"audio-"+strconv.Itoa(seq), "p"+strconv.FormatInt(owner.id, 10))
		if err != nil {
			t.Fatal(err)
		}
		return &pubTrack{owner: owner, local: local, kind: webrtc.RTPCodecTypeAudio}
	}

	check := func(what string, round int, published []*pubTrack) {
		t.Helper()
		sub.subMu.Lock()
		defer sub.subMu.Unlock()
		missing := 0
		for _, tr := range published {
			if sub.senders[tr] == nil {
				missing++
			}
		}
		if missing > 0 || len(sub.senders) != len(published) {
			t.Fatalf("%s, round %d: subscriber holds %d tracks, %d of the %d published missing; want exactly the %d published",
				what, round, len(sub.senders), missing, len(published), len(published))
		}
	}

	// The interleaving itself: a resync that has to wait for the subscribe
	// lock (held here, as by a negotiation under way) while another
	// publisher's track arrives and is synced first. Go's mutex lets the
	// running goroutine take a just-released lock before the woken waiter,
	// so the fresher sync below usually runs first.
	a, b := pubs[0], pubs[1]
	for round := range 20 {
		ta, tb := newTrack(a), newTrack(b)
		sub.subMu.Lock()
		r.mu.Lock()
		a.pubs = []*pubTrack{ta}
		r.mu.Unlock()
		done := make(chan struct{})
		go func() { sub.syncSubscriptions(); close(done) }()
		time.Sleep(20 * time.Millisecond) // it waits for subMu
		r.mu.Lock()
		b.pubs = []*pubTrack{tb}
		r.mu.Unlock()
		sub.subMu.Unlock()
		sub.syncSubscriptions()
		<-done
		check("a waiting resync", round, []*pubTrack{ta, tb})
	}
	r.mu.Lock()
	a.pubs, b.pubs = nil, nil
	r.mu.Unlock()

	// Many publishers replacing their tracks at the same instant.
	const rounds = 300
	for round := range rounds {
		// Each publisher's new track is made beforehand, so the goroutines
		// below only take locks: the window between two of them is small,
		// as it is between two onTrack calls of real publishers.
		next := make([]*pubTrack, len(pubs))
		for i, q := range pubs {
			next[i] = newTrack(q)
		}
		var wg sync.WaitGroup
		for i, q := range pubs {
			wg.Go(func() {
				r.mu.Lock()
				q.pubs = []*pubTrack{next[i]} // the old track ended, a new one started
				r.mu.Unlock()
				sub.syncSubscriptions()
			})
		}
		wg.Wait()
		check("all at once", round, next)
	}
}

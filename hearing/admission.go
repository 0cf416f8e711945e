package hearing

import (
	"sync"

	"github.com/shangcheng-court/courtd/court"
)

// Admission control. Past its capacity the SFU does not slow down gently:
// pion/ice's UDP mux queues every datagram without bound, memory grows by
// hundreds of megabytes and every hearing on the server drops
// (docs/benchmarks.md). So the server takes in at most
// Config.MaxParticipants people and opens at most Config.MaxRooms rooms, and
// refuses the join beyond that with err.hearing_full, which the room page
// shows ("try again in a few minutes, or contact the clerk").
//
// A slot is held by every user in a room: waiting or admitted (so that the
// judge's "admit" never fails for want of room: those waiting are the ones
// about to send media), and by an admitted user who left, for as long as it
// may come back admitted (Config.Rejoin). So a reconnection within that time
// keeps its slot, and a second device replaces the first in the same slot.
// Slots are taken under the room's lock, in the same step that puts the
// participant in the room: two joins cannot both take the last one.
//
// A hearing takes its slots whole (Config.SlotsPerHearing, courtd's
// -hearing-slots-per-hearing, 3 there: the judge and the two parties): the
// first to open its room reserves them all, or is refused, and the others of
// that hearing then find their slots waiting; only people past the
// reservation (a witness, an agent) take more from the server's pool. A
// cap counted per person alone turns hearings away half-admitted under load:
// the claimant in, the merchant refused, the judge's hearing unable to go on.
// The reservation is held until the room closes.
//
// The judge of a running hearing always gets in, even past the cap: a
// hearing that already holds slots (its parties waiting, or admitted people
// on their way back) would otherwise be stuck, its waiting room with nobody
// to open it. This goes past the cap by at most the judges of the hearings
// already running. A judge opening a hearing on a full server is refused
// like anyone else: nobody is in it yet.

// slots counts the participant slots held in the whole server and the
// refusals, for the cap and for the metrics.
type slots struct {
	max, maxRooms int // 0: no limit

	mu      sync.Mutex
	held    int
	refused int64
}

// take takes n slots, all or none, or reports false when the server has
// not that many free. force takes them anyway (the judge of a running
// hearing).
func (a *slots) take(n int, force bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.max > 0 && a.held+n > a.max && !force {
		a.refused++
		return false
	}
	a.held += n
	return true
}

// release gives back n slots.
func (a *slots) release(n int) {
	if n == 0 {
		return
	}
	a.mu.Lock()
	a.held -= n
	a.mu.Unlock()
}

// refuse counts a join refused for another reason than the slots (the
// room cap).
func (a *slots) refuse() {
	a.mu.Lock()
	a.refused++
	a.mu.Unlock()
}

// errFull is the refusal of a join on a full server.
func errFull() error { return court.Errorf(court.ETOOMANY, "err.hearing_full") }

// Load is what the server holds against its caps.
type Load struct {
	Participants    int   // slots held: people in rooms and admitted people who may come back
	Rooms           int   // running hearings
	MaxParticipants int   // 0: no limit
	MaxRooms        int   // 0: no limit
	SlotsPerHearing int   // reserved by each hearing when it opens
	Refused         int64 // joins refused because the server was full, since it started
}

// Load returns the current load and the refusals so far (for the metrics).
func (s *Server) Load() Load {
	s.mu.Lock()
	rooms := len(s.rooms)
	s.mu.Unlock()
	s.slots.mu.Lock()
	defer s.slots.mu.Unlock()
	return Load{Participants: s.slots.held, Rooms: rooms, MaxParticipants: s.slots.max,
		MaxRooms: s.slots.maxRooms, SlotsPerHearing: max(s.cfg.SlotsPerHearing, 1), Refused: s.slots.refused}
}

// roomsFullLocked reports whether a new room may not be opened. Called with
// s.mu held.
func (s *Server) roomsFullLocked() bool {
	return s.slots.maxRooms > 0 && len(s.rooms) >= s.slots.maxRooms
}

// takeSlotLocked gives p a slot in r, unless its user already holds one
// there (connected, or admitted and within the rejoin period). A room that
// holds no slots yet takes its whole reservation first. Called with r.mu
// held.
func (r *room) takeSlotLocked(p *participant) error {
	if _, in := r.parts[p.id]; in {
		return nil
	}
	if _, kept := r.keep[p.id]; kept {
		return nil
	}
	need := len(r.parts) + len(r.keep) + 1
	if need <= r.held {
		return nil // a reserved slot is free
	}
	n := need - r.held
	if r.held == 0 {
		n = max(n, r.s.cfg.SlotsPerHearing)
	}
	running := len(r.parts)+len(r.keep) > 0
	if !r.s.slots.take(n, p.role == court.RoleJudge && running) {
		return errFull()
	}
	r.held += n
	return nil
}

// trimSlotsLocked gives back the slots r holds past what it needs: its
// people (connected, or admitted and within the rejoin period), and at
// least its reservation while it is open. Called with r.mu held, after
// anyone left.
func (r *room) trimSlotsLocked() {
	want := len(r.parts) + len(r.keep)
	if !r.closed {
		want = max(want, r.s.cfg.SlotsPerHearing)
	}
	if r.held > want {
		r.s.slots.release(r.held - want)
		r.held = want
	}
}

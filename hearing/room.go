package hearing

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/shangcheng-court/courtd/court"
)

// room is one running hearing. Its mutex guards the participants, the
// admission kept for those who left, the chat and the screen slot; it is
// never held while calling into pion or a hook.
type room struct {
	s       *Server
	id      int64
	started time.Time

	mu      sync.Mutex
	parts   map[int64]*participant // by user id: one connection per user
	keep    map[int64]time.Time    // admitted users who left -> until when they return admitted
	chat    []ChatMessage
	ended   bool
	closed  bool // removed from the server; a join must open a new room
	talking map[int64]bool

	chatRate map[int64]*chatBucket // by user: chatlimit.go

	// held is the number of admission slots the room holds (admission.go);
	// guarded by mu.
	held int

	// recMu orders the chat hook's calls (recordChat); recorded, which it
	// guards, counts the messages of chat the hook has had.
	recMu    sync.Mutex
	recorded int

	historyOnce sync.Once // loadHistory
	history     int       // messages of r.chat loaded by loadHistory; guarded by mu

	screen   atomic.Int64 // user id holding the screen slot, 0 when free
	stopOnce sync.Once
	stopTick chan struct{}
	tickDone chan struct{}
}

func newRoom(s *Server, id int64) *room {
	r := &room{s: s, id: id, started: time.Now().UTC(), parts: map[int64]*participant{},
		keep: map[int64]time.Time{}, talking: map[int64]bool{},
		stopTick: make(chan struct{}), tickDone: make(chan struct{})}
	go r.tick()
	return r
}

// tick refreshes who is speaking, forgets expired admissions, and closes
// the room once nobody is in it and nobody may come back admitted.
func (r *room) tick() {
	defer close(r.tickDone)
	t := time.NewTicker(300 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-r.stopTick:
			return
		case <-t.C:
		}
		now := time.Now()
		changed := false
		r.s.mu.Lock()
		r.mu.Lock()
		for id, until := range r.keep {
			if now.After(until) {
				delete(r.keep, id)
			}
		}
		for id, p := range r.parts {
			talking := p.admitted && !p.mutedAudio.Load() && now.Sub(time.Unix(0, p.lastSound.Load())) < speakingHold
			if talking != r.talking[id] {
				r.talking[id] = talking
				changed = true
			}
		}
		empty := len(r.parts) == 0 && len(r.keep) == 0
		if empty {
			r.closed = true
			if r.s.rooms[r.id] == r {
				delete(r.s.rooms, r.id)
			}
		}
		r.trimSlotsLocked()
		r.mu.Unlock()
		r.s.mu.Unlock()
		if empty {
			return
		}
		if changed {
			r.broadcastPresence()
		}
	}
}

// stop ends the ticker and waits for it.
func (r *room) stop() {
	r.stopOnce.Do(func() { close(r.stopTick) })
	<-r.tickDone
}

// speakingHold is how long after a loud packet a participant counts as
// speaking, so the indicator does not flicker between words.
const speakingHold = 600 * time.Millisecond

// join puts p in the room: admitted at once if it is the judge, or if it was
// admitted and left less than Config.Rejoin ago; otherwise in the waiting
// room. A second connection of the same user replaces the first.
func (r *room) join(p *participant) error {
	r.historyOnce.Do(r.loadHistory)
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return court.Errorf(court.ECONFLICT, "err.hearing_ended")
	}
	if r.closed { // the ticker closed the room between roomFor and here
		r.mu.Unlock()
		nr, err := r.s.roomFor(r.id)
		if err != nil {
			return err
		}
		p.room = nr
		return nr.join(p)
	}
	if err := r.takeSlotLocked(p); err != nil {
		r.mu.Unlock()
		return err
	}
	old := r.parts[p.id]
	until, kept := r.keep[p.id]
	p.admitted = p.role == court.RoleJudge || (old != nil && old.admitted) || (kept && time.Now().Before(until))
	delete(r.keep, p.id)
	r.parts[p.id] = p
	var history []ChatMessage
	if p.admitted {
		history = append(history, r.chat...)
	}
	r.mu.Unlock()

	if old != nil {
		old.send(Message{Type: TypeEvent, Event: EventReplaced})
		old.stop()
	}
	me := p.presence()
	p.send(Message{Type: TypeJoined, You: &me, ICEServers: r.s.iceServers(), History: history, Recording: r.s.cfg.Recording})
	if p.admitted {
		p.startSubscribe()
		r.s.hookAdmit(r.id, me)
	} else {
		r.toJudges(Message{Type: TypeEvent, Event: EventWaiting, Target: p.id})
	}
	r.broadcastPresence()
	if h := r.s.hooks.OnJoin; h != nil {
		h(r.id, me, time.Now().UTC())
	}
	return nil
}

func (s *Server) hookAdmit(id int64, p Presence) {
	if h := s.hooks.OnAdmit; h != nil {
		h(id, p, time.Now().UTC())
	}
}

// leave takes p out of the room when its connection ends, closes its media
// and withdraws its tracks from everyone else.
func (r *room) leave(p *participant) {
	r.mu.Lock()
	current := r.parts[p.id] == p
	if current {
		delete(r.parts, p.id)
		delete(r.talking, p.id)
		if p.admitted && !p.removed && !r.ended {
			r.keep[p.id] = time.Now().Add(r.s.cfg.Rejoin) // keeps its slot
		}
		r.trimSlotsLocked()
	}
	r.mu.Unlock()
	if current {
		r.screen.CompareAndSwap(p.id, 0)
	}
	p.closeMedia()
	r.resync()
	if current {
		r.broadcast(Message{Type: TypeEvent, Event: EventLeft, Target: p.id}, true)
		r.broadcastPresence()
	}
	if h := r.s.hooks.OnLeave; h != nil {
		h(r.id, p.presence(), time.Now().UTC())
	}
}

// admit lets waiting participants in: one (target) or all.
func (r *room) admit(target int64, all bool) error {
	var in []*participant
	r.mu.Lock()
	for id, p := range r.parts {
		if !p.admitted && (all || id == target) {
			p.admitted = true
			in = append(in, p)
		}
	}
	r.mu.Unlock()
	if len(in) == 0 && !all {
		return court.Errorf(court.ENOTFOUND, "err.hearing_no_such_participant")
	}
	for _, p := range in {
		r.mu.Lock()
		history := append([]ChatMessage(nil), r.chat...)
		r.mu.Unlock()
		p.send(Message{Type: TypeEvent, Event: EventAdmitted, History: history})
		p.startSubscribe()
		r.broadcast(Message{Type: TypeEvent, Event: EventJoinedRoom, Target: p.id}, true)
		r.s.hookAdmit(r.id, p.presence())
	}
	r.broadcastPresence()
	return nil
}

// find returns the participant of user id, or a not-found error.
func (r *room) find(id int64) (*participant, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.parts[id]; p != nil {
		return p, nil
	}
	return nil, court.Errorf(court.ENOTFOUND, "err.hearing_no_such_participant")
}

// remove sends a participant away: its connection closes, its tracks leave
// everyone's view, and it does not keep its admission.
func (r *room) remove(id int64) error {
	p, err := r.find(id)
	if err != nil {
		return err
	}
	if p.role == court.RoleJudge {
		return court.Errorf(court.EFORBIDDEN, "err.hearing_not_judge_target")
	}
	r.mu.Lock()
	p.removed = true
	r.mu.Unlock()
	p.send(Message{Type: TypeEvent, Event: EventRemoved})
	p.stop()
	return nil
}

// end closes the hearing for everyone and hands its record to the court.
func (r *room) end(by int64) {
	r.mu.Lock()
	if r.ended {
		r.mu.Unlock()
		return
	}
	r.ended = true
	parts := make([]*participant, 0, len(r.parts))
	for _, p := range r.parts {
		parts = append(parts, p)
	}
	rec := Record{Hearing: r.id, Started: r.started, Ended: time.Now().UTC(), EndedBy: by,
		Chat: append([]ChatMessage(nil), r.chat...)}
	r.keep = map[int64]time.Time{} // nobody comes back to an ended hearing
	r.trimSlotsLocked()
	r.mu.Unlock()

	r.s.mu.Lock()
	r.s.ended[r.id] = true
	r.s.mu.Unlock()
	for _, p := range parts {
		p.send(Message{Type: TypeEvent, Event: EventEnded})
		p.stop()
	}
	if h := r.s.hooks.OnEnd; h != nil {
		h(rec)
	}
	// The ticker closes the room once the connections have left.
}

// post adds a chat message from p and sends it to everyone admitted.
func (r *room) post(p *participant, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return court.Errorf(court.EINVALID, "err.hearing_chat_empty")
	}
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > maxChat {
		return court.Errorf(court.EINVALID, "err.hearing_chat_too_long", "Max", maxChat)
	}
	m := ChatMessage{From: p.id, Name: p.name, Role: p.role, Text: text, At: time.Now().UTC()}
	r.mu.Lock()
	if len(r.chat)-r.history >= maxChatLines { // this run's; the court bounds the whole record
		r.mu.Unlock()
		return court.Errorf(court.ECONFLICT, "err.hearing_chat_full", "Max", maxChatLines)
	}
	if !r.chatAllowedLocked(p.id, m.At) {
		r.mu.Unlock()
		return court.Errorf(court.ETOOMANY, "err.hearing_chat_rate", "Every", int(chatEvery/time.Second))
	}
	r.chat = append(r.chat, m)
	r.mu.Unlock()
	r.broadcast(Message{Type: TypeChat, Chat: &m}, true)
	if h := r.s.hooks.OnChat; h != nil {
		r.recordChat(h)
	}
	return nil
}

// loadHistory puts the chat already on the record (Hooks.ChatHistory)
// before the room's own, once, before anyone is in the room: a server
// restarted during a hearing shows its people what was said before. The
// messages count as recorded.
func (r *room) loadHistory() {
	h := r.s.hooks.ChatHistory
	if h == nil {
		return
	}
	old := h(r.id)
	if len(old) == 0 {
		return
	}
	r.recMu.Lock()
	defer r.recMu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chat = append(old[:len(old):len(old)], r.chat...)
	r.history = len(old)
	r.recorded += len(old)
}

// recordChat hands the hook every chat message it has not had yet, in the
// order the room took them. Two posters' calls would otherwise race each
// other to the record, which must keep the order everyone saw; whichever
// poster gets recMu first records the other's message too.
func (r *room) recordChat(h func(int64, ChatMessage)) {
	r.recMu.Lock()
	defer r.recMu.Unlock()
	for {
		r.mu.Lock()
		if r.recorded >= len(r.chat) {
			r.mu.Unlock()
			return
		}
		m := r.chat[r.recorded]
		r.mu.Unlock()
		h(r.id, m)
		r.recorded++
	}
}

// setScreen gives p the screen slot (on) or frees it. The judge may free
// anyone's slot.
func (r *room) setScreen(p *participant, target int64, on bool) error {
	if on {
		if !r.screen.CompareAndSwap(0, p.id) && r.screen.Load() != p.id {
			return court.Errorf(court.ECONFLICT, "err.hearing_screen_busy")
		}
	} else {
		holder := r.screen.Load()
		if target == 0 {
			target = p.id
		}
		if holder != target || (target != p.id && p.role != court.RoleJudge) {
			return court.Errorf(court.ECONFLICT, "err.hearing_screen_not_yours")
		}
		r.screen.CompareAndSwap(holder, 0)
		if target != p.id {
			if q, err := r.find(target); err == nil {
				q.send(Message{Type: TypeEvent, Event: EventScreen, On: false})
			}
		}
	}
	p.send(Message{Type: TypeEvent, Event: EventScreen, On: on})
	r.resync()
	r.broadcastPresence()
	return nil
}

// admittedParts returns the admitted participants.
func (r *room) admittedParts() []*participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*participant, 0, len(r.parts))
	for _, p := range r.parts {
		if p.admitted {
			out = append(out, p)
		}
	}
	return out
}

// resync brings every admitted participant's subscriptions up to date.
func (r *room) resync() {
	for _, p := range r.admittedParts() {
		p.syncSubscriptions()
	}
}

// broadcast sends m to every admitted participant (or to everyone).
func (r *room) broadcast(m Message, admittedOnly bool) {
	r.mu.Lock()
	to := make([]*participant, 0, len(r.parts))
	for _, p := range r.parts {
		if p.admitted || !admittedOnly {
			to = append(to, p)
		}
	}
	r.mu.Unlock()
	for _, p := range to {
		p.send(m)
	}
}

// toJudges sends m to the judges in the room.
func (r *room) toJudges(m Message) {
	for _, p := range r.admittedParts() {
		if p.role == court.RoleJudge {
			p.send(m)
		}
	}
}

// broadcastPresence sends the presence list: the judge sees the waiting
// room too; the others see who is in the hearing; those waiting see nobody.
func (r *room) broadcastPresence() {
	r.mu.Lock()
	var all, in []Presence
	var judges, others []*participant
	for _, p := range r.parts {
		pr := p.presenceLocked(r.talking[p.id])
		all = append(all, pr)
		if p.admitted {
			in = append(in, pr)
			if p.role == court.RoleJudge {
				judges = append(judges, p)
			} else {
				others = append(others, p)
			}
		}
	}
	r.mu.Unlock()
	// In a stable order, so the page's list does not reshuffle.
	byID := func(a, b Presence) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(all, byID)
	slices.SortFunc(in, byID)
	for _, p := range judges {
		p.send(Message{Type: TypePresence, Participants: all})
	}
	for _, p := range others {
		p.send(Message{Type: TypePresence, Participants: in})
	}
}

package hearing

import (
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// TestChatHookOrder: the chat hook (which writes the hearing record) gets
// the messages in the order the room took them, even when the first
// poster's call to the hook is slow and a second poster's message comes in
// meanwhile. Calling the hook on each poster's goroutine let the second
// message reach the record first.
func TestChatHookOrder(t *testing.T) {
	var mu sync.Mutex
	var calls int
	var got []string
	firstIn, release := make(chan struct{}), make(chan struct{})
	hooks := Hooks{OnChat: func(_ int64, m ChatMessage) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			close(firstIn)
			<-release // the record is slow to write the first message
		}
		mu.Lock()
		got = append(got, m.Text)
		mu.Unlock()
	}}
	s, err := New(Config{TokenKey: make([]byte, 32), ListenIP: "127.0.0.1", Loopback: true, TCPPort: -1}, hooks)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := newRoom(s, 1)
	defer r.stop()
	a := newParticipant(r, nil, Claims{Hearing: 1, User: 1, Role: court.RoleClaimant, Name: "a"}, nil)
	b := newParticipant(r, nil, Claims{Hearing: 1, User: 2, Role: court.RoleJudge, Name: "b"}, nil)

	done := make(chan error, 2)
	go func() { done <- r.post(a, "first") }()
	<-firstIn
	go func() { done <- r.post(b, "second") }()
	// The second message is in the room before the first is recorded.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		n := len(r.chat)
		r.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second message did not reach the room")
		}
	}
	time.Sleep(20 * time.Millisecond) // let a racing hook call run, if any
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != "first" || got[1] != "second" {
		t.Fatalf("the hook got %q, want [first second]", got)
	}
}

// TestChatHistoryNotCounted: the chat a reopened room loads from the record
// does not count toward the room's own bound, so a long hearing restarted
// near it can still be talked in.
func TestChatHistoryNotCounted(t *testing.T) {
	old := make([]ChatMessage, maxChatLines)
	for i := range old {
		old[i] = ChatMessage{From: 1, Name: "a", Role: court.RoleClaimant, Text: "earlier"}
	}
	var got []string
	hooks := Hooks{ChatHistory: func(int64) []ChatMessage { return old },
		OnChat: func(_ int64, m ChatMessage) { got = append(got, m.Text) }}
	s, err := New(Config{TokenKey: make([]byte, 32), ListenIP: "127.0.0.1", Loopback: true, TCPPort: -1}, hooks)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := newRoom(s, 1)
	defer r.stop()
	r.historyOnce.Do(r.loadHistory)
	a := newParticipant(r, nil, Claims{Hearing: 1, User: 1, Role: court.RoleClaimant, Name: "a"}, nil)
	if err := r.post(a, "after the restart"); err != nil {
		t.Fatalf("a message after %d loaded: %v, want accepted", maxChatLines, err)
	}
	if len(got) != 1 || got[0] != "after the restart" {
		t.Errorf("reported to the record: %q, want only the new message", got)
	}
}

package hearing_test

import (
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
)

// refused dials with a token for user and expects the server-full error
// and a closed connection.
func refused(t *testing.T, th *testHearing, what string, hearingID, user int64, role court.Role) {
	t.Helper()
	c := dial(t, th, th.token(t, hearingID, user, role))
	m := c.waitFor(func(m hearing.Message) bool { return m.Type == hearing.TypeError || m.Type == hearing.TypeJoined })
	if m.Type != hearing.TypeError || m.Key != "err.hearing_full" || m.Code != court.ETOOMANY {
		t.Errorf("%s: got %s %q (%s), want error err.hearing_full (%s)", what, m.Type, m.Key, m.Code, court.ETOOMANY)
	}
	c.waitClosed()
	c.close()
}

func wantLoad(t *testing.T, th *testHearing, what string, participants, rooms int, refusals int64) {
	t.Helper()
	var l hearing.Load
	for deadline := time.Now().Add(6 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		// Rooms close on the room's next tick (300 ms), slots at once.
		if l = th.Srv.Load(); l.Participants == participants && l.Rooms == rooms && l.Refused == refusals {
			return
		}
	}
	t.Errorf("%s: got %d participants, %d rooms, %d refused; want %d, %d, %d",
		what, l.Participants, l.Rooms, l.Refused, participants, rooms, refusals)
}

// TestAdmissionCap: with the cap at 3, the fourth join is refused with
// err.hearing_full and leaves nothing behind; a participant who drops keeps
// its slot for the rejoin period and gets back in while the server is full;
// a slot freed by a removal or by the end of that period takes the next one
// in; media keeps flowing for those admitted.
func TestAdmissionCap(t *testing.T) {
	th := mustHearing(t, func(c *hearing.Config) { c.MaxParticipants = 3; c.Rejoin = 3 * time.Second })
	judge, _ := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	judge.publish(false)
	consumer, _ := join(t, th, hearingID, consumerID, court.RoleClaimant)
	merchant, _ := join(t, th, hearingID, merchantID, court.RoleMerchant)
	defer merchant.close()
	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	consumer.waitFor(isEvent(hearing.EventAdmitted))
	merchant.waitFor(isEvent(hearing.EventAdmitted))
	consumer.publish(false)
	eventually(t, "media among the three", func() bool {
		return consumer.count(judgeID, "video") > 5 && merchant.count(consumerID, "audio") > 5
	})
	wantLoad(t, th, "full", 3, 1, 0)
	base := settle(t, 0)

	// The fourth, into this hearing or into a new one: refused, and the
	// room opened for the new one closes again.
	refused(t, th, "a fourth party", hearingID, 4, court.RoleClaimant)
	refused(t, th, "a party of another hearing", hearingID+1, 5, court.RoleClaimant)
	refused(t, th, "the judge of a hearing not yet running", hearingID+1, 6, court.RoleJudge)
	wantLoad(t, th, "after three refusals", 3, 1, 3)
	if n := settle(t, base); n > base+2 {
		t.Errorf("goroutines after the refusals: got %d, want about %d", n, base)
	}
	flows(t, "media after the refusals", merchant, judgeID, "video")

	// The consumer's network drops: it keeps its slot, nobody takes it,
	// and it comes back admitted.
	consumer.close()
	wantLoad(t, th, "consumer away within the rejoin period", 3, 1, 3)
	refused(t, th, "a newcomer while the consumer may come back", hearingID, 7, court.RoleClaimant)
	back, bm := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer back.close()
	if !bm.You.Admitted {
		t.Errorf("consumer back within the rejoin period: got waiting, want admitted")
	}
	back.publish(false)
	eventually(t, "the judge receives the consumer back", func() bool { return judge.count(consumerID, "audio") > 5 })
	wantLoad(t, th, "consumer back", 3, 1, 4)

	// A removal frees the slot at once: the next one gets in.
	judge.send(hearing.Message{Type: hearing.TypeRemove, Target: merchantID})
	merchant.waitClosed()
	wantLoad(t, th, "merchant removed", 2, 1, 4)
	next, nm := join(t, th, hearingID, 8, court.RoleClaimant)
	defer next.close()
	if nm.You.Admitted {
		t.Errorf("newcomer: got admitted, want waiting")
	}
	wantLoad(t, th, "newcomer in", 3, 1, 4)

	// A drop frees the slot once the rejoin period is over.
	back.close()
	refused(t, th, "a newcomer during the consumer's rejoin period", hearingID, 9, court.RoleClaimant)
	wantLoad(t, th, "consumer's slot free after the rejoin period", 2, 1, 5)
	late, lm := join(t, th, hearingID, 9, court.RoleClaimant)
	defer late.close()
	if lm.Type != hearing.TypeJoined {
		t.Errorf("after the rejoin period: got %s, want joined", lm.Type)
	}
	wantLoad(t, th, "full again", 3, 1, 5)

	// The end of the hearing gives every slot back.
	judge.send(hearing.Message{Type: hearing.TypeEnd})
	for _, c := range []*client{judge, next, late} {
		c.waitClosed()
	}
	wantLoad(t, th, "after the end", 0, 0, 5)
}

// TestAdmissionJudge: the judge of a running hearing gets in past the cap
// (its parties would otherwise wait for nobody); the judge of a hearing
// nobody is in yet does not. The room cap refuses a new hearing.
func TestAdmissionJudge(t *testing.T) {
	th := mustHearing(t, func(c *hearing.Config) { c.MaxParticipants = 2; c.MaxRooms = 2 })
	consumer, _ := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer consumer.close()
	merchant, _ := join(t, th, hearingID, merchantID, court.RoleMerchant)
	defer merchant.close()
	wantLoad(t, th, "two parties waiting", 2, 1, 0)

	judge, jm := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	if !jm.You.Admitted {
		t.Fatalf("judge of the running hearing: got waiting, want admitted")
	}
	wantLoad(t, th, "the judge past the cap", 3, 1, 0)
	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	consumer.waitFor(isEvent(hearing.EventAdmitted))
	merchant.waitFor(isEvent(hearing.EventAdmitted))
	judge.publish(false)
	eventually(t, "the parties receive the judge", func() bool {
		return consumer.count(judgeID, "video") > 5 && merchant.count(judgeID, "audio") > 5
	})
	refused(t, th, "the judge of another hearing", hearingID+1, 10, court.RoleJudge)
	wantLoad(t, th, "one refusal", 3, 1, 1)

	// The room cap: with participants unlimited, a third hearing is refused.
	rooms := mustHearing(t, func(c *hearing.Config) { c.MaxRooms = 2 })
	a, _ := join(t, rooms, 1, judgeID, court.RoleJudge)
	defer a.close()
	b, _ := join(t, rooms, 2, judgeID, court.RoleJudge)
	defer b.close()
	refused(t, rooms, "a third hearing", 3, judgeID, court.RoleJudge)
	wantLoad(t, rooms, "two rooms", 2, 2, 1)
	in, _ := join(t, rooms, 2, consumerID, court.RoleClaimant) // an open hearing still takes people
	defer in.close()
}

// TestAdmissionReserve: with SlotsPerHearing, the first to open a hearing
// reserves its slots whole, so the others of that hearing get in on a full
// server while a new hearing is refused; someone past the reservation takes
// from the pool like anyone; the room gives everything back when it closes.
func TestAdmissionReserve(t *testing.T) {
	th := mustHearing(t, func(c *hearing.Config) { c.MaxParticipants = 6; c.SlotsPerHearing = 3 })
	a, _ := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer a.close()
	wantLoad(t, th, "the first of hearing A reserves its three", 3, 1, 0)
	b, _ := join(t, th, hearingID+1, consumerID, court.RoleClaimant)
	wantLoad(t, th, "hearing B reserves three more: full", 6, 2, 0)
	refused(t, th, "a party of hearing C", hearingID+2, 20, court.RoleClaimant)
	refused(t, th, "the judge of hearing C", hearingID+2, 21, court.RoleJudge)

	// Hearing A's judge and merchant find their slots waiting.
	judge, jm := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	merchant, mm := join(t, th, hearingID, merchantID, court.RoleMerchant)
	defer merchant.close()
	if jm.Type != hearing.TypeJoined || mm.Type != hearing.TypeJoined {
		t.Fatalf("hearing A's judge and merchant on a full server: got %s and %s, want joined", jm.Type, mm.Type)
	}
	wantLoad(t, th, "hearing A whole", 6, 2, 2)
	refused(t, th, "a fourth person in hearing A (past its reservation)", hearingID, 22, court.RoleClaimant)

	// Hearing B's only party leaves: its room closes and gives its
	// reservation back, and hearing C opens.
	b.close()
	wantLoad(t, th, "hearing B closed", 3, 1, 3)
	c, cm := join(t, th, hearingID+2, 20, court.RoleClaimant)
	defer c.close()
	if cm.Type != hearing.TypeJoined {
		t.Fatalf("hearing C after B closed: got %s, want joined", cm.Type)
	}
	wantLoad(t, th, "hearings A and C", 6, 2, 3)
}

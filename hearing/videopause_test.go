package hearing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
)

// sendRaw writes b as one text message, as a hostile client could.
func (c *client) sendRaw(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.WriteMessage(websocket.TextMessage, b)
}

// audioOnly reports whether the presence message m says user is on audio
// only; ok is false when m does not list user.
func audioOnly(m hearing.Message, user int64) (on, ok bool) {
	for _, p := range m.Participants {
		if p.ID == user {
			return p.AudioOnly, true
		}
	}
	return false, false
}

// TestVideoReceive: a participant on audio only receives no camera video
// (audio and the shared screen still flow, and the others still get the
// video), and gets it back at once, with a keyframe asked of the
// publisher, when it resumes. Messages it may not send, or that are
// malformed, change nothing.
func TestVideoReceive(t *testing.T) {
	th := mustHearing(t, nil)
	judge, _ := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	consumer, _ := join(t, th, hearingID, consumerID, court.RoleClaimant)
	defer consumer.close()
	merchant, _ := join(t, th, hearingID, merchantID, court.RoleMerchant)
	defer merchant.close()

	// Before admission the message is refused and leaves nothing behind.
	consumer.send(hearing.Message{Type: hearing.TypeVideoReceive, On: false})
	consumer.waitFor(isError("err.hearing_not_admitted"))

	judge.send(hearing.Message{Type: hearing.TypeAdmit, All: true})
	consumer.waitFor(isEvent(hearing.EventAdmitted))
	merchant.waitFor(isEvent(hearing.EventAdmitted))
	judge.publish(false)
	merchant.send(hearing.Message{Type: hearing.TypeScreen, On: true})
	merchant.waitFor(func(m hearing.Message) bool {
		return m.Type == hearing.TypeEvent && m.Event == hearing.EventScreen && m.On
	})
	merchant.publish(true)
	eventually(t, "the consumer receives the judge's video and the merchant's screen", func() bool {
		return consumer.count(judgeID, "video") > 10 && consumer.count(merchantID, "screen") > 10
	})
	flows(t, "video before any video_receive (the refused one had no effect)", consumer, judgeID, "video")

	// Malformed: "on" is not a boolean. Refused; video keeps coming.
	consumer.sendRaw([]byte(`{"type":"video_receive","on":"off"}`))
	consumer.waitFor(isError("err.hearing_bad_message"))
	// A misspelt type is refused too.
	consumer.sendRaw([]byte(`{"type":"video-receive","on":false}`))
	consumer.waitFor(isError("err.hearing_bad_message"))
	flows(t, "video after the malformed messages", consumer, judgeID, "video")

	// Pause.
	consumer.send(hearing.Message{Type: hearing.TypeVideoReceive, On: false})
	pm := judge.waitFor(func(m hearing.Message) bool {
		on, ok := audioOnly(m, consumerID)
		return m.Type == hearing.TypePresence && ok && on
	})
	if on, _ := audioOnly(pm, judgeID); on {
		t.Errorf("judge's presence: got audio_only, want not (only the consumer paused)")
	}
	time.Sleep(300 * time.Millisecond) // packets in flight
	v0, a0, s0 := consumer.count(judgeID, "video"), consumer.count(judgeID, "audio"), consumer.count(merchantID, "screen")
	mv0 := merchant.count(judgeID, "video")
	time.Sleep(2 * time.Second)
	v1, a1, s1 := consumer.count(judgeID, "video"), consumer.count(judgeID, "audio"), consumer.count(merchantID, "screen")
	mv1 := merchant.count(judgeID, "video")
	if v1 != v0 {
		t.Errorf("paused: camera video packets went from %d to %d in 2 s, want no change", v0, v1)
	}
	// 50 packets a second are sent: at least half of them in 2 s.
	if a1-a0 < 50 {
		t.Errorf("paused: audio packets went from %d to %d in 2 s, want at least 50 more", a0, a1)
	}
	if s1-s0 < 50 {
		t.Errorf("paused: screen packets went from %d to %d in 2 s, want at least 50 more", s0, s1)
	}
	if mv1-mv0 < 50 {
		t.Errorf("paused by the consumer: the merchant's video went from %d to %d in 2 s, want at least 50 more", mv0, mv1)
	}
	// The judge's own camera is no business of a paused subscriber: the
	// judge still receives the merchant's camera.
	flows(t, "the judge receives the merchant's video", judge, merchantID, "video")

	// Saying it again changes nothing (no presence storm, still paused).
	consumer.send(hearing.Message{Type: hearing.TypeVideoReceive, On: false})
	stops(t, "video after a second pause", consumer, judgeID, "video")

	// Resume: the video comes back and the publisher is asked for a
	// keyframe so that the picture does not wait for the next one.
	plis := judge.plis.Load()
	consumer.send(hearing.Message{Type: hearing.TypeVideoReceive, On: true})
	flows(t, "video after resuming", consumer, judgeID, "video")
	eventually(t, "a keyframe request reaches the judge's publisher", func() bool { return judge.plis.Load() > plis })

	// Paused and resumed again at once, within the second after that
	// request: its keyframe went by during the pause, so the throttled
	// requester asks again as soon as it may (a second after the last).
	plis = judge.plis.Load()
	consumer.send(hearing.Message{Type: hearing.TypeVideoReceive, On: false})
	consumer.send(hearing.Message{Type: hearing.TypeVideoReceive, On: true})
	eventually(t, "a second keyframe request after a quick pause", func() bool { return judge.plis.Load() > plis })
	flows(t, "video after the quick pause", consumer, judgeID, "video")
	judge.waitFor(func(m hearing.Message) bool {
		on, ok := audioOnly(m, consumerID)
		return m.Type == hearing.TypePresence && ok && !on
	})
	flows(t, "audio after resuming", consumer, judgeID, "audio")

	// A message over the size limit ends that connection, and nothing
	// else: the others keep receiving.
	consumer.sendRaw([]byte(`{"type":"video_receive","on":false,"text":"` + strings.Repeat("x", 70<<10) + `"}`))
	consumer.waitClosed()
	flows(t, "the merchant's video after the consumer's oversized message", merchant, judgeID, "video")
}

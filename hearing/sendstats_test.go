package hearing_test

import (
	"fmt"
	"testing"

	"github.com/shangcheng-court/courtd/hearing"
)

// TestBatchedSends: media to real clients goes out through the batching
// sender on both socket set-ups (one listen address, and every interface
// as in production) when BatchSends is set, with nothing dropped at this
// load; without it (the default) media flows with no batching.
func TestBatchedSends(t *testing.T) {
	for _, tc := range []struct {
		listen  string
		batched bool
	}{{"127.0.0.1", true}, {"", true}, {"127.0.0.1", false}, {"", false}} {
		t.Run(fmt.Sprintf("listen=%s,batched=%v", tc.listen, tc.batched), func(t *testing.T) {
			th := mustHearing(t, func(c *hearing.Config) { c.ListenIP, c.BatchSends = tc.listen, tc.batched })
			judge, consumer := admitted(t, th)
			judge.publish(false)
			consumer.publish(false)
			eventually(t, "media both ways", func() bool {
				return consumer.count(judgeID, "video") > 20 && judge.count(consumerID, "audio") > 20
			})
			s := th.Srv.SendStats()
			if !tc.batched {
				if s != (hearing.SendStats{}) {
					t.Fatalf("send stats %+v without BatchSends, want none", s)
				}
				return
			}
			received := uint64(consumer.count(judgeID, "video") + judge.count(consumerID, "audio"))
			if s.Sent < received || s.Batches == 0 || s.Batches > s.Sent {
				t.Fatalf("send stats %+v: want at least the %d media packets the clients got, in at most as many batches", s, received)
			}
			if s.Dropped != 0 || s.Failed != 0 {
				t.Fatalf("send stats %+v: want nothing dropped or failed", s)
			}
		})
	}
}

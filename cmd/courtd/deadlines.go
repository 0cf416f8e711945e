package main

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court/docket"
)

// DeadlineInterval is how often the deadline scheduler looks for expired
// deadlines.
const DeadlineInterval = time.Minute

// runDeadlines applies expired deadlines at once (catching up on what passed
// while courtd was down) and then every interval, until ctx ends. Each
// expiry is applied exactly once however often this runs (see
// docket.Service.ApplyDeadlines). It calls m.wg.Done when it returns.
func (m *Main) runDeadlines(ctx context.Context, dk *docket.Service, interval time.Duration) {
	m.every(ctx, interval, func(ctx context.Context) {
		done, err := dk.ApplyDeadlines(ctx)
		for _, a := range done {
			m.log.Info("deadline applied", "case", a.CaseID, "docket_no", a.DocketNo, "kind", a.Kind, "due", a.Due)
		}
		if err != nil && ctx.Err() == nil {
			m.log.Error("deadlines", "err", err, "applied", len(done))
		}
	})
}

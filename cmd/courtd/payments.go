package main

import (
	"context"
	"time"

	"github.com/shangcheng-court/courtd/court/payments"
)

// runPayments flags for enforcement the cases whose payment deadline passed
// unpaid, at once (catching up on what passed while courtd was down) and
// then every interval, until ctx ends. Each case is flagged exactly once
// however often this runs (see payments.Service.ApplyOverdue). It calls
// m.wg.Done when it returns.
func (m *Main) runPayments(ctx context.Context, ps *payments.Service, interval time.Duration) {
	m.every(ctx, interval, func(ctx context.Context) {
		done, err := ps.ApplyOverdue(ctx)
		for _, f := range done {
			m.log.Info("payment overdue: flagged for enforcement", "case", f.CaseID, "docket_no", f.DocketNo, "due", f.Due)
		}
		if err != nil && ctx.Err() == nil {
			m.log.Error("payments overdue", "err", err, "flagged", len(done))
		}
	})
}

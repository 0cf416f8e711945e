package main

import (
	"context"
	"time"
)

// every runs job at once (catching up on what came due while courtd was
// down) and then every interval, until ctx ends. Jobs that must act once
// per event make that so themselves (in their own transactions), so running
// them again is harmless. It calls m.wg.Done when it returns.
func (m *Main) every(ctx context.Context, interval time.Duration, job func(context.Context)) {
	defer m.wg.Done()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		job(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

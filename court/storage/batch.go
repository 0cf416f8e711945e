package storage

import (
	"context"
	"errors"
	"sync"

	"github.com/shangcheng-court/courtd/court"
)

// filingBatcher is the group commit of filings. With synchronous=FULL a
// commit waits for the disk (about 1.4 ms here), so one transaction per
// filing tops out near 700 filings a second. One goroutine takes the filings
// waiting at that moment, up to max, writes them in one transaction (all at
// once with multi-row statements, see batchwrite.go; or, when that fails,
// each in its own savepoint, so that a refused filing does not undo the
// others), commits once, and only then answers each caller. No filing is acknowledged before
// it is durable, and none waits for a timer: a lone filing commits at once.
type filingBatcher struct {
	db   *DB
	max  int
	reqs chan *filingReq
	done chan struct{}

	mu     sync.RWMutex // guards closed against submit racing Close
	closed bool

	// oneByOne turns the multi-row fast path (batchwrite.go) off: every
	// batch is written filing by filing, as before it. For benchmarks and
	// tests that compare the two.
	oneByOne bool
}

type filingReq struct {
	ctx  context.Context
	nc   *NewCase
	prep *filingPrep
	res  chan filingRes
}

type filingRes struct {
	c   *court.Case
	err error
}

// Each filing of a batch runs in its own savepoint.
const (
	sqlSavepoint  = "SAVEPOINT filing"
	sqlRollbackTo = "ROLLBACK TO SAVEPOINT filing"
	sqlRelease    = "RELEASE SAVEPOINT filing"
)

// errClosed answers a filing that arrives after Close.
var errClosed = errors.New("database closed")

func newFilingBatcher(db *DB, max int) *filingBatcher {
	b := &filingBatcher{db: db, max: max, reqs: make(chan *filingReq, 1024), done: make(chan struct{})}
	go b.run()
	return b
}

func (b *filingBatcher) submit(ctx context.Context, nc *NewCase) (*court.Case, error) {
	prep, err := prepareFiling(nc)
	if err != nil {
		return nil, err
	}
	req := &filingReq{ctx: ctx, nc: nc, prep: prep, res: make(chan filingRes, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return nil, errClosed
	}
	select {
	case b.reqs <- req:
	case <-ctx.Done():
		b.mu.RUnlock()
		return nil, ctx.Err()
	}
	b.mu.RUnlock()
	// Once queued, the filing is written even if the caller goes away: the
	// answer then simply is not read.
	r := <-req.res
	return r.c, r.err
}

// close stops taking filings, writes those queued, and ends the goroutine.
func (b *filingBatcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.reqs)
	}
	b.mu.Unlock()
	<-b.done
}

func (b *filingBatcher) run() {
	defer close(b.done)
	for first := range b.reqs {
		batch := []*filingReq{first}
	fill:
		for len(batch) < b.max {
			select {
			case r, ok := <-b.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.write(batch)
	}
}

// write stores a batch in one transaction and answers every request.
func (b *filingBatcher) write(batch []*filingReq) {
	res := make([]filingRes, len(batch))
	err := b.db.writeTx(context.Background(), func(tx *wtx) error {
		now := b.db.Now()
		// FTS5 writes its pending rows to disk at every SAVEPOINT, so
		// indexing each filing inside its savepoint made one index segment
		// per filing and nearly halved the filings per second. The index
		// rows of the filings that were stored are written after the loop,
		// still in this transaction.
		tx.deferIndex = true
		var live []*filingReq
		var liveAt []int // the index in batch of each of live
		for i, r := range batch {
			if err := r.ctx.Err(); err != nil {
				res[i].err = err // the caller left before its turn: nothing written
				continue
			}
			live, liveAt = append(live, r), append(liveAt, i)
		}
		if len(live) > 0 && !b.oneByOne {
			// All at once; on any error, one by one below (see writeFast).
			if cases, err := writeFast(tx, live, now); err == nil {
				for k, i := range liveAt {
					res[i].c = cases[k]
				}
				return nil
			}
		}
		for _, i := range liveAt {
			r := batch[i]
			if _, err := txExec(context.Background(), tx, sqlSavepoint); err != nil {
				return err
			}
			res[i].c, res[i].err = createCase(r.ctx, tx, r.nc, now)
			if res[i].err != nil {
				if _, err := txExec(context.Background(), tx, sqlRollbackTo); err != nil {
					return err
				}
			}
			if _, err := txExec(context.Background(), tx, sqlRelease); err != nil {
				return err
			}
		}
		for i := range batch {
			if res[i].err == nil && res[i].c != nil {
				if err := indexCreated(context.Background(), tx, res[i].c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	for i, r := range batch {
		if err != nil && res[i].err == nil {
			res[i] = filingRes{err: err} // the commit failed: nothing of the batch is stored
		}
		r.res <- res[i]
	}
}

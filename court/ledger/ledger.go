package ledger

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court"
)

// Store is what the ledger reads and writes of the stored tree (the storage
// package implements it). Appends are not here: they happen in storage, in
// the transaction of the row a leaf covers.
type Store interface {
	// LedgerSize is the number of committed leaves.
	LedgerSize(ctx context.Context) (int64, error)
	// LedgerHashes returns the stored hashes at the given tlog storage
	// indexes, in that order.
	LedgerHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// LatestCheckpoint returns the signed note of the largest checkpoint
	// stored, ok false when there is none.
	LatestCheckpoint(ctx context.Context) (note string, ok bool, err error)
	// SaveCheckpoint stores a signed checkpoint of size leaves (storing
	// one of a size already stored is not an error: it is the same note).
	SaveCheckpoint(ctx context.Context, size int64, note string) error
}

// Ledger signs checkpoints of the court's tree and answers proofs.
type Ledger struct {
	store Store
	key   *Key

	mu     sync.Mutex // serialises signing; guards latest
	latest *Checkpoint
}

var _ Prover = (*Ledger)(nil)

// New returns the ledger over store, signing with key.
func New(store Store, key *Key) *Ledger { return &Ledger{store: store, key: key} }

// Key is the court's ledger key.
func (l *Ledger) Key() *Key { return l.key }

func (l *Ledger) hashes(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) { return l.store.LedgerHashes(ctx, ix) })
}

// latestLocked returns the latest stored checkpoint (nil if none); l.mu held.
func (l *Ledger) latestLocked(ctx context.Context) (*Checkpoint, error) {
	if l.latest != nil {
		return l.latest, nil
	}
	msg, ok, err := l.store.LatestCheckpoint(ctx)
	if err != nil || !ok {
		return nil, err
	}
	c, err := OpenCheckpoint(msg, l.key.Verifier())
	if err != nil {
		return nil, fmt.Errorf("stored checkpoint: %w", err)
	}
	l.latest = &c
	return l.latest, nil
}

// SignIfGrown signs and stores a checkpoint when the tree has grown since
// the latest one (or none exists yet), and returns the latest checkpoint
// and whether it signed it now.
func (l *Ledger) SignIfGrown(ctx context.Context) (Checkpoint, bool, error) {
	return l.sign(ctx, -1)
}

// sign signs a checkpoint if the tree has grown since the latest one,
// unless that one covers leaf need already (need < 0: always if grown). A
// burst of receipts waiting on the lock thus shares one new checkpoint
// instead of signing one each.
func (l *Ledger) sign(ctx context.Context, need int64) (Checkpoint, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	latest, err := l.latestLocked(ctx)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if latest != nil && need >= 0 && need < latest.Size {
		return *latest, false, nil
	}
	size, err := l.store.LedgerSize(ctx)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if latest != nil && size <= latest.Size {
		return *latest, false, nil
	}
	root, err := tlog.TreeHash(size, l.hashes(ctx))
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("tree hash: %w", err)
	}
	c, err := l.key.Sign(size, root)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if err := l.store.SaveCheckpoint(ctx, size, c.Note); err != nil {
		return Checkpoint{}, false, err
	}
	l.latest = &c
	return c, true, nil
}

// Latest returns the latest signed checkpoint, signing the first one if
// there is none yet.
func (l *Ledger) Latest(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	latest, err := l.latestLocked(ctx)
	l.mu.Unlock()
	if err != nil {
		return Checkpoint{}, err
	}
	if latest != nil {
		return *latest, nil
	}
	c, _, err := l.SignIfGrown(ctx)
	return c, err
}

// Run signs a checkpoint now and every interval if the tree has grown,
// until ctx ends, and then once more, so that a clean shutdown leaves the
// whole history signed (the caller closes the store only after Run has
// returned). Errors are logged and retried at the next tick.
func (l *Ledger) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	sign := func(ctx context.Context) {
		if c, signed, err := l.SignIfGrown(ctx); err != nil {
			log.Error("ledger checkpoint", "err", err)
		} else if signed {
			log.Debug("ledger checkpoint signed", "size", c.Size)
		}
	}
	for {
		sign(ctx)
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			sign(final)
			return
		case <-t.C:
		}
	}
}

// InclusionProof proves that leaf index is in the tree of size leaves.
// Both are checked: 0 <= index < size <= the latest signed size (a proof
// against a tree nobody signed proves nothing).
func (l *Ledger) InclusionProof(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	latest, err := l.Latest(ctx)
	if err != nil {
		return nil, err
	}
	if size < 1 || size > latest.Size {
		return nil, court.Errorf(court.EINVALID, "err.ledger_size", "Max", latest.Size)
	}
	if index < 0 || index >= size {
		return nil, court.Errorf(court.EINVALID, "err.ledger_index", "Size", size)
	}
	return tlog.ProveRecord(size, index, l.hashes(ctx))
}

// ConsistencyProof proves that the tree of old leaves is a prefix of the
// tree of new leaves: 1 <= old <= new <= the latest signed size.
func (l *Ledger) ConsistencyProof(ctx context.Context, old, new int64) (tlog.TreeProof, error) {
	latest, err := l.Latest(ctx)
	if err != nil {
		return nil, err
	}
	if new < 1 || new > latest.Size {
		return nil, court.Errorf(court.EINVALID, "err.ledger_size", "Max", latest.Size)
	}
	if old < 1 || old > new {
		return nil, court.Errorf(court.EINVALID, "err.ledger_old", "New", new)
	}
	return tlog.ProveTree(new, old, l.hashes(ctx))
}

// Prove fills in the ledger part of r for the leaf at index: its hash, an
// inclusion proof and the checkpoint it is proven against, signing a fresh
// checkpoint if the latest does not cover the leaf yet (call it after the
// leaf's transaction has committed).
func (l *Ledger) Prove(ctx context.Context, index int64, r *Receipt) error {
	c, err := l.Latest(ctx)
	if err != nil {
		return err
	}
	if index >= c.Size {
		if c, _, err = l.sign(ctx, index); err != nil {
			return err
		}
	}
	if index < 0 || index >= c.Size {
		return fmt.Errorf("ledger: leaf %d is not in the tree of %d leaves", index, c.Size)
	}
	leaf, err := l.LeafHash(ctx, index)
	if err != nil {
		return err
	}
	proof, err := tlog.ProveRecord(c.Size, index, l.hashes(ctx))
	if err != nil {
		return err
	}
	if r.Format == "" {
		r.Format = ReceiptFormat
	}
	r.LeafIndex = index
	r.LeafHash = base64.StdEncoding.EncodeToString(leaf[:])
	r.Proof = EncodeHashes(proof)
	r.Checkpoint = c.Note
	return nil
}

// LeafHash returns the RFC 6962 hash of the leaf at index (committed).
func (l *Ledger) LeafHash(ctx context.Context, index int64) (tlog.Hash, error) {
	h, err := l.store.LedgerHashes(ctx, []int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return tlog.Hash{}, err
	}
	return h[0], nil
}

// EncodeHashes writes hashes as base64 strings (receipts, API answers).
func EncodeHashes(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// DecodeHashes reads what EncodeHashes wrote.
func DecodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("hash %d of the proof is not a base64 hash", i+1)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

package storage_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

func benchLeaf(i int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	return ledger.ExhibitLeaf(i/10+1, i+1, sha256.Sum256(b[:]), 1000+i)
}

// BenchmarkLedgerAppend is the cost of appendLeaf per leaf, 100 leaves per
// transaction (the commit's fsync is shared, as in a filing batch).
//
//	go test ./court/storage -run XXX -bench LedgerAppend
func BenchmarkLedgerAppend(b *testing.B) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "court.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	leaves := make([][]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i += len(leaves) {
		for j := range leaves {
			leaves[j] = benchLeaf(int64(i + j))
		}
		if _, err := db.AppendLeaves(ctx, leaves[:min(len(leaves), b.N-i)]...); err != nil {
			b.Fatal(err)
		}
	}
}

const million = 1_000_000

// millionLedger builds a tree of a million leaves in a temp dir and signs
// it (about 10 s here: run the proof benchmarks with -benchtime Nx).
func millionLedger(b *testing.B) (*storage.DB, *ledger.Ledger) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(b.TempDir(), "court.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.FillLedger(ctx, million, benchLeaf); err != nil {
		b.Fatal(err)
	}
	l := MustLedger(b, db)
	if c, _, err := l.SignIfGrown(ctx); err != nil || c.Size != million {
		b.Fatalf("checkpoint: %d %v", c.Size, err)
	}
	return db, l
}

// BenchmarkLedgerInclusionProof proves a leaf (spread over the tree) in the
// tree of a million leaves, reading the hashes from the database; each proof
// is checked once, outside the timing.
//
//	go test ./court/storage -run XXX -bench 'LedgerInclusion|LedgerConsistency' -benchtime 2000x
func BenchmarkLedgerInclusionProof(b *testing.B) {
	_, l := millionLedger(b)
	ctx := context.Background()
	c, _ := l.Latest(ctx)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx := int64(i) * 7919 % million
		p, err := l.InclusionProof(ctx, idx, million)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.StopTimer()
			h, _ := l.LeafHash(ctx, idx)
			if err := tlog.CheckRecord(p, million, c.Root, idx, h); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
}

// BenchmarkLedgerConsistencyProof proves an older tree (of varying size) a
// prefix of the million-leaf tree.
func BenchmarkLedgerConsistencyProof(b *testing.B) {
	_, l := millionLedger(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		old := 1 + int64(i)*104729%(million-1)
		if _, err := l.ConsistencyProof(ctx, old, million); err != nil {
			b.Fatal(err)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

// LedgerInterval is how often serve signs a checkpoint if the tree grew.
const LedgerInterval = time.Minute

// ledgerOrigin names a new ledger key, and so the origin line of its
// checkpoints, after the court (a note key name has no spaces and no "+").
func ledgerOrigin(p court.Profile) string {
	return "courtd/" + strings.Map(func(r rune) rune {
		if r == '+' || r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return '-'
		}
		return r
	}, p.CourtCode)
}

// openLedgerKey loads the court's ledger key from the data dir, creating it
// when the ledger has signed nothing yet. A missing key beside signed
// checkpoints stops courtd: a new key would sign a history nobody can link
// to the old one, so the key must come back from the backup. (Leaves
// without a checkpoint, e.g. from "courtd demo" before the first start,
// were never signed: the new key signs them.)
func openLedgerKey(ctx context.Context, dir string, db *storage.DB, origin string) (*ledger.Key, error) {
	path := filepath.Join(dir, ledger.KeyFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if _, signed, err := db.LatestCheckpoint(ctx); err != nil {
			return nil, err
		} else if signed {
			return nil, fmt.Errorf("%s is missing but the ledger in %s has signed checkpoints: restore the key file from your backup",
				path, filepath.Join(dir, DBFile))
		}
	}
	return ledger.LoadOrCreateKey(dir, origin)
}

// runLedger signs checkpoints every interval until ctx ends.
func (m *Main) runLedger(ctx context.Context, l *ledger.Ledger, every time.Duration) {
	defer m.wg.Done()
	l.Run(ctx, every, m.log)
}

const verifyUsage = `usage: courtd verify -key PUBKEY RECEIPT [FILE]

Checks a receipt (the JSON a court gives with each exhibit) offline:
the checkpoint's signature by the court's key, the inclusion proof of the
exhibit's leaf, and, with FILE, that FILE is the exhibit. PUBKEY is a file
holding the court's public key as GET /api/v1/ledger/key returns it; get it
from the court (or a party you trust), never from the receipt.
Prints "verified" and exits 0, or says what failed and exits 1.
`

// runVerify runs "courtd verify".
func runVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("courtd verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, verifyUsage) }
	keyFile := fs.String("key", "", "file with the court's public key (GET /api/v1/ledger/key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyFile == "" || fs.NArg() < 1 || fs.NArg() > 2 {
		fs.Usage()
		return errors.New("verify: give -key and a receipt")
	}
	vkey, err := readSmall(*keyFile, 4<<10)
	if err != nil {
		return fmt.Errorf("verify: key: %w", err)
	}
	raw, err := readSmall(fs.Arg(0), 1<<20)
	if err != nil {
		return fmt.Errorf("verify: receipt: %w", err)
	}
	var r ledger.Receipt
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("verify: receipt %s is not a receipt: %w", fs.Arg(0), err)
	}
	var file io.Reader
	if fs.NArg() == 2 {
		f, err := os.Open(fs.Arg(1))
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		defer f.Close()
		file = f
	}
	c, err := ledger.VerifyReceipt(&r, strings.TrimSpace(string(vkey)), file)
	if err != nil {
		return fmt.Errorf("verify: NOT verified: %w", err)
	}
	what := "receipt"
	if file != nil {
		what = "receipt and file"
	}
	fmt.Fprintf(stdout, "verified: %s of exhibit %s (case %d, leaf %d) in %s's ledger of %d leaves\n",
		what, r.ExhibitLabel, r.CaseID, r.LeafIndex, c.Origin, c.Size)
	return nil
}

// readSmall reads a file that must not exceed max bytes.
func readSmall(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return b, err
}

// runAudit runs "courtd audit": it recomputes the ledger from the database
// and checks everything it covers, naming each thing that does not match.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("courtd audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "courtd-data", "data directory")
	keyFile := fs.String("key", "", "file with the court's public key (default: derived from DATA/ledger.key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit: unexpected argument %q", fs.Arg(0))
	}
	if err := envFlags(fs); err != nil {
		return err
	}
	var v note.Verifier
	if *keyFile != "" {
		b, err := readSmall(*keyFile, 4<<10)
		if err == nil {
			v, err = note.NewVerifier(strings.TrimSpace(string(b)))
		}
		if err != nil {
			return fmt.Errorf("audit: key: %w", err)
		}
	} else {
		b, err := readSmall(filepath.Join(*dataDir, ledger.KeyFile), 4<<10)
		if err != nil {
			return fmt.Errorf("audit: %w (or give -key with the court's public key)", err)
		}
		k, err := ledger.ParseKey(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		v = k.Verifier()
	}
	path := filepath.Join(*dataDir, DBFile)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := storage.Open(ctx, path, log)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	defer db.Close()
	var rep *ledger.AuditReport
	err = db.AuditLedger(ctx, func(src ledger.AuditSource) error {
		var err error
		rep, err = ledger.Audit(ctx, src, v, filepath.Join(*dataDir, "blobs"))
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "MISMATCH:", p)
	}
	fmt.Fprintf(stdout, "%d leaves (latest valid checkpoint: %d), %d stored checkpoints, %d docket entries (%d from before the ledger), %d exhibits\n",
		rep.Leaves, rep.LatestSigned, rep.Checkpoints, rep.Entries, rep.EntriesBefore, rep.Exhibits)
	if len(rep.Problems) > 0 {
		return fmt.Errorf("audit: %d mismatches", len(rep.Problems))
	}
	fmt.Fprintln(stdout, "audit: ledger sound")
	return nil
}

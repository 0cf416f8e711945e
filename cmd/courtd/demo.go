package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
)

// runDemo is "courtd demo": it seeds a data dir with the demo accounts and
// N realistic cases, for trying the court out and for the benchmarks.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("courtd demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", "courtd-data", "data directory (created if needed)")
	n := fs.Int("cases", 1000, "how many cases to add")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same cases (and claimant names: use another seed to add more cases to a court)")
	batch := fs.Int("batch", 1000, "cases per transaction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := envFlags(fs); err != nil {
		return err
	}
	if *n < 0 || *batch <= 0 {
		return errors.New("-cases must not be negative and -batch must be positive")
	}
	acc, err := openAccounts(ctx, *dir, stderr)
	if err != nil {
		return err
	}
	defer acc.DB.Close()
	if _, err := demo.Seed(ctx, acc); err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	// The generated claimants share one hash of the demo password.
	hash, err := accounts.HashPassword(ctx, demo.Password)
	if err != nil {
		return err
	}
	start := time.Now()
	st, err := demo.SeedCases(ctx, acc, court.DefaultProfile(), demo.CaseOptions{
		N: *n, Seed: *seed, Batch: *batch, Hash: func() string { return hash },
		Log: func(done int) {
			if done%10_000 == 0 {
				fmt.Fprintf(stdout, "  %d cases\n", done)
			}
		},
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "Added %d cases and %d claimants in %s (%.0f cases/s) to %s.\n", st.Cases, st.Claimants,
		took.Round(time.Millisecond), float64(st.Cases)/max(took.Seconds(), 1e-9), *dir)
	var statuses []string
	for s := range st.ByStatus {
		statuses = append(statuses, string(s))
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		fmt.Fprintf(stdout, "  %-10s %d\n", s, st.ByStatus[court.CaseStatus(s)])
	}
	fmt.Fprintln(stdout, "Demo accounts and generated claimants have the password "+demo.Password+".")
	return nil
}

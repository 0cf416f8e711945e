// Command courtd is the online small-claims court: one binary that serves the
// web pages, the JSON API and (later) the hearing rooms, on an embedded SQLite
// database and files in a data directory.
//
//	courtd [serve] -addr 127.0.0.1:8080 -data DIR [-demo]
//	courtd user add -data DIR -role ROLE -username U [-name NAME]
//	courtd demo -data DIR [-cases N] [-seed S]
//	courtd verify -key PUBKEY RECEIPT [FILE]
//	courtd audit -data DIR [-key PUBKEY]
//
// Every flag can also be set by an environment variable: COURT_ and the flag
// name in capitals with - as _ (COURT_DATA, COURT_ADDR...). Flags win.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		m := NewMain(stdout, stderr)
		if err = m.ParseFlags(args); err == nil {
			err = m.Run(ctx)
		}
	case "user":
		err = runUser(ctx, args, stdin, stdout, stderr)
	case "demo":
		err = runDemo(ctx, args, stdout, stderr)
	case "verify":
		err = runVerify(args, stdout, stderr)
	case "audit":
		err = runAudit(ctx, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "courtd: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "courtd: %v\n", err)
		return 1
	}
	return 0
}

const usage = `Usage:
  courtd [serve] [-addr 127.0.0.1:8080] [-data DIR] [-demo] [flags]   run the court
  courtd user add -data DIR -role ROLE -username U [-name NAME]        create a staff account
  courtd demo -data DIR [-cases N] [-seed S]                          seed demo accounts and N cases
  courtd verify -key PUBKEY RECEIPT [FILE]                            check an exhibit receipt offline
  courtd audit -data DIR [-key PUBKEY]                                recompute and check the whole ledger
  courtd help

Run "courtd serve -h" or "courtd user add -h" for every flag. Each flag can
also be set as COURT_<FLAG> in the environment (COURT_DATA, COURT_ADDR...).
`

// envFlags sets every flag of fs that has a COURT_* variable in the
// environment and was not given on the command line.
func envFlags(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := "COURT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && !given[f.Name] {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	})
	return errors.Join(errs...)
}

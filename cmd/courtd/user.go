package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/storage"
)

// runUser runs "courtd user add": it creates a staff account, reading the
// password from the terminal (asked twice) or from the first line of stdin.
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New(`usage: courtd user add -data DIR -role ROLE -username U [-name NAME]`)
	}
	fs := flag.NewFlagSet("courtd user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "courtd-data", "data directory")
	role := fs.String("role", "", "clerk, judge, mediator, station_agent or admin")
	username := fs.String("username", "", "username")
	name := fs.String("name", "", "display name (default: the username)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := envFlags(fs); err != nil {
		return err
	}
	if *name == "" {
		*name = *username
	}
	if !court.Role(*role).Staff() {
		return fmt.Errorf("-role %q: want one of clerk, judge, mediator, station_agent, admin (consumers and merchants register themselves)", *role)
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	acc, err := openAccounts(ctx, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer acc.DB.Close()
	u, err := acc.CreateStaff(ctx, court.StaffAccount{Username: *username, Password: pw, Name: *name, Role: court.Role(*role)})
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(stdout, "created %s account %q (id %d)\n", u.Role, u.Username, u.ID)
	return nil
}

// openAccounts opens a data dir for a one-off command (user add, demo),
// logging only warnings to stderr. The caller closes acc.DB.
func openAccounts(ctx context.Context, dir string, stderr io.Writer) (*accounts.Service, error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var db *storage.DB
	keys, err := openData(ctx, dir, log, &db)
	if err != nil {
		if db != nil {
			db.Close()
		}
		return nil, err
	}
	return accounts.New(db, keys, accounts.DefaultConfig), nil
}

// readPassword asks twice on a terminal; otherwise it reads one line.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Password again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// explain turns a court error into a sentence for the terminal, in Chinese
// when LANG asks for it and English otherwise.
func explain(err error) error {
	var ce *court.Error
	if !errors.As(err, &ce) {
		return err
	}
	cat, cerr := i18n.Load(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if cerr != nil {
		return err
	}
	lang := i18n.English
	if strings.HasPrefix(os.Getenv("LANG"), "zh") {
		lang = i18n.Chinese
	}
	if len(ce.Fields) == 0 {
		return errors.New(cat.M(lang, ce.Msg))
	}
	// The form-level message speaks of a form; here each field is a flag or
	// the password read from stdin.
	names := make([]string, 0, len(ce.Fields))
	for f := range ce.Fields {
		names = append(names, f)
	}
	sort.Strings(names)
	lines := make([]string, 0, len(names))
	for _, f := range names {
		lines = append(lines, fmt.Sprintf("%s: %s", f, cat.M(lang, ce.Fields[f])))
	}
	return errors.New(strings.Join(lines, "; "))
}

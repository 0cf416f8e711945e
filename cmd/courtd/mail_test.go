package main

import (
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court/outbox/smtptest"
)

func TestMailFlags(t *testing.T) {
	t.Setenv(SMTPPasswordEnv, "")
	for _, tc := range []struct {
		args []string
		env  string // the password variable
		want string // "" for accepted, else part of the error
	}{
		{nil, "", ""},
		{[]string{"-smtp-addr", "mail.example:587", "-smtp-from", "court@court.example"}, "", ""},
		{[]string{"-smtp-addr", "mail.example:587", "-smtp-from", "court@court.example", "-smtp-user", "court"}, "pw", ""},
		{[]string{"-smtp-addr", "mail.example:587"}, "", "-smtp-from"},
		{[]string{"-smtp-addr", "mail.example", "-smtp-from", "court@court.example"}, "", "missing port"},
		{[]string{"-smtp-addr", "mail.example:587", "-smtp-from", "court"}, "", "-smtp-from"},
		{[]string{"-smtp-addr", "mail.example:587", "-smtp-from", "court@court.example", "-smtp-user", "court"}, "", SMTPPasswordEnv},
		{[]string{"-smtp-from", "court@court.example"}, "", "need -smtp-addr"},
		{[]string{"-public-url", "ftp://court.example"}, "", "-public-url"},
		{[]string{"-mail-attempts", "0"}, "", "-mail-attempts"},
		{[]string{"-mail-interval", "1ms"}, "", "-mail-interval"},
	} {
		t.Setenv(SMTPPasswordEnv, tc.env)
		m := NewMain(io.Discard, io.Discard)
		err := m.ParseFlags(tc.args)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v, want accepted", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: %v, want an error about %s", tc.args, err, tc.want)
		}
	}
}

// The running court delivers what is in its outbox through the configured
// SMTP server, and stops cleanly with its dispatcher.
func TestServeDeliversMail(t *testing.T) {
	sink := smtptest.New(t)
	dir := t.TempDir()
	_, _, stop := startRun(t, "serve", "-addr", "127.0.0.1:0", "-data", dir, "-demo",
		"-smtp-addr", sink.Addr(), "-smtp-from", "court@court.example", "-mail-interval", "50ms",
		"-public-url", "https://court.example")
	// Another connection queues a message, as an event's transaction would.
	db, err := sql.Open("sqlite3", filepath.Join(dir, DBFile)+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	if _, err := db.Exec(`INSERT INTO outbox (recipient, lang, kind, data, next_at, created_at)
		VALUES ('li@example.cn', 'en', 'notice.withdrawn', '{"Name":"Li","DocketNo":"(2026)浙0102民初7号"}', ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && got == ""; time.Sleep(20 * time.Millisecond) {
		if ss := sink.Sessions(); len(ss) > 0 {
			got = ss[0].Data
		}
	}
	if got == "" {
		t.Fatal("no message reached the SMTP server within 10 s")
	}
	for _, want := range []string{"To: li@example.cn", "Dear Li,", "https://court.example"} {
		if !strings.Contains(got, want) {
			t.Errorf("delivered message lacks %q:\n%s", want, got)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	var status string
	var attempts int
	if err := db.QueryRow(`SELECT status, attempts FROM outbox`).Scan(&status, &attempts); err != nil || status != "sent" || attempts != 1 {
		t.Errorf("outbox row: %s after %d attempts (%v), want sent after 1", status, attempts, err)
	}
}

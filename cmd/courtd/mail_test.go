package main

import (
	"database/sql"
	"io"
	"net"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// mailSink is a minimal SMTP server on loopback that accepts every message.
type mailSink struct {
	ln   net.Listener
	mu   sync.Mutex
	data []string
	wg   sync.WaitGroup
}

func newMailSink(t *testing.T) *mailSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &mailSink{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *mailSink) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 sink")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		switch strings.ToUpper(strings.Fields(line + " x")[0]) {
		case "EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go on")
			b, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			s.mu.Lock()
			s.data = append(s.data, string(b))
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 no")
		}
	}
}

// The running court delivers what is in its outbox through the configured
// SMTP server, and stops cleanly with its dispatcher.
func TestServeDeliversMail(t *testing.T) {
	sink := newMailSink(t)
	dir := t.TempDir()
	_, _, stop := startRun(t, "serve", "-addr", "127.0.0.1:0", "-data", dir, "-demo",
		"-smtp-addr", sink.ln.Addr().String(), "-smtp-from", "court@court.example", "-mail-interval", "50ms",
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
		sink.mu.Lock()
		if len(sink.data) > 0 {
			got = sink.data[0]
		}
		sink.mu.Unlock()
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

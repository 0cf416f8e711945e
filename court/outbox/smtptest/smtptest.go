// Package smtptest is a small SMTP server for tests of code that sends
// mail: the outbox's SMTP sender and courtd's delivery of its outbox.
package smtptest

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a mail server for tests: it speaks enough SMTP
// (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) on a loopback listener and
// records each session.
type Server struct {
	ln net.Listener

	// Set these before the first connection.
	User, Password string      // the AUTH PLAIN credentials it accepts
	StartTLS       bool        // offer STARTTLS in EHLO
	TLSConfig      *tls.Config // with it, STARTTLS upgrades the connection
	RCPTCode       string      // reply to RCPT, "250 ok" by default

	mu       sync.Mutex
	sessions []Session
	wg       sync.WaitGroup
}

type Session struct {
	Auth     string // the decoded AUTH PLAIN credentials, "" if none
	From, To string
	Data     string
	Commands []string
	TLS      bool // the session went over TLS after STARTTLS
	AuthTLS  bool // AUTH came over TLS
}

func New(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln, User: "court", Password: "s3cret pass", RCPTCode: "250 ok"}
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

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(c)
	var ss Session
	defer func() { s.mu.Lock(); s.sessions = append(s.sessions, ss); s.mu.Unlock() }()
	tp.PrintfLine("220 test.example ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		ss.Commands = append(ss.Commands, strings.SplitN(line, " ", 2)[0])
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(strings.TrimPrefix(line, strings.SplitN(line, " ", 2)[0]))
		switch verb {
		case "EHLO":
			tp.PrintfLine("250-test.example")
			if s.StartTLS {
				tp.PrintfLine("250-STARTTLS")
			}
			tp.PrintfLine("250-8BITMIME")
			tp.PrintfLine("250 AUTH PLAIN")
		case "STARTTLS":
			if s.TLSConfig == nil {
				tp.PrintfLine("502 not offered")
				continue
			}
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(c, s.TLSConfig)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, tp, ss.TLS = tc, textproto.NewConn(tc), true
		case "AUTH":
			ss.AuthTLS = ss.TLS
			parts := strings.Fields(arg)
			if len(parts) != 2 || parts[0] != "PLAIN" {
				tp.PrintfLine("504 unsupported")
				continue
			}
			b, err := base64.StdEncoding.DecodeString(parts[1])
			if err != nil {
				tp.PrintfLine("501 bad base64")
				continue
			}
			ss.Auth = string(b)
			if string(b) != "\x00"+s.User+"\x00"+s.Password {
				tp.PrintfLine("535 authentication failed")
				continue
			}
			tp.PrintfLine("235 ok")
		case "MAIL":
			ss.From = arg
			tp.PrintfLine("250 ok")
		case "RCPT":
			ss.To = arg
			tp.PrintfLine("%s", s.RCPTCode)
		case "DATA":
			tp.PrintfLine("354 go ahead")
			b, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			ss.Data = string(b)
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		case "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Session(nil), s.sessions...)
}

// Wait waits until n sessions have ended (the server records a
// session when its connection closes, just after the client's QUIT).
func (s *Server) Wait(t testing.TB, n int) []Session {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ss := s.Sessions(); len(ss) >= n {
			return ss
		}
	}
	t.Fatalf("the SMTP server saw %d sessions, want %d", len(s.Sessions()), n)
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

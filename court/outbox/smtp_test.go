package outbox_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court/outbox"
	"github.com/shangcheng-court/courtd/court/outbox/smtptest"
)

func TestSMTPSender(t *testing.T) {
	srv := smtptest.New(t)
	snd, err := outbox.NewSMTPSender(srv.Addr(), "court@court.example", "court", "s3cret pass")
	if err != nil {
		t.Fatal(err)
	}
	if snd.RequireTLS {
		t.Error("a loopback server should not require STARTTLS")
	}
	subject := "上城法院：针对龙井茶叶店的诉讼请求，请于 2026-03-17 前答辩"
	body := "龙井茶叶店，您好：\n\n请于 2026-03-17 前答辩。\n.a line that starts with a dot\n" + strings.Repeat("长", 100) + "\n"
	if err := snd.Send(context.Background(), outbox.Message{ID: 7, To: "shop@tea.example.cn", Subject: subject, Body: body}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ss := srv.Wait(t, 1)[0]
	if ss.Auth != "\x00court\x00s3cret pass" {
		t.Errorf("AUTH PLAIN sent %q", ss.Auth)
	}
	if !strings.HasPrefix(ss.From, "FROM:<court@court.example>") || ss.To != "TO:<shop@tea.example.cn>" {
		t.Errorf("MAIL %q RCPT %q", ss.From, ss.To)
	}
	if want := []string{"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"}; strings.Join(ss.Commands, " ") != strings.Join(want, " ") {
		t.Errorf("commands %v, want %v", ss.Commands, want)
	}
	msg, err := mail.ReadMessage(strings.NewReader(ss.Data))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, ss.Data)
	}
	raw := msg.Header.Get("Subject")
	for _, r := range raw {
		if r > 127 {
			t.Fatalf("the Subject header is not ASCII (RFC 2047 encoding expected): %q", raw)
		}
	}
	var dec mime.WordDecoder
	if got, err := dec.DecodeHeader(raw); err != nil || got != subject {
		t.Errorf("decoded subject %q (%v), want %q", got, err, subject)
	}
	if msg.Header.Get("To") != "shop@tea.example.cn" || msg.Header.Get("From") != "court@court.example" ||
		!strings.Contains(msg.Header.Get("Content-Type"), "charset=UTF-8") || msg.Header.Get("Message-Id") == "" {
		t.Errorf("headers %v", msg.Header)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(string(b), "\r\n", "\n"); got != body {
		t.Errorf("body after decoding:\n%q\nwant\n%q", got, body)
	}
}

func TestSMTPSenderRefusals(t *testing.T) {
	srv := smtptest.New(t)
	addr := srv.Addr()
	ctx := context.Background()
	m := outbox.Message{ID: 1, To: "shop@tea.example.cn", Subject: "s", Body: "b"}

	// A remote server (as far as the sender knows) without STARTTLS: no
	// credentials, no message.
	snd, _ := outbox.NewSMTPSender(addr, "court@court.example", "court", "s3cret pass")
	snd.RequireTLS = true
	if err := snd.Send(ctx, m); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("Send without STARTTLS to a remote host: %v, want refused", err)
	}
	ss := srv.Wait(t, 1)[0]
	if ss.Auth != "" || ss.Data != "" {
		t.Errorf("sent credentials %q or data %q in clear text", ss.Auth, ss.Data)
	}

	// A wrong password is an SMTP 5xx: permanent.
	snd, _ = outbox.NewSMTPSender(addr, "court@court.example", "court", "wrong")
	err := snd.Send(ctx, m)
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 535 {
		t.Errorf("wrong password: %v, want 535", err)
	}

	// A refused recipient.
	srv.RCPTCode = "550 no such user"
	snd, _ = outbox.NewSMTPSender(addr, "court@court.example", "", "")
	if err := snd.Send(ctx, m); !errors.As(err, &te) || te.Code != 550 {
		t.Errorf("refused recipient: %v, want 550", err)
	}

	// A recipient that would inject a header is refused before any
	// connection.
	before := len(srv.Wait(t, 3))
	err = snd.Send(ctx, outbox.Message{To: "a@b.cn>\r\nBcc: x@y.z", Subject: "s", Body: "b"})
	var pe *outbox.PermanentError
	if !errors.As(err, &pe) {
		t.Errorf("header injection in the recipient: %v, want a permanent error", err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(srv.Sessions()); n != before {
		t.Errorf("a bad recipient opened a session (%d sessions, want %d)", n, before)
	}

	for _, bad := range [][2]string{{"mail.example", "court@court.example"}, {addr, "not an address"}, {addr, "a@b.cn\r\nX: y"}} {
		if _, err := outbox.NewSMTPSender(bad[0], bad[1], "", ""); err == nil {
			t.Errorf("NewSMTPSender(%q, %q) accepted", bad[0], bad[1])
		}
	}
	if s, err := outbox.NewSMTPSender("mail.example:587", "court@court.example", "", ""); err != nil || !s.RequireTLS {
		t.Errorf("a remote host: RequireTLS = %v (%v), want true", s != nil && s.RequireTLS, err)
	}
}

// The dispatcher's SMTP failures end as the message's last error, and a 5xx
// fails it at once.
func TestDispatchOverSMTP(t *testing.T) {
	e := mustEnv(t)
	e.mustFileAndAccept(t, "shop@tea.example.cn")
	srv := smtptest.New(t)
	snd, _ := outbox.NewSMTPSender(srv.Addr(), "court@court.example", "court", "s3cret pass")
	if res := mustRun(t, e.dispatcher(snd)); res.Sent != 1 {
		t.Fatalf("round: %+v, want 1 sent", res)
	}
	ss := srv.Wait(t, 1)[0]
	msg, err := mail.ReadMessage(strings.NewReader(ss.Data))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	if !strings.Contains(subject, answerDate) {
		t.Errorf("subject %q lacks the answer date", subject)
	}
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// With STARTTLS offered, the sender upgrades before it authenticates, and
// refuses a certificate it cannot verify.
func TestSMTPSenderSTARTTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := smtptest.New(t)
	srv.StartTLS, srv.TLSConfig = true, &tls.Config{Certificates: []tls.Certificate{cert}}
	snd, _ := outbox.NewSMTPSender(srv.Addr(), "court@court.example", "court", "s3cret pass")
	snd.RequireTLS = true // as for a remote host
	snd.TLSConfig = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	m := outbox.Message{ID: 2, To: "shop@tea.example.cn", Subject: "答辩期限", Body: "请于 2026-03-17 前答辩。\n"}
	if err := snd.Send(context.Background(), m); err != nil {
		t.Fatalf("Send over STARTTLS: %v", err)
	}
	ss := srv.Wait(t, 1)[0]
	if !ss.TLS || !ss.AuthTLS || ss.Data == "" {
		t.Errorf("session: TLS %v, AUTH over TLS %v, data %d bytes; want all", ss.TLS, ss.AuthTLS, len(ss.Data))
	}
	// The default configuration verifies the server against the system
	// roots: a self-signed certificate is refused, before any credentials.
	snd.TLSConfig = nil
	if err := snd.Send(context.Background(), m); err == nil {
		t.Error("Send to a server with an untrusted certificate succeeded")
	}
	if ss := srv.Wait(t, 2)[1]; ss.Auth != "" || ss.Data != "" {
		t.Errorf("credentials %q or data sent despite the failed handshake", ss.Auth)
	}
}

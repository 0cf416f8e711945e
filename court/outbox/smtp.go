package outbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"os"
	"strings"
	"time"
)

// SMTPSender delivers through a mail server (a relay the court's operator
// runs or rents). It speaks STARTTLS, required unless the server is on the
// loopback interface, and authenticates with PLAIN when a user is set
// (net/smtp sends those credentials only over TLS or to localhost).
type SMTPSender struct {
	Addr     string // host:port
	From     string
	User     string // "" for no authentication
	Password string
	// RequireTLS refuses a server that does not offer STARTTLS. NewSMTPSender
	// sets it for every host that is not loopback.
	RequireTLS bool
	// TLSConfig, when set, replaces the default (verify the host's name
	// against the system roots).
	TLSConfig *tls.Config
	Timeout   time.Duration // per message, dial to QUIT
	Hostname  string        // said in EHLO; "localhost" when empty
}

// NewSMTPSender returns a sender for the server at addr. It refuses an
// address without a port or a From that is not a plain address.
func NewSMTPSender(addr, from, user, password string) (*SMTPSender, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("smtp address %q: %w", addr, err)
	}
	if strings.ContainsAny(from, "\r\n<>") || !strings.Contains(from, "@") {
		return nil, fmt.Errorf("smtp from %q is not a plain address", from)
	}
	// EHLO names this machine; a relay may refuse a bare "localhost".
	name, err := os.Hostname()
	if err != nil || name == "" || strings.ContainsAny(name, " \r\n") {
		name = "localhost"
	}
	return &SMTPSender{Addr: addr, From: from, User: user, Password: password, RequireTLS: !loopback(host),
		Timeout: 30 * time.Second, Hostname: name}, nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers m in one SMTP session.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To, "\r\n<>") {
		return &PermanentError{Err: fmt.Errorf("bad recipient %q", m.To)}
	}
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return &PermanentError{Err: err}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	// net/smtp knows no context: a deadline on the connection bounds the
	// session, and closing it ends one the context cancels.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	name := s.Hostname
	if name == "" {
		name = "localhost"
	}
	if err := c.Hello(name); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLSConfig
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return err
		}
	} else if s.RequireTLS {
		return errors.New("smtp server does not offer STARTTLS: refusing to send in clear text to a remote host")
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(s.compose(m)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes m as an RFC 5322 message: UTF-8 text, quoted-printable,
// the subject encoded (RFC 2047) so that Chinese survives any relay.
func (s *SMTPSender) compose(m Message) []byte {
	var b bytes.Buffer
	var id [12]byte
	rand.Read(id[:])
	domain := s.From[strings.LastIndexByte(s.From, '@')+1:]
	fmt.Fprintf(&b, "From: %s\r\n", s.From)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.BEncoding.Encode("UTF-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.%s@%s>\r\n", m.ID, hex.EncodeToString(id[:]), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	qp.Close()
	return b.Bytes()
}

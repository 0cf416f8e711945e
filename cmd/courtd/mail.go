package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/outbox"
	"github.com/shangcheng-court/courtd/court/storage"
)

// MailInterval is how often, by default, the outbox dispatcher looks for
// due messages.
const MailInterval = 20 * time.Second

// SMTPPasswordEnv names the variable that holds the SMTP password: never a
// flag, so that it shows in no process listing.
const SMTPPasswordEnv = "COURT_SMTP_PASSWORD"

// mailFlags are the settings of the court's outgoing mail.
type mailFlags struct {
	SMTPAddr     string
	SMTPFrom     string
	SMTPUser     string
	PublicURL    string
	MailRetries  int
	MailInterval time.Duration
}

func (f *mailFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.SMTPAddr, "smtp-addr", "", "mail server host:port; unset: messages are only logged. STARTTLS is required unless the host is loopback")
	fs.StringVar(&f.SMTPFrom, "smtp-from", "", "sender address of the court's mail (required with -smtp-addr)")
	fs.StringVar(&f.SMTPUser, "smtp-user", "", "SMTP user (AUTH PLAIN); the password comes only from "+SMTPPasswordEnv)
	fs.StringVar(&f.PublicURL, "public-url", "", "the court's address as users reach it (https://...), given in mail")
	fs.IntVar(&f.MailRetries, "mail-attempts", outbox.DefaultMaxAttempts, "attempts per message before it is marked failed")
	fs.DurationVar(&f.MailInterval, "mail-interval", MailInterval, "how often the outbox is checked for messages due")
}

// check refuses settings that cannot work, at start rather than at the
// first message.
func (f *mailFlags) check() error {
	if f.MailRetries < 1 || f.MailRetries > 50 {
		return errors.New("-mail-attempts must be between 1 and 50")
	}
	if f.MailInterval < 10*time.Millisecond {
		return errors.New("-mail-interval must be at least 10ms")
	}
	if f.PublicURL != "" {
		u, err := url.Parse(f.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("-public-url %q is not an http(s) address", f.PublicURL)
		}
		f.PublicURL = strings.TrimSuffix(f.PublicURL, "/")
	}
	if f.SMTPAddr == "" {
		if f.SMTPFrom != "" || f.SMTPUser != "" {
			return errors.New("-smtp-from and -smtp-user need -smtp-addr")
		}
		return nil
	}
	if f.SMTPFrom == "" || court.CheckEmail(court.NormalizeEmail(f.SMTPFrom)) != "" {
		return errors.New("-smtp-addr needs -smtp-from, a plain address such as court@example.org")
	}
	if _, err := outbox.NewSMTPSender(f.SMTPAddr, f.SMTPFrom, f.SMTPUser, ""); err != nil {
		return err
	}
	if f.SMTPUser != "" && os.Getenv(SMTPPasswordEnv) == "" {
		return errors.New("-smtp-user needs the password in " + SMTPPasswordEnv)
	}
	return nil
}

// sender is the SMTP sender when a server is set, else the log sender.
func (f *mailFlags) sender(log *slog.Logger) (outbox.Sender, error) {
	if f.SMTPAddr == "" {
		return outbox.LogSender{Log: log}, nil
	}
	return outbox.NewSMTPSender(f.SMTPAddr, f.SMTPFrom, f.SMTPUser, os.Getenv(SMTPPasswordEnv))
}

// startMail starts the outbox dispatcher; it stops when ctx ends, and
// calls m.wg.Done when it has.
func (m *Main) startMail(ctx context.Context, db *storage.DB, cat *i18n.Catalog, courtName string) error {
	s, err := m.Mail.sender(m.log)
	if err != nil {
		return err
	}
	d := outbox.New(db, s, cat, m.log)
	d.PublicURL, d.Court, d.MaxAttempts = m.Mail.PublicURL, courtName, m.Mail.MailRetries
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		d.Run(ctx, m.Mail.MailInterval)
	}()
	return nil
}

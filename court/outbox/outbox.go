// Package outbox delivers the court's mail: the messages storage queued in
// the outbox table, in the same transaction as the events that caused them,
// are rendered in the recipient's language and handed to a Sender, with
// retries and exponential backoff. The outbox is a table, so what was not
// sent before a restart is sent after it.
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"net/textproto"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Message is a rendered message, ready to send.
type Message struct {
	ID      int64 // the outbox row, for logs and a Message-ID
	To      string
	Subject string
	Body    string // plain text, lines separated by "\n"
}

// Sender delivers one message. An error means it was not delivered and may
// be tried again; a Permanent one means trying again will not help.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// PermanentError marks a failure that retrying will not mend (the mail
// server refused the address, say).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// permanent reports whether err is not worth retrying: a PermanentError, or
// an SMTP reply in the 5xx range.
func permanent(err error) bool {
	var pe *PermanentError
	if errors.As(err, &pe) {
		return true
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}

// LogSender "delivers" each message by logging it: the default when no mail
// server is configured, so the court runs (and shows what it would send)
// without one.
type LogSender struct{ Log *slog.Logger }

// Send logs m.
func (s LogSender) Send(ctx context.Context, m Message) error {
	s.Log.InfoContext(ctx, "mail (log only)", "id", m.ID, "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// Dispatcher delivers due outbox messages.
type Dispatcher struct {
	DB     *storage.DB
	Sender Sender
	Cat    *i18n.Catalog
	Now    court.Clock
	Log    *slog.Logger
	// PublicURL, when set, is the court's address given in every message.
	PublicURL string
	// Court is the court's name, said in every message.
	Court string
	// MaxAttempts bounds the attempts per message; after the last failed one
	// the message is marked failed with its last error.
	MaxAttempts int
	// BaseDelay is the wait after the first failure; each further failure
	// doubles it, up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// Batch is how many due messages one round takes.
	Batch int
}

// Defaults of a Dispatcher: 8 attempts, with waits of 1, 2, 4, 8, 16 and 32
// minutes and 1 hour between them (about 2 hours from the first to the last).
const (
	DefaultMaxAttempts = 8
	DefaultBaseDelay   = time.Minute
	DefaultMaxDelay    = time.Hour
	DefaultBatch       = 50
)

// New returns a Dispatcher with the default limits.
func New(db *storage.DB, s Sender, cat *i18n.Catalog, log *slog.Logger) *Dispatcher {
	return &Dispatcher{DB: db, Sender: s, Cat: cat, Now: court.SystemClock, Log: log,
		MaxAttempts: DefaultMaxAttempts, BaseDelay: DefaultBaseDelay, MaxDelay: DefaultMaxDelay, Batch: DefaultBatch}
}

// Backoff is the wait after the n-th failed attempt (n >= 1).
func (d *Dispatcher) Backoff(n int) time.Duration {
	w := d.BaseDelay
	for i := 1; i < n && w < d.MaxDelay; i++ {
		w *= 2
	}
	return min(w, d.MaxDelay)
}

// Result counts what one round did.
type Result struct{ Sent, Retry, Failed int }

// RunOnce tries every message due now, up to Batch, one after the other. A
// database error stops the round; a send error is recorded on its message.
func (d *Dispatcher) RunOnce(ctx context.Context) (Result, error) {
	var res Result
	now := d.Now()
	ms, err := d.DB.DueMail(ctx, now, d.Batch)
	if err != nil {
		return res, err
	}
	for i := range ms {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		m := &ms[i]
		// A claim code is made now and only its hash stored, before the
		// message leaves: the database never holds a code.
		var code string
		if m.Data[storage.MailClaimKey] == true {
			code = court.NewClaimCode()
			issued, err := d.DB.AddClaimCode(ctx, m, court.ClaimCodeHash(code), d.Now())
			if err != nil {
				return res, err
			}
			if !issued {
				code = "" // the organisation has a member by now
			}
		}
		sendErr := d.Sender.Send(ctx, d.Render(m, code))
		at := d.Now()
		switch {
		case sendErr == nil:
			err = d.DB.MailSentAt(ctx, m, at)
			res.Sent++
		case ctx.Err() != nil:
			// Shutting down: the attempt was cut short, not refused; the
			// message stays due and goes after the restart.
			return res, ctx.Err()
		default:
			final := m.Attempts+1 >= d.MaxAttempts || permanent(sendErr)
			err = d.DB.MailAttemptFailed(ctx, m, sendErr.Error(), at.Add(d.Backoff(m.Attempts+1)), final)
			if final {
				res.Failed++
				d.Log.Warn("mail failed, giving up", "id", m.ID, "attempts", m.Attempts+1, "err", sendErr)
			} else {
				res.Retry++
				d.Log.Info("mail failed, will retry", "id", m.ID, "attempts", m.Attempts+1, "err", sendErr)
			}
		}
		if err != nil && court.ErrorCode(err) != court.ECONFLICT {
			return res, err
		}
	}
	return res, nil
}

// Run delivers due messages now and every interval until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for {
			res, err := d.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					d.Log.Error("outbox", "err", err)
				}
				break
			}
			// A full batch may have more behind it.
			if res.Sent+res.Retry+res.Failed < d.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Render writes m in its language from the catalogs: a notice copies the
// in-app notice's text; the service message says what is claimed, what the
// merchant can do and by when, and gives claimCode when there is one.
func (d *Dispatcher) Render(m *storage.OutMessage, claimCode string) Message {
	lang := m.Lang
	if !i18n.Supported(lang) {
		lang = i18n.Chinese
	}
	args := make(map[string]any, len(m.Data)+1)
	for k, v := range m.Data {
		args[k] = dateOf(v)
	}
	args["ClaimCode"] = claimCode
	args["URL"] = d.PublicURL
	args["Court"] = d.Court
	if cat, ok := m.Data["Category"].(string); ok {
		args["CategoryName"] = d.Cat.T(lang, "category."+cat, nil)
	}
	out := Message{ID: m.ID, To: m.Recipient}
	var body string
	if kind, ok := strings.CutPrefix(m.Kind, storage.MailNoticePrefix); ok {
		out.Subject = d.Cat.T(lang, "mail.notice_subject", args)
		body = d.Cat.T(lang, "mail.greeting", args) + "\n\n" + d.Cat.T(lang, "notice_kind."+kind, args)
	} else {
		out.Subject = d.Cat.T(lang, "mail."+m.Kind+"_subject", args)
		body = d.Cat.T(lang, "mail."+m.Kind+"_body", args)
	}
	out.Body = body + "\n\n" + d.Cat.T(lang, "mail.footer", args) + "\n"
	return out
}

// dateOf shows a stored time (an RFC 3339 string after the JSON round trip)
// as a date in the court's zone: deadlines run to the end of their day.
func dateOf(v any) any {
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.In(court.Zone).Format("2006-01-02")
		}
	}
	return v
}

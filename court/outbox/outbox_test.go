package outbox_test

import (
	"bytes"
	"context"
	"errors"

	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/outbox"
	"github.com/shangcheng-court/courtd/court/storage"
)

// t0 is 09:30 on 2 March 2026 in Hangzhou; an answer period of 15 days from
// it ends on 17 March.
var t0 = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

const (
	creditCode = "91350100M000100Y43"
	answerDate = "2026-03-17"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// recorder is a Sender that fails its first Fail messages with Err, then
// records what it is given.
type recorder struct {
	mu    sync.Mutex
	Fail  int
	Err   error
	Tries int
	Sent  []outbox.Message
}

func (r *recorder) Send(ctx context.Context, m outbox.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Tries++
	if r.Fail > 0 {
		r.Fail--
		return r.Err
	}
	r.Sent = append(r.Sent, m)
	return nil
}

// env is a court on a real SQLite file: a claimant (English, with an
// address), a clerk, and the docket service, all on one test clock.
type env struct {
	DB       *storage.DB
	Dk       *docket.Service
	Cat      *i18n.Catalog
	Clock    *clock
	Path     string
	Claimant *court.User
	Clerk    *court.User
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func mustEnv(t *testing.T) *env {
	t.Helper()
	e := &env{Clock: &clock{now: t0}, Path: filepath.Join(t.TempDir(), "court.db")}
	e.open(t)
	var err error
	if e.Cat, err = i18n.Load(quiet); err != nil {
		t.Fatal(err)
	}
	e.Claimant = e.mustUser(t, "alice", court.RoleClaimant, "en", "alice@example.org")
	e.Clerk = e.mustUser(t, "clerk", court.RoleClerk, "", "")
	return e
}

// open (re)opens the database file, as courtd does at start.
func (e *env) open(t *testing.T) {
	t.Helper()
	db, err := storage.Open(context.Background(), e.Path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = e.Clock.Now
	e.DB = db
	e.Dk = docket.New(db, court.DefaultProfile())
	e.Dk.Now = e.Clock.Now
}

func (e *env) mustUser(t *testing.T, name string, role court.Role, lang, email string) *court.User {
	t.Helper()
	u, err := e.DB.CreateUser(context.Background(), &storage.NewUser{User: court.User{
		Username: name, Role: role, DisplayName: strings.ToUpper(name[:1]) + name[1:], Lang: lang, Email: email,
	}, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) dispatcher(s outbox.Sender) *outbox.Dispatcher {
	d := outbox.New(e.DB, s, e.Cat, quiet)
	d.Now, d.Court, d.PublicURL = e.Clock.Now, "Shangcheng Court", "https://court.example"
	return d
}

// mustFileAndAccept files a claim against the merchant (with its contact
// address when merchantEmail is set) and has the clerk accept it, which
// serves it.
func (e *env) mustFileAndAccept(t *testing.T, merchantEmail string) *court.Case {
	t.Helper()
	ctx := context.Background()
	c, err := e.Dk.File(ctx, e.Claimant, court.Filing{
		CreditCode: creditCode, MerchantName: "Longjing Tea Shop", Category: court.Category("counterfeit"),
		Facts: "The tea sold as Longjing was not Longjing.", Refund: 30000, Compensation: 90000,
		ServiceConsent: true, MerchantEmail: merchantEmail,
	}, true)
	if err != nil {
		t.Fatalf("File: %v", err)
	}
	// The fee is paid before acceptance, so the claimant is not told to
	// pay it and the service is the acceptance's only message.
	if _, err = e.DB.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseSubmitted,
		Set: map[string]any{"fee_status": string(court.FeePaid)}}); err != nil {
		t.Fatalf("pay the fee: %v", err)
	}
	if c, err = e.Dk.Review(ctx, e.Clerk, c.ID, court.ActAccept, ""); err != nil {
		t.Fatalf("accept: %v", err)
	}
	return c
}

func (e *env) mail(t *testing.T) []storage.OutMessage {
	t.Helper()
	ms, err := e.DB.Mail(context.Background(), storage.MailFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// claimCodeRE finds a claim code in a message.
var claimCodeRE = regexp.MustCompile(`\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b`)

// claimHashes returns the code hashes stored for an outbox message.
func (e *env) claimHashes(t *testing.T, mailID int64) []string {
	t.Helper()
	rows, err := e.DB.Writer().Query(`SELECT code_hash FROM claim_codes WHERE outbox_id = ? ORDER BY id`, mailID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var hs []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

// mustNotHold fails when the database files (the main file and its
// write-ahead log) contain s, in any of its typed forms.
func (e *env) mustNotHold(t *testing.T, s string) {
	t.Helper()
	for _, f := range []string{e.Path, e.Path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, form := range []string{s, court.NormalizeClaimCode(s)} {
			if bytes.Contains(b, []byte(form)) {
				t.Errorf("%s holds %q", filepath.Base(f), form)
			}
		}
	}
}

func mustRun(t *testing.T, d *outbox.Dispatcher) outbox.Result {
	t.Helper()
	res, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return res
}

// Serving a case on a merchant with no account yet mails its contact, in the
// language of whoever gave the address, with what is claimed, the answer
// date and a claim code of which only a hash stays once it is sent.
func TestServiceMail(t *testing.T) {
	e := mustEnv(t)
	c := e.mustFileAndAccept(t, "  Service@Tea.Example.CN ")
	ms := e.mail(t)
	if len(ms) != 1 {
		t.Fatalf("outbox has %d messages, want 1 (the service): %+v", len(ms), ms)
	}
	m := ms[0]
	if m.Recipient != "Service@tea.example.cn" || m.Lang != "en" || m.Kind != storage.MailKindService || m.Status != storage.MailPending {
		t.Errorf("service message = %+v, want to Service@tea.example.cn, en, service, pending", m)
	}
	if m.Data[storage.MailClaimKey] != true || e.claimHashes(t, m.ID) != nil {
		t.Fatalf("queued service message: data %v, codes %v; want a claim to make, no code yet", m.Data, e.claimHashes(t, m.ID))
	}

	rec := &recorder{}
	d := e.dispatcher(rec)
	if res := mustRun(t, d); res.Sent != 1 {
		t.Fatalf("round: %+v, want 1 sent", res)
	}
	got := rec.Sent[0]
	code := claimCodeRE.FindString(got.Body)
	if code == "" {
		t.Fatalf("no claim code in the service mail:\n%s", got.Body)
	}
	if h := e.claimHashes(t, m.ID); len(h) != 1 || h[0] != court.ClaimCodeHash(code) {
		t.Errorf("stored hashes %v, want the one of %s", h, code)
	}
	e.mustNotHold(t, code)
	for _, want := range []string{"Longjing Tea Shop", creditCode, c.DocketNo, "Alice", "¥1,200.00", "¥300.00",
		"answer by " + answerDate, "contest it", "counterfeit goods", code, "https://court.example/register/merchant"} {
		if !strings.Contains(got.Subject+"\n"+got.Body, want) {
			t.Errorf("service mail lacks %q:\n%s\n\n%s", want, got.Subject, got.Body)
		}
	}
	if !strings.Contains(got.Subject, answerDate) {
		t.Errorf("subject %q does not give the answer date %s", got.Subject, answerDate)
	}
	after, err := e.DB.MailByID(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != storage.MailSent || after.SentAt == nil || !after.SentAt.Equal(t0) || after.Attempts != 1 {
		t.Errorf("after sending: %+v, want sent at t0 after 1 attempt", after)
	}
	if res := mustRun(t, d); res != (outbox.Result{}) {
		t.Errorf("second round: %+v, want nothing (sent once)", res)
	}
}

// Each in-app notice also goes to its user's address, in the user's own
// language; a user without an address gets only the notice.
func TestNoticeMailInRecipientLanguage(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	zh := e.mustUser(t, "wang", court.RoleClaimant, "zh-CN", "wang@example.cn")
	none := e.mustUser(t, "bob", court.RoleClaimant, "en", "")
	for _, u := range []*court.User{e.Claimant, zh, none} {
		c, err := e.Dk.File(ctx, u, court.Filing{CreditCode: creditCode, MerchantName: "Longjing Tea Shop",
			Category: court.Category("quality"), Facts: "The tea was mouldy when it came.", Refund: 5000, ServiceConsent: true}, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Dk.Review(ctx, e.Clerk, c.ID, court.ActReturn, "Please add the order number."); err != nil {
			t.Fatal(err)
		}
	}
	ms := e.mail(t)
	if len(ms) != 2 {
		t.Fatalf("outbox has %d messages, want 2 (the two users with an address): %+v", len(ms), ms)
	}
	rec := &recorder{}
	if res := mustRun(t, e.dispatcher(rec)); res.Sent != 2 {
		t.Fatalf("round: %+v, want 2 sent", res)
	}
	byTo := map[string]outbox.Message{}
	for _, m := range rec.Sent {
		byTo[m.To] = m
	}
	en, cn := byTo["alice@example.org"], byTo["wang@example.cn"]
	for _, want := range []string{"Dear Alice,", "returned your claim for correction", "Please add the order number.", "Please do not reply"} {
		if !strings.Contains(en.Body, want) {
			t.Errorf("English mail lacks %q:\n%s", want, en.Body)
		}
	}
	for _, want := range []string{"Wang，您好：", "Please add the order number.", "请勿直接回复"} {
		if !strings.Contains(cn.Body, want) {
			t.Errorf("Chinese mail lacks %q:\n%s", want, cn.Body)
		}
	}
	if strings.Contains(cn.Body, "Dear") || !strings.Contains(cn.Subject, "新通知") || !strings.Contains(en.Subject, "a new notice") {
		t.Errorf("subjects or languages mixed up: en %q, zh %q\n%s", en.Subject, cn.Subject, cn.Body)
	}
}

// A failing sender is retried with doubling waits, on the test clock, and
// the message goes when the sender recovers.
func TestRetryWithBackoff(t *testing.T) {
	e := mustEnv(t)
	e.mustFileAndAccept(t, "shop@example.cn")
	rec := &recorder{Fail: 2, Err: errors.New("421 try later")}
	d := e.dispatcher(rec)
	d.MaxAttempts, d.BaseDelay, d.MaxDelay = 5, time.Minute, time.Hour

	if res := mustRun(t, d); res.Retry != 1 {
		t.Fatalf("first round: %+v, want 1 to retry", res)
	}
	m := e.mail(t)[0]
	if m.Status != storage.MailPending || m.Attempts != 1 || !m.NextAt.Equal(t0.Add(time.Minute)) || m.LastError != "421 try later" {
		t.Fatalf("after 1 failure: %+v, want pending, 1 attempt, next at t0+1m, the error kept", m)
	}
	// Not due yet: nothing is tried.
	e.Clock.Advance(59 * time.Second)
	if res := mustRun(t, d); res != (outbox.Result{}) || rec.Tries != 1 {
		t.Fatalf("before the wait ended: %+v, %d tries, want nothing", res, rec.Tries)
	}
	e.Clock.Advance(time.Second)
	if res := mustRun(t, d); res.Retry != 1 {
		t.Fatalf("second round: %+v, want 1 to retry", res)
	}
	m = e.mail(t)[0]
	if want := t0.Add(time.Minute + 2*time.Minute); m.Attempts != 2 || !m.NextAt.Equal(want) {
		t.Fatalf("after 2 failures: attempts %d next %v, want 2 and %v (the wait doubled)", m.Attempts, m.NextAt, want)
	}
	e.Clock.Advance(2 * time.Minute)
	if res := mustRun(t, d); res.Sent != 1 {
		t.Fatalf("third round: %+v, want 1 sent", res)
	}
	if m = e.mail(t)[0]; m.Status != storage.MailSent || m.Attempts != 3 || len(rec.Sent) != 1 {
		t.Errorf("after recovery: %+v, sent %d, want sent after 3 attempts", m, len(rec.Sent))
	}
}

func TestBackoff(t *testing.T) {
	d := &outbox.Dispatcher{BaseDelay: time.Minute, MaxDelay: time.Hour}
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 3: 4 * time.Minute,
		6: 32 * time.Minute, 7: time.Hour, 8: time.Hour, 100: time.Hour} {
		if got := d.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// After the last attempt the message is failed with its last error; an
// admin's retry makes it due again for one more attempt.
func TestGiveUpAndRetryNow(t *testing.T) {
	e := mustEnv(t)
	e.mustFileAndAccept(t, "shop@example.cn")
	rec := &recorder{Fail: 1000, Err: errors.New("dial tcp: connection refused")}
	d := e.dispatcher(rec)
	d.MaxAttempts = 3
	for i := 1; i <= 3; i++ {
		mustRun(t, d)
		e.Clock.Advance(time.Hour)
	}
	m := e.mail(t)[0]
	if m.Status != storage.MailFailed || m.Attempts != 3 || m.LastError != "dial tcp: connection refused" {
		t.Fatalf("after 3 failures: %+v, want failed after 3 attempts with the last error", m)
	}
	if res := mustRun(t, d); res != (outbox.Result{}) || rec.Tries != 3 {
		t.Fatalf("a failed message was tried again on its own: %+v, %d tries", res, rec.Tries)
	}
	// Each attempt carried a code of its own (one that seemed to fail may
	// have arrived); all stay valid until one of them is used.
	if h := e.claimHashes(t, m.ID); len(h) != 3 {
		t.Errorf("codes after 3 attempts: %d, want 3", len(h))
	}
	ctx := context.Background()
	if err := e.DB.RetryMail(ctx, m.ID, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	rec.Fail = 0
	if res := mustRun(t, d); res.Sent != 1 {
		t.Fatalf("after retry now: %+v, want 1 sent", res)
	}
	if err := e.DB.RetryMail(ctx, m.ID, e.Clock.Now()); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("retry of a sent message: %v, want conflict", err)
	}
	if err := e.DB.RetryMail(ctx, 9999, e.Clock.Now()); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("retry of no message: %v, want not found", err)
	}
}

// A refusal that retrying cannot mend (an SMTP 5xx) fails at once.
func TestPermanentFailure(t *testing.T) {
	e := mustEnv(t)
	e.mustFileAndAccept(t, "nobody@example.cn")
	rec := &recorder{Fail: 1, Err: &outbox.PermanentError{Err: errors.New("550 no such user")}}
	if res := mustRun(t, e.dispatcher(rec)); res.Failed != 1 {
		t.Fatalf("round: %+v, want 1 failed", res)
	}
	if m := e.mail(t)[0]; m.Status != storage.MailFailed || m.Attempts != 1 {
		t.Errorf("%+v, want failed after 1 attempt", m)
	}
}

// The outbox is a table: a message queued before a restart goes after it.
func TestRestartSendsPending(t *testing.T) {
	e := mustEnv(t)
	e.mustFileAndAccept(t, "shop@example.cn")
	// The first courtd tried once and failed, then stopped.
	mustRun(t, e.dispatcher(&recorder{Fail: 1, Err: errors.New("timeout")}))
	if err := e.DB.Close(); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(10 * time.Minute)
	e.open(t)
	rec := &recorder{}
	if res := mustRun(t, e.dispatcher(rec)); res.Sent != 1 || rec.Sent[0].To != "shop@example.cn" {
		t.Fatalf("after restart: %+v %+v, want the pending message sent", res, rec.Sent)
	}
}

// The dispatcher's loop stops when its context ends, sending what is due
// before.
func TestRunStops(t *testing.T) {
	e := mustEnv(t)
	e.mustFileAndAccept(t, "shop@example.cn")
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.dispatcher(rec).Run(ctx, time.Hour); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec.mu.Lock()
		n := len(rec.Sent)
		rec.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not send the due message")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
}

// A rolled-back event sends nothing: its messages were in its transaction.
func TestRolledBackEventSendsNothing(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c, err := e.Dk.File(ctx, e.Claimant, court.Filing{CreditCode: creditCode, MerchantName: "Longjing Tea Shop",
		Category: court.Category("quality"), Facts: "The tea was mouldy when it came.", Refund: 5000, ServiceConsent: true,
		MerchantEmail: "shop@example.cn"}, true)
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID
	// The notice to the claimant (who has an address) is written first;
	// the mail to an organisation that does not exist then fails the
	// transaction.
	_, err = e.DB.ChangeCase(ctx, id, storage.Change{From: c.Status, To: court.CaseReturned,
		Notify: []storage.Notice{{UserID: e.Claimant.ID, CaseID: &id, Kind: docket.NoticeReturned, Data: map[string]any{"Reason": "x"}}},
		Mail:   []storage.OrgMail{{OrgID: 9999, Kind: storage.MailKindService, Claim: true}},
	})
	if err == nil {
		t.Fatal("the change succeeded, want it refused")
	}
	if ms := e.mail(t); len(ms) != 0 {
		t.Errorf("outbox after a rolled-back event: %+v, want empty", ms)
	}
	// Two clerks accept at once: one wins, and one service message goes.
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Dk.Review(ctx, e.Clerk, id, court.ActAccept, "")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	var ok int
	for err := range errs {
		if err == nil {
			ok++
		} else if court.ErrorCode(err) != court.ECONFLICT {
			t.Errorf("losing accept: %v, want conflict", err)
		}
	}
	// (The acceptance also tells the claimant to pay the fee.)
	var ms []storage.OutMessage
	for _, m := range e.mail(t) {
		if m.Kind == storage.MailKindService {
			ms = append(ms, m)
		}
	}
	if ok != 1 || len(ms) != 1 {
		t.Errorf("%d accepts succeeded, outbox %d service messages; want 1 and 1", ok, len(ms))
	}
	if len(ms) == 1 && ms[0].Data[storage.MailClaimKey] != true {
		t.Errorf("the service message does not carry a claim: %v", ms[0].Data)
	}
}

// An organisation with staff is served in their inboxes and at its contact,
// but its contact gets no claim code: an address a consumer typed must not
// let anyone join an organisation that has members.
func TestNoClaimCodeWhenOrgHasStaff(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	_, _, err := e.DB.CreateUserWithOrg(ctx, &storage.NewUser{User: court.User{Username: "li", Role: court.RoleMerchant,
		DisplayName: "Li", Lang: "zh-CN", Email: "li@tea.example.cn"}, PasswordHash: "h"}, creditCode, "Longjing Tea Shop")
	if err != nil {
		t.Fatal(err)
	}
	e.mustFileAndAccept(t, "other@example.cn")
	ms := e.mail(t)
	kinds := map[string]storage.OutMessage{}
	for _, m := range ms {
		kinds[m.Kind+" "+m.Recipient] = m
	}
	// The staff member's address became the organisation's contact when
	// they registered; the consumer's later address did not replace it.
	svc, ok := kinds["service li@tea.example.cn"]
	if len(ms) != 2 || !ok || kinds["notice.served li@tea.example.cn"].ID == 0 {
		t.Fatalf("outbox = %+v, want the served notice and the service message, both to li@tea.example.cn", ms)
	}
	if _, has := svc.Data[storage.MailClaimKey]; has || svc.Lang != "zh-CN" {
		t.Errorf("service to an organisation with staff: %+v, want no claim code, in zh-CN", svc)
	}
	rec := &recorder{}
	mustRun(t, e.dispatcher(rec))
	for _, m := range rec.Sent {
		if !strings.Contains(m.Subject+m.Body, answerDate) {
			t.Errorf("message to %s does not give the answer date:\n%s\n%s", m.To, m.Subject, m.Body)
		}
		if claimCodeRE.MatchString(m.Body) || strings.Contains(m.Body, "认领码") {
			t.Errorf("message to an organisation with staff carries a claim code:\n%s", m.Body)
		}
	}
	if h := e.claimHashes(t, svc.ID); h != nil {
		t.Errorf("codes stored for an organisation with staff: %v", h)
	}
}

// A message queued with a claim while the organisation had no member goes
// without a code if someone became a member before it was sent.
func TestNoClaimCodeOnceClaimed(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	e.mustFileAndAccept(t, "shop@example.cn")
	svc := e.mail(t)[0]
	if svc.Data[storage.MailClaimKey] != true {
		t.Fatalf("service message %v, want a claim", svc.Data)
	}
	// A member joins meanwhile (approved by an admin, say).
	u, _, err := e.DB.CreateUserWithOrg(ctx, &storage.NewUser{User: court.User{Username: "li", Role: court.RoleMerchant,
		DisplayName: "Li"}, PasswordHash: "h"}, creditCode, "Longjing Tea Shop")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.SetUserStatus(ctx, u.ID, nil, court.StatusPending, court.StatusActive); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if res := mustRun(t, e.dispatcher(rec)); res.Sent != 1 {
		t.Fatalf("round: %+v, want 1 sent", res)
	}
	if body := rec.Sent[0].Body; claimCodeRE.MatchString(body) || !strings.Contains(body, "Log in to the court's website") {
		t.Errorf("service mail after the organisation was claimed:\n%s\nwant no code, the log-in advice", body)
	}
	if h := e.claimHashes(t, svc.ID); h != nil {
		t.Errorf("codes stored after the organisation was claimed: %v", h)
	}
}

func TestEmailCheck(t *testing.T) {
	for in, want := range map[string]string{
		"a@b.cn": "", " A.B+c@Example.COM ": "", "张@例子.中国": "",
		"a@b": "err.email", "a b@c.cn": "err.email", "Name <a@b.cn>": "err.email", "a@b.cn\r\nBcc: x@y.z": "err.email",
		"@b.cn": "err.email", "a@.cn": "err.email", "a@b.cn.": "err.email", strings.Repeat("a", 250) + "@b.cn": "err.email",
		"a,b@c.cn": "err.email",
	} {
		var v court.Validator
		v.Email("email", in)
		err := v.Err()
		got := ""
		if err != nil {
			got = err.(*court.Error).Fields["email"].Key
		}
		if got != want {
			t.Errorf("Email(%q): %q, want %q", in, got, want)
		}
	}
	if got := court.NormalizeEmail(" A.B@Example.COM "); got != "A.B@example.com" {
		t.Errorf("NormalizeEmail = %q", got)
	}
	if a, b := court.ClaimCodeHash("7kq2 m9xd 4rta"), court.ClaimCodeHash("7KQ2-M9XD-4RTA"); a != b {
		t.Error("a claim code typed in lower case with spaces hashes differently")
	}
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		c := court.NewClaimCode()
		if seen[c] || len(court.NormalizeClaimCode(c)) != 12 || court.NormalizeClaimCode(c) != strings.ReplaceAll(c, "-", "") {
			t.Fatalf("claim code %q repeated or malformed", c)
		}
		seen[c] = true
	}

}

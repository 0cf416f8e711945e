package docket_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

// t0 is 09:30:00.123456 on 2 March 2026 in Hangzhou.
var t0 = time.Date(2026, 3, 2, 1, 30, 0, 123456000, time.UTC)

// fakeClock is the injectable clock of the services and the database.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// seeded is a data dir holding a database with the demo accounts, made
// once: argon2id makes seeding cost about half a second, so each test
// starts from a copy.
var (
	seedOnce sync.Once
	seedDir  string
	seedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if seedDir != "" {
		os.RemoveAll(seedDir)
	}
	os.Exit(code)
}

func seed() {
	ctx := context.Background()
	seedDir, seedErr = os.MkdirTemp("", "docket-seed-")
	if seedErr != nil {
		return
	}
	db, err := storage.Open(ctx, filepath.Join(seedDir, "court.db"), nil)
	if err != nil {
		seedErr = err
		return
	}
	defer db.Close()
	keys, err := accounts.LoadKeys(seedDir)
	if err != nil {
		seedErr = err
		return
	}
	if ok, err := demo.Seed(ctx, accounts.New(db, keys, accounts.DefaultConfig)); err != nil || !ok {
		seedErr = fmt.Errorf("demo.Seed = %v, %v; want true, nil", ok, err)
	}
}

func copyFile(dst, src string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// env is one court with the demo accounts on a real SQLite file.
type env struct {
	Svc   *docket.Service
	Acc   *accounts.Service
	DB    *storage.DB
	Clock *fakeClock
	Path  string
	U     map[string]*court.User // demo users by username
}

// MustEnv opens a copy of the seeded court with all clocks at t0.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	seedOnce.Do(seed)
	if seedErr != nil {
		tb.Fatalf("seeding the demo court: %v", seedErr)
	}
	dir := tb.TempDir()
	path := filepath.Join(dir, "court.db")
	if err := copyFile(path, filepath.Join(seedDir, "court.db"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := copyFile(filepath.Join(dir, accounts.KeyFile), filepath.Join(seedDir, accounts.KeyFile), 0o600); err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, path, nil)
	if err != nil {
		tb.Fatalf("storage.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	keys, err := accounts.LoadKeys(dir)
	if err != nil {
		tb.Fatalf("LoadKeys: %v", err)
	}
	clk := &fakeClock{now: t0}
	db.Now = clk.Now
	acc := accounts.New(db, keys, accounts.DefaultConfig)
	acc.Now = clk.Now
	svc := docket.New(db, court.DefaultProfile())
	svc.Now = clk.Now
	e := &env{Svc: svc, Acc: acc, DB: db, Clock: clk, Path: path, U: map[string]*court.User{}}
	for _, a := range demo.Accounts {
		u, _, err := db.Credentials(ctx, a.Username)
		if err != nil {
			tb.Fatalf("demo account %s: %v", a.Username, err)
		}
		e.U[a.Username] = u
	}
	return e
}

// filing is a valid claim of 1,780 yuan against the first demo merchant.
func filing(order string) court.Filing {
	return court.Filing{
		CreditCode: demo.CreditCode1, MerchantName: "杭州西湖龙井茶业有限公司", Platform: "抖音直播", OrderRef: order,
		Category: court.CatCounterfeit, Facts: "直播间购买的西湖龙井茶叶经鉴定为假冒产品，商家拒绝退款。",
		PurchaseDate: "2026-02-14", Refund: 128_000, Compensation: 50_000, ServiceConsent: true,
	}
}

// MustFile files f for the claimant, submitted or as a draft.
func MustFile(tb testing.TB, e *env, claimant string, f court.Filing, submit bool) *court.Case {
	tb.Helper()
	c, err := e.Svc.File(context.Background(), e.U[claimant], f, submit)
	if err != nil {
		tb.Fatalf("File(%s, %q): %v", claimant, f.OrderRef, err)
	}
	return c
}

// MustReview has the user review case id.
func MustReview(tb testing.TB, e *env, user string, id int64, a court.Action, reason string) *court.Case {
	tb.Helper()
	c, err := e.Svc.Review(context.Background(), e.U[user], id, a, reason)
	if err != nil {
		tb.Fatalf("Review(%s, %d, %s): %v", user, id, a, err)
	}
	return c
}

// MustCourtError asserts that err is a *court.Error with the given code.
func MustCourtError(tb testing.TB, err error, code court.Code) *court.Error {
	tb.Helper()
	var ce *court.Error
	if !errors.As(err, &ce) {
		tb.Fatalf("got error %v (%T), want *court.Error with code %s", err, err, code)
	}
	if ce.Code != code {
		tb.Fatalf("got code %s, want %s (error %v)", ce.Code, code, err)
	}
	return ce
}

func mustCase(tb testing.TB, e *env, id int64) *court.Case {
	tb.Helper()
	c, err := e.DB.CaseByIDWriter(context.Background(), id)
	if err != nil {
		tb.Fatalf("CaseByID(%d): %v", id, err)
	}
	return c
}

// kinds lists the kinds of a case's docket entries, internal ones included.
func kinds(tb testing.TB, e *env, id int64) []string {
	tb.Helper()
	es, err := e.DB.Docket(context.Background(), id, true)
	if err != nil {
		tb.Fatal(err)
	}
	out := []string{}
	for _, x := range es {
		out = append(out, x.Kind)
	}
	return out
}

// notices returns a user's notices, newest first.
func notices(tb testing.TB, e *env, userID int64) []storage.Notice {
	tb.Helper()
	ns, _, err := e.DB.Notices(context.Background(), userID, 100)
	if err != nil {
		tb.Fatal(err)
	}
	return ns
}

func countRows(tb testing.TB, e *env, table string) int {
	tb.Helper()
	var n int
	if err := e.DB.Writer().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestFile(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)

	for _, name := range []string{"merchant1", "clerk1", "judge1", "mediator1", "agent1", "admin1"} {
		_, err := e.Svc.File(ctx, e.U[name], filing("X-"+name), true)
		MustCourtError(t, err, court.EFORBIDDEN)
	}
	if n := countRows(t, e, "cases"); n != 0 {
		t.Fatalf("cases after refused filings = %d, want 0", n)
	}

	// A draft: no submission time, no docket entry yet.
	d := MustFile(t, e, "claimant1", filing("DY-1"), false)
	if d.Status != court.CaseDraft || d.SubmittedAt != nil || d.ClaimantID != e.U["claimant1"].ID || d.FiledByID != d.ClaimantID {
		t.Errorf("draft = %+v, want a draft of claimant1, not submitted", d)
	}
	// 1,280 + 500 yuan = 1,780 yuan: the minimum fee of 50 yuan, halved to 25.
	if d.Total != 178_000 || d.Fee != 2_500 || d.OverCap || d.FeeStatus != "unpaid" {
		t.Errorf("total, fee, over cap, fee status = %d, %d, %v, %q; want 178000, 2500, false, unpaid", d.Total, d.Fee, d.OverCap, d.FeeStatus)
	}
	if got := kinds(t, e, d.ID); len(got) != 0 {
		t.Errorf("docket of a draft = %v, want empty", got)
	}

	// Submitted at once: a public "filed" entry with the total and the fee.
	e.Clock.Advance(time.Minute)
	c := MustFile(t, e, "claimant1", filing("DY-2"), true)
	if c.Status != court.CaseSubmitted || c.SubmittedAt == nil || !c.SubmittedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("submitted = %s at %v, want submitted at %v", c.Status, c.SubmittedAt, t0.Add(time.Minute))
	}
	if got := mustCase(t, e, c.ID); !reflect.DeepEqual(got, c) {
		t.Errorf("stored case =\n%+v\nwant the one File returned\n%+v", got, c)
	}
	es, _ := e.DB.Docket(ctx, c.ID, true)
	if len(es) != 1 || es[0].Kind != docket.EntryFiled || !es[0].Public || es[0].ActorRole != "claimant" ||
		es[0].ActorID == nil || *es[0].ActorID != e.U["claimant1"].ID {
		t.Fatalf("docket = %+v, want one public filed entry by claimant1", es)
	}
	if want := map[string]any{"Total": "¥1,780.00", "Fee": "¥25.00"}; !reflect.DeepEqual(es[0].Data, want) {
		t.Errorf("filed entry data = %v, want %v", es[0].Data, want)
	}

	// Field errors, all of them.
	bad := filing("DY-3")
	bad.Facts, bad.ServiceConsent = "短", false
	err := func() error { _, err := e.Svc.File(ctx, e.U["claimant1"], bad, true); return err }()
	ce := MustCourtError(t, err, court.EINVALID)
	if len(ce.Fields) != 2 || ce.Fields["facts"].Key != "err.text_too_short" || ce.Fields["service_consent"].Key != "err.service_consent" {
		t.Errorf("fields = %v, want facts and service_consent", ce.Fields)
	}

	// The same order again: a conflict naming the open case.
	_, err = e.Svc.File(ctx, e.U["claimant1"], filing("DY-2"), true)
	ce = MustCourtError(t, err, court.ECONFLICT)
	if ce.Msg.Args["CaseID"] != c.ID {
		t.Errorf("conflict args = %v, want CaseID %d", ce.Msg.Args, c.ID)
	}

	// Between the cap (60,000 yuan) and twice it: with consent, marked.
	over := filing("DY-4")
	over.Refund, over.Compensation, over.OverCapConsent = 7_000_000, 0, true
	oc := MustFile(t, e, "claimant1", over, true)
	// 70,000 yuan: 50 + 2.5% x 60,000 = 1,550 yuan, halved 775.
	if !oc.OverCap || oc.Fee != 77_500 {
		t.Errorf("over the cap: OverCap, Fee = %v, %d; want true, 77500", oc.OverCap, oc.Fee)
	}
	// A new merchant is created from the filing.
	nm := filing("NEW-1")
	nm.CreditCode, nm.MerchantName = "91350100M000100Y43", "福州某某有限公司"
	c2 := MustFile(t, e, "claimant2", nm, true)
	if c2.OrgID == c.OrgID {
		t.Errorf("a new credit code got the organisation %d of another", c2.OrgID)
	}
}

func TestDraftAndSubmit(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	d := MustFile(t, e, "claimant1", filing("DY-1"), false)

	for _, name := range []string{"clerk1", "admin1", "merchant1", "merchant2", "claimant2", "judge1", "mediator1", "agent1"} {
		if _, err := e.Svc.Get(ctx, e.U[name], d.ID); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("Get(draft) by %s: got %v, want ENOTFOUND", name, err)
		}
		if _, err := e.Svc.Docket(ctx, e.U[name], d.ID); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("Docket(draft) by %s: got %v, want ENOTFOUND", name, err)
		}
		cs, err := e.Svc.List(ctx, e.U[name], nil, 0, 0)
		if err != nil || len(cs) != 0 {
			t.Errorf("List by %s = %d cases, %v; want none", name, len(cs), err)
		}
	}
	if _, err := e.Svc.Review(ctx, e.U["clerk1"], d.ID, court.ActAccept, ""); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("Review(draft): got %v, want ENOTFOUND", err)
	}
	if got, err := e.Svc.Get(ctx, e.U["claimant1"], d.ID); err != nil || got.ID != d.ID {
		t.Errorf("Get(draft) by its claimant = %v, %v; want the draft", got, err)
	}

	if _, err := e.Svc.Submit(ctx, e.U["claimant2"], d.ID); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("Submit by another claimant: got %v, want ENOTFOUND", err)
	}
	e.Clock.Advance(time.Hour)
	c, err := e.Svc.Submit(ctx, e.U["claimant1"], d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != court.CaseSubmitted || c.SubmittedAt == nil || !c.SubmittedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after Submit: %s at %v, want submitted at %v", c.Status, c.SubmittedAt, t0.Add(time.Hour))
	}
	if got := kinds(t, e, d.ID); !reflect.DeepEqual(got, []string{docket.EntryFiled}) {
		t.Errorf("docket = %v, want [filed]", got)
	}
	if _, err := e.Svc.Submit(ctx, e.U["claimant1"], d.ID); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("Submit twice: got %v, want ECONFLICT", err)
	}
	if got, err := e.Svc.Get(ctx, e.U["clerk1"], d.ID); err != nil || got.Status != court.CaseSubmitted {
		t.Errorf("Get by the clerk after submission = %v, %v; want the submitted case", got, err)
	}
	if _, err := e.Svc.Get(ctx, e.U["merchant1"], d.ID); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("Get by the merchant before service: got %v, want ENOTFOUND", err)
	}
}

func TestReviewAccept(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	// merchant1 has two colleagues: one approved, one still pending.
	reg := func(username string) *court.User {
		u, err := e.Acc.RegisterMerchant(ctx, court.MerchantRegistration{Username: username, Password: demo.Password,
			Name: "店员", Mobile: "13800138009", CreditCode: demo.CreditCode1, OrgName: "杭州西湖龙井茶业有限公司"})
		if err != nil {
			t.Fatalf("RegisterMerchant(%s): %v", username, err)
		}
		return u
	}
	approved, pending := reg("merchant1b"), reg("merchant1c")
	if err := e.Acc.ApproveMember(ctx, e.U["merchant1"], approved.ID); err != nil {
		t.Fatal(err)
	}

	c := MustFile(t, e, "claimant1", filing("DY-1"), true)
	// Accepted at 10:30:00.123456 on 2 March in Hangzhou.
	at := t0.Add(time.Hour)
	e.Clock.Set(at)
	got := MustReview(t, e, "clerk1", c.ID, court.ActAccept, "")

	// The answer is due at the end of the 15th day after: 17 March, 23:59:59.999999
	// in Hangzhou; the case must end within 2 months: 2 May, 10:30:00.123456.
	due := time.Date(2026, 3, 17, 15, 59, 59, 999999000, time.UTC)
	concludeBy := time.Date(2026, 5, 2, 15, 59, 59, 999999000, time.UTC) // the end of the day, two months on
	if got.Status != court.CaseServed || got.DocketNo != "(2026)浙0102民初1号" {
		t.Errorf("status, docket = %s, %q; want served, (2026)浙0102民初1号", got.Status, got.DocketNo)
	}
	for name, tt := range map[string]struct{ got *time.Time }{
		"AcceptedAt": {got.AcceptedAt}, "ServedAt": {got.ServedAt},
	} {
		if tt.got == nil || !tt.got.Equal(at) {
			t.Errorf("%s = %v, want %v", name, tt.got, at)
		}
	}
	if got.AnswerDue == nil || !got.AnswerDue.Equal(due) {
		t.Errorf("AnswerDue = %v, want %v", got.AnswerDue, due)
	}
	if got.ConcludeBy == nil || !got.ConcludeBy.Equal(concludeBy) {
		t.Errorf("ConcludeBy = %v, want %v", got.ConcludeBy, concludeBy)
	}
	if got.MerchantSeenAt != nil || got.Reason != "" {
		t.Errorf("MerchantSeenAt, Reason = %v, %q; want nil, \"\"", got.MerchantSeenAt, got.Reason)
	}
	if d := docket.Deadline(*got.AnswerDue); d != "2026-03-17" {
		t.Errorf("Deadline(AnswerDue) = %q, want 2026-03-17", d)
	}

	es, err := e.DB.Docket(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3 || es[1].Kind != docket.EntryAccepted || es[2].Kind != docket.EntryServed {
		t.Fatalf("docket = %+v, want filed, accepted, served", es)
	}
	if es[1].ActorID == nil || *es[1].ActorID != e.U["clerk1"].ID || es[1].ActorRole != "clerk" || !es[1].Public {
		t.Errorf("accepted entry = %+v, want public, by clerk1", es[1])
	}
	if es[2].ActorID != nil || es[2].ActorRole != "system" || es[2].Data["Due"] == nil {
		t.Errorf("served entry = %+v, want by the system, with the due date", es[2])
	}

	// A notice to each active staff member of the organisation, none to the
	// pending one or the other merchant. (The claimant's notice to pay the
	// fee is checked in court/fees.)
	want := map[string]int{"merchant1": 1, "merchant1b": 1, "merchant1c": 0, "merchant2": 0}
	ids := map[string]int64{"merchant1": e.U["merchant1"].ID, "merchant1b": approved.ID, "merchant1c": pending.ID,
		"merchant2": e.U["merchant2"].ID, "claimant1": e.U["claimant1"].ID}
	for name, n := range want {
		ns := notices(t, e, ids[name])
		if len(ns) != n {
			t.Errorf("notices of %s = %d, want %d", name, len(ns), n)
			continue
		}
		for _, x := range ns {
			if x.Kind != docket.NoticeServed || x.CaseID == nil || *x.CaseID != c.ID || !x.CreatedAt.Equal(at) {
				t.Errorf("notice of %s = %+v, want served, case %d, at %v", name, x, c.ID, at)
			}
			if x.Data["Total"] != "¥1,780.00" || x.Data["Merchant"] != "杭州西湖龙井茶业有限公司" || x.Data["Claimant"] != "张伟" ||
				x.Data["Due"] != "2026-03-17T15:59:59.999999Z" {
				t.Errorf("notice data of %s = %v, want the total, the merchant, the claimant 张伟 and the due date", name, x.Data)
			}
		}
	}

	// Accepting again is a conflict and numbers nothing.
	if _, err := e.Svc.Review(ctx, e.U["clerk1"], c.ID, court.ActAccept, ""); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("accepting twice: got %v, want ECONFLICT", err)
	}
	// The next acceptance, by an admin, takes the next number.
	c2 := MustFile(t, e, "claimant2", filing("DY-1"), true)
	if got := MustReview(t, e, "admin1", c2.ID, court.ActAccept, ""); got.DocketNo != "(2026)浙0102民初2号" {
		t.Errorf("second acceptance: docket %q, want (2026)浙0102民初2号", got.DocketNo)
	}
}

func TestReviewDeadlinesInHangzhouTime(t *testing.T) {
	e := MustEnv(t)
	tests := []struct {
		name       string
		at         time.Time
		docket     string
		due        time.Time
		concludeBy time.Time
	}{
		// 23:30 in Hangzhou (15:30 UTC): the day of acceptance is 2 March.
		{"late evening", time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC), "(2026)浙0102民初1号",
			time.Date(2026, 3, 17, 15, 59, 59, 999999000, time.UTC), time.Date(2026, 5, 2, 15, 59, 59, 999999000, time.UTC)},
		// 00:30 on 1 January 2027 in Hangzhou is still 2026 in UTC: a 2027
		// number, due at the end of 16 January, to conclude by the end of
		// 1 March in Hangzhou.
		{"new year in Hangzhou", time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), "(2027)浙0102民初1号",
			time.Date(2027, 1, 16, 15, 59, 59, 999999000, time.UTC), time.Date(2027, 3, 1, 15, 59, 59, 999999000, time.UTC)},
		// 31 December 2026, 10:00 in Hangzhou: conclude by the last day of
		// February, 28 February 2027.
		{"31 December", time.Date(2026, 12, 31, 2, 0, 0, 0, time.UTC), "(2026)浙0102民初2号",
			time.Date(2027, 1, 15, 15, 59, 59, 999999000, time.UTC), time.Date(2027, 2, 28, 15, 59, 59, 999999000, time.UTC)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Clock.Set(tt.at)
			c := MustFile(t, e, "claimant1", filing(fmt.Sprintf("T-%d", i)), true)
			got := MustReview(t, e, "clerk1", c.ID, court.ActAccept, "")
			if got.DocketNo != tt.docket {
				t.Errorf("docket = %q, want %q", got.DocketNo, tt.docket)
			}
			if got.AnswerDue == nil || !got.AnswerDue.Equal(tt.due) {
				t.Errorf("AnswerDue = %v, want %v", got.AnswerDue, tt.due)
			}
			if got.ConcludeBy == nil || !got.ConcludeBy.Equal(tt.concludeBy) {
				t.Errorf("ConcludeBy = %v, want %v", got.ConcludeBy, tt.concludeBy)
			}
		})
	}
}

func TestReviewRefused(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := MustFile(t, e, "claimant1", filing("DY-1"), true)
	for _, name := range []string{"judge1", "claimant1", "claimant2", "merchant1", "mediator1", "agent1"} {
		for _, a := range []court.Action{court.ActAccept, court.ActReturn, court.ActReject} {
			_, err := e.Svc.Review(ctx, e.U[name], c.ID, a, "理由充分")
			if court.ErrorCode(err) != court.ENOTFOUND {
				t.Errorf("Review(%s) by %s: got %v, want ENOTFOUND", a, name, err)
			}
		}
	}
	// Also on a served case they do see (judge1 and mediator1 assigned):
	// not a conflict with the state, simply nothing there for them.
	served := build(t, e, "DY-2", "served")
	for _, name := range []string{"judge1", "claimant1", "merchant1", "mediator1"} {
		if _, err := e.Svc.Review(ctx, e.U[name], served.ID, court.ActReject, "理由充分"); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("Review(reject) of a served case by %s: got %v, want ENOTFOUND", name, err)
		}
	}
	for _, a := range []court.Action{court.ActSubmit, court.ActWithdraw, "approve"} {
		_, err := e.Svc.Review(ctx, e.U["clerk1"], c.ID, a, "理由充分")
		if ce := MustCourtError(t, err, court.EINVALID); ce.Msg.Key != "err.invalid_choice" {
			t.Errorf("Review(%s): key %s, want err.invalid_choice", a, ce.Msg.Key)
		}
	}
	if _, err := e.Svc.Review(ctx, e.U["clerk1"], 9999, court.ActAccept, ""); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("Review(missing case): got %v, want ENOTFOUND", err)
	}
	if got := mustCase(t, e, c.ID); got.Status != court.CaseSubmitted || got.DocketNo != "" {
		t.Errorf("case after refused reviews = %s %q, want submitted without a number", got.Status, got.DocketNo)
	}
	if got := kinds(t, e, c.ID); len(got) != 1 {
		t.Errorf("docket after refused reviews = %v, want only filed", got)
	}
	if got := mustCase(t, e, served.ID); got.Status != court.CaseServed || got.Reason != "" {
		t.Errorf("served case after refused reviews = %s, reason %q; want served, no reason", got.Status, got.Reason)
	}
	// The only notices are those of accepting the second case: its service
	// and the claimant's notice to pay the fee.
	if n := countRows(t, e, "notifications"); n != 2 {
		t.Errorf("notifications = %d, want 2 (the service of %d and its fee)", n, served.ID)
	}
}

func TestReviewReturnAndReject(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	claimant := e.U["claimant1"]
	c := MustFile(t, e, "claimant1", filing("DY-1"), true)

	for _, a := range []court.Action{court.ActReturn, court.ActReject} {
		for _, tt := range []struct{ reason, key string }{
			{"", "err.required"}, {"  \n ", "err.required"}, {"否", "err.text_too_short"},
			{strings.Repeat("长", 1001), "err.text_too_long"},
		} {
			_, err := e.Svc.Review(ctx, e.U["clerk1"], c.ID, a, tt.reason)
			ce := MustCourtError(t, err, court.EINVALID)
			if len(ce.Fields) != 1 || ce.Fields["reason"].Key != tt.key {
				t.Errorf("%s with reason %q: fields = %v, want reason: %s", a, tt.reason, ce.Fields, tt.key)
			}
		}
	}
	if got := mustCase(t, e, c.ID); got.Status != court.CaseSubmitted {
		t.Fatalf("status after refused reasons = %s, want submitted", got.Status)
	}

	// Return for correction: the reason goes to the case, the docket and the
	// claimant's inbox.
	e.Clock.Advance(time.Hour)
	got := MustReview(t, e, "clerk1", c.ID, court.ActReturn, "  请补充订单截图。 ")
	if got.Status != court.CaseReturned || got.Reason != "请补充订单截图。" || got.DocketNo != "" {
		t.Errorf("returned = %s, reason %q, docket %q; want returned, 请补充订单截图。, none", got.Status, got.Reason, got.DocketNo)
	}
	es, _ := e.DB.Docket(ctx, c.ID, false)
	if last := es[len(es)-1]; last.Kind != docket.EntryReturned || last.Text != "请补充订单截图。" || !last.Public {
		t.Errorf("last entry = %+v, want a public returned entry with the reason", last)
	}
	ns := notices(t, e, claimant.ID)
	if len(ns) != 1 || ns[0].Kind != docket.NoticeReturned || ns[0].Data["Reason"] != "请补充订单截图。" || *ns[0].CaseID != c.ID {
		t.Errorf("claimant's notices = %+v, want one returned notice with the reason", ns)
	}
	// The merchant was not served and learns nothing.
	if ns := notices(t, e, e.U["merchant1"].ID); len(ns) != 0 {
		t.Errorf("merchant's notices = %+v, want none", ns)
	}

	// Resubmitted: the reason is cleared; rejected: final.
	if got, err := e.Svc.Submit(ctx, claimant, c.ID); err != nil || got.Status != court.CaseSubmitted || got.Reason != "" {
		t.Fatalf("resubmit = %+v, %v; want submitted without a reason", got, err)
	}
	got = MustReview(t, e, "clerk1", c.ID, court.ActReject, "不属于本院管辖。")
	if got.Status != court.CaseRejected || got.Reason != "不属于本院管辖。" {
		t.Errorf("rejected = %s, reason %q; want rejected, 不属于本院管辖。", got.Status, got.Reason)
	}
	ns = notices(t, e, claimant.ID)
	if len(ns) != 2 || ns[0].Kind != docket.NoticeRejected || ns[0].Data["Reason"] != "不属于本院管辖。" {
		t.Errorf("claimant's notices = %+v, want rejected (newest) then returned", ns)
	}
	want := []string{docket.EntryFiled, docket.EntryReturned, docket.EntryFiled, docket.EntryRejected}
	if got := kinds(t, e, c.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("docket = %v, want %v", got, want)
	}
	for name, err := range map[string]error{
		"submit":   func() error { _, err := e.Svc.Submit(ctx, claimant, c.ID); return err }(),
		"withdraw": func() error { _, err := e.Svc.Withdraw(ctx, claimant, c.ID, ""); return err }(),
		"accept":   func() error { _, err := e.Svc.Review(ctx, e.U["clerk1"], c.ID, court.ActAccept, ""); return err }(),
	} {
		if court.ErrorCode(err) != court.ECONFLICT {
			t.Errorf("%s after rejection: got %v, want ECONFLICT", name, err)
		}
	}
	// A closed claim no longer blocks a new one on the same order.
	MustFile(t, e, "claimant1", filing("DY-1"), true)
}

// build brings a new case of claimant1 on order into a state through the
// services (and storage for the states later slices reach).
func build(tb testing.TB, e *env, order string, state string) *court.Case {
	tb.Helper()
	ctx := context.Background()
	claimant := e.U["claimant1"]
	submit := state != "draft" && state != "withdrawn draft"
	c := MustFile(tb, e, "claimant1", filing(order), submit)
	var err error
	switch state {
	case "draft", "submitted":
	case "withdrawn draft", "withdrawn submitted":
		c, err = e.Svc.Withdraw(ctx, claimant, c.ID, "")
	case "returned":
		c = MustReview(tb, e, "clerk1", c.ID, court.ActReturn, "请补充材料")
	case "rejected":
		c = MustReview(tb, e, "clerk1", c.ID, court.ActReject, "不予受理")
	case "served", "answered", "settled", "withdrawn served":
		c = MustReview(tb, e, "clerk1", c.ID, court.ActAccept, "")
		// Assign the judge and the mediator (a later slice's actions).
		c, err = e.DB.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseServed, To: court.CaseServed,
			Set: map[string]any{"judge_id": e.U["judge1"].ID, "mediator_id": e.U["mediator1"].ID}})
		if err != nil {
			break
		}
		switch state {
		case "answered", "settled":
			c, err = e.DB.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseServed, To: court.CaseAnswered})
			if err == nil && state == "settled" {
				c, err = e.DB.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseAnswered, To: court.CaseSettled})
			}
		case "withdrawn served":
			c, err = e.Svc.Withdraw(ctx, claimant, c.ID, "已和解")
		}
	default:
		tb.Fatalf("unknown state %q", state)
	}
	if err != nil {
		tb.Fatalf("bringing %s to %s: %v", order, state, err)
	}
	return c
}

func TestWithdraw(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	claimant := e.U["claimant1"]
	tests := []struct {
		state          string
		ok             bool
		notifyMerchant bool
	}{
		{"draft", true, false},
		{"submitted", true, false},
		{"returned", true, false},
		{"served", true, true},
		{"answered", true, true},
		{"rejected", false, false},
		{"settled", false, false},
		{"withdrawn submitted", false, false},
	}
	for i, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			c := build(t, e, fmt.Sprintf("W-%d", i), tt.state)
			// Nobody but the claimant withdraws (those who may not see the
			// case are told it does not exist).
			for _, name := range []string{"merchant1", "clerk1", "admin1", "judge1", "claimant2"} {
				_, err := e.Svc.Withdraw(ctx, e.U[name], c.ID, "")
				want := court.EFORBIDDEN
				if !docket.CanSee(e.U[name], c) {
					want = court.ENOTFOUND
				}
				if got := court.ErrorCode(err); got != want {
					t.Errorf("Withdraw by %s: got %v, want %s", name, err, want)
				}
			}
			// Taken after the refused attempts: the merchant's opened the
			// case and recorded its first view.
			before := len(kinds(t, e, c.ID))
			m1, m2 := len(notices(t, e, e.U["merchant1"].ID)), len(notices(t, e, e.U["merchant2"].ID))
			cl := len(notices(t, e, claimant.ID))

			got, err := e.Svc.Withdraw(ctx, claimant, c.ID, "  与商家达成一致 ")
			if !tt.ok {
				MustCourtError(t, err, court.ECONFLICT)
				if n := len(kinds(t, e, c.ID)); n != before {
					t.Errorf("docket entries = %d after a refused withdrawal, want %d", n, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("Withdraw: %v", err)
			}
			if got.Status != court.CaseWithdrawn {
				t.Errorf("status = %s, want withdrawn", got.Status)
			}
			es, _ := e.DB.Docket(ctx, c.ID, false)
			last := es[len(es)-1]
			if len(es) != before+1 || last.Kind != docket.EntryWithdrawn || last.Text != "与商家达成一致" ||
				last.ActorID == nil || *last.ActorID != claimant.ID {
				t.Errorf("docket = %+v, want a withdrawn entry by the claimant with the reason", es)
			}
			wantM1 := m1
			if tt.notifyMerchant {
				wantM1++
			}
			ns := notices(t, e, e.U["merchant1"].ID)
			if len(ns) != wantM1 {
				t.Errorf("merchant1 notices = %d, want %d", len(ns), wantM1)
			} else if tt.notifyMerchant && (ns[0].Kind != docket.NoticeWithdrawn || ns[0].Data["DocketNo"] != c.DocketNo || c.DocketNo == "") {
				t.Errorf("merchant1 notice = %+v, want withdrawn with docket number %q", ns[0], c.DocketNo)
			}
			if n := len(notices(t, e, e.U["merchant2"].ID)); n != m2 {
				t.Errorf("merchant2 notices = %d, want %d", n, m2)
			}
			if n := len(notices(t, e, claimant.ID)); n != cl {
				t.Errorf("claimant notices = %d, want %d", n, cl)
			}
			if _, err := e.Svc.Withdraw(ctx, claimant, c.ID, ""); court.ErrorCode(err) != court.ECONFLICT {
				t.Errorf("withdrawing twice: got %v, want ECONFLICT", err)
			}
		})
	}
	c := build(t, e, "W-long", "submitted")
	_, err := e.Svc.Withdraw(ctx, claimant, c.ID, strings.Repeat("长", 1001))
	if ce := MustCourtError(t, err, court.EINVALID); ce.Fields["reason"].Key != "err.text_too_long" {
		t.Errorf("fields = %v, want reason: err.text_too_long", ce.Fields)
	}
}

// TestCanSee checks who sees a case in each state, for every role.
func TestCanSee(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	// Columns: the viewers.
	viewers := []string{"claimant1", "claimant2", "merchant1", "merchant2", "clerk1", "admin1", "judge1", "mediator1", "agent1"}
	// Rows: what each viewer sees, in the order above. judge1 and mediator1
	// are assigned to each case that was served.
	tests := []struct {
		state string
		see   []bool
	}{
		{"draft", []bool{true, false, false, false, false, false, false, false, false}},
		{"withdrawn draft", []bool{true, false, false, false, false, false, false, false, false}},
		{"submitted", []bool{true, false, false, false, true, true, false, false, false}},
		{"returned", []bool{true, false, false, false, true, true, false, false, false}},
		{"rejected", []bool{true, false, false, false, true, true, false, false, false}},
		{"withdrawn submitted", []bool{true, false, false, false, true, true, false, false, false}},
		{"served", []bool{true, false, true, false, true, true, true, true, false}},
		{"answered", []bool{true, false, true, false, true, true, true, true, false}},
		{"settled", []bool{true, false, true, false, true, true, true, true, false}},
		{"withdrawn served", []bool{true, false, true, false, true, true, true, true, false}},
	}
	for i, tt := range tests {
		c := build(t, e, fmt.Sprintf("S-%d", i), tt.state)
		for j, name := range viewers {
			u := e.U[name]
			if got := docket.CanSee(u, c); got != tt.see[j] {
				t.Errorf("%s case: CanSee(%s) = %v, want %v", tt.state, name, got, tt.see[j])
			}
			_, err := e.Svc.Get(ctx, u, c.ID)
			if tt.see[j] && err != nil {
				t.Errorf("%s case: Get by %s: %v, want the case", tt.state, name, err)
			}
			if !tt.see[j] && court.ErrorCode(err) != court.ENOTFOUND {
				t.Errorf("%s case: Get by %s: got %v, want ENOTFOUND", tt.state, name, err)
			}
			_, err = e.Svc.Docket(ctx, u, c.ID)
			if (err == nil) != tt.see[j] {
				t.Errorf("%s case: Docket by %s: got %v, want visible %v", tt.state, name, err, tt.see[j])
			}
		}
	}

	// Cases that are not in the demo: an agent who filed, a judge and a
	// mediator not assigned, staff without an organisation, unknown roles.
	one, two := int64(1), int64(2)
	c := &court.Case{ID: 9, Status: court.CaseServed, ClaimantID: 10, FiledByID: 20, OrgID: 1, JudgeID: &one, MediatorID: &two,
		ServedAt: &t0}
	for _, tt := range []struct {
		u    court.User
		want bool
	}{
		{court.User{ID: 20, Role: court.RoleStationAgent}, true}, // filed it
		{court.User{ID: 10, Role: court.RoleStationAgent}, true}, // same id as the claimant
		{court.User{ID: 21, Role: court.RoleStationAgent}, false},
		{court.User{ID: 20, Role: court.RoleClaimant}, true}, // filed it
		{court.User{ID: 1, Role: court.RoleJudge}, true},
		{court.User{ID: 2, Role: court.RoleJudge}, false},
		{court.User{ID: 2, Role: court.RoleMediator}, true},
		{court.User{ID: 1, Role: court.RoleMediator}, false},
		{court.User{ID: 5, Role: court.RoleMerchant}, false}, // no organisation
		{court.User{ID: 5, Role: court.RoleMerchant, OrganizationID: &one}, true},
		{court.User{ID: 5, Role: court.RoleMerchant, OrganizationID: &two}, false},
		{court.User{ID: 10, Role: "visitor"}, false},
	} {
		if got := docket.CanSee(&tt.u, c); got != tt.want {
			t.Errorf("CanSee(%+v) = %v, want %v", tt.u, got, tt.want)
		}
	}
}

func TestList(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	cs := map[string]*court.Case{}
	// The unserved cases of merchant1's organisation lie between the
	// served ones.
	for i, state := range []string{"draft", "served", "submitted", "withdrawn draft", "withdrawn submitted", "returned", "answered", "withdrawn served"} {
		cs[state] = build(t, e, fmt.Sprintf("L-%d", i), state)
	}
	// One of claimant2 against the second merchant, served.
	f := filing("L-2")
	f.CreditCode, f.MerchantName = demo.CreditCode2, "杭州星光直播电子商务有限公司"
	other := MustFile(t, e, "claimant2", f, true)
	other = MustReview(t, e, "clerk1", other.ID, court.ActAccept, "")

	ids := func(names ...string) []int64 {
		out := []int64{}
		for _, n := range names {
			if n == "other" {
				out = append(out, other.ID)
			} else {
				out = append(out, cs[n].ID)
			}
		}
		return out
	}
	tests := []struct {
		user   string
		status []court.CaseStatus
		want   []int64 // newest first
	}{
		{"claimant1", nil, ids("withdrawn served", "answered", "returned", "withdrawn submitted", "withdrawn draft", "submitted", "served", "draft")},
		{"claimant2", nil, ids("other")},
		{"merchant1", nil, ids("withdrawn served", "answered", "served")},
		{"merchant2", nil, ids("other")},
		{"clerk1", nil, ids("other", "withdrawn served", "answered", "returned", "withdrawn submitted", "submitted", "served")},
		{"admin1", nil, ids("other", "withdrawn served", "answered", "returned", "withdrawn submitted", "submitted", "served")},
		{"judge1", nil, ids("withdrawn served", "answered", "served")},
		{"mediator1", nil, ids("withdrawn served", "answered", "served")},
		{"agent1", nil, ids()},
		{"claimant1", []court.CaseStatus{court.CaseDraft}, ids("draft")},
		{"clerk1", []court.CaseStatus{court.CaseSubmitted}, ids("submitted")},
		{"clerk1", []court.CaseStatus{court.CaseDraft}, ids()},
		{"merchant1", []court.CaseStatus{court.CaseWithdrawn}, ids("withdrawn served")},
		{"merchant1", []court.CaseStatus{court.CaseSubmitted, court.CaseReturned}, ids()},
	}
	for _, tt := range tests {
		got, err := e.Svc.List(ctx, e.U[tt.user], tt.status, 0, 0)
		if err != nil {
			t.Fatalf("List(%s, %v): %v", tt.user, tt.status, err)
		}
		var gotIDs []int64
		for _, c := range got {
			gotIDs = append(gotIDs, c.ID)
			if !docket.CanSee(e.U[tt.user], &c) {
				t.Errorf("List(%s) holds case %d it may not see", tt.user, c.ID)
			}
		}
		if gotIDs == nil {
			gotIDs = []int64{}
		}
		if !reflect.DeepEqual(gotIDs, tt.want) {
			t.Errorf("List(%s, %v) = %v, want %v", tt.user, tt.status, gotIDs, tt.want)
		}
	}
	// Paging a merchant's list one case at a time finds every case it was
	// served, even with unserved cases of its organisation between them.
	var paged []int64
	before := int64(0)
	for range 10 {
		page, err := e.Svc.List(ctx, e.U["merchant1"], nil, before, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page[0].ID)
		before = page[0].ID
	}
	if want := ids("withdrawn served", "answered", "served"); !reflect.DeepEqual(paged, want) {
		t.Errorf("merchant1 paging one by one = %v, want %v", paged, want)
	}
	// A merchant account without an organisation sees nothing.
	if got, err := e.Svc.List(ctx, &court.User{ID: 999, Role: court.RoleMerchant}, nil, 0, 0); err != nil || len(got) != 0 {
		t.Errorf("List for a merchant without an org = %v, %v; want none", got, err)
	}
	if got, err := e.Svc.List(ctx, &court.User{ID: 999, Role: "visitor"}, nil, 0, 0); err != nil || len(got) != 0 {
		t.Errorf("List for an unknown role = %v, %v; want none", got, err)
	}
}

func TestMerchantSeen(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := build(t, e, "M-1", "served")
	merchant := e.U["merchant1"]

	// Others opening the case record nothing.
	for _, name := range []string{"claimant1", "clerk1", "judge1", "admin1"} {
		if _, err := e.Svc.Get(ctx, e.U[name], c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := mustCase(t, e, c.ID); got.MerchantSeenAt != nil {
		t.Fatalf("MerchantSeenAt after others opened it = %v, want nil", got.MerchantSeenAt)
	}
	// Listing does not count as opening.
	if _, err := e.Svc.List(ctx, merchant, nil, 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.Docket(ctx, merchant, c.ID); err != nil {
		t.Fatal(err)
	}
	if got := mustCase(t, e, c.ID); got.MerchantSeenAt != nil {
		t.Fatalf("MerchantSeenAt after the list and docket = %v, want nil", got.MerchantSeenAt)
	}

	seen := t0.Add(3 * time.Hour)
	e.Clock.Set(seen)
	got, err := e.Svc.Get(ctx, merchant, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MerchantSeenAt == nil || !got.MerchantSeenAt.Equal(seen) {
		t.Errorf("MerchantSeenAt = %v, want %v", got.MerchantSeenAt, seen)
	}
	if got.Status != court.CaseServed {
		t.Errorf("status = %s, want served (unchanged)", got.Status)
	}
	countSeen := func() int {
		n := 0
		es, _ := e.DB.Docket(ctx, c.ID, true)
		for _, x := range es {
			if x.Kind == docket.EntrySeen {
				n++
				if x.ActorID == nil || *x.ActorID != merchant.ID || x.ActorRole != "merchant" || !x.Public || !x.At.Equal(seen) {
					t.Errorf("seen entry = %+v, want public, by merchant1, at %v", x, seen)
				}
			}
		}
		return n
	}
	if n := countSeen(); n != 1 {
		t.Errorf("merchant_seen entries = %d, want 1", n)
	}

	// A second view, later, changes nothing.
	e.Clock.Advance(time.Hour)
	got, err = e.Svc.Get(ctx, merchant, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.MerchantSeenAt == nil || !got.MerchantSeenAt.Equal(seen) {
		t.Errorf("MerchantSeenAt after a second view = %v, want %v", got.MerchantSeenAt, seen)
	}
	if n := countSeen(); n != 1 {
		t.Errorf("merchant_seen entries after a second view = %d, want 1", n)
	}
}

// Two staff members opening a newly served case at the same moment record
// one first view, not two.
func TestMerchantSeenConcurrent(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	for round := range 5 {
		c := build(t, e, fmt.Sprintf("MC-%d", round), "served")
		const n = 8
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := e.Svc.Get(ctx, e.U["merchant1"], c.ID)
				if err == nil && got.MerchantSeenAt == nil {
					err = fmt.Errorf("Get returned the case without MerchantSeenAt")
				}
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("round %d: concurrent Get: %v", round, err)
			}
		}
		seen := 0
		for _, k := range kinds(t, e, c.ID) {
			if k == docket.EntrySeen {
				seen++
			}
		}
		if seen != 1 {
			t.Fatalf("round %d: merchant_seen entries after %d concurrent views = %d, want 1", round, n, seen)
		}
	}
}

func TestDocketInternal(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := build(t, e, "D-1", "served")
	clerk := e.U["clerk1"]
	if _, err := e.DB.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseServed, To: court.CaseServed,
		Entries: []storage.Entry{{ActorID: &clerk.ID, ActorRole: "clerk", Kind: "note", Public: false, Text: "内部备注"}}}); err != nil {
		t.Fatal(err)
	}
	public := []string{docket.EntryFiled, docket.EntryAccepted, docket.EntryServed}
	all := append(append([]string{}, public...), "note")
	tests := []struct {
		user string
		want []string
	}{
		{"clerk1", all},
		{"admin1", all},
		{"judge1", all},
		{"claimant1", public},
		{"mediator1", public},
		{"merchant1", public},
	}
	for _, tt := range tests {
		es, err := e.Svc.Docket(ctx, e.U[tt.user], c.ID)
		if err != nil {
			t.Fatalf("Docket by %s: %v", tt.user, err)
		}
		got := []string{}
		for _, x := range es {
			got = append(got, x.Kind)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Docket by %s = %v, want %v", tt.user, got, tt.want)
		}
	}
	for _, name := range []string{"claimant2", "merchant2", "agent1"} {
		if _, err := e.Svc.Docket(ctx, e.U[name], c.ID); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("Docket by %s: got %v, want ENOTFOUND", name, err)
		}
	}
	if _, err := e.Svc.Docket(ctx, clerk, 9999); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("Docket(missing): got %v, want ENOTFOUND", err)
	}
}

// TestQueueAndNoticesRead: the clerk's queue runs oldest first, and opening
// a case marks the viewer's notices about it read (only the viewer's, only
// that case's).
func TestQueueAndNoticesRead(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	a := build(t, e, "Q-1", "submitted")
	b := build(t, e, "Q-2", "submitted")
	for _, name := range []string{"clerk1", "admin1"} {
		q, err := e.Svc.Queue(ctx, e.U[name], 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 2 || q[0].ID != a.ID || q[1].ID != b.ID {
			t.Fatalf("%s queue: got %d cases, want [%d %d] oldest first", name, len(q), a.ID, b.ID)
		}
	}
	for _, name := range []string{"judge1", "claimant1", "merchant1"} {
		if _, err := e.Svc.Queue(ctx, e.U[name], 10); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("%s queue: got %v, want ENOTFOUND", name, err)
		}
	}
	clerk := e.U["clerk1"]
	for _, c := range []*court.Case{a, b} {
		if _, err := e.Svc.Review(ctx, clerk, c.ID, court.ActAccept, ""); err != nil {
			t.Fatal(err)
		}
	}
	m := e.U["merchant1"]
	unread := func() int {
		_, n, err := e.DB.Notices(ctx, m.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := unread(); got != 2 {
		t.Fatalf("merchant unread before opening: got %d, want 2", got)
	}
	if _, err := e.Svc.Get(ctx, m, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := unread(); got != 1 {
		t.Fatalf("merchant unread after opening one case: got %d, want 1", got)
	}
	if _, err := e.Svc.Get(ctx, clerk, b.ID); err != nil {
		t.Fatal(err)
	}
	if got := unread(); got != 1 {
		t.Errorf("merchant unread after the clerk opened the other case: got %d, want 1", got)
	}
}

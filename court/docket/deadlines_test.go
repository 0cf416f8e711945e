package docket_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/storage"
)

// The deadlines of a case accepted at t0 (09:30 on 2 March 2026 in
// Hangzhou), in UTC.
var (
	evidenceDue0 = time.Date(2026, 3, 9, 15, 59, 59, 999999000, time.UTC)  // end of 9 March in Hangzhou
	answerDue0   = time.Date(2026, 3, 17, 15, 59, 59, 999999000, time.UTC) // end of 17 March
	concludeBy0  = time.Date(2026, 5, 2, 15, 59, 59, 999999000, time.UTC)  // the end of 2 May in Hangzhou
)

func mustApplyDeadlines(tb testing.TB, svc *docket.Service) []docket.Applied {
	tb.Helper()
	done, err := svc.ApplyDeadlines(context.Background())
	if err != nil {
		tb.Fatalf("ApplyDeadlines: %v", err)
	}
	return done
}

// applied renders what a run applied as "kind #case" lines, sorted.
func appliedList(done []docket.Applied) string {
	out := []string{}
	for _, a := range done {
		out = append(out, fmt.Sprintf("%s #%d", a.Kind, a.CaseID))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func wantApplied(pairs ...any) string {
	out := []string{}
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, fmt.Sprintf("%s #%d", pairs[i], pairs[i+1].(int64)))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// countKind counts a case's docket entries of a kind.
func countEntries(tb testing.TB, e *env, id int64, kind string) int {
	tb.Helper()
	n := 0
	for _, k := range kinds(tb, e, id) {
		if k == kind {
			n++
		}
	}
	return n
}

// noticesOf returns a user's notices of a kind about a case.
func caseNotices(tb testing.TB, e *env, userID, caseID int64, kind string) []storage.Notice {
	tb.Helper()
	var out []storage.Notice
	for _, n := range notices(tb, e, userID) {
		if n.Kind == kind && n.CaseID != nil && *n.CaseID == caseID {
			out = append(out, n)
		}
	}
	return out
}

func TestAcceptSetsEvidenceDue(t *testing.T) {
	e := MustEnv(t)
	c := build(t, e, "EV-1", "served")
	if c.EvidenceDue == nil || !c.EvidenceDue.Equal(evidenceDue0) {
		t.Errorf("evidence_due: got %v, want %v", c.EvidenceDue, evidenceDue0)
	}
	if c.AnswerDue == nil || !c.AnswerDue.Equal(answerDue0) || c.ConcludeBy == nil || !c.ConcludeBy.Equal(concludeBy0) {
		t.Errorf("answer_due, conclude_by: got %v, %v; want %v, %v", c.AnswerDue, c.ConcludeBy, answerDue0, concludeBy0)
	}
}

func TestApplyDeadlines(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	served := build(t, e, "DL-served", "served")
	answered := build(t, e, "DL-answered", "answered")
	settled := build(t, e, "DL-settled", "settled")
	withdrawn := build(t, e, "DL-withdrawn", "withdrawn served")
	submitted := build(t, e, "DL-submitted", "submitted")
	// A served case with no judge yet.
	unassigned := MustReview(t, e, "clerk1", MustFile(t, e, "claimant2", filing("DL-unassigned"), true).ID, court.ActAccept, "")
	judge, clerk, claimant1, claimant2 := e.U["judge1"], e.U["clerk1"], e.U["claimant1"], e.U["claimant2"]

	// Up to the last moment of each deadline nothing happens.
	for _, at := range []time.Time{t0, evidenceDue0} {
		e.Clock.Set(at)
		if done := mustApplyDeadlines(t, e.Svc); len(done) != 0 {
			t.Fatalf("at %v: got %s applied, want nothing", at, appliedList(done))
		}
	}
	// The evidence period ends for the pending cases only.
	e.Clock.Set(evidenceDue0.Add(time.Microsecond))
	if got, w := appliedList(mustApplyDeadlines(t, e.Svc)), wantApplied(docket.EntryEvidenceClosed, served.ID, docket.EntryEvidenceClosed, answered.ID,
		docket.EntryEvidenceClosed, unassigned.ID); got != w {
		t.Fatalf("after the evidence period: got %s, want %s", got, w)
	}
	e.Clock.Set(answerDue0)
	if done := mustApplyDeadlines(t, e.Svc); len(done) != 0 {
		t.Fatalf("at the answer deadline: got %s, want nothing", appliedList(done))
	}
	// The answer deadline passes: only for cases still served.
	e.Clock.Set(answerDue0.Add(time.Microsecond))
	if got, w := appliedList(mustApplyDeadlines(t, e.Svc)), wantApplied(docket.EntryAnswerOverdue, served.ID, docket.EntryAnswerOverdue, unassigned.ID); got != w {
		t.Fatalf("after the answer deadline: got %s, want %s", got, w)
	}
	if done := mustApplyDeadlines(t, e.Svc); len(done) != 0 {
		t.Fatalf("second run: got %s, want nothing", appliedList(done))
	}
	if got := countEntries(t, e, served.ID, docket.EntryAnswerOverdue); got != 1 {
		t.Errorf("answer_overdue entries: got %d, want 1", got)
	}
	es, err := e.DB.Docket(ctx, served.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Kind != docket.EntryAnswerOverdue || !last.Public || last.ActorRole != "system" || last.Data["Due"] != answerDue0.Format(time.RFC3339Nano) {
		t.Errorf("answer_overdue entry: got %+v, want a public system entry with Due %v", last, answerDue0)
	}
	for _, n := range []struct {
		user *court.User
		c    *court.Case
		want int
	}{{claimant1, served, 1}, {judge, served, 1}, {claimant1, answered, 0}, {judge, answered, 0},
		{claimant2, unassigned, 1}, {judge, unassigned, 0}, {clerk, served, 0}} {
		if got := len(caseNotices(t, e, n.user.ID, n.c.ID, docket.NoticeAnswerOverdue)); got != n.want {
			t.Errorf("answer_overdue notices to %s about %s: got %d, want %d", n.user.Username, n.c.OrderRef, got, n.want)
		}
	}
	if ns := caseNotices(t, e, claimant1.ID, served.ID, docket.NoticeAnswerOverdue); len(ns) == 1 && ns[0].Data["DocketNo"] != served.DocketNo {
		t.Errorf("notice data: got %v, want DocketNo %q", ns[0].Data, served.DocketNo)
	}

	// An answer after the deadline changes nothing already applied.
	if _, err := e.DB.ChangeCase(ctx, served.ID, storage.Change{From: court.CaseServed, To: court.CaseAnswered}); err != nil {
		t.Fatal(err)
	}
	// The time limit passes: an internal entry, notices to the judge and
	// to every active clerk (a second clerk too, not a disabled one).
	clerk2, err := e.Acc.CreateStaff(ctx, court.StaffAccount{Username: "clerk2", Password: "a-long-password-2", Name: "吴刚", Role: court.RoleClerk})
	if err != nil {
		t.Fatal(err)
	}
	clerk3, err := e.Acc.CreateStaff(ctx, court.StaffAccount{Username: "clerk3", Password: "a-long-password-3", Name: "郑爽", Role: court.RoleClerk})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.SetUserStatus(ctx, clerk3.ID, nil, court.StatusActive, court.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(concludeBy0)
	if done := mustApplyDeadlines(t, e.Svc); len(done) != 0 {
		t.Fatalf("at the time limit: got %s, want nothing", appliedList(done))
	}
	e.Clock.Set(concludeBy0.Add(time.Microsecond))
	if got, w := appliedList(mustApplyDeadlines(t, e.Svc)), wantApplied(docket.EntryLimitPassed, served.ID, docket.EntryLimitPassed, answered.ID,
		docket.EntryLimitPassed, unassigned.ID); got != w {
		t.Fatalf("after the time limit: got %s, want %s", got, w)
	}
	pub, err := e.DB.Docket(ctx, served.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range pub {
		if x.Kind == docket.EntryLimitPassed {
			t.Errorf("limit_passed is on the public docket, want it internal")
		}
	}
	if got := countEntries(t, e, served.ID, docket.EntryLimitPassed); got != 1 {
		t.Errorf("limit_passed entries (internal): got %d, want 1", got)
	}
	for _, n := range []struct {
		user *court.User
		c    *court.Case
		want int
	}{{judge, served, 1}, {clerk, served, 1}, {clerk2, served, 1}, {clerk3, served, 0}, {claimant1, served, 0},
		{judge, unassigned, 0}, {clerk, unassigned, 1}, {clerk, answered, 1}} {
		if got := len(caseNotices(t, e, n.user.ID, n.c.ID, docket.NoticeLimitPassed)); got != n.want {
			t.Errorf("limit_passed notices to %s about %s: got %d, want %d", n.user.Username, n.c.OrderRef, got, n.want)
		}
	}
	// Final and never accepted cases got nothing at all.
	for _, c := range []*court.Case{settled, withdrawn, submitted} {
		for _, k := range []string{docket.EntryAnswerOverdue, docket.EntryEvidenceClosed, docket.EntryLimitPassed} {
			if got := countEntries(t, e, c.ID, k); got != 0 {
				t.Errorf("%s case: got %d %s entries, want 0", c.Status, got, k)
			}
		}
	}
	// Long after, nothing more.
	e.Clock.Set(concludeBy0.AddDate(1, 0, 0))
	if done := mustApplyDeadlines(t, e.Svc); len(done) != 0 {
		t.Errorf("a year later: got %s, want nothing", appliedList(done))
	}
}

// TestApplyDeadlinesConcurrentAndAcrossRestarts runs the scheduler from four
// goroutines at once, two of them through a second connection to the same
// database file (as a second process would), then after reopening it.
func TestApplyDeadlinesConcurrentAndAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	const n = 12
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = build(t, e, fmt.Sprintf("CC-%d", i), "served").ID
	}
	other, err := storage.Open(ctx, e.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = e.Clock.Now
	svc2 := docket.New(other, court.DefaultProfile())
	svc2.Now = e.Clock.Now

	e.Clock.Set(answerDue0.Add(time.Second)) // evidence closed and answer overdue
	var wg sync.WaitGroup
	var mu sync.Mutex
	var all []docket.Applied
	for i := range 4 {
		svc := e.Svc
		if i%2 == 1 {
			svc = svc2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := svc.ApplyDeadlines(ctx)
			if err != nil {
				t.Errorf("ApplyDeadlines: %v", err)
			}
			mu.Lock()
			all = append(all, done...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if got := len(all); got != 2*n {
		t.Errorf("applied by four runs at once: got %d, want %d (%s)", got, 2*n, appliedList(all))
	}
	for _, id := range ids {
		for _, k := range []string{docket.EntryAnswerOverdue, docket.EntryEvidenceClosed} {
			if got := countEntries(t, e, id, k); got != 1 {
				t.Errorf("case %d: got %d %s entries, want 1", id, got, k)
			}
		}
		if got := len(caseNotices(t, e, e.U["judge1"].ID, id, docket.NoticeAnswerOverdue)); got != 1 {
			t.Errorf("case %d: got %d answer_overdue notices to the judge, want 1", id, got)
		}
	}

	// Close and reopen: what was applied stays applied.
	if err := e.DB.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(ctx, e.Path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = e.Clock.Now
	svc := docket.New(db, court.DefaultProfile())
	svc.Now = e.Clock.Now
	if done := mustApplyDeadlines(t, svc); len(done) != 0 {
		t.Errorf("after reopening: got %s, want nothing", appliedList(done))
	}
	e.Clock.Set(concludeBy0.Add(time.Second))
	done := mustApplyDeadlines(t, svc)
	if len(done) != n {
		t.Errorf("after the time limit: got %d applied (%s), want %d limit_passed", len(done), appliedList(done), n)
	}
	for _, a := range done {
		if a.Kind != docket.EntryLimitPassed || !a.Due.Equal(concludeBy0) {
			t.Errorf("applied: got %+v, want limit_passed due %v", a, concludeBy0)
		}
	}
	if done := mustApplyDeadlines(t, svc2); len(done) != 0 {
		t.Errorf("the other connection afterwards: got %s, want nothing", appliedList(done))
	}
}

// TestApplyDeadlinesBatches applies more expiries than one batch reads.
func TestApplyDeadlinesBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("many cases")
	}
	ctx := context.Background()
	e := MustEnv(t)
	const n = 520 // more than one batch of 500
	for i := range n {
		c := MustFile(t, e, "claimant1", filing(fmt.Sprintf("B-%d", i)), true)
		if _, err := e.Svc.Review(ctx, e.U["clerk1"], c.ID, court.ActAccept, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.Clock.Set(evidenceDue0.Add(time.Second))
	if got := len(mustApplyDeadlines(t, e.Svc)); got != n {
		t.Errorf("evidence_closed applied: got %d, want %d", got, n)
	}
	if got := len(mustApplyDeadlines(t, e.Svc)); got != 0 {
		t.Errorf("second run: got %d, want 0", got)
	}
}

func TestExtend(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := build(t, e, "EX-1", "served")
	admin := e.U["admin1"]
	// Only an admin; others who see the case are forbidden, others not
	// told it exists.
	for _, u := range []string{"clerk1", "judge1", "claimant1", "mediator1"} {
		_, err := e.Svc.Extend(ctx, e.U[u], c.ID, "案情复杂")
		MustCourtError(t, err, court.EFORBIDDEN)
	}
	_, err := e.Svc.Extend(ctx, e.U["claimant2"], c.ID, "案情复杂")
	MustCourtError(t, err, court.ENOTFOUND)
	_, err = e.Svc.Extend(ctx, admin, c.ID, " ")
	MustCourtError(t, err, court.EINVALID)
	if got := mustCase(t, e, c.ID).ConcludeBy; !got.Equal(concludeBy0) {
		t.Fatalf("conclude_by after refusals: got %v, want %v", got, concludeBy0)
	}

	// The limit passes first; then the president extends it.
	e.Clock.Set(concludeBy0.Add(time.Hour))
	if got, w := appliedList(mustApplyDeadlines(t, e.Svc)), wantApplied(docket.EntryAnswerOverdue, c.ID, docket.EntryEvidenceClosed, c.ID, docket.EntryLimitPassed, c.ID); got != w {
		t.Fatalf("after the limit: got %s, want %s", got, w)
	}
	c2, err := e.Svc.Extend(ctx, admin, c.ID, "案情复杂，需要鉴定以外的补充调查")
	if err != nil {
		t.Fatalf("Extend by the admin: %v", err)
	}
	newLimit := time.Date(2026, 6, 2, 15, 59, 59, 999999000, time.UTC)
	if c2.ConcludeBy == nil || !c2.ConcludeBy.Equal(newLimit) {
		t.Fatalf("conclude_by: got %v, want %v", c2.ConcludeBy, newLimit)
	}
	_, err = e.Svc.Extend(ctx, admin, c.ID, "再次延长")
	if ce := MustCourtError(t, err, court.ECONFLICT); ce.Msg.Key != "err.already_extended" {
		t.Errorf("second extension: got %q, want err.already_extended", ce.Msg.Key)
	}
	es, err := e.DB.Docket(ctx, c.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	if last.Kind != docket.EntryExtended || !last.Public || last.Data["To"] != newLimit.Format(time.RFC3339Nano) ||
		last.Data["From"] != concludeBy0.Format(time.RFC3339Nano) || last.ActorRole != string(court.RoleAdmin) {
		t.Errorf("extended entry: got %+v, want a public admin entry from %v to %v", last, concludeBy0, newLimit)
	}
	// Nothing until the new limit; then it fires again, once.
	e.Clock.Set(newLimit)
	if done := mustApplyDeadlines(t, e.Svc); len(done) != 0 {
		t.Errorf("at the new limit: got %s, want nothing", appliedList(done))
	}
	e.Clock.Set(newLimit.Add(time.Microsecond))
	if got, w := appliedList(mustApplyDeadlines(t, e.Svc)), wantApplied(docket.EntryLimitPassed, c.ID); got != w {
		t.Errorf("after the new limit: got %s, want %s", got, w)
	}
	if got := countEntries(t, e, c.ID, docket.EntryLimitPassed); got != 2 {
		t.Errorf("limit_passed entries: got %d, want 2 (one per limit)", got)
	}
	if got := len(caseNotices(t, e, e.U["clerk1"].ID, c.ID, docket.NoticeLimitPassed)); got != 2 {
		t.Errorf("limit_passed notices to the clerk: got %d, want 2", got)
	}

	// A final case cannot be extended.
	settled := build(t, e, "EX-2", "settled")
	_, err = e.Svc.Extend(ctx, admin, settled.ID, "案情复杂")
	MustCourtError(t, err, court.ECONFLICT)
}

func TestExtendEndOfMonth(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	// Accepted at 10:00 on 31 March: the limit is 31 May, extended by a
	// month to 30 June (June has no 31st).
	e.Clock.Set(time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC))
	c := build(t, e, "EOM-1", "served")
	if want := time.Date(2026, 5, 31, 15, 59, 59, 999999000, time.UTC); !c.ConcludeBy.Equal(want) {
		t.Fatalf("conclude_by: got %v, want %v", c.ConcludeBy, want)
	}
	// Extended before the limit passes: the old limit never fires.
	c, err := e.Svc.Extend(ctx, e.U["admin1"], c.ID, "当事人申请延期")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 6, 30, 15, 59, 59, 999999000, time.UTC)
	if !c.ConcludeBy.Equal(want) {
		t.Fatalf("extended conclude_by: got %v, want %v", c.ConcludeBy, want)
	}
	e.Clock.Set(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	mustApplyDeadlines(t, e.Svc)
	if got := countEntries(t, e, c.ID, docket.EntryLimitPassed); got != 0 {
		t.Errorf("limit_passed after the old limit: got %d, want 0", got)
	}
	e.Clock.Set(want.Add(time.Second))
	mustApplyDeadlines(t, e.Svc)
	if got := countEntries(t, e, c.ID, docket.EntryLimitPassed); got != 1 {
		t.Errorf("limit_passed after the new limit: got %d, want 1", got)
	}
}

func TestExtendConcurrent(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	c := build(t, e, "EXC-1", "served")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.Svc.Extend(ctx, e.U["admin1"], c.ID, "案情复杂")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			MustCourtError(t, err, court.ECONFLICT)
		}
	}
	if ok != 1 {
		t.Errorf("concurrent extensions: got %d made, want 1", ok)
	}
	if got, want := mustCase(t, e, c.ID).ConcludeBy, concludeBy0.AddDate(0, 1, 0); !got.Equal(want) {
		t.Errorf("conclude_by: got %v, want %v", got, want)
	}
}

// items renders a docket as "order kind [overdue]" lines.
func itemList(its []docket.DeadlineItem) []string {
	out := []string{}
	for _, it := range its {
		s := it.Case.OrderRef + " " + it.Kind
		if it.Overdue {
			s += " overdue"
		}
		out = append(out, s)
	}
	return out
}

func TestJudgeDocketAndOverdue(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	judge, clerk := e.U["judge1"], e.U["clerk1"]
	a := build(t, e, "A", "served")
	c := build(t, e, "C", "answered")
	build(t, e, "D", "settled")
	e.Clock.Set(t0.Add(72 * time.Hour)) // accepted three days later
	build(t, e, "B", "served")
	// Served, with no judge: on no judge's docket, but the clerk's.
	MustReview(t, e, "clerk1", MustFile(t, e, "claimant2", filing("E"), true).ID, court.ActAccept, "")

	steps := []struct {
		at      time.Time
		judge   []string
		overdue []string
	}{
		// Evidence periods first: A and C end 9 March, B 12 March.
		{t0.Add(96 * time.Hour), []string{"A evidence_due", "C evidence_due", "B evidence_due"}, []string{}},
		// A's and C's evidence closed: A's answer (17 March), C's limit.
		{time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), []string{"B evidence_due", "A answer_due", "C conclude_by"}, []string{}},
		// A unanswered past its deadline: overdue, first.
		{answerDue0.Add(time.Second), []string{"A answer_due overdue", "B answer_due", "C conclude_by"}, []string{"A answer_due overdue"}},
		// Everything past: the longest overdue first.
		{concludeBy0.AddDate(0, 0, 5), []string{"A answer_due overdue", "B answer_due overdue", "C conclude_by overdue"},
			[]string{"A answer_due overdue", "B answer_due overdue", "E answer_due overdue", "C conclude_by overdue"}},
	}
	for _, st := range steps {
		e.Clock.Set(st.at)
		got, err := e.Svc.JudgeDocket(ctx, judge, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(itemList(got)) != fmt.Sprint(st.judge) {
			t.Errorf("judge docket at %v: got %q, want %q", st.at, itemList(got), st.judge)
		}
		od, err := e.Svc.Overdue(ctx, clerk, 0)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(itemList(od)) != fmt.Sprint(st.overdue) {
			t.Errorf("overdue at %v: got %q, want %q", st.at, itemList(od), st.overdue)
		}
	}
	got, err := e.Svc.JudgeDocket(ctx, judge, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Case.ID != a.ID || !got[0].Due.Equal(answerDue0) {
		t.Errorf("judge docket limit 2: got %q, want A then B", itemList(got))
	}
	if od, err := e.Svc.Overdue(ctx, e.U["admin1"], 1); err != nil || len(od) != 1 || od[0].Case.ID != a.ID {
		t.Errorf("overdue for the admin, limit 1: got %q, %v; want A", itemList(od), err)
	}
	// The docket follows the extension.
	if _, err := e.Svc.Extend(ctx, e.U["admin1"], c.ID, "案情复杂"); err != nil {
		t.Fatal(err)
	}
	got, err = e.Svc.JudgeDocket(ctx, judge, 0)
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"A answer_due overdue", "B answer_due overdue", "C conclude_by"}; fmt.Sprint(itemList(got)) != fmt.Sprint(w) {
		t.Errorf("judge docket after extending C: got %q, want %q", itemList(got), w)
	}
	for _, u := range []string{"clerk1", "claimant1", "admin1", "mediator1"} {
		_, err := e.Svc.JudgeDocket(ctx, e.U[u], 0)
		MustCourtError(t, err, court.ENOTFOUND)
	}
	for _, u := range []string{"judge1", "claimant1", "merchant1"} {
		_, err := e.Svc.Overdue(ctx, e.U[u], 0)
		MustCourtError(t, err, court.ENOTFOUND)
	}
}

package storage_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// MustCaseWithDeadlines files and serves a case of claimant with the given
// deadlines.
func MustCaseWithDeadlines(tb testing.TB, db *storage.DB, claimant *court.User, order string, answer, evidence, limit time.Time) *court.Case {
	tb.Helper()
	c := MustCreateCase(tb, db, newCase(claimant, codeA, order, court.CaseSubmitted))
	ch := serve(2026)
	ch.Set["answer_due"], ch.Set["evidence_due"], ch.Set["conclude_by"] = answer, evidence, limit
	return MustChange(tb, db, c.ID, ch)
}

func dueIDs(tb testing.TB, db *storage.DB, q storage.DueQuery) []int64 {
	tb.Helper()
	cs, err := db.DueCases(context.Background(), q)
	if err != nil {
		tb.Fatalf("DueCases(%+v): %v", q, err)
	}
	ids := []int64{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestDueCases(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	claimant := MustCreateUser(t, db, "claimant", court.RoleClaimant, court.StatusActive)
	d1 := t0.Add(time.Hour)
	a := MustCaseWithDeadlines(t, db, claimant, "A", d1, d1, d1)
	b := MustCaseWithDeadlines(t, db, claimant, "B", d1.Add(time.Hour), d1, d1)
	answered := MustCaseWithDeadlines(t, db, claimant, "C", d1, d1, d1)
	MustChange(t, db, answered.ID, storage.Change{From: court.CaseServed, To: court.CaseAnswered})
	if got := mustCase(t, db, a.ID).EvidenceDue; got == nil || !got.Equal(d1) {
		t.Fatalf("evidence_due: got %v, want %v", got, d1)
	}
	served := []court.CaseStatus{court.CaseServed}
	pending := []court.CaseStatus{court.CaseServed, court.CaseAnswered}
	cases := []struct {
		name string
		q    storage.DueQuery
		want []int64
	}{
		{"at the deadline nothing is due", storage.DueQuery{Column: "answer_due", Status: served, Now: d1}, []int64{}},
		{"a microsecond later", storage.DueQuery{Column: "answer_due", Status: served, Now: d1.Add(time.Microsecond)}, []int64{a.ID}},
		{"in deadline order", storage.DueQuery{Column: "answer_due", Status: served, Now: d1.Add(2 * time.Hour)}, []int64{a.ID, b.ID}},
		{"limit", storage.DueQuery{Column: "answer_due", Status: served, Now: d1.Add(2 * time.Hour), Limit: 1}, []int64{a.ID}},
		{"by state", storage.DueQuery{Column: "evidence_due", Status: pending, Now: d1.Add(time.Second)}, []int64{a.ID, b.ID, answered.ID}},
		{"answered only", storage.DueQuery{Column: "conclude_by", Status: []court.CaseStatus{court.CaseAnswered}, Now: d1.Add(time.Second)}, []int64{answered.ID}},
	}
	for _, tc := range cases {
		if got := dueIDs(t, db, tc.q); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, q := range []storage.DueQuery{{Column: "facts; DROP TABLE cases", Status: served}, {Column: "answer_due"}} {
		if _, err := db.DueCases(ctx, q); err == nil {
			t.Errorf("DueCases(%+v): got no error, want a refusal", q)
		}
	}
}

// answerExpiry is an expiry of case c's answer deadline that records one entry
// and a notice to the claimant, while the case is served.
func answerExpiry(c *court.Case, due time.Time) storage.Expiry {
	id := c.ID
	return storage.Expiry{CaseID: c.ID, Kind: "answer_overdue:" + due.Format("2006-01-02"), Due: due,
		Build: func(c *court.Case) ([]storage.Entry, []storage.Notice, bool) {
			if c.Status != court.CaseServed {
				return nil, nil, false
			}
			return []storage.Entry{{ActorRole: "system", Kind: "answer_overdue", Public: true}},
				[]storage.Notice{{UserID: c.ClaimantID, CaseID: &id, Kind: "answer_overdue"}}, true
		}}
}

func TestApplyExpiryOnce(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	claimant := MustCreateUser(t, db, "claimant", court.RoleClaimant, court.StatusActive)
	d1 := t0.Add(time.Hour)
	c := MustCaseWithDeadlines(t, db, claimant, "A", d1, d1, d1)
	q := storage.DueQuery{Column: "answer_due", Status: []court.CaseStatus{court.CaseServed}, Now: d1.Add(time.Second), Kind: "answer_overdue"}
	if got := dueIDs(t, db, q); len(got) != 1 {
		t.Fatalf("before applying: got due %v, want [%d]", got, c.ID)
	}
	entries0 := countRows(t, db, "docket_entries")

	// Four at once: one applies it.
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := db.ApplyExpiry(ctx, answerExpiry(c, d1))
			if err != nil {
				t.Errorf("ApplyExpiry: %v", err)
			}
			if ok {
				mu.Lock()
				applied++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if applied != 1 {
		t.Fatalf("concurrent ApplyExpiry: got %d applied, want 1", applied)
	}
	if ok, err := db.ApplyExpiry(ctx, answerExpiry(c, d1)); err != nil || ok {
		t.Errorf("ApplyExpiry again: got %v, %v; want false, nil", ok, err)
	}
	if got, want := countRows(t, db, "docket_entries"), entries0+1; got != want {
		t.Errorf("docket entries: got %d, want %d", got, want)
	}
	if got := countRows(t, db, "notifications"); got != 1 {
		t.Errorf("notifications: got %d, want 1", got)
	}
	evs, err := db.DeadlineEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != "answer_overdue:"+d1.Format("2006-01-02") || !evs[0].Due.Equal(d1) || !evs[0].AppliedAt.Equal(t0) {
		t.Errorf("deadline events: got %+v, want one answer_overdue due %v applied at %v", evs, d1, t0)
	}
	// Applied, it is no longer due for the scheduler, but still past due.
	if got := dueIDs(t, db, q); len(got) != 0 {
		t.Errorf("after applying: got due %v, want none", got)
	}
	q.Kind = ""
	if got := dueIDs(t, db, q); len(got) != 1 || got[0] != c.ID {
		t.Errorf("past due without Kind: got %v, want [%d]", got, c.ID)
	}

	// The deadline moved: the same kind on a new date is due again.
	d2 := d1.Add(48 * time.Hour)
	MustChange(t, db, c.ID, storage.Change{From: court.CaseServed, To: court.CaseServed, Set: map[string]any{"answer_due": d2}})
	q.Kind, q.Now = "answer_overdue", d2.Add(time.Second)
	if got := dueIDs(t, db, q); len(got) != 1 {
		t.Errorf("moved deadline: got due %v, want [%d]", got, c.ID)
	}
	if ok, err := db.ApplyExpiry(ctx, answerExpiry(c, d2)); err != nil || !ok {
		t.Errorf("ApplyExpiry of the moved deadline: got %v, %v; want true, nil", ok, err)
	}
}

func TestApplyExpiryDeclinedOrFailedRecordsNothing(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	claimant := MustCreateUser(t, db, "claimant", court.RoleClaimant, court.StatusActive)
	d1 := t0.Add(time.Hour)
	answered := MustCaseWithDeadlines(t, db, claimant, "A", d1, d1, d1)
	MustChange(t, db, answered.ID, storage.Change{From: court.CaseServed, To: court.CaseAnswered})
	entries0 := countRows(t, db, "docket_entries")
	if ok, err := db.ApplyExpiry(ctx, answerExpiry(answered, d1)); err != nil || ok {
		t.Errorf("ApplyExpiry on an answered case: got %v, %v; want false, nil", ok, err)
	}
	// A notice to a user who does not exist fails the transaction: the
	// event must not be recorded without its entry.
	c := MustCaseWithDeadlines(t, db, claimant, "B", d1, d1, d1)
	entries0 = countRows(t, db, "docket_entries")
	x := answerExpiry(c, d1)
	x.Build = func(c *court.Case) ([]storage.Entry, []storage.Notice, bool) {
		return []storage.Entry{{ActorRole: "system", Kind: "answer_overdue", Public: true}},
			[]storage.Notice{{UserID: 999_999, Kind: "answer_overdue"}}, true
	}
	if ok, err := db.ApplyExpiry(ctx, x); err == nil || ok {
		t.Errorf("ApplyExpiry with a bad notice: got %v, %v; want false and an error", ok, err)
	}
	if got := countRows(t, db, "deadline_events"); got != 0 {
		t.Errorf("deadline events: got %d, want 0", got)
	}
	if got := countRows(t, db, "docket_entries"); got != entries0 {
		t.Errorf("docket entries after the failure: got %d, want %d", got, entries0)
	}
	if ok, err := db.ApplyExpiry(ctx, answerExpiry(c, d1)); err != nil || !ok {
		t.Errorf("ApplyExpiry after the failure: got %v, %v; want true, nil", ok, err)
	}
}

func TestExtendCaseOnce(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	claimant := MustCreateUser(t, db, "claimant", court.RoleClaimant, court.StatusActive)
	d1 := t0.Add(time.Hour)
	c := MustCaseWithDeadlines(t, db, claimant, "A", d1, d1, d1)
	to := d1.AddDate(0, 1, 0)
	ext := storage.Extension{CaseID: c.ID, Build: func(c *court.Case) (time.Time, []storage.Entry, []storage.Notice, error) {
		return to, []storage.Entry{{ActorRole: "admin", Kind: "extended", Public: true}}, nil, nil
	}}
	// A refusal of Build changes nothing.
	bad := ext
	bad.Build = func(c *court.Case) (time.Time, []storage.Entry, []storage.Notice, error) {
		return time.Time{}, nil, nil, court.Errorf(court.ECONFLICT, "err.transition")
	}
	_, err := db.ExtendCase(ctx, bad)
	MustCourtError(t, err, court.ECONFLICT)
	if got := mustCase(t, db, c.ID).ConcludeBy; !got.Equal(d1) {
		t.Fatalf("conclude_by after a refused extension: got %v, want %v", got, d1)
	}

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = db.ExtendCase(ctx, ext) }()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if ce := MustCourtError(t, err, court.ECONFLICT); ce.Msg.Key != "err.already_extended" {
			t.Errorf("second extension: got %q, want err.already_extended", ce.Msg.Key)
		}
	}
	if ok != 1 {
		t.Fatalf("concurrent extensions: got %d made, want 1", ok)
	}
	if got := mustCase(t, db, c.ID).ConcludeBy; got == nil || !got.Equal(to) {
		t.Errorf("conclude_by: got %v, want %v", got, to)
	}
	es, err := db.Docket(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(fmt.Sprint(entryKindsOf(es)), "extended"); n != 1 {
		t.Errorf("extended entries: got %d, want 1", n)
	}
}

func entryKindsOf(es []storage.Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

// TestDueCasesPlan checks that the scheduler's queries read the (status,
// deadline) indexes, and that with 100,000 cases, of which 50 are due, a
// run reads the due ones only.
func TestDueCasesPlan(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	claimant := MustCreateUser(t, db, "claimant", court.RoleClaimant, court.StatusActive)
	MustCaseWithDeadlines(t, db, claimant, "seed", t0, t0, t0) // the organisation
	pending := []court.CaseStatus{court.CaseServed, court.CaseAnswered}
	for col, status := range map[string][]court.CaseStatus{"answer_due": {court.CaseServed}, "evidence_due": pending, "conclude_by": pending} {
		q, args, err := storage.DueSQL(storage.DueQuery{Column: col, Status: status, Now: t0, Kind: "x"})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Readers().QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if want := "INDEX cases_" + col; !strings.Contains(p, want) || strings.Contains(p, "SCAN cases") {
			t.Errorf("%s plan: got %q, want a search of %s and no scan of cases", col, p, want)
		}
	}
	if testing.Short() {
		t.Skip("100,000 cases: not in -short")
	}
	// 100,000 cases: most concluded, some pending with deadlines to come,
	// 50 past their answer deadline.
	if _, err := db.Writer().ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		INSERT INTO cases (status, claimant_id, filed_by_id, organization_id, merchant_name, credit_code, category, facts,
			refund, compensation, costs, total, fee, service_consent, created_at, updated_at, answer_due, evidence_due, conclude_by)
		SELECT CASE WHEN i % 10 = 0 THEN 'served' WHEN i % 10 = 1 THEN 'answered' ELSE 'settled' END,
			?, ?, (SELECT organization_id FROM cases LIMIT 1), 'm', ?, 'other', 'facts', 100, 0, 0, 100, 25, TRUE, ?, ?,
			CASE WHEN i <= 500 THEN ? ELSE ? END, ?, ?
		FROM n`, claimant.ID, claimant.ID, codeA, t0, t0, t0.Add(-time.Hour), t0.Add(24*time.Hour),
		t0.Add(24*time.Hour), t0.Add(60*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got := dueIDs(t, db, storage.DueQuery{Column: "answer_due", Status: []court.CaseStatus{court.CaseServed}, Now: t0, Kind: "answer_overdue", Limit: 1000})
	took := time.Since(start)
	if len(got) != 50 {
		t.Errorf("due among 100,000: got %d, want 50", len(got))
	}
	for _, col := range []string{"evidence_due", "conclude_by"} {
		if got := dueIDs(t, db, storage.DueQuery{Column: col, Status: pending, Now: t0, Kind: "x"}); len(got) != 0 {
			t.Errorf("%s due: got %d, want 0", col, len(got))
		}
	}
	t.Logf("due query over 100,000 cases: %v", took)
}

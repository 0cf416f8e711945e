package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

const (
	codeA = "91350100M000100Y43"
	codeB = "91110000802100433B"
)

// newCase is a submitted case of claimant against the organisation with the
// given credit code for an order.
func newCase(claimant *court.User, creditCode, orderRef string, status court.CaseStatus) *storage.NewCase {
	var submitted *time.Time
	if status != court.CaseDraft {
		s := t0
		submitted = &s
	}
	return &storage.NewCase{Case: court.Case{
		Status: status, ClaimantID: claimant.ID, FiledByID: claimant.ID,
		MerchantName: "杭州西湖龙井茶业有限公司", CreditCode: creditCode, Platform: "抖音", OrderRef: orderRef,
		Category: court.CatCounterfeit, Facts: "直播间购买的茶叶是假的。", PurchaseDate: "2026-02-14",
		Refund: 128_000, Compensation: 50_000, Costs: 2_000, Total: 180_000, Fee: 2_500, SubmittedAt: submitted,
	}}
}

// MustCreateCase stores nc and returns the case.
func MustCreateCase(tb testing.TB, db *storage.DB, nc *storage.NewCase) *court.Case {
	tb.Helper()
	c, err := db.CreateCase(context.Background(), nc)
	if err != nil {
		tb.Fatalf("CreateCase(order %q): %v", nc.Case.OrderRef, err)
	}
	return c
}

// MustChange applies ch to case id.
func MustChange(tb testing.TB, db *storage.DB, id int64, ch storage.Change) *court.Case {
	tb.Helper()
	c, err := db.ChangeCase(context.Background(), id, ch)
	if err != nil {
		tb.Fatalf("ChangeCase(%d, %s -> %s): %v", id, ch.From, ch.To, err)
	}
	return c
}

func mustCase(tb testing.TB, db *storage.DB, id int64) *court.Case {
	tb.Helper()
	c, err := db.CaseByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("CaseByID(%d): %v", id, err)
	}
	return c
}

var profile = court.DefaultProfile()

// serve is the change of an acceptance in year: a docket number and the
// given entries and notices.
func serve(year int) storage.Change {
	return storage.Change{From: court.CaseSubmitted, To: court.CaseServed, Docket: true, Year: year,
		Number: profile.DocketNumber, Set: map[string]any{"accepted_at": t0, "served_at": t0}}
}

func TestCreateCase(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	clerk := MustCreateUser(t, db, "clerk", court.RoleClerk, "")

	nc := newCase(alice, codeA, "DY-1", court.CaseSubmitted)
	nc.VillagerConsent = true
	aid := alice.ID
	nc.Entries = []storage.Entry{
		{ActorID: &aid, ActorRole: "claimant", Kind: "filed", Public: true, Data: map[string]any{"Total": "¥1,800.00"}},
		{ActorRole: "system", Kind: "note", Public: false, Text: "内部备注"},
	}
	c := MustCreateCase(t, db, nc)
	if c.ID <= 0 || c.OrgID <= 0 {
		t.Fatalf("ID = %d, OrgID = %d; want both > 0", c.ID, c.OrgID)
	}
	if !c.CreatedAt.Equal(t0) || !c.UpdatedAt.Equal(t0) {
		t.Errorf("CreatedAt, UpdatedAt = %v, %v; want %v (the DB clock)", c.CreatedAt, c.UpdatedAt, t0)
	}
	got := mustCase(t, db, c.ID)
	if !reflect.DeepEqual(got, c) {
		t.Errorf("CaseByID =\n%+v\nwant what CreateCase returned\n%+v", got, c)
	}
	want := nc.Case
	want.ID, want.OrgID, want.CreatedAt, want.UpdatedAt, want.FeeStatus = c.ID, c.OrgID, t0, t0, "unpaid"
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("CaseByID =\n%+v\nwant\n%+v", got, &want)
	}
	var service, villager bool
	if err := db.Writer().QueryRow(`SELECT service_consent, villager_consent FROM cases WHERE id = ?`, c.ID).Scan(&service, &villager); err != nil {
		t.Fatal(err)
	}
	if !service || !villager {
		t.Errorf("service_consent, villager_consent = %v, %v; want true, true", service, villager)
	}

	// The organisation was created from the filing.
	org, err := db.OrganizationByID(ctx, c.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if org.CreditCode != codeA || org.Name != "杭州西湖龙井茶业有限公司" || !org.CreatedAt.Equal(t0) {
		t.Errorf("organisation = %+v, want %s 杭州西湖龙井茶业有限公司 created at %v", org, codeA, t0)
	}
	entries, err := db.Docket(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Kind != "filed" || entries[1].Kind != "note" {
		t.Fatalf("docket = %+v, want filed then note", entries)
	}

	// A second case against the same code reuses it, whatever name the
	// claimant typed.
	nc2 := newCase(alice, codeA, "DY-2", court.CaseDraft)
	nc2.Case.MerchantName = "西湖龙井茶业"
	c2 := MustCreateCase(t, db, nc2)
	if c2.OrgID != c.OrgID {
		t.Errorf("second case OrgID = %d, want %d (the same organisation)", c2.OrgID, c.OrgID)
	}
	if n := countRows(t, db, "organizations"); n != 1 {
		t.Errorf("organizations = %d, want 1", n)
	}
	if org2, _ := db.OrganizationByID(ctx, c.OrgID); org2.Name != "杭州西湖龙井茶业有限公司" {
		t.Errorf("organisation name = %q, want it unchanged", org2.Name)
	}
	if got := mustCase(t, db, c2.ID); got.MerchantName != "西湖龙井茶业" || got.SubmittedAt != nil || got.Status != court.CaseDraft {
		t.Errorf("draft = %+v, want merchant name as typed, not submitted", got)
	}

	// An organisation whose staff registered first is found by its code.
	m, _ := MustCreateMerchant(t, db, "shop", codeB)
	c3 := MustCreateCase(t, db, newCase(alice, codeB, "TB-1", court.CaseSubmitted))
	if c3.OrgID != *m.OrganizationID {
		t.Errorf("case against a registered merchant: OrgID = %d, want %d", c3.OrgID, *m.OrganizationID)
	}
	if n := countRows(t, db, "organizations"); n != 2 {
		t.Errorf("organizations = %d, want 2", n)
	}

	// The database refuses a total that is not the sum, and the refused
	// filing leaves nothing behind: not the new organisation it named, not
	// its entries.
	codeC := "91330102MA2H3K7Q1" + string(court.CreditCodeCheck("91330102MA2H3K7Q1"))
	bad := newCase(clerk, codeC, "X", court.CaseSubmitted)
	bad.Case.Total = 1
	bad.Entries = []storage.Entry{{ActorRole: "claimant", Kind: "filed", Public: true}}
	orgs, nEntries := countRows(t, db, "organizations"), countRows(t, db, "docket_entries")
	if _, err := db.CreateCase(ctx, bad); err == nil {
		t.Errorf("CreateCase with total != refund + compensation + costs: got nil error, want a CHECK failure")
	}
	if got := countRows(t, db, "organizations"); got != orgs {
		t.Errorf("organizations after a refused filing = %d, want %d", got, orgs)
	}
	if got := countRows(t, db, "docket_entries"); got != nEntries {
		t.Errorf("docket entries after a refused filing = %d, want %d", got, nEntries)
	}
	if _, err := db.CaseByID(ctx, 9999); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("CaseByID(missing): got %v, want ENOTFOUND", err)
	}
}

func TestOpenClaimConflict(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	bob := MustCreateUser(t, db, "bob", court.RoleClaimant, "")
	first := MustCreateCase(t, db, newCase(alice, codeA, "DY-1", court.CaseSubmitted))

	conflict := func(t *testing.T, nc *storage.NewCase, wantID int64) {
		t.Helper()
		cases, entries, orgs := countRows(t, db, "cases"), countRows(t, db, "docket_entries"), countRows(t, db, "organizations")
		nc.Entries = []storage.Entry{{ActorRole: "claimant", Kind: "filed", Public: true}}
		_, err := db.CreateCase(ctx, nc)
		e := MustCourtError(t, err, court.ECONFLICT)
		if e.Msg.Key != "err.open_claim" || e.Msg.Args["CaseID"] != wantID {
			t.Errorf("message = %s %v, want err.open_claim with CaseID %d", e.Msg.Key, e.Msg.Args, wantID)
		}
		if f := e.Fields["order_ref"]; f.Key != "err.open_claim" || f.Args["CaseID"] != wantID {
			t.Errorf("order_ref field = %v, want err.open_claim with CaseID %d", f, wantID)
		}
		if got := countRows(t, db, "cases"); got != cases {
			t.Errorf("cases = %d after the conflict, want %d", got, cases)
		}
		if got := countRows(t, db, "docket_entries"); got != entries {
			t.Errorf("docket entries = %d after the conflict, want %d", got, entries)
		}
		if got := countRows(t, db, "organizations"); got != orgs {
			t.Errorf("organizations = %d after the conflict, want %d", got, orgs)
		}
	}

	t.Run("same claimant, merchant and order", func(t *testing.T) {
		conflict(t, newCase(alice, codeA, "DY-1", court.CaseSubmitted), first.ID)
		conflict(t, newCase(alice, codeA, "DY-1", court.CaseDraft), first.ID)
	})
	t.Run("others do not conflict", func(t *testing.T) {
		MustCreateCase(t, db, newCase(alice, codeA, "DY-2", court.CaseSubmitted)) // another order
		MustCreateCase(t, db, newCase(bob, codeA, "DY-1", court.CaseSubmitted))   // another claimant
		MustCreateCase(t, db, newCase(alice, codeB, "DY-1", court.CaseSubmitted)) // another merchant
	})
	t.Run("empty order ref never conflicts", func(t *testing.T) {
		for range 3 {
			MustCreateCase(t, db, newCase(alice, codeA, "", court.CaseSubmitted))
		}
	})
	t.Run("a draft is open", func(t *testing.T) {
		d := MustCreateCase(t, db, newCase(alice, codeA, "DRAFT-1", court.CaseDraft))
		conflict(t, newCase(alice, codeA, "DRAFT-1", court.CaseSubmitted), d.ID)
	})
	for _, closed := range []struct {
		via  []court.CaseStatus
		name string
	}{
		{[]court.CaseStatus{court.CaseSubmitted, court.CaseWithdrawn}, "withdrawn"},
		{[]court.CaseStatus{court.CaseSubmitted, court.CaseRejected}, "rejected"},
		{[]court.CaseStatus{court.CaseSubmitted, court.CaseServed, court.CaseSettled}, "settled"},
	} {
		t.Run("a "+closed.name+" case does not block", func(t *testing.T) {
			order := "CLOSED-" + closed.name
			c := MustCreateCase(t, db, newCase(alice, codeA, order, court.CaseSubmitted))
			for i := 1; i < len(closed.via); i++ {
				MustChange(t, db, c.ID, storage.Change{From: closed.via[i-1], To: closed.via[i]})
			}
			again := MustCreateCase(t, db, newCase(alice, codeA, order, court.CaseSubmitted))
			// The open one is the one named now, not the closed one.
			conflict(t, newCase(alice, codeA, order, court.CaseSubmitted), again.ID)
		})
	}
	t.Run("reopening a closed case conflicts with the open one", func(t *testing.T) {
		// The index holds for any change, not only for inserts.
		c := MustCreateCase(t, db, newCase(bob, codeB, "R-1", court.CaseSubmitted))
		MustChange(t, db, c.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseWithdrawn})
		MustCreateCase(t, db, newCase(bob, codeB, "R-1", court.CaseSubmitted))
		if _, err := db.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseWithdrawn, To: court.CaseSubmitted}); err == nil {
			t.Errorf("reopening a second open claim on R-1: got nil error, want a constraint failure")
		}
	})
}

func TestChangeCaseStale(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	m, _ := MustCreateMerchant(t, db, "shop", codeA)
	c := MustCreateCase(t, db, newCase(alice, codeA, "DY-1", court.CaseSubmitted))
	before := mustCase(t, db, c.ID)

	cid := c.ID
	ch := serve(2026)
	ch.From = court.CaseDraft // stale: the case is submitted
	ch.Set["reason"] = "should not be written"
	ch.Entries = []storage.Entry{{ActorRole: "clerk", Kind: "accepted", Public: true}}
	ch.Notify = []storage.Notice{{UserID: m.ID, CaseID: &cid, Kind: "served"}}
	db.Now = func() time.Time { return t0.Add(time.Hour) }
	_, err := db.ChangeCase(ctx, c.ID, ch)
	e := MustCourtError(t, err, court.ECONFLICT)
	if e.Msg.Key != "err.case_changed" {
		t.Errorf("key = %s, want err.case_changed", e.Msg.Key)
	}
	if after := mustCase(t, db, c.ID); !reflect.DeepEqual(after, before) {
		t.Errorf("case after a stale change =\n%+v\nwant unchanged\n%+v", after, before)
	}
	for table, want := range map[string]int{"docket_entries": 0, "notifications": 0, "docket_counters": 0} {
		if got := countRows(t, db, table); got != want {
			t.Errorf("%s = %d rows after a stale change, want %d", table, got, want)
		}
	}
	if _, err := db.ChangeCase(ctx, 9999, serve(2026)); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("ChangeCase(missing case): got %v, want ECONFLICT", err)
	}

	// The number the stale change did not take is the next one given.
	got := MustChange(t, db, c.ID, serve(2026))
	if got.DocketNo != "(2026)浙0102民初1号" || got.Status != court.CaseServed {
		t.Errorf("after acceptance: docket %q, status %s; want (2026)浙0102民初1号, served", got.DocketNo, got.Status)
	}
	if !got.UpdatedAt.Equal(t0.Add(time.Hour)) || got.ServedAt == nil || !got.ServedAt.Equal(t0) {
		t.Errorf("UpdatedAt, ServedAt = %v, %v; want %v, %v", got.UpdatedAt, got.ServedAt, t0.Add(time.Hour), t0)
	}
	// A case that already has its number: the second acceptance is stale.
	if _, err := db.ChangeCase(ctx, c.ID, serve(2026)); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("accepting twice: got %v, want ECONFLICT", err)
	}
}

// docketSeqs returns the docket sequence numbers of a year in order, and
// fails when a docket number does not match its sequence.
func docketSeqs(tb testing.TB, db *storage.DB, year int) []int {
	tb.Helper()
	rows, err := db.Writer().Query(`SELECT docket_seq, docket_no FROM cases WHERE docket_year = ? ORDER BY docket_seq`, year)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var seqs []int
	for rows.Next() {
		var seq int
		var no string
		if err := rows.Scan(&seq, &no); err != nil {
			tb.Fatal(err)
		}
		if want := profile.DocketNumber(year, seq); no != want {
			tb.Errorf("docket_no of seq %d = %q, want %q", seq, no, want)
		}
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return seqs
}

func oneTo(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i + 1
	}
	return s
}

func TestDocketNumbersConcurrent(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	const n, workers = 40, 8
	ids := make(chan int64, n)
	for i := range n {
		ids <- MustCreateCase(t, db, newCase(alice, codeA, fmt.Sprintf("DY-%02d", i), court.CaseSubmitted)).ID
	}
	close(ids)
	// Each worker also tries, after each acceptance, a second (stale)
	// acceptance of the case it just served: it must fail and give no number.
	var (
		mu      sync.Mutex
		numbers = map[string]int64{}
		wg      sync.WaitGroup
	)
	errs := make(chan error, 2*n)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ids {
				c, err := db.ChangeCase(ctx, id, serve(2026))
				if err != nil {
					errs <- fmt.Errorf("accept %d: %w", id, err)
					continue
				}
				mu.Lock()
				if other, dup := numbers[c.DocketNo]; dup {
					errs <- fmt.Errorf("docket number %q given to cases %d and %d", c.DocketNo, other, id)
				}
				numbers[c.DocketNo] = id
				mu.Unlock()
				if _, err := db.ChangeCase(ctx, id, serve(2026)); court.ErrorCode(err) != court.ECONFLICT {
					errs <- fmt.Errorf("second acceptance of %d: got %v, want ECONFLICT", id, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := docketSeqs(t, db, 2026); !reflect.DeepEqual(got, oneTo(n)) {
		t.Errorf("2026 sequence numbers = %v, want 1..%d", got, n)
	}
	if len(numbers) != n {
		t.Errorf("distinct docket numbers returned = %d, want %d", len(numbers), n)
	}

	// Another year starts again at 1, and 2026 goes on at 41.
	c27 := MustCreateCase(t, db, newCase(alice, codeA, "Y2027", court.CaseSubmitted))
	if got := MustChange(t, db, c27.ID, serve(2027)); got.DocketNo != "(2027)浙0102民初1号" {
		t.Errorf("first case of 2027 = %q, want (2027)浙0102民初1号", got.DocketNo)
	}
	// A change that fails in the database (here an unknown column) rolls
	// its number back too.
	c26 := MustCreateCase(t, db, newCase(alice, codeA, "Y2026", court.CaseSubmitted))
	broken := serve(2026)
	broken.Set["no_such_column"] = 1
	if _, err := db.ChangeCase(ctx, c26.ID, broken); err == nil {
		t.Fatalf("change with an unknown column: got nil error, want an SQL error")
	}
	if got := MustChange(t, db, c26.ID, serve(2026)); got.DocketNo != "(2026)浙0102民初41号" {
		t.Errorf("next case of 2026 = %q, want (2026)浙0102民初41号", got.DocketNo)
	}
	if got := docketSeqs(t, db, 2027); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("2027 sequence numbers = %v, want [1]", got)
	}
	if got := docketSeqs(t, db, 2026); !reflect.DeepEqual(got, oneTo(n+1)) {
		t.Errorf("2026 sequence numbers = %v, want 1..%d", got, n+1)
	}
}

func TestDocketEntriesAppendOnly(t *testing.T) {
	ctx := context.Background()
	db, path := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	nc := newCase(alice, codeA, "DY-1", court.CaseSubmitted)
	nc.Entries = []storage.Entry{{ActorRole: "claimant", Kind: "filed", Public: true, Text: "原文"}}
	c := MustCreateCase(t, db, nc)

	// Another connection on the file, as a person with sqlite3 would have.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE docket_entries SET text = 'changed'`,
		`UPDATE docket_entries SET public = FALSE WHERE case_id = ` + fmt.Sprint(c.ID),
		`DELETE FROM docket_entries`,
		`DELETE FROM docket_entries WHERE seq = 1`,
	} {
		_, err := raw.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want an error containing \"append-only\"", q, err)
		}
	}
	entries, err := db.Docket(ctx, c.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Text != "原文" || !entries[0].Public {
		t.Errorf("docket after the refused changes = %+v, want the one public entry with text 原文", entries)
	}
	// Appending is still allowed.
	if _, err := raw.Exec(`INSERT INTO docket_entries (case_id, seq, actor_role, kind, at) VALUES (?, 2, 'system', 'x', ?)`, c.ID, t0); err != nil {
		t.Errorf("insert through another connection: %v", err)
	}
}

func TestDocketEntries(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	clerk := MustCreateUser(t, db, "clerk", court.RoleClerk, "")
	aid, cid := alice.ID, clerk.ID

	nc1 := newCase(alice, codeA, "A", court.CaseSubmitted)
	nc1.Entries = []storage.Entry{{ActorID: &aid, ActorRole: "claimant", Kind: "filed", Public: true,
		Data: map[string]any{"Total": "¥1,800.00", "Fee": "¥25.00"}}}
	c1 := MustCreateCase(t, db, nc1)
	c2 := MustCreateCase(t, db, newCase(alice, codeA, "B", court.CaseSubmitted)) // no entries yet

	t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)
	db.Now = func() time.Time { return t1 }
	MustChange(t, db, c2.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseSubmitted, Entries: []storage.Entry{
		{ActorID: &cid, ActorRole: "clerk", Kind: "note", Public: false, Text: "内部：请核实订单"},
		{ActorID: &aid, ActorRole: "claimant", Kind: "filed", Public: true},
	}})
	db.Now = func() time.Time { return t2 }
	MustChange(t, db, c1.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseReturned, Entries: []storage.Entry{
		{ActorID: &cid, ActorRole: "clerk", Kind: "note", Public: false, Text: "内部"},
		{ActorID: &cid, ActorRole: "clerk", Kind: "returned", Public: true, Text: "请补充订单截图"},
	}})
	MustChange(t, db, c2.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseServed, Entries: []storage.Entry{
		{ActorRole: "system", Kind: "served", Public: true, Data: map[string]any{"Due": "2026-03-17", "N": 3}},
	}})

	type row struct {
		Seq    int
		Actor  int64
		Role   string
		Kind   string
		Public bool
		Text   string
		At     time.Time
	}
	rows := func(es []storage.Entry) []row {
		out := []row{}
		for _, e := range es {
			var a int64
			if e.ActorID != nil {
				a = *e.ActorID
			}
			out = append(out, row{e.Seq, a, e.ActorRole, e.Kind, e.Public, e.Text, e.At})
		}
		return out
	}
	tests := []struct {
		caseID   int64
		internal bool
		want     []row
	}{
		{c1.ID, true, []row{
			{1, aid, "claimant", "filed", true, "", t0},
			{2, cid, "clerk", "note", false, "内部", t2},
			{3, cid, "clerk", "returned", true, "请补充订单截图", t2},
		}},
		{c1.ID, false, []row{
			{1, aid, "claimant", "filed", true, "", t0},
			{3, cid, "clerk", "returned", true, "请补充订单截图", t2},
		}},
		{c2.ID, true, []row{
			{1, cid, "clerk", "note", false, "内部：请核实订单", t1},
			{2, aid, "claimant", "filed", true, "", t1},
			{3, 0, "system", "served", true, "", t2},
		}},
		{c2.ID, false, []row{
			{2, aid, "claimant", "filed", true, "", t1},
			{3, 0, "system", "served", true, "", t2},
		}},
		{9999, true, []row{}},
	}
	for _, tt := range tests {
		es, err := db.Docket(ctx, tt.caseID, tt.internal)
		if err != nil {
			t.Fatal(err)
		}
		if got := rows(es); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Docket(%d, internal %v) =\n%+v\nwant\n%+v", tt.caseID, tt.internal, got, tt.want)
		}
		for _, e := range es {
			if e.CaseID != tt.caseID {
				t.Errorf("entry %d of case %d has CaseID %d", e.Seq, tt.caseID, e.CaseID)
			}
		}
	}
	es, _ := db.Docket(ctx, c1.ID, false)
	if want := map[string]any{"Total": "¥1,800.00", "Fee": "¥25.00"}; !reflect.DeepEqual(es[0].Data, want) {
		t.Errorf("data of the filing = %v, want %v", es[0].Data, want)
	}
	es, _ = db.Docket(ctx, c2.ID, false)
	if want := map[string]any{"Due": "2026-03-17", "N": float64(3)}; !reflect.DeepEqual(es[1].Data, want) {
		t.Errorf("data of the service = %v, want %v", es[1].Data, want)
	}
	if es[0].Data != nil && len(es[0].Data) != 0 {
		t.Errorf("data of an entry without data = %v, want empty", es[0].Data)
	}
}

func TestNotices(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	m, _ := MustCreateMerchant(t, db, "shop", codeA)
	c := MustCreateCase(t, db, newCase(alice, codeA, "A", court.CaseSubmitted))
	cid := c.ID

	if ns, unread, err := db.Notices(ctx, m.ID, 10); err != nil || len(ns) != 0 || unread != 0 {
		t.Fatalf("Notices before any = %v, %d, %v; want none, 0, nil", ns, unread, err)
	}
	kinds := []string{"served", "withdrawn", "reminder"}
	for i, k := range kinds {
		at := t0.Add(time.Duration(i) * time.Hour)
		db.Now = func() time.Time { return at }
		MustChange(t, db, c.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseSubmitted, Notify: []storage.Notice{
			{UserID: m.ID, CaseID: &cid, Kind: k, Data: map[string]any{"N": i}},
			{UserID: alice.ID, Kind: "copy"},
		}})
	}
	ns, unread, err := db.Notices(ctx, m.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if unread != 3 {
		t.Errorf("unread = %d, want 3", unread)
	}
	var gotKinds []string
	for _, n := range ns {
		gotKinds = append(gotKinds, n.Kind)
		if n.UserID != m.ID || n.CaseID == nil || *n.CaseID != c.ID || n.ReadAt != nil {
			t.Errorf("notice %+v: want user %d, case %d, unread", n, m.ID, c.ID)
		}
	}
	if want := []string{"reminder", "withdrawn", "served"}; !reflect.DeepEqual(gotKinds, want) {
		t.Errorf("kinds = %v, want newest first %v", gotKinds, want)
	}
	if len(ns) == 3 {
		if !ns[0].CreatedAt.Equal(t0.Add(2*time.Hour)) || !ns[2].CreatedAt.Equal(t0) {
			t.Errorf("created = %v .. %v, want %v .. %v", ns[0].CreatedAt, ns[2].CreatedAt, t0.Add(2*time.Hour), t0)
		}
		if want := map[string]any{"N": float64(2)}; !reflect.DeepEqual(ns[0].Data, want) {
			t.Errorf("data = %v, want %v", ns[0].Data, want)
		}
	}

	// The limit cuts the list, not the unread count.
	ns, unread, err = db.Notices(ctx, m.ID, 2)
	if err != nil || len(ns) != 2 || unread != 3 || ns[0].Kind != "reminder" {
		t.Errorf("Notices(limit 2) = %d notices (first %v), %d unread, %v; want 2 (reminder first), 3, nil", len(ns), ns, unread, err)
	}
	if _, err := db.Writer().Exec(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND kind = 'served'`, t0, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, unread, _ := db.Notices(ctx, m.ID, 10); unread != 2 {
		t.Errorf("unread after reading one = %d, want 2", unread)
	}
	ns, unread, _ = db.Notices(ctx, alice.ID, 10)
	if len(ns) != 3 || unread != 3 || ns[0].CaseID != nil || len(ns[0].Data) != 0 {
		t.Errorf("alice's notices = %+v, %d unread; want 3 copies without case or data, 3 unread", ns, unread)
	}
}

func TestActiveStaff(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	a1, _ := MustCreateMerchant(t, db, "a1", codeA)
	a2, _ := MustCreateMerchant(t, db, "a2", codeA) // pending
	b1, _ := MustCreateMerchant(t, db, "b1", codeB)
	org := *a1.OrganizationID

	got, err := db.ActiveStaff(ctx, org)
	if err != nil || !reflect.DeepEqual(got, []int64{a1.ID}) {
		t.Errorf("ActiveStaff = %v, %v; want [%d] (a2 is pending)", got, err, a1.ID)
	}
	if err := db.SetUserStatus(ctx, a2.ID, &org, court.StatusPending, court.StatusActive); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.ActiveStaff(ctx, org); !reflect.DeepEqual(got, []int64{a1.ID, a2.ID}) {
		t.Errorf("ActiveStaff after approval = %v, want [%d %d]", got, a1.ID, a2.ID)
	}
	if got, _ := db.ActiveStaff(ctx, *b1.OrganizationID); !reflect.DeepEqual(got, []int64{b1.ID}) {
		t.Errorf("ActiveStaff of the other org = %v, want [%d]", got, b1.ID)
	}
	if got, err := db.ActiveStaff(ctx, 9999); err != nil || len(got) != 0 {
		t.Errorf("ActiveStaff(unknown org) = %v, %v; want [], nil", got, err)
	}
}

func TestCasesFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	bob := MustCreateUser(t, db, "bob", court.RoleClaimant, "")
	agent := MustCreateUser(t, db, "agent", court.RoleStationAgent, "")
	judge := MustCreateUser(t, db, "judge", court.RoleJudge, "")
	mediator := MustCreateUser(t, db, "mediator", court.RoleMediator, "")

	a1 := MustCreateCase(t, db, newCase(alice, codeA, "1", court.CaseDraft))
	a2 := MustCreateCase(t, db, newCase(alice, codeB, "2", court.CaseSubmitted))
	viaAgent := newCase(bob, codeA, "3", court.CaseSubmitted)
	viaAgent.Case.FiledByID = agent.ID
	b3 := MustCreateCase(t, db, viaAgent)
	b4 := MustCreateCase(t, db, newCase(bob, codeA, "4", court.CaseSubmitted))
	MustChange(t, db, b4.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseServed,
		Set: map[string]any{"judge_id": judge.ID, "mediator_id": mediator.ID, "served_at": t0}})
	// A draft withdrawn before submission never reached the court.
	a5 := MustCreateCase(t, db, newCase(alice, codeA, "5", court.CaseDraft))
	MustChange(t, db, a5.ID, storage.Change{From: court.CaseDraft, To: court.CaseWithdrawn})
	// A case withdrawn after submission did.
	b6 := MustCreateCase(t, db, newCase(bob, codeA, "6", court.CaseSubmitted))
	MustChange(t, db, b6.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseWithdrawn})
	orgA := a1.OrgID

	ids := func(cs []court.Case) []int64 {
		out := []int64{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	p := func(v int64) *int64 { return &v }
	tests := []struct {
		name string
		f    storage.CaseFilter
		want []int64
	}{
		{"all, newest first", storage.CaseFilter{}, []int64{b6.ID, a5.ID, b4.ID, b3.ID, a2.ID, a1.ID}},
		{"claimant", storage.CaseFilter{ClaimantOrFiler: p(alice.ID)}, []int64{a5.ID, a2.ID, a1.ID}},
		{"claimant of a case filed by an agent", storage.CaseFilter{ClaimantOrFiler: p(bob.ID)}, []int64{b6.ID, b4.ID, b3.ID}},
		{"agent who filed", storage.CaseFilter{ClaimantOrFiler: p(agent.ID)}, []int64{b3.ID}},
		{"organisation", storage.CaseFilter{OrgID: p(orgA)}, []int64{b6.ID, a5.ID, b4.ID, b3.ID, a1.ID}},
		{"organisation, filed", storage.CaseFilter{OrgID: p(orgA), NotDraft: true}, []int64{b6.ID, b4.ID, b3.ID}},
		{"filed", storage.CaseFilter{NotDraft: true}, []int64{b6.ID, b4.ID, b3.ID, a2.ID}},
		{"served", storage.CaseFilter{Served: true}, []int64{b4.ID}},
		{"withdrawn and filed", storage.CaseFilter{NotDraft: true, Status: []court.CaseStatus{court.CaseWithdrawn}}, []int64{b6.ID}},
		{"judge", storage.CaseFilter{JudgeID: p(judge.ID)}, []int64{b4.ID}},
		{"mediator", storage.CaseFilter{MediatorID: p(mediator.ID)}, []int64{b4.ID}},
		{"status", storage.CaseFilter{Status: []court.CaseStatus{court.CaseSubmitted}}, []int64{b3.ID, a2.ID}},
		{"statuses", storage.CaseFilter{Status: []court.CaseStatus{court.CaseDraft, court.CaseServed}}, []int64{b4.ID, a1.ID}},
		{"page 1", storage.CaseFilter{Limit: 2}, []int64{b6.ID, a5.ID}},
		{"page 2", storage.CaseFilter{Limit: 2, BeforeID: a5.ID}, []int64{b4.ID, b3.ID}},
		{"page 3", storage.CaseFilter{Limit: 2, BeforeID: b3.ID}, []int64{a2.ID, a1.ID}},
		{"nothing", storage.CaseFilter{JudgeID: p(alice.ID)}, []int64{}},
	}
	for _, tt := range tests {
		got, err := db.Cases(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if g := ids(got); !reflect.DeepEqual(g, tt.want) {
			t.Errorf("%s: ids = %v, want %v", tt.name, g, tt.want)
		}
	}
	// A limit outside 1..200 means 50.
	for i := range 55 {
		MustCreateCase(t, db, newCase(alice, codeA, fmt.Sprintf("bulk-%d", i), court.CaseSubmitted))
	}
	for _, limit := range []int{0, -1, 201} {
		got, _ := db.Cases(ctx, storage.CaseFilter{Limit: limit})
		if len(got) != 50 {
			t.Errorf("Limit %d: %d cases, want 50", limit, len(got))
		}
	}
	got, _ := db.Cases(ctx, storage.CaseFilter{Limit: 200})
	if len(got) != 61 || !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].ID > got[j].ID }) {
		t.Errorf("Limit 200: %d cases, want all 61 newest first", len(got))
	}
}

// A first-time mark (IfNull) applies once: a second change finding the
// column set is a conflict and records nothing.
func TestChangeCaseIfNull(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	alice := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	c := MustCreateCase(t, db, newCase(alice, codeA, "A", court.CaseSubmitted))
	mark := func(at time.Time) (*court.Case, error) {
		db.Now = func() time.Time { return at }
		return db.ChangeCase(ctx, c.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseSubmitted,
			Set: map[string]any{"merchant_seen_at": at}, IfNull: []string{"merchant_seen_at"},
			Entries: []storage.Entry{{ActorRole: "merchant", Kind: "merchant_seen", Public: true}}})
	}
	t1 := t0.Add(time.Hour)
	got, err := mark(t1)
	if err != nil {
		t.Fatal(err)
	}
	if got.MerchantSeenAt == nil || !got.MerchantSeenAt.Equal(t1) {
		t.Errorf("MerchantSeenAt = %v, want %v", got.MerchantSeenAt, t1)
	}
	_, err = mark(t1.Add(time.Hour))
	if e := MustCourtError(t, err, court.ECONFLICT); e.Msg.Key != "err.case_changed" {
		t.Errorf("key = %s, want err.case_changed", e.Msg.Key)
	}
	if got := mustCase(t, db, c.ID); got.MerchantSeenAt == nil || !got.MerchantSeenAt.Equal(t1) || !got.UpdatedAt.Equal(t1) {
		t.Errorf("after the second mark: MerchantSeenAt, UpdatedAt = %v, %v; want %v, %v", got.MerchantSeenAt, got.UpdatedAt, t1, t1)
	}
	if n := countRows(t, db, "docket_entries"); n != 1 {
		t.Errorf("docket entries = %d, want 1", n)
	}
}

// Filings arriving together (which may share one commit) each stand alone:
// of two racing claims on the same order one is stored and the other is a
// conflict naming it; a refused filing leaves nothing behind; a new
// organisation filed against by many at once is created once.
func TestCreateCaseConcurrent(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	claimants := []*court.User{
		MustCreateUser(t, db, "c0", court.RoleClaimant, ""),
		MustCreateUser(t, db, "c1", court.RoleClaimant, ""),
		MustCreateUser(t, db, "c2", court.RoleClaimant, ""),
	}
	codeC := "91330102MA2H3K7Q1" + string(court.CreditCodeCheck("91330102MA2H3K7Q1"))
	const n = 40 // 20 orders, two filings each
	type result struct {
		order string
		c     *court.Case
		err   error
	}
	results := make(chan result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			order := fmt.Sprintf("O-%02d", i/2)
			nc := newCase(claimants[(i/2)%3], codeC, order, court.CaseSubmitted)
			nc.Entries = []storage.Entry{{ActorRole: "claimant", Kind: "filed", Public: true, Text: order}}
			<-start
			c, err := db.CreateCase(ctx, nc)
			results <- result{order, c, err}
		}()
	}
	close(start)
	wg.Wait()
	close(results)

	stored := map[string]int64{}
	conflicts := map[string]int64{}
	for r := range results {
		switch {
		case r.err == nil:
			if prev, dup := stored[r.order]; dup {
				t.Errorf("order %s stored twice: cases %d and %d", r.order, prev, r.c.ID)
			}
			stored[r.order] = r.c.ID
		case court.ErrorCode(r.err) == court.ECONFLICT:
			var e *court.Error
			if errors.As(r.err, &e) {
				id, _ := e.Msg.Args["CaseID"].(int64)
				conflicts[r.order] = id
			}
		default:
			t.Errorf("order %s: unexpected error %v", r.order, r.err)
		}
	}
	if len(stored) != n/2 || len(conflicts) != n/2 {
		t.Fatalf("stored %d orders and refused %d, want %d and %d", len(stored), len(conflicts), n/2, n/2)
	}
	for order, id := range conflicts {
		if stored[order] != id {
			t.Errorf("conflict on %s names case %d, want the stored case %d", order, id, stored[order])
		}
	}
	for table, want := range map[string]int{"cases": n / 2, "docket_entries": n / 2, "organizations": 1} {
		if got := countRows(t, db, table); got != want {
			t.Errorf("%s = %d rows, want %d", table, got, want)
		}
	}
	var orgs int
	if err := db.Writer().QueryRow(`SELECT COUNT(DISTINCT organization_id) FROM cases`).Scan(&orgs); err != nil {
		t.Fatal(err)
	}
	if orgs != 1 {
		t.Errorf("cases belong to %d organisations, want 1", orgs)
	}
	// Each stored case has its own entry, at seq 1.
	for order, id := range stored {
		es, err := db.Docket(ctx, id, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Seq != 1 || es[0].Text != order {
			t.Errorf("docket of case %d (%s) = %+v, want one entry, seq 1, text %s", id, order, es, order)
		}
		if got := mustCase(t, db, id); got.OrderRef != order {
			t.Errorf("case %d order = %q, want %q", id, got.OrderRef, order)
		}
	}
}

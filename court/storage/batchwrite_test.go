package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// batchFixture is a database with a fixed clock and three claimants.
func batchFixture(t *testing.T) (*DB, []*court.User) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "court.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	at := time.Date(2026, 3, 1, 2, 3, 4, 0, time.UTC)
	db.Now = func() time.Time { return at }
	var us []*court.User
	for i, name := range []string{"张伟", "李娜", "Wang Fang"} {
		u, err := db.CreateUser(ctx, &NewUser{User: court.User{Username: fmt.Sprint("c", i), Role: court.RoleClaimant,
			DisplayName: name, Status: court.StatusActive}, PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		us = append(us, u)
	}
	return db, us
}

var (
	batchCodeA = "91330102MA2H3K7Q1" + string(court.CreditCodeCheck("91330102MA2H3K7Q1"))
	batchCodeB = "91330106MA27XY8Q0" + string(court.CreditCodeCheck("91330106MA27XY8Q0"))
)

// batchFilings are n filings of every shape the fast path handles: three
// claimants, two merchants (the second unknown until the batch), a contact
// address now and then, entries with and without data, a draft without
// entries.
func batchFilings(us []*court.User, n int, at time.Time) []*NewCase {
	var out []*NewCase
	for i := range n {
		u := us[i%len(us)]
		code := batchCodeA
		if i%5 == 0 {
			code = batchCodeB
		}
		nc := &NewCase{Case: court.Case{Status: court.CaseSubmitted, ClaimantID: u.ID, FiledByID: u.ID,
			MerchantName: "杭州西湖龙井茶业有限公司", CreditCode: code, Platform: "直播间", OrderRef: fmt.Sprint("B-", i),
			Category: court.CatCounterfeit, Facts: fmt.Sprintf("直播间买到假龙井茶 marker%d。", i),
			Refund: 12800, Compensation: 50000, Total: 62800, Fee: 2500, SubmittedAt: &at}}
		switch i % 4 {
		case 0:
			nc.Entries = []Entry{{ActorID: &u.ID, ActorRole: "claimant", Kind: "filed", Public: true,
				Data: map[string]any{"Total": "628.00", "Fee": "25.00"}}}
		case 1:
			nc.Entries = []Entry{{ActorID: &u.ID, ActorRole: "claimant", Kind: "filed", Public: true},
				{ActorRole: "system", Kind: "note", Public: false, Text: "第二条"}}
			nc.MerchantEmail, nc.MerchantEmailLang = fmt.Sprintf("shop%d@example.com", i), "en"
		case 2:
			nc.Case.Status, nc.Case.SubmittedAt = court.CaseDraft, nil
		default:
			nc.VillagerConsent = true
			nc.Entries = []Entry{{ActorID: &u.ID, ActorRole: "station_agent", Kind: "filed", Public: true}}
		}
		out = append(out, nc)
	}
	return out
}

func batchReqs(t *testing.T, ncs []*NewCase) []*filingReq {
	t.Helper()
	var reqs []*filingReq
	for _, nc := range ncs {
		p, err := prepareFiling(nc)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, &filingReq{ctx: context.Background(), nc: nc, prep: p, res: make(chan filingRes, 1)})
	}
	return reqs
}

// dumpTables returns every row of every table (the search index's
// internals and goose's bookkeeping aside), sorted. Comparing all tables, not
// only those a filing writes today, means a write later added to createCase
// and not to the fast path fails TestWriteFastMatchesOneByOne.
func dumpTables(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	var tables []string
	if err := db.w.Select(&tables, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'cases_fts%' AND name NOT LIKE 'goose%' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.w.Queryx(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			m := map[string]any{}
			if err := rows.MapScan(m); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprint(m))
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

// The fast path stores exactly what writing the filings one by one stores:
// the same rows in every table, the same ledger (leaves and hashes), the same
// search results, and returns the same cases. 70 filings take chunks of 64,
// 4 and 2 rows.
func TestWriteFastMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	fast, us := batchFixture(t)
	slow, _ := batchFixture(t)
	slow.SetFilingOneByOne(true)
	now := fast.Now()
	// A case and entries before the batch, so that the batch's ledger
	// reads hashes written by an earlier commit.
	for _, db := range []*DB{fast, slow} {
		for _, nc := range batchFilings(us, 3, now) {
			nc.Case.OrderRef += "-before"
			if _, err := db.CreateCase(ctx, nc); err != nil {
				t.Fatal(err)
			}
		}
	}
	var fastCases []*court.Case
	if err := fast.writeTx(ctx, func(tx *wtx) error {
		var err error
		fastCases, err = writeFast(tx, batchReqs(t, batchFilings(us, 70, now)), now)
		return err
	}); err != nil {
		t.Fatalf("fast path: %v", err)
	}
	reqs := batchReqs(t, batchFilings(us, 70, now))
	slow.filings.write(reqs)
	for i, r := range reqs {
		res := <-r.res
		if res.err != nil {
			t.Fatalf("one by one, filing %d: %v", i, res.err)
		}
		if !reflect.DeepEqual(res.c, fastCases[i]) {
			t.Errorf("filing %d: fast path returned %+v, one by one %+v", i, fastCases[i], res.c)
		}
	}
	got, want := dumpTables(t, fast), dumpTables(t, slow)
	for table := range want {
		if len(got[table]) != len(want[table]) {
			t.Errorf("%s: %d rows by the fast path, %d one by one", table, len(got[table]), len(want[table]))
			continue
		}
		for i := range want[table] {
			if got[table][i] != want[table][i] {
				t.Errorf("%s row %d:\nfast       %s\none by one %s", table, i, got[table][i], want[table][i])
			}
		}
	}
	if n := len(want["cases"]); n != 73 {
		t.Errorf("%d cases stored, want 73", n)
	}
	for i := range 70 {
		q := SearchFilter{Query: fmt.Sprint("marker", i)}
		a, err := fast.SearchCases(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := slow.SearchCases(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		// marker1 is also found in marker10..19 etc.: compare the lists.
		if len(a) != len(b) || len(a) == 0 {
			t.Errorf("search %q: %d cases by the fast path, %d one by one", q.Query, len(a), len(b))
			continue
		}
		for j := range a {
			if a[j].ID != b[j].ID {
				t.Errorf("search %q: ids differ at %d: %d vs %d", q.Query, j, a[j].ID, b[j].ID)
			}
		}
	}
	for _, name := range []string{"张伟", "李娜", "Wang"} {
		a, _ := fast.SearchCases(ctx, SearchFilter{Query: name, Limit: 200})
		b, _ := slow.SearchCases(ctx, SearchFilter{Query: name, Limit: 200})
		if len(a) != len(b) || len(a) < 20 {
			t.Errorf("search %s: %d cases by the fast path, %d one by one", name, len(a), len(b))
		}
	}
}

// A batch with an open claim already stored, or twice in the batch, is not
// written by the fast path at all (its savepoint is rolled back) and the
// group commit then writes it filing by filing: the others are stored, each
// duplicate is ECONFLICT naming the stored case.
func TestWriteFastConflictFallsBack(t *testing.T) {
	ctx := context.Background()
	db, us := batchFixture(t)
	now := db.Now()
	first := batchFilings(us, 1, now)[0]
	first.Case.OrderRef = "taken"
	taken, err := db.CreateCase(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	before := dumpTables(t, db)
	ncs := batchFilings(us[:1], 10, now)
	ncs[3].Case.OrderRef = "taken"                                                                 // conflicts with the stored case
	ncs[5].Case.OrderRef, ncs[8].Case.OrderRef = "twice", "twice"                                  // conflict within the batch
	ncs[3].Case.CreditCode, ncs[8].Case.CreditCode = first.Case.CreditCode, ncs[5].Case.CreditCode // same merchant
	for _, nc := range ncs {
		nc.Case.Status, nc.Case.SubmittedAt = court.CaseSubmitted, &now
	}
	if err := db.writeTx(ctx, func(tx *wtx) error {
		if _, err := writeFast(tx, batchReqs(t, ncs), now); err == nil {
			t.Error("fast path stored a batch with open claims on the same order")
		} else if _, ok := uniqueViolation(err); !ok {
			t.Errorf("fast path: got %v, want the unique violation", err)
		}
		return nil // commit what the transaction holds: nothing
	}); err != nil {
		t.Fatal(err)
	}
	if after := dumpTables(t, db); !reflect.DeepEqual(after, before) {
		t.Fatalf("a failed fast path left rows behind")
	}

	reqs := batchReqs(t, ncs)
	db.filings.write(reqs)
	stored := map[string]int64{}
	for i, r := range reqs {
		res := <-r.res
		switch i {
		case 3, 8:
			want := taken.ID
			if i == 8 {
				want = stored["twice"]
			}
			var e *court.Error
			if court.ErrorCode(res.err) != court.ECONFLICT || !errors.As(res.err, &e) || e.Msg.Args["CaseID"] != want {
				t.Errorf("filing %d: got %v, want ECONFLICT naming case %d", i, res.err, want)
			}
		default:
			if res.err != nil {
				t.Fatalf("filing %d: %v", i, res.err)
			}
			stored[res.c.OrderRef] = res.c.ID
		}
	}
	if got := len(dumpTables(t, db)["cases"]); got != 1+8 {
		t.Errorf("%d cases stored, want 9", got)
	}
	for order, id := range stored {
		if !strings.HasPrefix(order, "B-") && order != "twice" {
			t.Errorf("unexpected order %q (case %d)", order, id)
		}
		cs, err := db.SearchCases(ctx, SearchFilter{Query: Segment(order)})
		if err != nil || len(cs) == 0 {
			t.Errorf("case %d (%s) not found by its order: %v", id, order, err)
		}
	}
}

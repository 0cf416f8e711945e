package fees_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/fees"
	"github.com/shangcheng-court/courtd/court/storage"
)

// t0 is 09:30 on 2 March 2026 in Hangzhou.
var t0 = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

type env struct {
	DB   *storage.DB
	Dk   *docket.Service
	Fees *fees.Service
	U    map[string]*court.User
	now  time.Time
}

// mustEnv opens a court with the demo accounts on a SQLite file in a temp
// dir, its clock at t0.
func mustEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, filepath.Join(dir, "court.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := accounts.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, accounts.New(db, keys, accounts.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	e := &env{DB: db, U: map[string]*court.User{}, now: t0}
	clock := func() time.Time { return e.now }
	db.Now = clock
	e.Dk = docket.New(db, court.DefaultProfile())
	e.Dk.Now = clock
	e.Fees = fees.New(db, clock)
	for _, a := range demo.Accounts {
		u, _, err := db.Credentials(ctx, a.Username)
		if err != nil {
			t.Fatal(err)
		}
		e.U[a.Username] = u
	}
	return e
}

// file files a submitted claim of 1,780 yuan (fee 25 yuan) for claimant1.
func (e *env) file(t *testing.T, order string) *court.Case {
	t.Helper()
	c, err := e.Dk.File(context.Background(), e.U["claimant1"], court.Filing{
		CreditCode: demo.CreditCode1, MerchantName: "杭州西湖龙井茶业有限公司", OrderRef: order,
		Category: court.CatCounterfeit, Facts: "直播间购买的西湖龙井茶叶经鉴定为假冒产品，商家拒绝退款。",
		Refund: 128_000, Compensation: 50_000, ServiceConsent: true,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, code court.Code, field string) {
	t.Helper()
	var ce *court.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("got error %v, want code %s", err, code)
	}
	if field != "" {
		if _, ok := ce.Fields[field]; !ok {
			t.Fatalf("got fields %v, want an error on %s", ce.Fields, field)
		}
	}
}

func TestPayAtCounter(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c := e.file(t, "P-1")
	if c.Fee != 2500 || c.FeeStatus != court.FeeUnpaid {
		t.Fatalf("new case: got fee %d %s, want 2500 unpaid", c.Fee, c.FeeStatus)
	}
	clerk := e.U["clerk1"]

	// Less than the fee, or more, is not a payment of it.
	for _, amt := range []court.Fen{2499, 2501} {
		_, err := e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "paid", Reference: "R-0001", Amount: amt})
		wantCode(t, err, court.EINVALID, "amount")
	}
	_, err := e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "paid", Reference: "", Amount: 2500})
	wantCode(t, err, court.EINVALID, "reference")
	_, err = e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "paid", Provider: "alipay", Reference: "R-1", Amount: 2500})
	wantCode(t, err, court.EINVALID, "provider")
	_, err = e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "refund"})
	wantCode(t, err, court.EINVALID, "action")

	// The parties may see the case but not record its fee.
	_, err = e.Fees.Record(ctx, e.U["claimant1"], c.ID, fees.Request{Action: "paid", Reference: "R-0001", Amount: 2500})
	wantCode(t, err, court.EFORBIDDEN, "")
	// Someone else's case does not exist for them.
	_, err = e.Fees.Record(ctx, e.U["claimant2"], c.ID, fees.Request{Action: "paid", Reference: "R-0001", Amount: 2500})
	wantCode(t, err, court.ENOTFOUND, "")

	got, err := e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "paid", Reference: " R-0001 ", Amount: 2500})
	if err != nil {
		t.Fatal(err)
	}
	if got.FeeStatus != court.FeePaid || got.Fee != 2500 {
		t.Errorf("after payment: got %d %s, want 2500 paid", got.Fee, got.FeeStatus)
	}
	// Paid once: a second payment is refused.
	_, err = e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "paid", Reference: "R-0002", Amount: 2500})
	wantCode(t, err, court.ECONFLICT, "")
	_, err = e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "waived", Reason: "低保户"})
	wantCode(t, err, court.ECONFLICT, "")

	// The same receipt cannot pay another case's fee.
	c2 := e.file(t, "P-2")
	_, err = e.Fees.Record(ctx, clerk, c2.ID, fees.Request{Action: "paid", Reference: "R-0001", Amount: 2500})
	wantCode(t, err, court.ECONFLICT, "reference")
	if c2b, _ := e.DB.CaseByIDWriter(ctx, c2.ID); c2b.FeeStatus != court.FeeUnpaid {
		t.Errorf("case 2 after a refused payment: got %s, want unpaid", c2b.FeeStatus)
	}

	// The event is on the docket, in the fee record and in the claimant's inbox.
	entries, err := e.DB.Docket(ctx, c.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Kind != fees.KindPaid || last.Data["Reference"] != "R-0001" || !last.Public {
		t.Errorf("last docket entry: got %+v, want a public fee_paid with R-0001", last)
	}
	st, err := e.Fees.Get(ctx, e.U["claimant1"], c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Events) != 1 || st.Events[0].Kind != "paid" || st.Events[0].Amount != 2500 || st.Events[0].Provider != "counter" {
		t.Errorf("fee events: got %+v, want one counter payment of 2500", st.Events)
	}
	if st.Reference != "" {
		t.Errorf("paid fee: got reference %q to pay with, want none", st.Reference)
	}
	ns, _, err := e.DB.Notices(ctx, e.U["claimant1"].ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) == 0 || ns[0].Kind != fees.KindPaid {
		t.Errorf("claimant's newest notice: got %+v, want fee_paid", ns)
	}
	// The record cannot be rewritten.
	if _, err := e.DB.Writer().Exec(`UPDATE fee_events SET amount = 1`); err == nil {
		t.Error("UPDATE fee_events: got no error, want the append-only trigger to refuse it")
	}
}

func TestWaiveAndReduce(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	clerk := e.U["clerk1"]

	c := e.file(t, "W-1")
	_, err := e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "waived"})
	wantCode(t, err, court.EINVALID, "reason")
	got, err := e.Fees.Record(ctx, clerk, c.ID, fees.Request{Action: "waived", Reason: "申请人为最低生活保障对象"})
	if err != nil {
		t.Fatal(err)
	}
	if got.FeeStatus != court.FeeWaived || got.Fee != 0 {
		t.Errorf("waived: got %d %s, want 0 waived", got.Fee, got.FeeStatus)
	}

	r := e.file(t, "R-1") // fee 2500: a reduction leaves at most 1750
	for _, amt := range []court.Fen{0, 1751, 2500, -5} {
		_, err := e.Fees.Record(ctx, clerk, r.ID, fees.Request{Action: "reduced", Amount: amt, Reason: "因灾生活困难"})
		wantCode(t, err, court.EINVALID, "amount")
	}
	got, err = e.Fees.Record(ctx, clerk, r.ID, fees.Request{Action: "reduced", Amount: 1000, Reason: "因灾生活困难"})
	if err != nil {
		t.Fatal(err)
	}
	if got.FeeStatus != court.FeeUnpaid || got.Fee != 1000 {
		t.Errorf("reduced: got %d %s, want 1000 unpaid", got.Fee, got.FeeStatus)
	}
	// The reduced fee is what is paid now.
	_, err = e.Fees.Record(ctx, clerk, r.ID, fees.Request{Action: "paid", Reference: "B-77", Amount: 2500})
	wantCode(t, err, court.EINVALID, "amount")
	if got, err = e.Fees.Record(ctx, clerk, r.ID, fees.Request{Action: "paid", Reference: "B-77", Amount: 1000}); err != nil || got.FeeStatus != court.FeePaid {
		t.Fatalf("paying the reduced fee: got %v, %v; want paid", got, err)
	}
	st, err := e.Fees.Get(ctx, clerk, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Events) != 2 || st.Events[0].Kind != "reduced" || st.Events[0].FeeBefore != 2500 || st.Events[0].Amount != 1000 {
		t.Errorf("events: got %+v, want the reduction from 2500 to 1000, then the payment", st.Events)
	}
}

// A clerk accepts with the fee unpaid: the claimant is told to pay within
// seven days, and the fee is overdue after that.
func TestAcceptWithFeeDue(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c := e.file(t, "A-1")
	// A draft is not the court's yet: the clerk does not see it.
	d, err := e.Dk.File(ctx, e.U["claimant1"], court.Filing{
		CreditCode: demo.CreditCode1, MerchantName: "杭州西湖龙井茶业有限公司", OrderRef: "A-2",
		Category: court.CatCounterfeit, Facts: "直播间购买的西湖龙井茶叶经鉴定为假冒产品。", Refund: 10_000, ServiceConsent: true,
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Fees.Record(ctx, e.U["clerk1"], d.ID, fees.Request{Action: "waived", Reason: "困难"})
	wantCode(t, err, court.ENOTFOUND, "")

	st, err := e.Fees.Get(ctx, e.U["claimant1"], c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Due != nil || st.Reference != "FEE-"+itoa(c.ID) {
		t.Errorf("before acceptance: got due %v reference %q, want no due date and FEE-%d", st.Due, st.Reference, c.ID)
	}
	if _, err := e.Dk.Review(ctx, e.U["clerk1"], c.ID, court.ActAccept, ""); err != nil {
		t.Fatal(err)
	}
	ns, _, err := e.DB.Notices(ctx, e.U["claimant1"].ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) == 0 || ns[0].Kind != docket.NoticeFeeDue || ns[0].Data["Due"] != "2026-03-09" || ns[0].Data["Fee"] != "¥25.00" {
		t.Fatalf("claimant's notices after acceptance: got %+v, want fee_due of ¥25.00 by 2026-03-09", ns)
	}
	st, err = e.Fees.Get(ctx, e.U["claimant1"], c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Due == nil || *st.Due != "2026-03-09" || st.Overdue {
		t.Errorf("after acceptance: got due %v overdue %v, want 2026-03-09, not overdue", st.Due, st.Overdue)
	}
	e.now = time.Date(2026, 3, 9, 15, 59, 0, 0, time.UTC) // 23:59 in Hangzhou
	if st, _ = e.Fees.Get(ctx, e.U["claimant1"], c.ID); st.Overdue {
		t.Error("last minute of the last day: got overdue, want not yet")
	}
	e.now = time.Date(2026, 3, 9, 16, 0, 0, 0, time.UTC)
	if st, _ = e.Fees.Get(ctx, e.U["claimant1"], c.ID); !st.Overdue {
		t.Error("day after the last day: got not overdue, want overdue")
	}
	// The merchant, served, sees the case but not the fee's controls.
	_, err = e.Fees.Record(ctx, e.U["merchant1"], c.ID, fees.Request{Action: "waived", Reason: "困难"})
	wantCode(t, err, court.EFORBIDDEN, "")
	if _, err := e.Fees.Record(ctx, e.U["admin1"], c.ID, fees.Request{Action: "paid", Reference: "X-1", Amount: 2500}); err != nil {
		t.Fatalf("admin records a payment after acceptance: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Two clerks record the same fee at the same moment: one payment is
// recorded, the other is refused, and the fee has one event.
func TestConcurrentPayments(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	c := e.file(t, "C-1")
	errs := make(chan error, 2)
	for _, who := range []string{"clerk1", "admin1"} {
		go func() {
			_, err := e.Fees.Record(ctx, e.U[who], c.ID, fees.Request{Action: "paid", Reference: "R-" + who, Amount: 2500})
			errs <- err
		}()
	}
	var ok, conflict int
	for range 2 {
		switch court.ErrorCode(<-errs) {
		case "":
			ok++
		case court.ECONFLICT:
			conflict++
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("concurrent payments: got %d recorded and %d conflicts, want 1 and 1", ok, conflict)
	}
	evs, err := e.DB.FeeEvents(ctx, c.ID)
	if err != nil || len(evs) != 1 {
		t.Errorf("fee events: got %d, %v; want 1", len(evs), err)
	}
}

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/payments"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/court/web"
)

func init() {
	// On a served case nothing is ordered yet: the list is empty for all
	// who see the case; a party recording a payment is told there is
	// nothing to pay; confirming or disputing a payment that does not
	// exist is "not found" to the sides that receive payments (the parties,
	// and clerks and admins for the court) and forbidden to the judge and
	// the mediator; enforcement is a party's, once something is overdue.
	record := map[string][2]int{
		"claimant1": {409, 404}, "claimant2": {409, 404}, "merchant1": {409, 404}, "merchant2": {409, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {409, 404}, "admin1": {403, 403},
	}
	decide := map[string][2]int{
		"claimant1": {404, 404}, "claimant2": {404, 404}, "merchant1": {404, 404}, "merchant2": {404, 404},
		"clerk1": {404, 404}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {404, 404}, "admin1": {404, 404},
	}
	body := func(*caseAPIClient) any {
		return map[string]any{"order": "1-1", "amount": 100, "method": "bank", "paid_on": time.Now().In(court.Zone).Format("2006-01-02")}
	}
	accessMatrix = append(accessMatrix,
		matrixRoute{"GET", "/api/v1/cases/:id/payments", court.CaseServed, nil, seeLikeCase},
		matrixRoute{"POST", "/api/v1/cases/:id/payments", court.CaseServed, body, record},
		matrixRoute{"POST", "/api/v1/cases/:id/payments/:payment/confirm", court.CaseServed, nil, decide},
		matrixRoute{"POST", "/api/v1/cases/:id/payments/:payment/dispute", court.CaseServed, nil, decide},
		matrixRoute{"POST", "/api/v1/cases/:id/enforcement", court.CaseServed, nil, record},
	)
	form := url.Values{"pay_order": {"1-1"}, "pay_amount": {"1.00"}, "pay_method": {"bank"},
		"pay_paid_on": {time.Now().In(court.Zone).Format("2006-01-02")}}
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"POST", "/cases/:id/payments", court.CaseServed, form, record},
		pageMatrixRoute{"POST", "/cases/:id/payments/:payment/confirm", court.CaseServed, url.Values{}, decide},
		pageMatrixRoute{"POST", "/cases/:id/payments/:payment/dispute", court.CaseServed, url.Values{"dispute_reason": {"没有到账"}}, decide},
		pageMatrixRoute{"POST", "/cases/:id/enforcement", court.CaseServed, url.Values{}, record},
	)
}

// testClock is a clock a test moves while the server reads it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// paymentServer is a court whose payments service runs on clock.
func paymentServer(t *testing.T) (*testServer, *caseAPIClient, *testClock, *payments.Service) {
	t.Helper()
	svc := &payments.Service{}
	ts := mustServer(t, func(c *web.Config) { c.Payments = svc })
	clock := &testClock{t: court.SystemClock()}
	*svc = payments.Service{DB: ts.DB, Now: clock.Now}
	return ts, newCaseAPI(t, ts), clock, svc
}

// paymentsJSON is GET /cases/:id/payments.
type paymentsJSON struct {
	Status    court.CaseStatus     `json:"status"`
	Side      string               `json:"side"`
	Orders    []payments.OrderView `json:"orders"`
	Payments  []storage.Payment    `json:"payments"`
	Flagged   *time.Time           `json:"flagged_at"`
	Applied   *time.Time           `json:"enforcement_applied_at"`
	CanRecord bool                 `json:"can_record"`
	CanApply  bool                 `json:"can_apply"`
	Steps     []string             `json:"next_steps"`
}

func (a *caseAPIClient) payments(user string, id int64) paymentsJSON {
	a.t.Helper()
	res, e := a.call(user, "GET", casePath(id, "/payments"), nil)
	if res.StatusCode != http.StatusOK {
		a.t.Fatalf("GET payments as %s: got %d %+v", user, res.StatusCode, e.Error)
	}
	var v paymentsJSON
	decodeInto(a.t, res, &v)
	return v
}

// ruledCase is party A's case (judge1 assigned) with a signed judgment
// ordering the respondent to pay the claimant 300 and 200 yuan within 10
// days.
func (a *caseAPIClient) ruledCase() int64 {
	a.t.Helper()
	id := a.matrixCase("A", court.CaseServed)
	d := draftBody()
	d["orders"] = []map[string]any{
		{"payer": "respondent", "payee": "claimant", "amount": 30000, "due_days": 10, "what": "货款"},
		{"payer": "respondent", "payee": "claimant", "amount": 20000, "due_days": 10, "what": "赔偿金"},
	}
	if res, e := a.call("judge1", "PUT", casePath(id, "/ruling/draft"), d); res.StatusCode != http.StatusOK {
		a.t.Fatalf("save draft: got %d %+v", res.StatusCode, e.Error)
	}
	if res, e := a.call("judge1", "POST", casePath(id, "/ruling/sign"), nil); res.StatusCode != http.StatusOK {
		a.t.Fatalf("sign: got %d %+v", res.StatusCode, e.Error)
	}
	if st := a.dbCase(id).Status; st != court.CaseRuled {
		a.t.Fatalf("after signing: got status %q, want ruled", st)
	}
	return id
}

func payBody(order string, amount court.Fen) map[string]any {
	return map[string]any{"order": order, "amount": amount, "method": "alipay_wechat", "reference": "ALI-2026-0001",
		"paid_on": time.Now().In(court.Zone).Format("2006-01-02")}
}

func (a *caseAPIClient) pay(user string, id int64, order string, amount court.Fen, want int) (storage.Payment, apiErr) {
	a.t.Helper()
	res, e := a.call(user, "POST", casePath(id, "/payments"), payBody(order, amount))
	if res.StatusCode != want {
		a.t.Fatalf("%s pays %d on %s: got %d %+v, want %d", user, amount, order, res.StatusCode, e.Error, want)
	}
	var p storage.Payment
	if want == http.StatusCreated {
		decodeInto(a.t, res, &p)
	}
	return p, e
}

func (a *caseAPIClient) decidePayment(user string, id, pid int64, verb string, body any, want int) *response {
	a.t.Helper()
	res, e := a.call(user, "POST", casePath(id, fmt.Sprintf("/payments/%d/%s", pid, verb)), body)
	if res.StatusCode != want {
		a.t.Fatalf("%s %s payment %d: got %d %+v, want %d", user, verb, pid, res.StatusCode, e.Error, want)
	}
	return res
}

func docketKinds(t *testing.T, db *storage.DB, id int64) map[string]int {
	t.Helper()
	es, err := db.Docket(context.Background(), id, true)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range es {
		out[e.Kind]++
	}
	return out
}

func noticeCount(t *testing.T, db *storage.DB, userID, caseID int64, kind string) int {
	t.Helper()
	ns, _, err := db.Notices(context.Background(), userID, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.Kind == kind && x.CaseID != nil && *x.CaseID == caseID {
			n++
		}
	}
	return n
}

// TestPaymentsAddUpAndClose: partial payments add up per order, an
// over-payment is refused with what is still open, only the payee confirms
// or disputes, a disputed payment no longer counts, and the case closes
// when every order is paid in full and confirmed.
func TestPaymentsAddUpAndClose(t *testing.T) {
	_, a, _, _ := paymentServer(t)
	id := a.ruledCase()

	v := a.payments("merchant1", id)
	if len(v.Orders) != 2 || !v.CanRecord || v.Side != "respondent" || len(v.Steps) != 2 ||
		!strings.Contains(v.Steps[0], "Pay ¥300.00") || !strings.Contains(v.Steps[1], "Pay ¥200.00") {
		t.Fatalf("merchant's view: got %+v, want two orders, can record, steps to pay ¥300.00 and ¥200.00", v)
	}
	o1, o2 := v.Orders[0].OrderID, v.Orders[1].OrderID
	if c := a.payments("claimant1", id); c.CanRecord || c.Side != "claimant" || len(c.Steps) != 2 || !strings.Contains(c.Steps[0], "¥300.00 is to be paid to you by "+v.Orders[0].DueDate) {
		t.Errorf("claimant's view: got %+v, want no recording and steps to wait for ¥300.00 by %s", c, v.Orders[0].DueDate)
	}

	// The payee does not record; the judge neither; another merchant does
	// not see the case.
	a.pay("claimant1", id, o1, 100, http.StatusForbidden)
	a.pay("judge1", id, o1, 100, http.StatusForbidden)
	a.pay("merchant2", id, o1, 100, http.StatusNotFound)
	// Hostile input: a made-up order, a negative amount, a future date.
	if res, e := a.call("merchant1", "POST", casePath(id, "/payments"), map[string]any{"order": "999-1", "amount": -5,
		"method": "cheque", "paid_on": "2999-01-01"}); res.StatusCode != http.StatusBadRequest ||
		e.Error.Fields["order"] == "" || e.Error.Fields["amount"] == "" || e.Error.Fields["method"] == "" || e.Error.Fields["paid_on"] == "" {
		t.Errorf("bad payment: got %d %+v, want 400 naming order, amount, method and paid_on", res.StatusCode, e.Error)
	}

	p1, _ := a.pay("merchant1", id, o1, 10000, http.StatusCreated)
	p2, _ := a.pay("merchant1", id, o1, 20000, http.StatusCreated)
	if _, e := a.pay("merchant1", id, o1, 1, http.StatusConflict); !strings.Contains(e.Error.Message, "at most ¥0.00") {
		t.Errorf("over-payment of a paid order: got %q, want it to say at most ¥0.00", e.Error.Message)
	}
	if _, e := a.pay("merchant1", id, o2, 20001, http.StatusConflict); !strings.Contains(e.Error.Message, "at most ¥200.00") || e.Error.Fields["amount"] == "" {
		t.Errorf("over-payment: got %+v, want at most ¥200.00 on the amount", e.Error)
	}
	a.c.Lang = "zh-CN"
	if _, e := a.pay("merchant1", id, o2, 20001, http.StatusConflict); !strings.Contains(e.Error.Message, "最多可登记 ¥200.00") {
		t.Errorf("over-payment in Chinese: got %q, want 最多可登记 ¥200.00", e.Error.Message)
	}
	// Order 1 is paid (awaiting confirmation): only order 2 is left to pay.
	if s := a.payments("merchant1", id).Steps; len(s) != 1 || !strings.Contains(s[0], "前支付 ¥200.00") {
		t.Errorf("steps in Chinese: got %q, want one to 前支付 ¥200.00", s)
	}
	a.c.Lang = "en"
	v = a.payments("merchant1", id)
	if v.Orders[0].Paid != 30000 || v.Orders[0].Confirmed != 0 || v.Orders[0].Open != 0 || v.Orders[0].Outstanding != 30000 {
		t.Errorf("order 1 after two payments: got %+v, want paid 30000, confirmed 0, open 0, outstanding 30000", v.Orders[0])
	}

	// Only the payee confirms or disputes.
	a.decidePayment("merchant1", id, p1.ID, "confirm", nil, http.StatusForbidden)
	a.decidePayment("judge1", id, p1.ID, "confirm", nil, http.StatusForbidden)
	a.decidePayment("claimant2", id, p1.ID, "confirm", nil, http.StatusNotFound)
	a.decidePayment("claimant1", id, p1.ID+1000, "confirm", nil, http.StatusNotFound)
	a.decidePayment("claimant1", id, p2.ID, "dispute", map[string]any{"reason": ""}, http.StatusBadRequest)
	a.decidePayment("claimant1", id, p2.ID, "dispute", map[string]any{"reason": "账户只收到一百元"}, http.StatusOK)
	a.decidePayment("claimant1", id, p2.ID, "confirm", nil, http.StatusConflict) // decided already
	if n := noticeCount(t, a.ts.DB, a.ids["merchant1"], id, payments.NoticeDisputed); n != 1 {
		t.Errorf("merchant1's dispute notices: got %d, want 1", n)
	}
	// The disputed 200 yuan no longer count: it can be paid again.
	p3, _ := a.pay("merchant1", id, o1, 20000, http.StatusCreated)
	for _, pid := range []int64{p1.ID, p3.ID} {
		a.decidePayment("claimant1", id, pid, "confirm", nil, http.StatusOK)
	}
	if st := a.dbCase(id).Status; st != court.CaseRuled {
		t.Fatalf("order 2 unpaid: got status %q, want ruled", st)
	}
	p4, _ := a.pay("merchant1", id, o2, 20000, http.StatusCreated)
	res := a.decidePayment("claimant1", id, p4.ID, "confirm", nil, http.StatusOK)
	if !strings.Contains(res.Body, `"case_closed":true`) {
		t.Errorf("last confirmation: got %s, want case_closed true", res.Body)
	}
	if st := a.dbCase(id).Status; st != court.CaseClosed {
		t.Fatalf("all paid and confirmed: got status %q, want closed", st)
	}
	kinds := docketKinds(t, a.ts.DB, id)
	if kinds[payments.EntryRecorded] != 4 || kinds[payments.EntryConfirmed] != 3 || kinds[payments.EntryDisputed] != 1 || kinds[payments.EntryClosed] != 1 {
		t.Errorf("docket: got %v, want 4 recorded, 3 confirmed, 1 disputed, 1 closed", kinds)
	}
	for _, u := range []string{"claimant1", "merchant1", "judge1"} {
		if n := noticeCount(t, a.ts.DB, a.ids[u], id, payments.NoticeClosed); n != 1 {
			t.Errorf("%s's closing notices: got %d, want 1", u, n)
		}
	}
	v = a.payments("claimant1", id)
	if v.Status != court.CaseClosed || len(v.Steps) != 1 || !strings.Contains(v.Steps[0], "closed") {
		t.Errorf("closed view: got %+v, want the closed step", v)
	}
	a.pay("merchant1", id, o2, 1, http.StatusConflict) // nothing to pay in a closed case
}

// TestPaymentsOverdueOnce: an order not paid in full and confirmed by its
// deadline flags the case for enforcement exactly once, also after a
// restart, with a docket entry and notices to both parties and the judge;
// then the payee applies for enforcement, once, and the clerks are told.
func TestPaymentsOverdueOnce(t *testing.T) {
	ts, a, clock, svc := paymentServer(t)
	id := a.ruledCase()
	ctx := context.Background()
	v := a.payments("merchant1", id)
	p, _ := a.pay("merchant1", id, v.Orders[0].OrderID, 30000, http.StatusCreated)
	a.decidePayment("claimant1", id, p.ID, "confirm", nil, http.StatusOK)

	if done, err := svc.ApplyOverdue(ctx); err != nil || len(done) != 0 {
		t.Fatalf("before the deadline: got %v %v, want nothing flagged", done, err)
	}
	if res, e := a.call("claimant1", "POST", casePath(id, "/enforcement"), nil); res.StatusCode != http.StatusConflict {
		t.Errorf("enforcement before the deadline: got %d %+v, want 409", res.StatusCode, e.Error)
	}

	clock.Add(11 * 24 * time.Hour)
	done, err := svc.ApplyOverdue(ctx)
	if err != nil || len(done) != 1 || done[0].CaseID != id {
		t.Fatalf("after the deadline: got %v %v, want case %d flagged", done, err, id)
	}
	if done, err := svc.ApplyOverdue(ctx); err != nil || len(done) != 0 {
		t.Fatalf("second run: got %v %v, want nothing", done, err)
	}
	// A restart: a new server and service on the same data.
	ts2 := serverIn(t, ts.Dir, false, nil)
	svc2 := payments.New(ts2.DB)
	svc2.Now = clock.Now
	if done, err := svc2.ApplyOverdue(ctx); err != nil || len(done) != 0 {
		t.Fatalf("after a restart: got %v %v, want nothing", done, err)
	}
	if k := docketKinds(t, ts.DB, id); k[payments.EntryOverdue] != 1 {
		t.Errorf("docket: got %d payment_overdue entries, want 1", k[payments.EntryOverdue])
	}
	for _, u := range []string{"claimant1", "merchant1", "judge1"} {
		if n := noticeCount(t, ts.DB, a.ids[u], id, payments.NoticeOverdue); n != 1 {
			t.Errorf("%s's overdue notices: got %d, want 1", u, n)
		}
	}
	c := a.payments("claimant1", id)
	if c.Flagged == nil || !c.CanApply || !c.Orders[1].Overdue || c.Orders[0].Overdue {
		t.Errorf("claimant's view: got %+v, want flagged, can apply, order 2 overdue and order 1 not", c)
	}

	// The payee applies, once; the payer cannot, the judge may not.
	if res, e := a.call("merchant1", "POST", casePath(id, "/enforcement"), nil); res.StatusCode != http.StatusConflict {
		t.Errorf("payer applies: got %d %+v, want 409", res.StatusCode, e.Error)
	}
	if res, e := a.call("judge1", "POST", casePath(id, "/enforcement"), nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("judge applies: got %d %+v, want 403", res.StatusCode, e.Error)
	}
	if res, e := a.call("claimant1", "POST", casePath(id, "/enforcement"), map[string]any{"note": "商家已失联"}); res.StatusCode != http.StatusOK {
		t.Fatalf("payee applies: got %d %+v, want 200", res.StatusCode, e.Error)
	}
	if res, e := a.call("claimant1", "POST", casePath(id, "/enforcement"), nil); res.StatusCode != http.StatusConflict ||
		!strings.Contains(e.Error.Message, "already") {
		t.Errorf("second application: got %d %+v, want 409 already", res.StatusCode, e.Error)
	}
	if n := noticeCount(t, ts.DB, a.ids["clerk1"], id, payments.NoticeEnforcement); n != 1 {
		t.Errorf("clerk1's enforcement notices: got %d, want 1", n)
	}
	if k := docketKinds(t, ts.DB, id); k[payments.EntryEnforcement] != 1 {
		t.Errorf("docket: got %d enforcement entries, want 1", k[payments.EntryEnforcement])
	}
	// Paying late still closes the case.
	p2, _ := a.pay("merchant1", id, c.Orders[1].OrderID, 20000, http.StatusCreated)
	a.decidePayment("claimant1", id, p2.ID, "confirm", nil, http.StatusOK)
	if st := a.dbCase(id).Status; st != court.CaseClosed {
		t.Errorf("paid late: got %q, want closed", st)
	}
}

// TestPaymentsMediation: the agreed amount of a confirmed settlement is an
// order of the mediation document: paid and confirmed, the settled case
// closes.
func TestPaymentsMediation(t *testing.T) {
	_, a, _, _ := paymentServer(t)
	id := a.matrixCase("A", court.CaseStatus("answered/accepted"))
	a.mustCase("judge1", "POST", casePath(id, "/confirm"), map[string]any{"decision": "confirm"}, http.StatusOK)
	if res, e := a.call("judge1", "POST", casePath(id, "/mediation"), nil); res.StatusCode != http.StatusOK {
		t.Fatalf("mediation: got %d %+v", res.StatusCode, e.Error)
	}
	v := a.payments("merchant1", id)
	if len(v.Orders) != 1 || v.Orders[0].Kind != "mediation" || v.Orders[0].Amount != 10000 || !v.CanRecord {
		t.Fatalf("settled case: got %+v, want one mediation order of 10000 to record", v)
	}
	p, _ := a.pay("merchant1", id, v.Orders[0].OrderID, 10000, http.StatusCreated)
	a.decidePayment("claimant1", id, p.ID, "confirm", nil, http.StatusOK)
	if st := a.dbCase(id).Status; st != court.CaseClosed {
		t.Errorf("settlement paid and confirmed: got %q, want closed", st)
	}
}

// TestPaymentsAccessRuled: on a ruled case, every role on its own and on a
// foreign case: who sees the orders, who may record.
func TestPaymentsAccessRuled(t *testing.T) {
	_, a, _, _ := paymentServer(t)
	id := a.ruledCase()
	order := a.payments("merchant1", id).Orders[0].OrderID
	// Party A's case is claimant1's against merchant1 with judge1 and
	// mediator1; the others are on no side of it.
	want := map[string][2]int{ // GET payments, POST payment (1 fen)
		"claimant1": {200, 403}, "merchant1": {200, 201}, "judge1": {200, 403}, "mediator1": {200, 403},
		"clerk1": {200, 403}, "admin1": {200, 403}, "claimant2": {404, 404}, "merchant2": {404, 404}, "agent1": {404, 404},
	}
	for user, w := range want {
		if res, _ := a.call(user, "GET", casePath(id, "/payments"), nil); res.StatusCode != w[0] {
			t.Errorf("GET payments as %s: got %d, want %d", user, res.StatusCode, w[0])
		}
		if res, _ := a.call(user, "POST", casePath(id, "/payments"), payBody(order, 1)); res.StatusCode != w[1] {
			t.Errorf("record as %s: got %d, want %d", user, res.StatusCode, w[1])
		}
	}
}

// TestPaymentsPage: the case page shows the orders and each party's next
// step in both languages; the forms record (amount typed in yuan),
// refuse an over-payment with its message, and confirm.
func TestPaymentsPage(t *testing.T) {
	ts, a, _, _ := paymentServer(t)
	id := a.ruledCase()
	page := fmt.Sprintf("/cases/%d", id)
	m := ts.client(t)
	m.login("merchant1")
	res := m.get(page)
	if res.StatusCode != 200 || !strings.Contains(res.Body, `id="payments"`) || !strings.Contains(res.Body, "前支付 ¥300.00") {
		t.Fatalf("merchant's page (zh-CN): got %d, want the payments panel with 支付 ¥300.00\n%s", res.StatusCode, res.Body)
	}
	m.Lang = "en"
	m.get("/lang/en")
	if res := m.get(page); !strings.Contains(res.Body, "Pay ¥300.00") || !strings.Contains(res.Body, "Record a payment") {
		t.Errorf("merchant's page (en): want Pay ¥300.00 and the form")
	}
	order := a.payments("merchant1", id).Orders[0].OrderID
	form := url.Values{"pay_order": {order}, "pay_amount": {"120.50"}, "pay_method": {"bank"}, "pay_reference": {"ICBC-778"},
		"pay_paid_on": {time.Now().In(court.Zone).Format("2006-01-02")}}
	if res := m.postForm(page, page+"/payments", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record by form: got %d\n%s", res.StatusCode, res.Body)
	}
	form.Set("pay_amount", "180.00")
	res = m.postForm(page, page+"/payments", form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "at most ¥179.50") {
		t.Errorf("over-payment by form: got %d, want 409 saying at most ¥179.50", res.StatusCode)
	}
	v := a.payments("merchant1", id)
	if v.Orders[0].Paid != 12050 || len(v.Payments) != 1 {
		t.Fatalf("after the form: got %+v, want 12050 fen paid in one payment", v.Orders[0])
	}

	cl := ts.client(t)
	cl.login("claimant1")
	res = cl.get(page)
	if !strings.Contains(res.Body, fmt.Sprintf(`id="confirm-%d"`, v.Payments[0].ID)) || !strings.Contains(res.Body, "请核实是否到账") {
		t.Fatalf("claimant's page: want the confirm button and the step to check the payment")
	}
	if res := cl.postForm(page, fmt.Sprintf("%s/payments/%d/confirm", page, v.Payments[0].ID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm by form: got %d", res.StatusCode)
	}
	if res := cl.get(page); !strings.Contains(res.Body, "¥120.50") || !strings.Contains(res.Body, "¥179.50") {
		t.Errorf("claimant's page after confirming: want ¥120.50 confirmed and ¥179.50 outstanding")
	}
}

// TestPaymentsRace: payments recorded at the same moment cannot together
// exceed the order: of ten payments of 100 yuan on an order of 300 yuan,
// exactly three are recorded.
func TestPaymentsRace(t *testing.T) {
	_, a, _, _ := paymentServer(t)
	id := a.ruledCase()
	order := a.payments("merchant1", id).Orders[0].OrderID
	codes := make(chan int, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _ := a.call("merchant1", "POST", casePath(id, "/payments"), payBody(order, 10000))
			codes <- res.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusCreated] != 3 || got[http.StatusConflict] != 7 {
		t.Errorf("ten racing payments of 100 yuan on 300: got %v, want 3 created and 7 conflicts", got)
	}
	if v := a.payments("merchant1", id); v.Orders[0].Paid != 30000 {
		t.Errorf("paid: got %d, want 30000", v.Orders[0].Paid)
	}
}

// TestPaymentProofExhibit: a payment's proof is an exhibit of the same case;
// an exhibit of another case, or none, is refused and records nothing.
func TestPaymentProofExhibit(t *testing.T) {
	_, a, _, _ := paymentServer(t)
	id := a.ruledCase()
	other := a.matrixCase("A", court.CaseServed)
	res, proof := a.uploadBytes("merchant1", id, "?name=receipt.txt&title=转账回单", []byte("支付宝转账回单 ALI-2026-0001 ¥300.00"))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload the proof to the ruled case: got %d", res.StatusCode)
	}
	res, foreign := a.uploadBytes("merchant1", other, "?name=receipt.txt&title=别案回单", []byte("另一案件的回单"))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload to the other case: got %d", res.StatusCode)
	}
	order := a.payments("merchant1", id).Orders[0].OrderID
	for _, bad := range []int64{foreign.ID, 999999} {
		body := payBody(order, 10000)
		body["exhibit_id"] = bad
		if res, e := a.call("merchant1", "POST", casePath(id, "/payments"), body); res.StatusCode != http.StatusBadRequest || e.Error.Fields["exhibit_id"] == "" {
			t.Errorf("proof exhibit %d not of the case: got %d %+v, want 400 naming exhibit_id", bad, res.StatusCode, e.Error)
		}
	}
	if n := len(a.payments("merchant1", id).Payments); n != 0 {
		t.Fatalf("after refused payments: %d recorded, want 0", n)
	}
	body := payBody(order, 10000)
	body["exhibit_id"] = proof.ID
	res, e := a.call("merchant1", "POST", casePath(id, "/payments"), body)
	var p storage.Payment
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("payment with its proof: got %d %+v, want 201", res.StatusCode, e.Error)
	}
	decodeInto(t, res, &p)
	if p.ExhibitID == nil || *p.ExhibitID != proof.ID {
		t.Errorf("recorded payment's proof: got %v, want exhibit %d", p.ExhibitID, proof.ID)
	}
}

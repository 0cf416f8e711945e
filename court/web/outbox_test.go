package web_test

// Tests of this part through the real server: a merchant served at its
// contact claims its organisation with the mailed code; contact addresses
// on registration, the account page and the filing; the admin's outbox.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/outbox"
	"github.com/shangcheng-court/courtd/court/storage"
)

// newOrgCode is a valid credit code no demo organisation has.
const newOrgCode = "91330000MA27U8BX49"

// registerMerchant posts the merchant registration form.
func (c *client) registerMerchant(username, creditCode, claimCode string) *response {
	c.tb.Helper()
	return c.postForm("/register/merchant", "/register/merchant", url.Values{
		"username": {username}, "password": {demo.Password}, "name": {"Staff " + username}, "mobile": {"13800138000"},
		"credit_code": {creditCode}, "org_name": {"Hangzhou New Tea Co"}, "claim_code": {claimCode},
		"email": {username + "@newtea.example.cn"},
	})
}

// serveNewMerchant has claimant1 file (through the API, with the shop's
// address) against an organisation the court has never seen, and clerk1
// accept it, which queues the service message to the shop.
func serveNewMerchant(t *testing.T, a *caseAPIClient) court.Case {
	t.Helper()
	f := a.filing(true)
	f["credit_code"], f["merchant_name"], f["merchant_email"] = newOrgCode, "Hangzhou New Tea Co", "Service@NewTea.example.cn"
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", f, http.StatusCreated)
	cs = a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	org, err := a.ts.DB.OrganizationByID(context.Background(), cs.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if org.ContactEmail != "Service@newtea.example.cn" {
		t.Fatalf("organisation contact %q, want the address given in the filing", org.ContactEmail)
	}
	return cs
}

// claimCode runs the dispatcher, which sends the service message and makes
// its claim code, and returns the code.
func claimCode(t *testing.T, a *caseAPIClient, cs court.Case) string {
	t.Helper()
	org, err := a.ts.DB.OrganizationByID(context.Background(), cs.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	rec := &mailRecorder{}
	d := outbox.New(a.ts.DB, rec, a.ts.Cat, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if res, err := d.RunOnce(context.Background()); err != nil || res.Sent == 0 {
		t.Fatalf("dispatch: %+v %v", res, err)
	}
	for _, m := range rec.sent {
		if m.To == org.ContactEmail {
			code := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(m.Body)
			if code == "" {
				t.Fatalf("service message without a claim code:\n%s", m.Body)
			}
			return code
		}
	}
	t.Fatalf("no message to %s in %+v", org.ContactEmail, rec.sent)
	return ""
}

// mailRecorder is a Sender that keeps what it is given.
type mailRecorder struct{ sent []outbox.Message }

func (r *mailRecorder) Send(ctx context.Context, m outbox.Message) error {
	r.sent = append(r.sent, m)
	return nil
}

func TestClaimCodeRegistration(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := serveNewMerchant(t, a)
	code := claimCode(t, a, cs)

	// Without the code, or with a wrong one, the registrant waits for
	// approval: no login, no case.
	last := "X"
	if strings.HasSuffix(code, "X") {
		last = "Y"
	}
	for i, bad := range []string{"", "0000-0000-0000", strings.ToLower(code[:13]) + last} {
		cl := ts.client(t)
		res := cl.registerMerchant(fmt.Sprintf("waiter%d", i), newOrgCode, bad)
		want := "/login?notice=pending_claim"
		if bad == "" {
			want = "/login?notice=pending"
		}
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Fatalf("registration with claim code %q: got %d to %q, want 303 to %s\n%s",
				bad, res.StatusCode, res.Header.Get("Location"), want, res.Body)
		}
		if bad != "" {
			if page := cl.get(want); !strings.Contains(page.Body, "认领码未被接受") {
				t.Errorf("the login page does not say the claim code was refused")
			}
		}
		login := cl.postForm("/register", "/login", url.Values{"username": {fmt.Sprintf("waiter%d", i)}, "password": {demo.Password}})
		if login.StatusCode != http.StatusForbidden {
			t.Errorf("login of a pending registrant: got %d, want 403", login.StatusCode)
		}
		if res := cl.get(casePath(cs.ID, "")[len("/api/v1"):]); res.StatusCode == http.StatusOK {
			t.Errorf("a pending registrant opened the case")
		}
	}

	// With the code (typed loosely), the registrant is an active member at
	// once and sees the case served on the organisation.
	owner := ts.client(t)
	res := owner.registerMerchant("owner", newOrgCode, " "+strings.ToLower(code)+" ")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home?notice=registered" {
		t.Fatalf("registration with the claim code: got %d to %q, want 303 to /home\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	page := owner.get(fmt.Sprintf("/cases/%d", cs.ID))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, cs.DocketNo) {
		t.Fatalf("the new member opening the case: got %d, want 200 with %s", page.StatusCode, cs.DocketNo)
	}
	home := owner.get("/home")
	if !strings.Contains(home.Body, fmt.Sprintf("/cases/%d", cs.ID)) {
		t.Errorf("the new member's page does not list the case")
	}
	if acct := owner.get("/account"); !strings.Contains(acct.Body, `id="org-contact">Service@newtea.example.cn<`) {
		t.Errorf("the account page does not show the organisation's address")
	}
	u, _, err := ts.DB.Credentials(context.Background(), "owner")
	if err != nil || u.Status != court.StatusActive || u.Email != "owner@newtea.example.cn" {
		t.Errorf("owner = %+v (%v), want active with its address", u, err)
	}

	// The code is spent: the next one to use it waits like the others.
	if res := ts.client(t).registerMerchant("latecomer", newOrgCode, code); res.Header.Get("Location") != "/login?notice=pending_claim" {
		t.Errorf("second use of the claim code: got %d to %q, want pending", res.StatusCode, res.Header.Get("Location"))
	}
	// The member can now approve a colleague who waited.
	waiter, _, _ := ts.DB.Credentials(context.Background(), "waiter0")
	res = owner.postForm("/account", fmt.Sprintf("/account/members/%d/approve", waiter.ID), url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("approving a colleague: got %d, want 303", res.StatusCode)
	}
	// A code of this organisation opens no other one.
	if res := ts.client(t).registerMerchant("intruder", demo.CreditCode1, code); res.Header.Get("Location") != "/login?notice=pending_claim" {
		t.Errorf("claim code used for another organisation: got %d to %q, want pending", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestContactAddresses(t *testing.T) {
	ts := mustServer(t, nil)
	ctx := context.Background()

	// Registration refuses a malformed address next to its field.
	cl := ts.client(t)
	cl.Lang = "en"
	res := cl.postForm("/register/consumer", "/register/consumer", url.Values{
		"username": {"newbie"}, "password": {demo.Password}, "name": {"New Bie"}, "mobile": {"13800138000"},
		"resident_id": {"11010519491231002X"}, "email": {"newbie at example"},
	})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, pageFieldError("email", "Please enter an e-mail address such as name@example.com, without spaces.")) {
		t.Fatalf("bad address at registration: got %d, want 400 with the field error\n%s", res.StatusCode, res.Body)
	}

	// The account page sets, shows and removes the address.
	cl = ts.client(t)
	cl.login("claimant1")
	res = cl.postForm("/account", "/account/email", url.Values{"email": {"Name <a@b.cn>"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-email"`) {
		t.Errorf("bad address on the account page: got %d, want 400 with the field error", res.StatusCode)
	}
	res = cl.postForm("/account", "/account/email", url.Values{"email": {" li.na@Example.CN "}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account?notice=email_saved" {
		t.Fatalf("saving an address: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	page := cl.get("/account?notice=email_saved")
	if !strings.Contains(page.Body, `value="li.na@example.cn"`) {
		t.Errorf("the account page does not show the saved address")
	}
	noRawKeys(t, "account page", page)
	u, _, _ := ts.DB.Credentials(ctx, "claimant1")
	if u.Email != "li.na@example.cn" {
		t.Errorf("stored address %q", u.Email)
	}
	if res := cl.postForm("/account", "/account/email", url.Values{"email": {""}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("removing the address: got %d", res.StatusCode)
	}
	if u, _, _ := ts.DB.Credentials(ctx, "claimant1"); u.Email != "" {
		t.Errorf("address after removal %q, want none", u.Email)
	}

	// The filing form's merchant step takes the shop's address, checks it,
	// and shows it on the review page.
	form := withForm(pageFiling("review"), "merchant_email", "kefu@shop")
	res = cl.postForm("/cases/new", "/cases/new", form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, `id="e-merchant_email"`) {
		t.Errorf("bad merchant address in the filing: got %d, want 400 with the field error", res.StatusCode)
	}
	form = withForm(pageFiling("review"), "merchant_email", "kefu@shop.example.cn")
	if res = cl.postForm("/cases/new", "/cases/new", form); res.StatusCode != http.StatusOK ||
		!strings.Contains(res.Body, "kefu@shop.example.cn") {
		t.Errorf("review page: got %d, want 200 showing the merchant's address", res.StatusCode)
	}
	id := cl.fileClaim(withForm(pageFiling("submit"), "merchant_email", "kefu@shop.example.cn"), "case_submitted")
	cs := ts.storedCase(t, id)
	org, err := ts.DB.OrganizationByID(ctx, cs.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	// merchant1 registered with no address, so the consumer's is kept,
	// with the consumer's language (the page was in Chinese).
	if org.ContactEmail != "kefu@shop.example.cn" || org.ContactLang != "zh-CN" {
		t.Errorf("organisation contact %q %q, want the filed address in zh-CN", org.ContactEmail, org.ContactLang)
	}
	// A later filer's address does not replace it.
	id = cl.fileClaim(withForm(pageFiling("submit"), "merchant_email", "evil@attacker.example", "order_ref", "OTHER-1"), "case_submitted")
	if org, _ = ts.DB.OrganizationByID(ctx, ts.storedCase(t, id).OrgID); org.ContactEmail != "kefu@shop.example.cn" {
		t.Errorf("a second filer replaced the contact with %q", org.ContactEmail)
	}
}

func TestAdminOutbox(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	serveNewMerchant(t, a)
	ctx := context.Background()
	ms, _ := ts.DB.Mail(ctx, storage.MailFilter{})
	id := ms[0].ID
	// Make it a failed message, as the dispatcher would after the last try.
	if err := ts.DB.MailAttemptFailed(ctx, &ms[0], "550 mailbox unavailable", ms[0].NextAt, true); err != nil {
		t.Fatal(err)
	}
	pagePath, retryPath := "/admin/outbox", fmt.Sprintf("/admin/outbox/%d/retry", id)
	apiPath, apiRetry := "/api/v1/admin/outbox", fmt.Sprintf("/api/v1/admin/outbox/%d/retry", id)

	// Only admins find these routes; everyone else gets "not found".
	for _, acct := range demo.Accounts {
		cl := ts.client(t)
		cl.login(acct.Username)
		want := http.StatusNotFound
		if acct.Role == court.RoleAdmin {
			want = http.StatusOK
		}
		if res := cl.get(pagePath); res.StatusCode != want {
			t.Errorf("%s GET %s: got %d, want %d", acct.Username, pagePath, res.StatusCode, want)
		}
		if res, _ := a.call(acct.Username, "GET", apiPath, nil); res.StatusCode != want {
			t.Errorf("%s GET %s: got %d, want %d", acct.Username, apiPath, res.StatusCode, want)
		}
		if acct.Role != court.RoleAdmin {
			if res := cl.postForm("/home", retryPath, url.Values{}); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s POST %s: got %d, want 404", acct.Username, retryPath, res.StatusCode)
			}
			if res, _ := a.call(acct.Username, "POST", apiRetry, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s POST %s: got %d, want 404", acct.Username, apiRetry, res.StatusCode)
			}
		}
	}
	anon := ts.client(t)
	if res := anon.get(pagePath); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous GET %s: got %d, want a redirect to login", pagePath, res.StatusCode)
	}
	if res, _ := anon.api("GET", apiPath, "", "", ""); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous GET %s: got %d, want 401", apiPath, res.StatusCode)
	}

	admin := ts.client(t)
	admin.Lang = "en"
	admin.login("admin1")
	page := admin.get(pagePath + "?status=failed")
	for _, want := range []string{"Service@newtea.example.cn", "550 mailbox unavailable", "Failed", retryPath} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the outbox page lacks %q", want)
		}
	}
	noRawKeys(t, "outbox page", page)
	for _, lang := range []string{"en", "zh-CN"} {
		admin.Lang = lang
		for _, q := range []string{"", "?status=failed"} {
			if m := regexp.MustCompile(`(?:outbox|nav|title)\.[a-z_.]+`).FindString(admin.get(pagePath + q).Body); m != "" &&
				!strings.Contains(m, "example") {
				t.Errorf("the outbox page (%s) shows the message key %q", lang, m)
			}
		}
	}
	admin.Lang = "en"
	if res := admin.get(pagePath + "?status=bogus"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown status filter: got %d, want 400", res.StatusCode)
	}
	if res := admin.get(pagePath + "?status=sent"); strings.Contains(res.Body, "550 mailbox") {
		t.Errorf("the sent filter shows the failed message")
	}
	res := admin.postForm(pagePath, retryPath, url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/outbox?notice=mail_retried" {
		t.Fatalf("retry now: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	m, err := ts.DB.MailByID(ctx, id)
	if err != nil || m.Status != storage.MailPending {
		t.Errorf("after retry now: %+v (%v), want pending", m, err)
	}
	if res := admin.postForm(pagePath, "/admin/outbox/99999/retry", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("retry of no message: got %d, want 404", res.StatusCode)
	}
	// 60 more messages make two pages of 50, newest first.
	for i := 0; i < 60; i++ {
		if _, err := ts.DB.Writer().Exec(`INSERT INTO outbox (recipient, lang, kind, next_at, created_at, status)
			VALUES (?, 'en', 'notice.withdrawn', ?, ?, 'sent')`, fmt.Sprintf("u%02d@example.cn", i), ms[0].NextAt, ms[0].NextAt); err != nil {
			t.Fatal(err)
		}
	}
	first := admin.get(pagePath + "?status=sent")
	if !strings.Contains(first.Body, "u59@example.cn") || strings.Contains(first.Body, "u09@example.cn") ||
		!strings.Contains(first.Body, `id="outbox-next"`) {
		t.Errorf("first page of sent mail: want u59 to u10 and a link to older ones")
	}
	var lastID int64
	if err := ts.DB.Writer().QueryRow(`SELECT id FROM outbox WHERE recipient = 'u10@example.cn'`).Scan(&lastID); err != nil {
		t.Fatal(err)
	}
	second := admin.get(fmt.Sprintf("%s?status=sent&before=%d", pagePath, lastID))
	if !strings.Contains(second.Body, "u09@example.cn") || !strings.Contains(second.Body, "u00@example.cn") ||
		strings.Contains(second.Body, "u10@example.cn") || strings.Contains(second.Body, `id="outbox-next"`) {
		t.Errorf("second page of sent mail: want u09 to u00 and no further link")
	}
	if !strings.Contains(first.Body, fmt.Sprintf("before=%d", lastID)) {
		t.Errorf("the link to older mail does not start after the last shown (%d)", lastID)
	}
	// The API lists the same, with paging fields, and retries too.
	res, _ = a.call("admin1", "GET", apiPath+"?status=pending", nil)
	var list struct {
		Messages []storage.OutMessage `json:"messages"`
	}
	decodeInto(t, res, &list)
	if len(list.Messages) == 0 || list.Messages[0].ID != id || list.Messages[0].Attempts != 1 {
		t.Errorf("API list = %+v, want message %d with 1 attempt", list.Messages, id)
	}
	if strings.Contains(res.Body, `"data"`) || strings.Contains(res.Body, "Claim") {
		t.Errorf("the API shows a message's data: %s", res.Body)
	}
	if res, _ := a.call("admin1", "POST", apiRetry, nil); res.StatusCode != http.StatusOK {
		t.Errorf("API retry: got %d, want 200", res.StatusCode)
	}
	if res, _ := a.call("admin1", "GET", apiPath+"?before=x", nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad paging: got %d, want 400", res.StatusCode)
	}
}

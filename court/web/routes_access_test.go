package web_test

// The access matrix of the routes that are not about one case: every route of
// the app is in accessMatrix (/api/v1/cases...), pageMatrix (/cases...) or
// here, and each is called as a visitor and as every demo role.

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// routeCheck is one route called as every role. want gives the status by
// "anon" (no session, no token) and by demo username; "*" is for every
// signed-in role not named. Bodies are chosen so that whoever may use the
// route gets past its access check and stops at validation (400) or a
// conflict, changing nothing the other calls rely on.
type routeCheck struct {
	method, route string
	path          string                       // the path called; the route when empty
	body          func(f *routeFixture) string // form (pages) or JSON (API)
	want          map[string]int
}

// routeFixture holds what the calls need: ids of users to act on.
type routeFixture struct {
	ids     map[string]int64
	pending [2]int64         // colleagues of merchant1 and merchant2 waiting for approval
	spare   int64            // an active clerk the admin disables and enables again
	drafts  map[string]int64 // claimant1's drafts by the route that uses them
	mail    int64            // a message in the outbox
	api     *caseAPIClient
	tokens  map[string]string  // API token by username
	clients map[string]*client // signed-in page client by username
}

func formBody(v url.Values) func(*routeFixture) string {
	return func(*routeFixture) string { return v.Encode() }
}

var staffOnly = map[string]int{"anon": 401, "*": 404, "clerk1": 200, "judge1": 200, "admin1": 200}

var otherRoutes = []routeCheck{
	// Public pages and files.
	{"GET", "/", "", nil, map[string]int{"anon": 200, "*": 303}}, // signed in: to /home
	{"GET", "/healthz", "", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/readyz", "", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/metrics", "", nil, map[string]int{"anon": 200, "*": 200}}, // the test client is on loopback
	{"GET", "/static/*", "/static/app.css", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/lang/:lang", "/lang/en", nil, map[string]int{"anon": 303, "*": 303}},
	// Signing in and registering.
	{"GET", "/login", "", nil, map[string]int{"anon": 200, "*": 303}},
	{"POST", "/login", "", formBody(url.Values{"username": {""}}), map[string]int{"anon": 401, "*": 401}}, // no such user
	{"POST", "/logout", "", formBody(nil), map[string]int{"anon": 303, "*": 303}},
	{"GET", "/register", "", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/register/consumer", "", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/register/merchant", "", nil, map[string]int{"anon": 200, "*": 200}},
	{"POST", "/register/consumer", "", formBody(nil), map[string]int{"anon": 400, "*": 400}},
	{"POST", "/register/merchant", "", formBody(nil), map[string]int{"anon": 400, "*": 400}},
	// Each user's own pages. A visitor's GET goes to the login page; a
	// visitor's POST is refused (401) rather than redirected.
	{"GET", "/home", "", nil, map[string]int{"anon": 303, "*": 200}},
	{"GET", "/account", "", nil, map[string]int{"anon": 303, "*": 200}},
	{"POST", "/account/password", "", formBody(nil), map[string]int{"anon": 401, "*": 400}},
	// A merchant approves a colleague of its own organisation only.
	{"POST", "/account/members/:id/approve", "", nil, map[string]int{"anon": 401, "*": 404, "merchant1": 303}},
	// Administration.
	{"GET", "/admin/users", "", nil, map[string]int{"anon": 303, "*": 404, "admin1": 200}},
	{"POST", "/admin/users", "", formBody(nil), map[string]int{"anon": 401, "*": 404, "admin1": 400}},
	{"POST", "/admin/users/:id/approve", "", nil, map[string]int{"anon": 401, "*": 404, "admin1": 303}},
	{"POST", "/admin/users/:id/disable", "", nil, map[string]int{"anon": 401, "*": 404, "admin1": 303}},
	{"POST", "/admin/users/:id/enable", "", nil, map[string]int{"anon": 401, "*": 404, "admin1": 303}},
	{"GET", "/search", "", nil, map[string]int{"anon": 303, "*": 404, "clerk1": 200, "judge1": 200, "admin1": 200}},
	// The API outside /api/v1/cases.
	{"POST", "/api/v1/tokens", "", func(*routeFixture) string { return `{}` }, map[string]int{"anon": 401, "*": 401}}, // no such user
	{"DELETE", "/api/v1/tokens/current", "", nil, map[string]int{"anon": 401, "*": 204}},
	{"GET", "/api/v1/me", "", nil, map[string]int{"anon": 401, "*": 200}},
	{"GET", "/api/v1/notices", "", nil, map[string]int{"anon": 401, "*": 200}},
	{"GET", "/api/v1/search", "", nil, staffOnly},
	{"GET", "/api/v1/docket", "", nil, map[string]int{"anon": 401, "*": 404, "judge1": 200}},
	{"GET", "/api/v1/overdue", "", nil, map[string]int{"anon": 401, "*": 404, "clerk1": 200, "admin1": 200}},
	// Drafts of incomplete claims belong to one consumer; to anyone else
	// they do not exist. (The consumer's own calls that would end the
	// draft use drafts of their own, or stop at validation.)
	{"POST", "/api/v1/drafts", "", filingDraftBody, map[string]int{"anon": 401, "*": 404, "claimant1": 201, "claimant2": 201}},
	{"GET", "/api/v1/drafts", "", nil, map[string]int{"anon": 401, "*": 200}}, // one's own: none but a consumer's
	{"GET", "/api/v1/drafts/:id", "", nil, ownDraft},
	{"PUT", "/api/v1/drafts/:id", "", filingDraftBody, ownDraft},
	{"POST", "/api/v1/drafts/:id/submit", "", nil, map[string]int{"anon": 401, "*": 404, "claimant1": 400}},
	{"DELETE", "/api/v1/drafts/:id", "", nil, map[string]int{"anon": 401, "*": 404, "claimant1": 204}},
	{"GET", "/drafts/:id", "", nil, map[string]int{"anon": 303, "*": 404, "claimant1": 200}},
	{"POST", "/drafts/:id", "", func(*routeFixture) string {
		return url.Values{"facts": {"商家拒绝退款"}, "action": {"draft"}}.Encode()
	},
		map[string]int{"anon": 401, "*": 404, "claimant1": 303}},
	{"POST", "/drafts/:id/delete", "", formBody(nil), map[string]int{"anon": 401, "*": 404, "claimant1": 303}},
	// One's own contact address; a malformed one is refused.
	{"POST", "/account/email", "", formBody(url.Values{"email": {"not-an-address"}}), map[string]int{"anon": 401, "*": 400}},
	// The ledger holds no personal data: public (the fixture's filings
	// made its first leaves; reading the checkpoint signs one).
	{"GET", "/api/v1/ledger/key", "", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/api/v1/ledger/checkpoint", "", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/api/v1/ledger/proof/inclusion", "/api/v1/ledger/proof/inclusion?index=0&size=2", nil, map[string]int{"anon": 200, "*": 200}},
	{"GET", "/api/v1/ledger/proof/consistency", "/api/v1/ledger/proof/consistency?old=1&new=2", nil, map[string]int{"anon": 200, "*": 200}},
	// The outbox is the admin's.
	{"GET", "/admin/outbox", "", nil, map[string]int{"anon": 303, "*": 404, "admin1": 200}},
	{"POST", "/admin/outbox/:id/retry", "", formBody(nil), map[string]int{"anon": 401, "*": 404, "admin1": 303}},
	{"GET", "/api/v1/admin/outbox", "", nil, map[string]int{"anon": 401, "*": 404, "admin1": 200}},
	{"POST", "/api/v1/admin/outbox/:id/retry", "", nil, map[string]int{"anon": 401, "*": 404, "admin1": 200}},
}

var ownDraft = map[string]int{"anon": 401, "*": 404, "claimant1": 200}

func filingDraftBody(*routeFixture) string { return `{"facts":"商家拒绝退款"}` }

// TestRouteAccessMatrix: every route of the app has an entry in one of the
// access matrices, and each route here answers every role as listed.
func TestRouteAccessMatrix(t *testing.T) {
	ts := mustServer(t, nil)
	known := map[string]bool{}
	for _, r := range accessMatrix {
		known[r.method+" "+r.path] = true
	}
	for _, r := range pageMatrix {
		known[r.method+" "+r.path] = true
	}
	for _, r := range otherRoutes {
		if known[r.method+" "+r.route] {
			t.Errorf("route %s %s is in two matrices", r.method, r.route)
		}
		known[r.method+" "+r.route] = true
	}
	for _, r := range ts.Srv.App().GetRoutes(true) {
		if r.Method != http.MethodHead && !known[r.Method+" "+r.Path] {
			t.Errorf("route %s %s has no entry in any access matrix (accessMatrix, pageMatrix or otherRoutes)", r.Method, r.Path)
		}
	}

	// Merchants' colleagues waiting for approval, for the approve routes.
	for i, code := range []string{demo.CreditCode1, demo.CreditCode2} {
		c := ts.client(t)
		res := c.postForm("/register/merchant", "/register/merchant", url.Values{
			"username": {"colleague" + strconv.Itoa(i)}, "password": {"colleague-pass-2026"}, "name": {"王芳"},
			"credit_code": {code}, "org_name": {"某公司"}, "mobile": {"13800138001"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("register a colleague: got %d\n%s", res.StatusCode, res.Body)
		}
	}
	a := newCaseAPI(t, ts)
	spare, err := ts.Acc.CreateStaff(context.Background(), court.StaffAccount{Username: "spare", Password: "spare-pass-2026", Name: "备用书记员", Role: court.RoleClerk})
	if err != nil {
		t.Fatal(err)
	}
	f := &routeFixture{ids: a.ids, pending: pendingIDs(t, ts), spare: spare.ID, api: a,
		tokens: map[string]string{}, clients: map[string]*client{}, drafts: map[string]int64{}}
	// A message in the outbox: claimant1 has an address, and the court's
	// acceptance of its claim tells it to pay the fee.
	ctx := context.Background()
	if err := ts.DB.SetUserEmail(ctx, userByName(t, ts, a, "claimant1"), "zhang.wei@example.cn"); err != nil {
		t.Fatal(err)
	}
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	mail, err := ts.DB.Mail(ctx, storage.MailFilter{})
	if err != nil || len(mail) == 0 {
		t.Fatalf("outbox after acceptance: %d messages (%v), want some", len(mail), err)
	}
	f.mail = mail[0].ID
	// claimant1's drafts: one the calls read and change, one for each route
	// that deletes one.
	for _, use := range []string{"*", "DELETE /api/v1/drafts/:id", "POST /drafts/:id/delete"} {
		d, err := ts.Dk.SaveDraft(context.Background(), userByName(t, ts, a, "claimant1"), 0, court.Filing{Facts: "商家拒绝退款"})
		if err != nil {
			t.Fatal(err)
		}
		f.drafts[use] = d.ID
	}
	paths := func(r routeCheck, who string) string {
		p := r.path
		if p == "" {
			p = r.route
		}
		id := ""
		switch r.route {
		case "/account/members/:id/approve":
			id = strconv.FormatInt(f.pending[0], 10) // merchant1's colleague
		case "/admin/users/:id/approve":
			id = strconv.FormatInt(f.pending[1], 10)
		case "/admin/users/:id/disable", "/admin/users/:id/enable":
			id = strconv.FormatInt(f.spare, 10) // disabled, then enabled again
		case "/admin/outbox/:id/retry", "/api/v1/admin/outbox/:id/retry":
			id = strconv.FormatInt(f.mail, 10)
		default:
			if d, ok := f.drafts[r.method+" "+r.route]; ok {
				id = strconv.FormatInt(d, 10)
			} else if d, ok := f.drafts["*"]; ok && strings.Contains(r.route, "/drafts/:id") {
				id = strconv.FormatInt(d, 10)
			}
		}
		return strings.Replace(p, ":id", id, 1)
	}
	probe := os.Getenv("COURT_PROBE_ROUTES") != ""
	who := append([]string{"anon"}, demoUsernames()...)
	for _, r := range otherRoutes {
		order := who
		switch r.route {
		// The one who succeeds goes last: until then the colleague is
		// pending and the spare clerk active.
		case "/account/members/:id/approve":
			order = moveLast(who, "merchant1")
		case "/admin/users/:id/approve", "/admin/users/:id/disable", "/admin/users/:id/enable":
			order = moveLast(who, "admin1")
		}
		for _, w := range order {
			want, ok := r.want[w]
			if !ok {
				want = r.want["*"]
			}
			body := ""
			if r.body != nil {
				body = r.body(f)
			}
			got := f.callAs(t, ts, w, r.method, paths(r, w), body)
			if probe {
				t.Logf("%s %s as %s: %d", r.method, r.route, w, got)
			}
			if got != want {
				t.Errorf("%s %s as %s: got %d, want %d", r.method, r.route, w, got, want)
			}
		}
	}
}

// callAs makes one request as who ("anon" for nobody): API routes with
// who's token, pages in who's signed-in session with the CSRF token. Routes
// that end the session or the token get a fresh one.
func (f *routeFixture) callAs(t *testing.T, ts *testServer, who, method, path, body string) int {
	t.Helper()
	fresh := path == "/logout" || path == "/api/v1/tokens/current"
	if strings.HasPrefix(path, "/api/") {
		tok := ""
		if who != "anon" {
			if tok = f.tokens[who]; tok == "" || fresh {
				tok = f.api.token(who)
				f.tokens[who] = tok
			}
		}
		ct := ""
		if body != "" {
			ct = "application/json"
		}
		res, _ := f.api.c.api(method, path, tok, ct, body)
		if fresh {
			delete(f.tokens, who)
		}
		return res.StatusCode
	}
	c := f.clients[who]
	if c == nil || fresh {
		c = ts.client(t)
		if who != "anon" {
			c.login(who)
		}
		f.clients[who] = c
	}
	if fresh {
		delete(f.clients, who)
	}
	if method == http.MethodGet {
		return c.get(path).StatusCode
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		t.Fatal(err)
	}
	return c.postForm("/register", path, form).StatusCode
}

// userByName is the demo user username.
func userByName(t *testing.T, ts *testServer, a *caseAPIClient, username string) *court.User {
	t.Helper()
	u, err := ts.DB.UserByID(context.Background(), a.ids[username])
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// pendingIDs are the ids of the two users waiting for approval.
func pendingIDs(t *testing.T, ts *testServer) [2]int64 {
	t.Helper()
	users, err := ts.DB.Users(context.Background(), storage.UserFilter{Status: court.StatusPending})
	if err != nil || len(users) != 2 {
		t.Fatalf("pending users: got %d (%v), want 2", len(users), err)
	}
	return [2]int64{users[0].ID, users[1].ID}
}

func demoUsernames() []string {
	var names []string
	for _, acct := range demo.Accounts {
		names = append(names, acct.Username)
	}
	sort.Strings(names)
	return names
}

func moveLast(names []string, last string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n != last {
			out = append(out, n)
		}
	}
	return append(out, last)
}

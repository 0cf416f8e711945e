package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/court/web"
)

func (ts *testServer) userCount(tb testing.TB) int {
	tb.Helper()
	users, err := ts.DB.Users(context.Background(), storage.UserFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	return len(users)
}

// msg renders a catalog message the way pages show it (HTML-escaped).
func (ts *testServer) msg(lang, key string, kv ...any) string {
	s := ts.Cat.M(lang, court.Msg(key, kv...))
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")
	return r.Replace(s)
}

func validResidentID(first17 string) string { return first17 + string(court.ResidentIDCheck(first17)) }

func wrongCheck(id string) string {
	last := id[17]
	for _, c := range "0123456789X" {
		if byte(c) != last {
			return id[:17] + string(c)
		}
	}
	return id
}

func TestSecurityHeaders(t *testing.T) {
	ts := mustServer(t, nil)
	res := ts.client(t).get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: got %d, want 200", res.StatusCode)
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q: missing %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q allows inline code", csp)
	}
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"X-Frame-Options":        "DENY",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
	if got := res.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over plain HTTP: got %q, want none", got)
	}
	if !strings.Contains(res.Body, `<html lang="zh-CN">`) {
		t.Errorf("page language: want lang=zh-CN in %.200s", res.Body)
	}
	if strings.Contains(res.Body, "<script>") || strings.Contains(res.Body, "style=") {
		t.Error("page has inline script or style")
	}
}

// TestRegisterBadInput: every kind of bad input gets its message, in the
// user's language, next to the field, and creates no account.
func TestRegisterBadInput(t *testing.T) {
	ts := mustServer(t, nil)
	good := url.Values{
		"name": {"王小明"}, "mobile": {"13912345678"}, "resident_id": {validResidentID("33010619900101234")},
		"username": {"wangxm"}, "password": {"a long enough password"},
	}
	goodMerchant := url.Values{
		"name": {"赵六"}, "mobile": {"13912345679"}, "credit_code": {"91330106MA2K0B1C2" + string(court.CreditCodeCheck("91330106MA2K0B1C2"))},
		"org_name": {"杭州测试商贸有限公司"}, "username": {"zhaoliu"}, "password": {"a long enough password"},
	}
	with := func(v url.Values, k, val string) url.Values {
		out := url.Values{}
		for kk, vv := range v {
			out[kk] = vv
		}
		out.Set(k, val)
		return out
	}
	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		field  string
		key    string
		args   []any
	}{
		{"resident id check", "/register/consumer", with(good, "resident_id", wrongCheck(good.Get("resident_id"))), 400, "resident_id", "err.resident_id_check", nil},
		{"resident id short", "/register/consumer", with(good, "resident_id", "3301"), 400, "resident_id", "err.resident_id_length", nil},
		{"credit code check", "/register/merchant", with(goodMerchant, "credit_code", goodMerchant.Get("credit_code")[:17]+"0"), 400, "credit_code", "err.credit_code_check", nil},
		{"credit code letter O", "/register/merchant", with(goodMerchant, "credit_code", "91330106MA2K0O1C2X"), 400, "credit_code", "err.credit_code_chars", nil},
		{"name too long", "/register/consumer", with(good, "name", strings.Repeat("长", 51)), 400, "name", "err.text_too_long", []any{"Max", 50}},
		{"name not utf-8", "/register/consumer", with(good, "name", "\xff\xfe"), 400, "name", "err.text_encoding", nil},
		{"control character", "/register/consumer", with(good, "name", "王\x00明"), 400, "name", "err.text_control", nil},
		{"mobile", "/register/consumer", with(good, "mobile", "12345"), 400, "mobile", "err.mobile", nil},
		{"short password", "/register/consumer", with(good, "password", "short"), 400, "password", "err.password_short", []any{"Min", 10}},
		{"duplicate username", "/register/consumer", with(good, "username", "Claimant1"), 409, "username", "err.username_taken", nil},
		{"duplicate resident id", "/register/consumer", with(good, "resident_id", demo.ResidentID1), 409, "resident_id", "err.resident_id_taken", nil},
		{"bad username", "/register/consumer", with(good, "username", "1 bad name"), 400, "username", "err.username", nil},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, tc := range cases {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				before := ts.userCount(t)
				c := ts.client(t)
				c.Lang = lang
				res := c.postForm(tc.path, tc.path, tc.form)
				if res.StatusCode != tc.status {
					t.Fatalf("got status %d, want %d\n%s", res.StatusCode, tc.status, res.Body)
				}
				want := ts.msg(lang, tc.key, tc.args...)
				fieldErr := fmt.Sprintf(`id="e-%s">%s<`, tc.field, want)
				if !strings.Contains(res.Body, fieldErr) {
					t.Errorf("want %q next to field %s in the page", want, tc.field)
				}
				if !strings.Contains(res.Body, `<html lang="`+lang+`">`) {
					t.Errorf("want the page in %s", lang)
				}
				if after := ts.userCount(t); after != before {
					t.Errorf("users: got %d, want %d (unchanged)", after, before)
				}
				if strings.Contains(res.Body, `value="`+tc.form.Get("password")+`"`) {
					t.Error("the password was echoed back into the page")
				}
			})
		}
	}
}

func TestRegisterShowsAllErrors(t *testing.T) {
	ts := mustServer(t, nil)
	res := ts.client(t).postForm("/register/consumer", "/register/consumer", url.Values{})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("got %d, want 400", res.StatusCode)
	}
	for _, f := range []string{"name", "mobile", "resident_id", "username", "password"} {
		if !strings.Contains(res.Body, `id="e-`+f+`"`) {
			t.Errorf("no error shown for field %s", f)
		}
	}
}

func TestRegisterConsumerLogsIn(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	id := validResidentID("33010619900101234")
	res := c.postForm("/register/consumer", "/register/consumer", url.Values{
		"name": {"王小明"}, "mobile": {"13912345678"}, "resident_id": {strings.ToLower(id)},
		"username": {"WangXM"}, "password": {"a long enough password"},
	})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home?notice=registered" {
		t.Fatalf("got %d to %q, want 303 to /home?notice=registered\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	home := c.get("/home?notice=registered")
	if !strings.Contains(home.Body, `data-role="claimant"`) || !strings.Contains(home.Body, ts.msg("zh-CN", "notice.registered")) {
		t.Errorf("home after registering: %.300s", home.Body)
	}
	acct := c.get("/account")
	if !strings.Contains(acct.Body, court.MaskResidentID(id)) {
		t.Errorf("account page: want masked id %s", court.MaskResidentID(id))
	}
	if strings.Contains(acct.Body, id) || strings.Contains(home.Body, id) {
		t.Error("the full resident id is shown")
	}
	if !strings.Contains(acct.Body, ">wangxm<") {
		t.Error("username not normalised to lower case")
	}
}

func TestLoginWrongPassword(t *testing.T) {
	ts := mustServer(t, nil)
	for _, lang := range []string{"zh-CN", "en"} {
		c := ts.client(t)
		c.Lang = lang
		res := c.postForm("/login", "/login", url.Values{"username": {"claimant1"}, "password": {"not the password"}})
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got %d, want 401", res.StatusCode)
		}
		if !strings.Contains(res.Body, ts.msg(lang, "err.login_failed")) {
			t.Errorf("%s: no login_failed message", lang)
		}
		for _, ck := range res.Cookies() {
			if ck.Name == "court_session" && ck.Value != "" {
				t.Error("a session cookie was set for a failed login")
			}
		}
		// An unknown user gets the very same answer.
		res2 := c.postForm("/login", "/login", url.Values{"username": {"nobody-here"}, "password": {"not the password"}})
		if res2.StatusCode != res.StatusCode || !strings.Contains(res2.Body, ts.msg(lang, "err.login_failed")) {
			t.Errorf("unknown user: got %d, want the same answer as a wrong password", res2.StatusCode)
		}
	}
}

func TestLoginLockout(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	for i := 0; i < court.LockoutThreshold-1; i++ {
		if res := c.postForm("/login", "/login", url.Values{"username": {"claimant2"}, "password": {"wrong password!"}}); res.StatusCode != 401 {
			t.Fatalf("attempt %d: got %d, want 401", i+1, res.StatusCode)
		}
	}
	res := c.postForm("/login", "/login", url.Values{"username": {"claimant2"}, "password": {"wrong password!"}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fifth failure: got %d, want 429", res.StatusCode)
	}
	// Now even the right password is refused for a while.
	res = c.postForm("/login", "/login", url.Values{"username": {"claimant2"}, "password": {demo.Password}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right password while locked: got %d, want 429", res.StatusCode)
	}
	if !strings.Contains(res.Body, "之后再试") {
		t.Errorf("locked message missing: %.300s", res.Body)
	}
	// Other accounts are not affected.
	c2 := ts.client(t)
	c2.login("claimant1")
}

func TestAuthRateLimitPerAddress(t *testing.T) {
	ts := mustServer(t, func(c *web.Config) { c.AuthRateMax = 3 })
	c := ts.client(t)
	tok := c.csrf("/login")
	for i := 0; i < 3; i++ {
		if res := c.postForm("/login", "/login", url.Values{"csrf_token": {tok}, "username": {fmt.Sprintf("user%d", i)}, "password": {"whatever12345"}}); res.StatusCode != 401 {
			t.Fatalf("attempt %d: got %d, want 401", i+1, res.StatusCode)
		}
	}
	res := c.postForm("/login", "/login", url.Values{"csrf_token": {tok}, "username": {"user9"}, "password": {"whatever12345"}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, ts.msg("zh-CN", "err.rate_limited")) {
		t.Fatalf("fourth attempt from one address: got %d, want 429 with the rate message", res.StatusCode)
	}
	// A forwarded-for header from an untrusted peer changes nothing.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(url.Values{"csrf_token": {tok}, "username": {"x1"}, "password": {"whatever12345"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Real-Ip", "203.0.113.9")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if res := c.do(req); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("spoofed client address: got %d, want 429", res.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.login("claimant1")
	cases := map[string]string{
		"no token":    "",
		"wrong token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	}
	other := ts.client(t)
	cases["another session's token"] = other.csrf("/login")
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			body := url.Values{"current_password": {demo.Password}, "new_password": {"another password 1"}}
			if tok != "" {
				body.Set("csrf_token", tok)
			}
			res := c.postRaw("/account/password", body.Encode())
			if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, ts.msg("zh-CN", "err.csrf")) {
				t.Fatalf("got %d, want 403 with the csrf message", res.StatusCode)
			}
		})
	}
	// Nothing changed: the old password still works.
	if _, err := ts.Acc.Login(context.Background(), "claimant1", demo.Password); err != nil {
		t.Fatalf("password changed by a refused request: %v", err)
	}
	// A visitor without the pre-session cookie cannot post the login form.
	fresh := ts.client(t)
	res := fresh.postRaw("/login", url.Values{"username": {"claimant1"}, "password": {demo.Password}, "csrf_token": {"x"}}.Encode())
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("login without csrf: got %d, want 403", res.StatusCode)
	}
}

func TestSessionLifecycle(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	u, _ := url.Parse(ts.URL)
	// A session id planted before login is not adopted.
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "court_session", Value: "planted-by-attacker"}})
	c.login("judge1")
	var sess string
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "court_session" {
			sess = ck.Value
		}
	}
	if sess == "" || sess == "planted-by-attacker" {
		t.Fatalf("session cookie after login: got %q, want a new id", sess)
	}
	if len(sess) < 22 { // 128 bits in base64
		t.Errorf("session id %q: want at least 128 bits", sess)
	}
	home := c.get("/home")
	if !strings.Contains(home.Body, `data-role="judge"`) {
		t.Fatalf("judge home: %.300s", home.Body)
	}
	// Logging in again issues another id and ends the first session.
	c.login("judge1")
	var sess2 string
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "court_session" {
			sess2 = ck.Value
		}
	}
	if sess2 == sess {
		t.Error("login kept the old session id")
	}
	stale := ts.client(t)
	stale.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "court_session", Value: sess}})
	if res := stale.get("/home"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("old session after re-login: got %d, want 303 to login", res.StatusCode)
	}
	// Logout deletes the session on the server: the cookie value no longer works.
	res := c.postForm("/home", "/logout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: got %d, want 303", res.StatusCode)
	}
	replay := ts.client(t)
	replay.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "court_session", Value: sess2}})
	if res := replay.get("/home"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("session after logout: got %d to %q, want 303 to /login", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestCookieAttributes(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		t.Run(fmt.Sprint("tls=", tlsOn), func(t *testing.T) {
			ts := mustServer(t, func(c *web.Config) { c.TLS = tlsOn })
			c := ts.client(t)
			tok := c.csrf("/login")
			res := c.postRaw("/login", url.Values{"csrf_token": {tok}, "username": {"clerk1"}, "password": {demo.Password}}.Encode())
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: got %d, want 303", res.StatusCode)
			}
			name := "court_session"
			if tlsOn {
				name = "__Host-court_session"
			}
			var found bool
			for _, line := range res.Header.Values("Set-Cookie") {
				if !strings.HasPrefix(line, name+"=") {
					continue
				}
				found = true
				low := strings.ToLower(line)
				for _, want := range []string{"httponly", "samesite=lax", "path=/"} {
					if !strings.Contains(low, want) {
						t.Errorf("%s: missing %s", line, want)
					}
				}
				if strings.Contains(low, "secure") != tlsOn {
					t.Errorf("%s: Secure should be %v", line, tlsOn)
				}
			}
			if !found {
				t.Fatalf("no %s cookie set: %v", name, res.Header.Values("Set-Cookie"))
			}
		})
	}
}

type apiErr struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

func (c *client) api(method, path, token, contentType, body string) (*response, apiErr) {
	c.tb.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res := c.do(req)
	var e apiErr
	if res.StatusCode >= 400 {
		if err := json.Unmarshal([]byte(res.Body), &e); err != nil {
			c.tb.Fatalf("%s %s: error body is not JSON: %q", method, path, res.Body)
		}
	}
	return res, e
}

func TestAPITokens(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.Lang = "en"
	res, _ := c.api("POST", "/api/v1/tokens", "", "application/json", `{"username":"claimant1","password":"`+demo.Password+`"}`)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /tokens: got %d, want 201: %s", res.StatusCode, res.Body)
	}
	var tok struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(res.Body), &tok); err != nil || tok.Token == "" || tok.ExpiresAt == "" {
		t.Fatalf("token response %q: %v", res.Body, err)
	}
	res, _ = c.api("GET", "/api/v1/me", tok.Token, "", "")
	var me map[string]any
	if err := json.Unmarshal([]byte(res.Body), &me); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || me["username"] != "claimant1" || me["role"] != "claimant" || me["display_name"] != "张伟" || me["id"] == nil {
		t.Fatalf("GET /me: got %d %v", res.StatusCode, me)
	}
	if res, _ := c.api("DELETE", "/api/v1/tokens/current", tok.Token, "", ""); res.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE /tokens/current: got %d, want 204", res.StatusCode)
	}
	res, e := c.api("GET", "/api/v1/me", tok.Token, "", "")
	if res.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" || e.Error.Message != ts.Cat.M("en", court.Msg("err.unauthorized")) {
		t.Fatalf("revoked token: got %d %+v", res.StatusCode, e)
	}

	bad := []struct {
		name, ct, body string
		status         int
		code, key      string
	}{
		{"wrong password", "application/json", `{"username":"claimant1","password":"nope nope nope"}`, 401, "unauthorized", "err.login_failed"},
		{"not json", "application/json", `{"username":`, 400, "invalid", "err.json"},
		{"unknown field", "application/json", `{"username":"a","password":"b","admin":true}`, 400, "invalid", "err.json"},
		{"form body", "application/x-www-form-urlencoded", `username=claimant1`, 400, "invalid", "err.json_content_type"},
	}
	for _, b := range bad {
		res, e := c.api("POST", "/api/v1/tokens", "", b.ct, b.body)
		if res.StatusCode != b.status || e.Error.Code != b.code || e.Error.Message != ts.Cat.M("en", court.Msg(b.key)) {
			t.Errorf("%s: got %d %+v, want %d %s %q", b.name, res.StatusCode, e, b.status, b.code, ts.Cat.M("en", court.Msg(b.key)))
		}
	}
	// Chinese when asked.
	c.Lang = "zh-CN"
	if _, e := c.api("GET", "/api/v1/me", "", "", ""); e.Error.Message != ts.Cat.M("zh-CN", court.Msg("err.unauthorized")) {
		t.Errorf("zh message: got %q", e.Error.Message)
	}
	// Unknown API routes answer JSON 404.
	if res, e := c.api("GET", "/api/v1/nothing", "", "", ""); res.StatusCode != 404 || e.Error.Code != "not_found" {
		t.Errorf("unknown route: got %d %+v", res.StatusCode, e)
	}
	// A malformed Authorization header is refused, not ignored.
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/tokens/current", nil)
	req.Header.Set("Authorization", "Basic Y2xhaW1hbnQxOmRlbW8tcGFzcy0yMDI2")
	if res := c.do(req); res.StatusCode != 401 || !strings.Contains(res.Body, `"code":"unauthorized"`) {
		t.Errorf("basic auth header: got %d %s", res.StatusCode, res.Body)
	}
}

// TestAPIIgnoresCookies: a browser session does not authenticate API calls,
// so another site cannot use a logged-in browser against the API.
func TestAPIIgnoresCookies(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.login("admin1")
	res, e := c.api("GET", "/api/v1/me", "", "", "")
	if res.StatusCode != http.StatusUnauthorized || e.Error.Code != "unauthorized" {
		t.Fatalf("cookie on API: got %d %+v, want 401", res.StatusCode, e)
	}
}

func TestRoleAccess(t *testing.T) {
	ts := mustServer(t, nil)
	anon := ts.client(t)
	if res := anon.get("/admin/users"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fadmin%2Fusers" {
		t.Errorf("anonymous /admin/users: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := anon.get("/home"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous /home: got %d, want 303", res.StatusCode)
	}
	for _, u := range []string{"claimant1", "merchant1", "clerk1", "judge1", "mediator1", "agent1", "admin1"} {
		c := ts.client(t)
		c.login(u)
		home := c.get("/home")
		if home.StatusCode != 200 {
			t.Errorf("%s /home: got %d", u, home.StatusCode)
		}
		admin := c.get("/admin/users")
		want := http.StatusNotFound
		if u == "admin1" {
			want = http.StatusOK
		}
		if admin.StatusCode != want {
			t.Errorf("%s GET /admin/users: got %d, want %d", u, admin.StatusCode, want)
		}
		if u != "admin1" {
			before := ts.userCount(t)
			res := c.postForm("/home", "/admin/users", url.Values{"role": {"judge"}, "name": {"x"}, "username": {"sneaky" + u}, "password": {"long password here"}})
			if res.StatusCode != http.StatusNotFound || ts.userCount(t) != before {
				t.Errorf("%s POST /admin/users: got %d, users %d->%d; want 404 and no change", u, res.StatusCode, before, ts.userCount(t))
			}
		}
	}
}

func TestMerchantJoinApproval(t *testing.T) {
	ts := mustServer(t, nil)
	newbie := ts.client(t)
	res := newbie.postForm("/register/merchant", "/register/merchant", url.Values{
		"credit_code": {demo.CreditCode1}, "org_name": {"whatever"}, "name": {"新员工"}, "mobile": {"13700000001"},
		"username": {"newstaff"}, "password": {"newstaff password"},
	})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?notice=pending" {
		t.Fatalf("join existing org: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	login := func() *response {
		return newbie.postForm("/login", "/login", url.Values{"username": {"newstaff"}, "password": {"newstaff password"}})
	}
	if res := login(); res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, ts.msg("zh-CN", "err.account_pending")) {
		t.Fatalf("pending login: got %d", res.StatusCode)
	}
	u, _, err := ts.DB.Credentials(context.Background(), "newstaff")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/account/members/%d/approve", u.ID)
	// Staff of another organisation cannot approve.
	other := ts.client(t)
	other.login("merchant2")
	if res := other.postForm("/account", path, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("foreign merchant approves: got %d, want 404", res.StatusCode)
	}
	if res := login(); res.StatusCode != http.StatusForbidden {
		t.Fatalf("after foreign approval: got %d, want still pending", res.StatusCode)
	}
	// A consumer cannot either.
	cons := ts.client(t)
	cons.login("claimant1")
	if res := cons.postForm("/home", path, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("consumer approves: got %d, want 404", res.StatusCode)
	}
	// A colleague sees the request and approves it.
	colleague := ts.client(t)
	colleague.login("merchant1")
	if acct := colleague.get("/account"); !strings.Contains(acct.Body, "新员工") {
		t.Fatal("pending colleague not listed on the account page")
	}
	if res := colleague.postForm("/account", path, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("colleague approves: got %d, want 303", res.StatusCode)
	}
	if res := login(); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approved login: got %d, want 303", res.StatusCode)
	}
}

func TestAdminManagesStaff(t *testing.T) {
	ts := mustServer(t, nil)
	admin := ts.client(t)
	admin.login("admin1")
	res := admin.postForm("/admin/users", "/admin/users", url.Values{"role": {"claimant"}, "name": {"x"}, "username": {"fakeclaimant"}, "password": {"long password here"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, ts.msg("zh-CN", "err.role_staff")) {
		t.Fatalf("staff form with a consumer role: got %d", res.StatusCode)
	}
	res = admin.postForm("/admin/users", "/admin/users", url.Values{"role": {"judge"}, "name": {"吴法官"}, "username": {"judge2"}, "password": {"judge2 password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create judge: got %d\n%s", res.StatusCode, res.Body)
	}
	j := ts.client(t)
	if res := j.postForm("/login", "/login", url.Values{"username": {"judge2"}, "password": {"judge2 password"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new judge login: got %d", res.StatusCode)
	}
	u, _, err := ts.DB.Credentials(context.Background(), "judge2")
	if err != nil {
		t.Fatal(err)
	}
	if res := admin.postForm("/admin/users", fmt.Sprintf("/admin/users/%d/disable", u.ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: got %d", res.StatusCode)
	}
	// The disabled judge's session ends at once.
	if res := j.get("/home"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled user's session: got %d, want 303 to login", res.StatusCode)
	}
	self, _, _ := ts.DB.Credentials(context.Background(), "admin1")
	if res := admin.postForm("/admin/users", fmt.Sprintf("/admin/users/%d/disable", self.ID), nil); res.StatusCode != http.StatusBadRequest {
		t.Errorf("admin disables self: got %d, want 400", res.StatusCode)
	}
}

func TestLanguage(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.Lang = "en-GB,en;q=0.9"
	if res := c.get("/login"); !strings.Contains(res.Body, `<html lang="en">`) || !strings.Contains(res.Body, ts.msg("en", "login.submit")) {
		t.Errorf("Accept-Language en: want an English page")
	}
	c.Lang = "fr"
	if res := c.get("/login"); !strings.Contains(res.Body, `<html lang="zh-CN">`) {
		t.Errorf("unsupported language: want Chinese")
	}
	// The switch is remembered over Accept-Language.
	c.Lang = "zh-CN"
	res := c.get("/lang/en?next=/register")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/register" {
		t.Fatalf("switch: got %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.get("/register"); !strings.Contains(res.Body, `<html lang="en">`) {
		t.Errorf("after switching to English: page not English")
	}
	if res := c.get("/lang/fr"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown language: got %d, want 404", res.StatusCode)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		if res := c.get("/lang/zh-CN?next=" + url.QueryEscape(next)); res.Header.Get("Location") != "/" {
			t.Errorf("next=%q: redirected to %q, want /", next, res.Header.Get("Location"))
		}
	}
	// The switch on a page answering a form leads somewhere that exists.
	bad := c.postForm("/login", "/login", url.Values{"username": {"claimant1"}, "password": {"wrong password!"}})
	if !strings.Contains(bad.Body, `href="/lang/en?next=%2f"`) {
		t.Errorf("language switch after a form error: want next=/ in the page")
	}
	if res := c.get("/login?notice=logged_out"); !strings.Contains(res.Body, `href="/lang/en?next=%2flogin%3fnotice%3dlogged_out"`) {
		t.Errorf("language switch on a GET page: want the page's own address with its query")
	}
	// A logged-in user's choice is saved to the account.
	c.login("claimant2")
	c.get("/lang/en?next=/home")
	u, _, err := ts.DB.Credentials(context.Background(), "claimant2")
	if err != nil || u.Lang != "en" {
		t.Errorf("saved language: got %q (%v), want en", u.Lang, err)
	}
}

func TestNotFoundPage(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	c.Lang = "en"
	res := c.get("/no/such/page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, ts.msg("en", "err.not_found")) {
		t.Errorf("got %d, want 404 with the English not-found message", res.StatusCode)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ts := mustServer(t, nil)
	c := ts.client(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if res := c.get(p); res.StatusCode != 200 || res.Body != "ok" {
			t.Errorf("%s: got %d %q", p, res.StatusCode, res.Body)
		}
	}
	c.get("/login")
	res := c.get("/metrics")
	if res.StatusCode != 200 {
		t.Fatalf("/metrics from loopback: got %d", res.StatusCode)
	}
	for _, want := range []string{`courtd_http_requests_total{method="GET",route="/login",status="200"}`, "courtd_http_request_duration_seconds_bucket", `go_sql_open_connections{db_name="writer"}`, "process_resident_memory_bytes"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("/metrics: missing %s", want)
		}
	}
	closed := mustServer(t, func(c *web.Config) { c.MetricsAllow = []string{"192.0.2.0/24"} })
	if res := closed.client(t).get("/metrics"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics from a disallowed address: got %d, want 404", res.StatusCode)
	}
}

func TestChangePassword(t *testing.T) {
	ts := mustServer(t, nil)
	a, b := ts.client(t), ts.client(t)
	a.login("mediator1")
	b.login("mediator1")
	res := a.postForm("/account", "/account/password", url.Values{"current_password": {"wrong one!!"}, "new_password": {"short"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, ts.msg("zh-CN", "err.password_wrong")) || !strings.Contains(res.Body, `id="e-new_password"`) {
		t.Fatalf("bad change: got %d", res.StatusCode)
	}
	res = a.postForm("/account", "/account/password", url.Values{"current_password": {demo.Password}, "new_password": {"a brand new password"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: got %d", res.StatusCode)
	}
	if res := a.get("/home"); res.StatusCode != 200 {
		t.Errorf("this session after change: got %d, want 200", res.StatusCode)
	}
	if res := b.get("/home"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("other session after change: got %d, want 303 to login", res.StatusCode)
	}
	if _, err := ts.Acc.Login(context.Background(), "mediator1", "a brand new password"); err != nil {
		t.Errorf("new password: %v", err)
	}
}

// TestTrustedProxy: behind a configured proxy, the client address comes from
// its header, so two clients behind it have separate limits.
func TestTrustedProxy(t *testing.T) {
	ts := mustServer(t, func(c *web.Config) {
		c.AuthRateMax = 2
		c.TrustedProxies = []string{"127.0.0.1"}
		c.ProxyHeader = "X-Real-Ip"
	})
	c := ts.client(t)
	tok := c.csrf("/login")
	post := func(client string) int {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(url.Values{"csrf_token": {tok}, "username": {"nobody"}, "password": {"whatever12345"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Real-Ip", client)
		return c.do(req).StatusCode
	}
	for i := 0; i < 2; i++ {
		if got := post("198.51.100.1"); got != http.StatusUnauthorized {
			t.Fatalf("client A attempt %d: got %d, want 401", i+1, got)
		}
	}
	if got := post("198.51.100.1"); got != http.StatusTooManyRequests {
		t.Fatalf("client A third attempt: got %d, want 429", got)
	}
	if got := post("198.51.100.2"); got != http.StatusUnauthorized {
		t.Fatalf("client B behind the same proxy: got %d, want 401 (its own limit)", got)
	}
	// The proxy's own loopback address does not open /metrics to the
	// clients it forwards.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/metrics", nil)
	req.Header.Set("X-Real-Ip", "198.51.100.3")
	if res := c.do(req); res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics for a proxied client: got %d, want 404", res.StatusCode)
	}
}

package web_test

// Browser tests: a real headless Chromium, driven with chromedp, against the
// real court on a loopback port. They check what only a browser shows: the
// language it asks for, forms filled with keys and clicks, cookies kept
// across pages, and what a tampered form gets back.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/i18n"
)

// browserTimeout bounds one browser test from the start of Chromium to its
// end, so a hung browser fails the test instead of hanging it.
const browserTimeout = 60 * time.Second

// artifactsDir receives the screenshots of the browser tests (git-ignored).
const artifactsDir = "testdata/artifacts"

// chromiumHint is how to get a browser when none is found.
const chromiumHint = "install Chromium: apt-get install -y chromium (or run .ci/run)"

// chromiumPath returns the browser to run: $CHROMIUM_PATH if set, else the
// first of the usual Chromium and Chrome binaries found. It fails the test
// when there is none: a browser test that skips silently tests nothing.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			tb.Fatalf("CHROMIUM_PATH=%q is not an executable: %v; %s", p, err, chromiumHint)
		}
		return found
	}
	tried := []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome"}
	for _, p := range tried {
		if found, err := exec.LookPath(p); err == nil {
			return found
		}
	}
	tb.Fatalf("no Chromium found (tried $CHROMIUM_PATH, %s): %s", strings.Join(tried, ", "), chromiumHint)
	return ""
}

// browserLog keeps what Chromium prints, to show it when a test fails.
type browserLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *browserLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *browserLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// browserOptions are the Chromium flags of the tests: headless, no sandbox
// (the tests may run as root), nothing that reaches for the internet, a fresh
// profile, and lang as the language of the browser and of its
// Accept-Language header.
func browserOptions(tb testing.TB, lang string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(tb)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
}

// newBrowser starts a headless Chromium whose language is lang and returns
// the chromedp context of its first tab. The browser stops when the test ends
// or when browserTimeout has passed, whichever comes first; after the timeout
// every browser action fails with context.DeadlineExceeded.
func newBrowser(t *testing.T, lang string) context.Context {
	t.Helper()
	opts := browserOptions(t, lang)
	var out browserLog
	opts = append(opts, chromedp.CombinedOutput(&out))

	tctx, tcancel := context.WithTimeout(context.Background(), browserTimeout)
	actx, acancel := chromedp.NewExecAllocator(tctx, opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("closing browser: %v", err)
		}
		cancel()
		acancel()
		tcancel()
		if t.Failed() {
			if s := strings.TrimSpace(out.String()); s != "" {
				t.Logf("browser output:\n%s", s)
			}
		}
	})
	// Start the browser now, so that a browser that cannot start fails here
	// with a clear message rather than in the first step of the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v (%s)", err, chromiumHint)
	}
	return ctx
}

// browserTab is one tab of a test browser with the court at base: small
// steps that fail the test with what went wrong.
type browserTab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// open navigates to path and returns the response of the page (after
// redirects).
func (b *browserTab) open(path string) *network.Response {
	b.t.Helper()
	res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return res
}

// click clicks the element selected by css, waits for the page it loads and
// returns the response of that page (after redirects).
func (b *browserTab) click(css string) *network.Response {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("click %s: %v", css, err)
	}
	return res
}

// reload reloads the page and returns its response.
func (b *browserTab) reload() *network.Response {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, chromedp.Reload())
	if err != nil {
		b.t.Fatalf("reload: %v", err)
	}
	return res
}

// typeInto clears the input selected by css and types s into it.
func (b *browserTab) typeInto(css, s string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Clear(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), s)); err != nil {
		b.t.Fatalf("type into %s: %v", css, err)
	}
	got := b.value(css)
	if got != s {
		b.t.Fatalf("%s after typing: got value %q, want %q", css, got, s)
	}
}

// value returns the value of the input selected by css.
func (b *browserTab) value(css string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", css, err)
	}
	return v
}

// text returns the visible text of the element selected by css, trimmed.
func (b *browserTab) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// attr returns the attribute name of the element selected by css, failing
// when the element lacks it.
func (b *browserTab) attr(css, name string) string {
	b.t.Helper()
	a, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(css), name))
	if err != nil {
		b.t.Fatalf("attribute %s of %s: %v", name, css, err)
	}
	if !a.Exists {
		b.t.Fatalf("%s: got no attribute %s, want one", css, name)
	}
	return a.Value
}

// eval runs JavaScript in the page and returns its result.
func eval[T any](b *browserTab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// path returns the path and query of the page shown.
func (b *browserTab) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// wantPage checks the path (without query) and status of the page shown.
func (b *browserTab) wantPage(step string, res *network.Response, path string, status int64) {
	b.t.Helper()
	got := b.path()
	if p, _, _ := strings.Cut(got, "?"); p != path {
		b.t.Fatalf("%s: got page %s, want %s", step, got, path)
	}
	if res.Status != status {
		b.t.Fatalf("%s: got status %d, want %d", step, res.Status, status)
	}
}

// wantLang checks the language of the page shown.
func (b *browserTab) wantLang(step, lang string) {
	b.t.Helper()
	if got := b.attr("html", "lang"); got != lang {
		b.t.Fatalf("%s: got html lang=%q, want %q", step, got, lang)
	}
}

// wantText checks the text of the element selected by css.
func (b *browserTab) wantText(step, css, want string) {
	b.t.Helper()
	if got := b.text(css); got != want {
		b.t.Fatalf("%s: got %s text %q, want %q", step, css, got, want)
	}
}

// wantRoleHome checks that the page shown is the role home of role.
func (b *browserTab) wantRoleHome(step string, role court.Role, heading string) {
	b.t.Helper()
	if got := b.attr("#role-home", "data-role"); got != string(role) {
		b.t.Fatalf("%s: got #role-home data-role=%q, want %q", step, got, role)
	}
	b.wantText(step, "#role-home", heading)
}

// screenshot saves a PNG of the whole page as testdata/artifacts/name.png.
func (b *browserTab) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		b.t.Fatalf("screenshot %s: got %d bytes that are not a PNG, want a PNG", name, len(png))
	}
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactsDir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// sentAcceptLanguage opens path and returns the Accept-Language header the
// browser sent for the page, as Chromium reports it put on the wire.
func (b *browserTab) sentAcceptLanguage(path string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	sent := chromedp.Events(ctx, network.RequestWillBeSentExtraInfo)
	b.open(path)
	for ev, err := range sent {
		if err != nil {
			b.t.Fatalf("request headers of %s: %v", path, err)
		}
		for k, v := range ev.Headers {
			if strings.EqualFold(k, "Accept-Language") {
				return fmt.Sprint(v)
			}
		}
	}
	b.t.Fatalf("request headers of %s: none seen", path)
	return ""
}

// catalogText returns the catalog text of key in lang, checking that it is
// really there: a missing key renders as the key itself.
func catalogText(t *testing.T, ts *testServer, lang, key string) string {
	t.Helper()
	s := ts.Cat.M(lang, court.Msg(key))
	if s == "" || s == key {
		t.Fatalf("catalog %s: got %q for %s, want a message", lang, s, key)
	}
	return s
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TestBrowserRegisterLoginLanguage walks a Chinese-speaking consumer through
// registration (first with a mistyped identity number), logout, login, the
// switch to English and logout again, in a real browser.
func TestBrowserRegisterLoginLanguage(t *testing.T) {
	chromiumPath(t) // fail before a server starts when there is no browser
	ts := mustServer(t, nil)
	b := &browserTab{t: t, ctx: newBrowser(t, i18n.Chinese), base: ts.URL}
	zh := func(key string) string { return catalogText(t, ts, i18n.Chinese, key) }
	en := func(key string) string { return catalogText(t, ts, i18n.English, key) }
	for _, key := range []string{"title.register_consumer", "home.claimant.heading", "err.resident_id_check"} {
		if !hasHan(zh(key)) || zh(key) == en(key) {
			t.Fatalf("catalogs: got zh-CN %q and en %q for %s, want Chinese text that differs from English", zh(key), en(key), key)
		}
	}

	// The browser speaks Chinese.
	if got := eval[string](b, "navigator.language"); got != i18n.Chinese {
		t.Fatalf("navigator.language: got %q, want %q", got, i18n.Chinese)
	}
	if got := b.sentAcceptLanguage("/register/consumer"); !strings.HasPrefix(got, "zh-CN") {
		t.Fatalf("Accept-Language sent: got %q, want it to start with zh-CN", got)
	}

	// The consumer registration page is in Chinese.
	res := b.open("/register/consumer")
	b.wantPage("registration form", res, "/register/consumer", 200)
	b.wantLang("registration form", i18n.Chinese)
	b.wantText("registration form", "main h1", zh("title.register_consumer"))
	b.screenshot("register_consumer_zh")

	const (
		username = "zhangsan2026"
		password = "correct horse battery"
		name     = "张三"
		mobile   = "13912345678"
	)
	first17 := "33010619880512301"
	check := court.ResidentIDCheck(first17)
	if check == 0 {
		t.Fatalf("ResidentIDCheck(%q): got no check character, want one", first17)
	}
	wrong := byte('0')
	if check == '0' {
		wrong = '1'
	}
	fill := func(residentID string) {
		t.Helper()
		b.typeInto("#f-name", name)
		b.typeInto("#f-mobile", mobile)
		b.typeInto("#f-resident_id", residentID)
		b.typeInto("#f-username", username)
		b.typeInto("#f-password", password)
	}

	// A wrong check character is refused next to its field, in Chinese, and
	// opens no account.
	fill(first17 + string(wrong))
	res = b.click("#register-submit")
	b.wantPage("registration with a wrong identity number", res, "/register/consumer", 400)
	b.wantLang("registration with a wrong identity number", i18n.Chinese)
	b.wantText("registration with a wrong identity number", "#e-resident_id", zh("err.resident_id_check"))
	if got := b.attr("#f-resident_id", "aria-invalid"); got != "true" {
		t.Fatalf("#f-resident_id aria-invalid: got %q, want \"true\"", got)
	}
	if got := b.attr("#f-resident_id", "aria-describedby"); !strings.Contains(got, "e-resident_id") {
		t.Fatalf("#f-resident_id aria-describedby: got %q, want it to name e-resident_id", got)
	}
	if n := eval[int](b, `document.querySelectorAll(".field-error").length`); n != 1 {
		t.Fatalf("field errors shown: got %d, want 1 (only the identity number)", n)
	}
	if got := b.value("#f-name"); got != name {
		t.Fatalf("#f-name after the refusal: got %q, want %q kept", got, name)
	}
	if got := b.value("#f-password"); got != "" {
		t.Fatalf("#f-password after the refusal: got %q, want it empty (never echoed)", got)
	}
	b.screenshot("register_consumer_error_zh")
	if _, _, err := ts.DB.Credentials(context.Background(), username); court.ErrorCode(err) != court.ENOTFOUND {
		t.Fatalf("account after a refused registration: got error %v, want code %s", err, court.ENOTFOUND)
	}

	// The right check character opens the account and logs the consumer in.
	fill(first17 + string(check))
	res = b.click("#register-submit")
	b.wantPage("registration", res, "/home", 200)
	b.wantLang("claimant home after registration", i18n.Chinese)
	b.wantRoleHome("claimant home after registration", court.RoleClaimant, zh("home.claimant.heading"))
	b.screenshot("home_claimant_zh")
	u, _, err := ts.DB.Credentials(context.Background(), username)
	if err != nil {
		t.Fatalf("account after registration: %v", err)
	}
	if u.Role != court.RoleClaimant || u.DisplayName != name || u.Lang != i18n.Chinese {
		t.Fatalf("account after registration: got role %q name %q lang %q, want %q %q %q",
			u.Role, u.DisplayName, u.Lang, court.RoleClaimant, name, i18n.Chinese)
	}

	// Logging out shows the login page, and the home page is closed.
	res = b.click("#logout")
	b.wantPage("logout", res, "/login", 200)
	b.wantText("logout", "main h1", zh("title.login"))
	b.screenshot("login_zh")
	res = b.open("/home")
	b.wantPage("home after logout", res, "/login", 200)
	if got, want := b.path(), "/login?next="+url.QueryEscape("/home"); got != want {
		t.Fatalf("home after logout: got %s, want %s", got, want)
	}

	// Log in again through the login form.
	res = b.open("/login")
	b.wantPage("login form", res, "/login", 200)
	b.typeInto("#f-username", username)
	b.typeInto("#f-password", password)
	res = b.click("#login-submit")
	b.wantPage("login", res, "/home", 200)
	b.wantRoleHome("claimant home after login", court.RoleClaimant, zh("home.claimant.heading"))

	// The language switch turns the page into English...
	if got := b.text("#lang-switch"); got != zh("nav.lang_switch") {
		t.Fatalf("#lang-switch: got %q, want %q", got, zh("nav.lang_switch"))
	}
	res = b.click("#lang-switch")
	b.wantPage("language switch", res, "/home", 200)
	b.wantLang("claimant home after the switch", i18n.English)
	b.wantRoleHome("claimant home after the switch", court.RoleClaimant, en("home.claimant.heading"))
	b.screenshot("home_claimant_en")

	// ...and the choice is remembered.
	res = b.reload()
	b.wantPage("reload", res, "/home", 200)
	b.wantLang("claimant home after reload", i18n.English)
	b.wantRoleHome("claimant home after reload", court.RoleClaimant, en("home.claimant.heading"))
	if u, _, err := ts.DB.Credentials(context.Background(), username); err != nil || u.Lang != i18n.English {
		t.Fatalf("saved language after the switch: got %+v, %v, want lang %q", u, err, i18n.English)
	}

	// Logging out shows the login page, still in English.
	res = b.click("#logout")
	b.wantPage("logout in English", res, "/login", 200)
	b.wantLang("login page after logout", i18n.English)
	b.wantText("login page after logout", "main h1", en("title.login"))
	if n := eval[int](b, `document.querySelectorAll("#login-submit").length`); n != 1 {
		t.Fatalf("#login-submit on the login page: got %d, want 1", n)
	}
	if n := eval[int](b, `document.querySelectorAll("#logout, #role-home").length`); n != 0 {
		t.Fatalf("#logout or #role-home after logout: got %d, want 0", n)
	}
	b.screenshot("login_en")
}

// TestBrowserCSRFRefused logs in as claimant1 and submits forms whose CSRF
// token was tampered with in the page: each is refused with 403 and the CSRF
// message, changes nothing, and leaves the user logged in.
func TestBrowserCSRFRefused(t *testing.T) {
	chromiumPath(t) // fail before a server starts when there is no browser
	ts := mustServer(t, nil)
	b := &browserTab{t: t, ctx: newBrowser(t, i18n.Chinese), base: ts.URL}
	ctx := context.Background()
	const user = "claimant1"
	const newPassword = "another password 2026"

	// The token of the login page belongs to the visitor before login; it
	// must not be accepted after login.
	res := b.open("/login")
	b.wantPage("login form", res, "/login", 200)
	preLogin := b.attr(`form[action="/login"] input[name="csrf_token"]`, "value")
	if preLogin == "" {
		t.Fatal("login form csrf_token: got \"\", want a token")
	}
	b.typeInto("#f-username", user)
	b.typeInto("#f-password", demo.Password)
	res = b.click("#login-submit")
	b.wantPage("login", res, "/home", 200)
	b.wantRoleHome("home after login", court.RoleClaimant, catalogText(t, ts, i18n.Chinese, "home.claimant.heading"))
	if got := b.attr(`form[action="/logout"] input[name="csrf_token"]`, "value"); got == preLogin {
		t.Fatalf("logout form csrf_token after login: got the token of before login %q, want a new one", got)
	}

	// tamper returns JavaScript that changes the csrf_token input of the form
	// posting to action (set to a value, or removed when value is nil) and
	// returns how many inputs it changed.
	tamper := func(action string, value *string) string {
		sel := fmt.Sprintf(`form[action=%q] input[name="csrf_token"]`, action)
		if value == nil {
			return fmt.Sprintf(`(() => { const e = document.querySelectorAll(%q); e.forEach(i => i.remove()); return e.length; })()`, sel)
		}
		return fmt.Sprintf(`(() => { const e = document.querySelectorAll(%q); e.forEach(i => { i.value = %q; }); return e.length; })()`, sel, *value)
	}
	forged := "forged-" + strings.Repeat("A", 36)

	tests := []struct {
		name   string
		page   string  // page with the form
		action string  // the form's action
		token  *string // the token to put in, or nil to remove it
		submit string  // the button to click
	}{
		{"logout with a wrong token", "/home", "/logout", &forged, "#logout"},
		{"logout with the token of before login", "/home", "/logout", &preLogin, "#logout"},
		{"logout without a token", "/account", "/logout", nil, "#logout"},
		{"password change with a wrong token", "/account", "/account/password", &forged, `form[action="/account/password"] button[type="submit"]`},
		{"password change without a token", "/account", "/account/password", nil, `form[action="/account/password"] button[type="submit"]`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &browserTab{t: t, ctx: b.ctx, base: b.base}
			res := b.open(tt.page)
			b.wantPage("form page", res, tt.page, 200)
			if tt.action == "/account/password" {
				b.typeInto("#f-current_password", demo.Password)
				b.typeInto("#f-new_password", newPassword)
			}
			if n := eval[int](b, tamper(tt.action, tt.token)); n != 1 {
				t.Fatalf("csrf_token inputs changed in form %s: got %d, want 1", tt.action, n)
			}
			if tt.token == nil {
				if n := eval[int](b, fmt.Sprintf(`document.querySelectorAll('form[action=%q] [name="csrf_token"]').length`, tt.action)); n != 0 {
					t.Fatalf("csrf_token fields left in form %s: got %d, want 0", tt.action, n)
				}
			}

			res = b.click(tt.submit)
			b.wantPage("tampered form", res, tt.action, 403)
			b.wantLang("refusal", i18n.Chinese)
			b.wantText("refusal", "#form-error", catalogText(t, ts, i18n.Chinese, "err.csrf"))
			if i == 0 {
				b.screenshot("csrf_refused_zh")
			}

			// Still logged in, with the same password.
			res = b.open("/home")
			b.wantPage("home after the refusal", res, "/home", 200)
			b.wantRoleHome("home after the refusal", court.RoleClaimant, catalogText(t, ts, i18n.Chinese, "home.claimant.heading"))
			_, hash, err := ts.DB.Credentials(ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := accounts.VerifyPassword(ctx, demo.Password, hash); err != nil || !ok {
				t.Fatalf("password of %s after the refusal: got demo password valid=%v (%v), want true", user, ok, err)
			}
		})
	}

	// The untampered logout form still works: the refusals were the tokens'.
	res = b.open("/home")
	b.wantPage("home", res, "/home", 200)
	res = b.click("#logout")
	b.wantPage("logout with its own token", res, "/login", 200)
	res = b.open("/home")
	b.wantPage("home after logout", res, "/login", 200)
}

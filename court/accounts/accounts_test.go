package accounts_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/storage"
)

// t0 carries a fractional second so that stored times are compared to the
// microsecond.
var t0 = time.Date(2026, 3, 2, 1, 30, 0, 123456000, time.UTC)

const (
	goodPassword = "correct horse battery"
	badPassword  = "wrong horse battery"
	hashPrefix   = "$argon2id$v=19$m=19456,t=2,p=1$"
)

// fakeClock is the injectable clock of the service and the database.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// env is one court's accounts on a real SQLite file in a temp dir.
type env struct {
	Svc   *accounts.Service
	DB    *storage.DB
	Dir   string
	Path  string
	Clock *fakeClock
}

// MustEnv opens a database and keys in a new temp dir, with both clocks at t0.
func MustEnv(tb testing.TB, cfg accounts.Config) *env {
	tb.Helper()
	dir := tb.TempDir()
	path := filepath.Join(dir, "court.db")
	db, err := storage.Open(context.Background(), path, nil)
	if err != nil {
		tb.Fatalf("storage.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	keys, err := accounts.LoadKeys(dir)
	if err != nil {
		tb.Fatalf("LoadKeys: %v", err)
	}
	clk := &fakeClock{now: t0}
	db.Now = clk.Now
	svc := accounts.New(db, keys, cfg)
	svc.Now = clk.Now
	return &env{Svc: svc, DB: db, Dir: dir, Path: path, Clock: clk}
}

// residentID returns the n-th of a series of valid resident identity numbers.
func residentID(n int) string {
	first17 := fmt.Sprintf("330106199003%05d", n)
	return first17 + string(court.ResidentIDCheck(first17))
}

// MustConsumer registers a claimant with goodPassword.
func MustConsumer(tb testing.TB, e *env, username, resident string) *court.User {
	tb.Helper()
	u, err := e.Svc.RegisterConsumer(context.Background(), court.ConsumerRegistration{
		Username: username, Password: goodPassword, Name: "消费者 " + username, Mobile: "13800138000", ResidentID: resident,
	})
	if err != nil {
		tb.Fatalf("RegisterConsumer(%s): %v", username, err)
	}
	return u
}

// MustMerchant registers merchant staff of the organisation with the given
// credit code, with goodPassword.
func MustMerchant(tb testing.TB, e *env, username, creditCode string) *court.User {
	tb.Helper()
	u, err := e.Svc.RegisterMerchant(context.Background(), court.MerchantRegistration{
		Username: username, Password: goodPassword, Name: "店员 " + username, Mobile: "13900139000",
		CreditCode: creditCode, OrgName: "商家 " + creditCode,
	})
	if err != nil {
		tb.Fatalf("RegisterMerchant(%s): %v", username, err)
	}
	return u
}

// MustStaff creates a staff account with goodPassword.
func MustStaff(tb testing.TB, e *env, username string, role court.Role) *court.User {
	tb.Helper()
	u, err := e.Svc.CreateStaff(context.Background(), court.StaffAccount{
		Username: username, Password: goodPassword, Name: "职员 " + username, Role: role,
	})
	if err != nil {
		tb.Fatalf("CreateStaff(%s): %v", username, err)
	}
	return u
}

// MustSession starts a session and returns its token.
func MustSession(tb testing.TB, e *env, userID int64, kind string) string {
	tb.Helper()
	tok, _, err := e.Svc.NewSession(context.Background(), userID, kind)
	if err != nil {
		tb.Fatalf("NewSession: %v", err)
	}
	return tok
}

// MustCourtError asserts that err is a *court.Error with the given code and
// message key, and returns it.
func MustCourtError(tb testing.TB, err error, code court.Code, key string) *court.Error {
	tb.Helper()
	var e *court.Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v (%T), want *court.Error %s %s", err, err, code, key)
	}
	if e.Code != code || e.Msg.Key != key {
		tb.Fatalf("got %s %s, want %s %s", e.Code, e.Msg.Key, code, key)
	}
	return e
}

// MustLocked asserts a lock-out error that ends at until.
func MustLocked(tb testing.TB, err error, until time.Time) {
	tb.Helper()
	e := MustCourtError(tb, err, court.ETOOMANY, "err.login_locked")
	got, ok := e.Msg.Args["Until"].(time.Time)
	if !ok || !got.Equal(until) {
		tb.Fatalf("locked until %v, want %v", e.Msg.Args["Until"], until)
	}
}

// MustRawFiles returns the bytes of the database file and its WAL and
// shared-memory files, as someone with a copy of the disk would see them.
func MustRawFiles(tb testing.TB, path string) []byte {
	tb.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			tb.Fatalf("read %s: %v", path+suffix, err)
		}
		all = append(all, b...)
	}
	return all
}

func mustAuth(tb testing.TB, e *env, token, kind string) *court.User {
	tb.Helper()
	u, err := e.Svc.Authenticate(context.Background(), token, kind)
	if err != nil {
		tb.Fatalf("Authenticate at +%v: got %v, want a user", e.Clock.Now().Sub(t0), err)
	}
	return u
}

func mustNoAuth(tb testing.TB, e *env, token, kind string) {
	tb.Helper()
	u, err := e.Svc.Authenticate(context.Background(), token, kind)
	if u != nil {
		tb.Fatalf("Authenticate at +%v: got user %s, want none", e.Clock.Now().Sub(t0), u.Username)
	}
	MustCourtError(tb, err, court.EUNAUTHORIZED, "err.unauthorized")
}

func TestRegisterConsumerProtectsResidentID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	const id, body, masked = "11010519491231002X", "11010519491231002", "1101**********002X"

	u, err := e.Svc.RegisterConsumer(ctx, court.ConsumerRegistration{
		Username: " ZhangSan ", Password: goodPassword, Name: "张三", Mobile: "13800138000",
		ResidentID: "11010519491231002x", Lang: "zh-CN",
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "zhangsan" || u.Role != court.RoleClaimant || u.ResidentMasked != masked || u.Lang != "zh-CN" {
		t.Errorf("user = %+v, want zhangsan, claimant, masked %s, zh-CN", u, masked)
	}

	var row struct {
		Enc    []byte
		MAC    string
		Masked string
	}
	if err := e.DB.Writer().QueryRow(`SELECT resident_id_enc, resident_id_mac, resident_id_masked FROM users WHERE id = ?`, u.ID).
		Scan(&row.Enc, &row.MAC, &row.Masked); err != nil {
		t.Fatal(err)
	}
	if row.Masked != masked {
		t.Errorf("stored masked = %q, want %q", row.Masked, masked)
	}
	if got, err := e.Svc.Keys.OpenResidentID(row.Enc); err != nil || got != id {
		t.Errorf("OpenResidentID(stored) = %q, %v; want %q, nil", got, err, id)
	}
	if want := e.Svc.Keys.ResidentMAC(id); row.MAC != want {
		t.Errorf("stored MAC = %q, want ResidentMAC(id) = %q", row.MAC, want)
	}

	check := func(when string, raw []byte) {
		t.Helper()
		// The masked form proves these are the bytes the data went to.
		if !bytes.Contains(raw, []byte(masked)) {
			t.Fatalf("%s: masked form %q not found in the raw files, want it stored", when, masked)
		}
		for _, secret := range []string{id, body, "11010519491231002x"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s: %q found in the raw database files, want it unreadable", when, secret)
			}
		}
	}
	check("open", MustRawFiles(t, e.Path))
	// After close the WAL is checkpointed into the main file.
	if err := e.DB.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed", MustRawFiles(t, e.Path))
}

func TestRegisterConsumerConflicts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	MustConsumer(t, e, "zhangsan", "11010519491231002X")
	tests := []struct {
		name      string
		r         court.ConsumerRegistration
		wantField string
		wantKey   string
	}{
		{"same resident ID, lower-case x", court.ConsumerRegistration{Username: "lisi", Password: goodPassword,
			Name: "李四", Mobile: "13800138001", ResidentID: " 11010519491231002x"}, "resident_id", "err.resident_id_taken"},
		{"same username, other case", court.ConsumerRegistration{Username: "ZhangSan", Password: goodPassword,
			Name: "张三", Mobile: "13800138001", ResidentID: residentID(1)}, "username", "err.username_taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Svc.RegisterConsumer(ctx, tt.r)
			ce := MustCourtError(t, err, court.ECONFLICT, "err.invalid_form")
			if got := ce.Fields[tt.wantField].Key; len(ce.Fields) != 1 || got != tt.wantKey {
				t.Errorf("fields = %v, want only %s: %s", ce.Fields, tt.wantField, tt.wantKey)
			}
		})
	}
	// Invalid input is refused before anything is stored.
	_, err := e.Svc.RegisterConsumer(ctx, court.ConsumerRegistration{Username: "ww", Password: "x", ResidentID: "1"})
	ce := MustCourtError(t, err, court.EINVALID, "err.invalid_form")
	for _, f := range []string{"username", "password", "name", "mobile", "resident_id"} {
		if _, ok := ce.Fields[f]; !ok {
			t.Errorf("fields = %v, want %s among them", ce.Fields, f)
		}
	}
	users, err := e.DB.Users(ctx, storage.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 {
		t.Errorf("users = %d, want 1", len(users))
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, err := accounts.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, accounts.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %v, want -rw-------", got)
	}
	if fi.Size() != 32 {
		t.Errorf("key file size = %d, want 32", fi.Size())
	}

	k2, err := accounts.LoadKeys(dir)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	const id = "11010519491231002X"
	if a, b := k1.ResidentMAC(id), k2.ResidentMAC(id); a != b {
		t.Errorf("MAC after reload = %s, want %s", b, a)
	}
	if !bytes.Equal(k1.CSRF, k2.CSRF) || len(k1.CSRF) != 32 {
		t.Errorf("CSRF key after reload differs or is not 32 bytes (%d)", len(k2.CSRF))
	}
	sealed, err := k1.SealResidentID(id)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k2.OpenResidentID(sealed); err != nil || got != id {
		t.Errorf("open after reload = %q, %v; want %q, nil", got, err, id)
	}
	if bytes.Contains(sealed, []byte(id)) {
		t.Errorf("sealed form holds the ID in clear")
	}
	sealed2, _ := k1.SealResidentID(id)
	if bytes.Equal(sealed, sealed2) {
		t.Errorf("two seals of one ID are equal, want a fresh nonce each time")
	}

	// The MAC is deterministic per key, differs per ID and per key.
	mac := k1.ResidentMAC(id)
	if len(mac) != 64 {
		t.Errorf("MAC length = %d, want 64 hex digits", len(mac))
	}
	if mac != k1.ResidentMAC(id) {
		t.Errorf("MAC not deterministic")
	}
	if mac == k1.ResidentMAC(residentID(1)) {
		t.Errorf("two IDs have the same MAC")
	}
	plain := sha256.Sum256([]byte(id))
	if mac == hex.EncodeToString(plain[:]) {
		t.Errorf("MAC is the unkeyed SHA-256 of the ID, want a keyed hash")
	}
	other, err := accounts.LoadKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.ResidentMAC(id) == mac {
		t.Errorf("another data dir's key gives the same MAC, want a different one")
	}
	if _, err := other.OpenResidentID(sealed); err == nil {
		t.Errorf("another data dir's key opens the sealed ID, want an error")
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := k1.OpenResidentID(tampered); err == nil {
		t.Errorf("tampered ciphertext opens, want an error")
	}
	if _, err := k1.OpenResidentID([]byte{1, 2, 3}); err == nil {
		t.Errorf("short ciphertext opens, want an error")
	}
}

func TestLoadKeysRefusesBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := accounts.LoadKeys(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, accounts.KeyFile)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := accounts.LoadKeys(dir)
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %v: got %v, want an error saying to chmod 600", mode, err)
		}
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.LoadKeys(dir); err != nil {
		t.Errorf("mode 600 again: got %v, want nil", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("a refused load changed the key file")
	}

	for _, n := range []int{0, 16, 31, 33, 64} {
		d := t.TempDir()
		p := filepath.Join(d, accounts.KeyFile)
		if err := os.WriteFile(p, bytes.Repeat([]byte{7}, n), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := accounts.LoadKeys(d)
		if want := fmt.Sprintf("holds %d bytes, want 32", n); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%d-byte key file: got %v, want an error with %q", n, err, want)
		}
		if got, _ := os.ReadFile(p); len(got) != n {
			t.Errorf("%d-byte key file was rewritten to %d bytes, want it left alone", n, len(got))
		}
	}
	if _, err := accounts.LoadKeys(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Errorf("LoadKeys in a missing dir: got nil error, want one")
	}
}

func TestPasswordsStoredAsArgon2id(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	users := []*court.User{
		MustConsumer(t, e, "consumer", residentID(1)),
		MustMerchant(t, e, "merchant", "91350100M000100Y43"),
		MustStaff(t, e, "judge", court.RoleJudge),
	}
	hashes := map[string]bool{}
	for _, u := range users {
		var h string
		if err := e.DB.Writer().QueryRow(`SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&h); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, hashPrefix) {
			t.Errorf("%s: hash %q, want prefix %q", u.Username, h, hashPrefix)
		}
		parts := strings.Split(h, "$")
		if len(parts) != 6 {
			t.Fatalf("%s: hash has %d $-parts, want 6", u.Username, len(parts))
		}
		salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
		key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
		if err1 != nil || err2 != nil || len(salt) != 16 || len(key) != 32 {
			t.Errorf("%s: salt %d bytes, key %d bytes (%v, %v); want 16 and 32", u.Username, len(salt), len(key), err1, err2)
		}
		if strings.Contains(h, goodPassword) {
			t.Errorf("%s: hash holds the password", u.Username)
		}
		hashes[h] = true
		ok, err := accounts.VerifyPassword(ctx, goodPassword, h)
		if err != nil || !ok {
			t.Errorf("%s: VerifyPassword(right) = %v, %v; want true, nil", u.Username, ok, err)
		}
		if ok, _ := accounts.VerifyPassword(ctx, badPassword, h); ok {
			t.Errorf("%s: VerifyPassword(wrong) = true, want false", u.Username)
		}
	}
	if len(hashes) != len(users) {
		t.Errorf("%d distinct hashes of one password for %d users, want a salt each", len(hashes), len(users))
	}
	if raw := MustRawFiles(t, e.Path); bytes.Contains(raw, []byte(goodPassword)) {
		t.Errorf("the password is readable in the raw database files")
	}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	alice := MustConsumer(t, e, "alice", residentID(1))
	MustMerchant(t, e, "shop1", "91350100M000100Y43")
	pending := MustMerchant(t, e, "shop2", "91350100M000100Y43")
	if pending.Status != court.StatusPending {
		t.Fatalf("second merchant staff status = %s, want pending", pending.Status)
	}
	disabled := MustConsumer(t, e, "gone", residentID(2))
	if err := e.DB.SetUserStatus(ctx, disabled.ID, nil, court.StatusActive, court.StatusDisabled); err != nil {
		t.Fatal(err)
	}

	u, err := e.Svc.Login(ctx, " Alice ", goodPassword)
	if err != nil {
		t.Fatalf("right password: %v", err)
	}
	if u.ID != alice.ID {
		t.Errorf("logged in as %d, want %d", u.ID, alice.ID)
	}

	tests := []struct {
		name, user, pw string
		code           court.Code
		key            string
	}{
		{"wrong password", "alice", badPassword, court.EUNAUTHORIZED, "err.login_failed"},
		{"unknown user", "nobody", goodPassword, court.EUNAUTHORIZED, "err.login_failed"},
		{"empty username", "  ", goodPassword, court.EUNAUTHORIZED, "err.login_failed"},
		{"huge username", strings.Repeat("a", 65), goodPassword, court.EUNAUTHORIZED, "err.login_failed"},
		{"huge password", "alice", strings.Repeat("p", 4*court.PasswordMax+1), court.EUNAUTHORIZED, "err.login_failed"},
		{"password with a space more", "alice", goodPassword + " ", court.EUNAUTHORIZED, "err.login_failed"},
		{"pending, right password", "shop2", goodPassword, court.EFORBIDDEN, "err.account_pending"},
		{"pending, wrong password", "shop2", badPassword, court.EUNAUTHORIZED, "err.login_failed"},
		{"disabled, right password", "gone", goodPassword, court.EFORBIDDEN, "err.account_disabled"},
		{"disabled, wrong password", "gone", badPassword, court.EUNAUTHORIZED, "err.login_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.Svc.Login(ctx, tt.user, tt.pw)
			if u != nil {
				t.Errorf("got user %s, want none", u.Username)
			}
			ce := MustCourtError(t, err, tt.code, tt.key)
			if len(ce.Fields) != 0 || len(ce.Msg.Args) != 0 {
				t.Errorf("error carries %v %v, want nothing that tells the cases apart", ce.Fields, ce.Msg.Args)
			}
		})
	}
}

func TestLoginLockout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	MustConsumer(t, e, "alice", residentID(1))

	// Four failures are only failures, however the username is written.
	for i, name := range []string{"alice", "ALICE", " Alice", "alice "} {
		_, err := e.Svc.Login(ctx, name, badPassword)
		MustCourtError(t, err, court.EUNAUTHORIZED, "err.login_failed")
		e.Clock.Advance(time.Duration(i+1) * time.Second)
	}
	fifth := e.Clock.Now()
	_, err := e.Svc.Login(ctx, "alice", badPassword)
	MustLocked(t, err, fifth.Add(time.Minute))

	// Even the right password is refused until the minute is over.
	for _, at := range []time.Duration{0, 30 * time.Second, time.Minute - time.Microsecond} {
		e.Clock.Set(fifth.Add(at))
		u, err := e.Svc.Login(ctx, "alice", goodPassword)
		if u != nil {
			t.Fatalf("locked at +%v: got user, want none", at)
		}
		MustLocked(t, err, fifth.Add(time.Minute))
	}
	e.Clock.Set(fifth.Add(time.Minute))
	if _, err := e.Svc.Login(ctx, "alice", goodPassword); err != nil {
		t.Fatalf("after the lock-out: %v, want success", err)
	}
	// Success forgot the failures.
	if th, err := e.DB.LoginThrottle(ctx, "alice"); err != nil || th.Failures != 0 {
		t.Errorf("failures after a success = %d, %v; want 0, nil", th.Failures, err)
	}
	_, err = e.Svc.Login(ctx, "alice", badPassword)
	MustCourtError(t, err, court.EUNAUTHORIZED, "err.login_failed")
}

func TestLoginLockoutGrows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	MustConsumer(t, e, "bob", residentID(1))
	for range 4 {
		_, err := e.Svc.Login(ctx, "bob", badPassword)
		MustCourtError(t, err, court.EUNAUTHORIZED, "err.login_failed")
	}
	_, err := e.Svc.Login(ctx, "bob", badPassword)
	MustLocked(t, err, t0.Add(time.Minute))

	// Each failure after a lock-out doubles the delay, up to an hour; locks
	// longer than the 15-minute window hold to their end.
	at := t0.Add(time.Minute)
	for _, delay := range []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour} {
		e.Clock.Set(at)
		_, err := e.Svc.Login(ctx, "bob", badPassword)
		MustLocked(t, err, at.Add(delay))
		e.Clock.Set(at.Add(delay - time.Second))
		_, err = e.Svc.Login(ctx, "bob", goodPassword)
		MustLocked(t, err, at.Add(delay))
		at = at.Add(delay)
	}
	e.Clock.Set(at)
	if _, err := e.Svc.Login(ctx, "bob", goodPassword); err != nil {
		t.Errorf("after the last lock-out (+%v): %v, want success", at.Sub(t0), err)
	}
}

func TestLoginLockoutWindowAndUnknownUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	MustConsumer(t, e, "carol", residentID(1))

	// Failures older than the window do not count.
	for range 4 {
		_, err := e.Svc.Login(ctx, "carol", badPassword)
		MustCourtError(t, err, court.EUNAUTHORIZED, "err.login_failed")
	}
	e.Clock.Set(t0.Add(court.LockoutWindow + time.Microsecond))
	_, err := e.Svc.Login(ctx, "carol", badPassword)
	MustCourtError(t, err, court.EUNAUTHORIZED, "err.login_failed")
	if _, err := e.Svc.Login(ctx, "carol", goodPassword); err != nil {
		t.Errorf("4 old failures and 1 recent: got %v, want success", err)
	}

	// An unknown username locks the same way as a known one, so lock-outs
	// do not tell which accounts exist.
	e.Clock.Set(t0)
	for range 4 {
		_, err := e.Svc.Login(ctx, "ghost", badPassword)
		MustCourtError(t, err, court.EUNAUTHORIZED, "err.login_failed")
	}
	_, err = e.Svc.Login(ctx, "ghost", badPassword)
	MustLocked(t, err, t0.Add(time.Minute))
	_, err = e.Svc.Login(ctx, "ghost", goodPassword)
	MustLocked(t, err, t0.Add(time.Minute))
	// Other accounts are not affected.
	if _, err := e.Svc.Login(ctx, "carol", goodPassword); err != nil {
		t.Errorf("carol while ghost is locked: %v, want success", err)
	}
}

func TestNewSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := accounts.Config{IdleTimeout: 30 * time.Minute, MaxLifetime: 12 * time.Hour, TokenTTL: 24 * time.Hour}
	e := MustEnv(t, cfg)
	u := MustConsumer(t, e, "alice", residentID(1))

	tokens := map[string]time.Time{}
	for _, kind := range []string{storage.KindBrowser, storage.KindAPI} {
		tok, exp, err := e.Svc.NewSession(ctx, u.ID, kind)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			t.Fatalf("token %q is not base64url: %v", tok, err)
		}
		if len(raw) < 16 {
			t.Errorf("token carries %d bytes, want at least 16 (128 bits)", len(raw))
		}
		want := t0.Add(cfg.MaxLifetime)
		if kind == storage.KindAPI {
			want = t0.Add(cfg.TokenTTL)
		}
		if !exp.Equal(want) {
			t.Errorf("%s expires %v, want %v", kind, exp, want)
		}
		tokens[tok] = want
	}
	if len(tokens) != 2 {
		t.Fatalf("two sessions got the same token")
	}

	rows, err := e.DB.Writer().Query(`SELECT token_hash, user_id, created_at, last_seen_at, expires_at FROM sessions`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string]time.Time{}
	for rows.Next() {
		var h string
		var uid int64
		var created, seen, exp time.Time
		if err := rows.Scan(&h, &uid, &created, &seen, &exp); err != nil {
			t.Fatal(err)
		}
		if uid != u.ID || !created.Equal(t0) || !seen.Equal(t0) {
			t.Errorf("stored session user %d created %v seen %v, want %d, %v, %v", uid, created, seen, u.ID, t0, t0)
		}
		stored[h] = exp
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	raw := MustRawFiles(t, e.Path)
	for tok, exp := range tokens {
		sum := sha256.Sum256([]byte(tok))
		h := hex.EncodeToString(sum[:])
		if got := accounts.TokenHash(tok); got != h {
			t.Errorf("TokenHash = %s, want SHA-256 hex %s", got, h)
		}
		if got, ok := stored[h]; !ok || !got.Equal(exp) {
			t.Errorf("stored sessions %v, want hash %s expiring %v", stored, h, exp)
		}
		if _, ok := stored[tok]; ok {
			t.Errorf("the token itself is stored as a key")
		}
		if bytes.Contains(raw, []byte(tok)) {
			t.Errorf("token %q readable in the raw database files", tok)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	alice := MustConsumer(t, e, "alice", residentID(1))
	bob := MustConsumer(t, e, "bob", residentID(2))
	browser := MustSession(t, e, alice.ID, storage.KindBrowser)
	api := MustSession(t, e, alice.ID, storage.KindAPI)
	bobs := MustSession(t, e, bob.ID, storage.KindBrowser)

	if u := mustAuth(t, e, browser, storage.KindBrowser); u.ID != alice.ID || u.Username != "alice" {
		t.Errorf("browser session user = %d %s, want %d alice", u.ID, u.Username, alice.ID)
	}
	if u := mustAuth(t, e, api, storage.KindAPI); u.ID != alice.ID {
		t.Errorf("api token user = %d, want %d", u.ID, alice.ID)
	}
	// A token of the wrong kind is refused, and is not thereby ended.
	mustNoAuth(t, e, browser, storage.KindAPI)
	mustNoAuth(t, e, api, storage.KindBrowser)
	mustAuth(t, e, browser, storage.KindBrowser)
	mustAuth(t, e, api, storage.KindAPI)

	for _, tok := range []string{"", "x", browser + "x", browser[:len(browser)-1], strings.Repeat("A", 101)} {
		mustNoAuth(t, e, tok, storage.KindBrowser)
	}
	// Presenting the stored hash is not presenting the token.
	mustNoAuth(t, e, accounts.TokenHash(browser)[:43], storage.KindBrowser)

	if err := e.Svc.EndSession(ctx, browser); err != nil {
		t.Fatal(err)
	}
	mustNoAuth(t, e, browser, storage.KindBrowser)
	mustAuth(t, e, api, storage.KindAPI)
	mustAuth(t, e, bobs, storage.KindBrowser)

	// A disabled user's sessions end.
	if err := e.DB.SetUserStatus(ctx, bob.ID, nil, court.StatusActive, court.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	mustNoAuth(t, e, bobs, storage.KindBrowser)
}

func TestBrowserSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, accounts.DefaultConfig)
	u := MustConsumer(t, e, "alice", residentID(1))
	tok := MustSession(t, e, u.ID, storage.KindBrowser)

	// Use within the idle timeout keeps the session going past it.
	e.Clock.Advance(29 * time.Minute)
	mustAuth(t, e, tok, storage.KindBrowser)
	e.Clock.Advance(29 * time.Minute)
	mustAuth(t, e, tok, storage.KindBrowser)
	e.Clock.Advance(30 * time.Minute)
	mustAuth(t, e, tok, storage.KindBrowser) // exactly the timeout: still in
	e.Clock.Advance(30*time.Minute + time.Second)
	mustNoAuth(t, e, tok, storage.KindBrowser)

	// The ended session is gone, not merely refused.
	if _, _, err := e.DB.SessionUser(context.Background(), accounts.TokenHash(tok)); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("idle session in storage: got %v, want ENOTFOUND", err)
	}
	e.Clock.Set(t0)
	mustNoAuth(t, e, tok, storage.KindBrowser)
}

func TestBrowserSessionAbsoluteLifetime(t *testing.T) {
	t.Parallel()
	e := MustEnv(t, accounts.DefaultConfig)
	u := MustConsumer(t, e, "alice", residentID(1))
	tok := MustSession(t, e, u.ID, storage.KindBrowser)
	end := t0.Add(accounts.DefaultConfig.MaxLifetime)
	steps := 0
	for now := t0.Add(10 * time.Minute); now.Before(end); now = now.Add(10 * time.Minute) {
		e.Clock.Set(now)
		mustAuth(t, e, tok, storage.KindBrowser)
		steps++
	}
	if steps != 71 {
		t.Fatalf("active for %d ten-minute steps, want 71", steps)
	}
	e.Clock.Set(end)
	mustNoAuth(t, e, tok, storage.KindBrowser)
}

func TestAPITokenLifetime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := accounts.Config{IdleTimeout: 30 * time.Minute, MaxLifetime: 12 * time.Hour, TokenTTL: 24 * time.Hour}
	e := MustEnv(t, cfg)
	u := MustConsumer(t, e, "alice", residentID(1))
	api := MustSession(t, e, u.ID, storage.KindAPI)
	browser := MustSession(t, e, u.ID, storage.KindBrowser)

	// A sweep two hours on ends the idle browser session, not the token.
	e.Clock.Set(t0.Add(2 * time.Hour))
	n, err := e.Svc.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("Sweep removed %d sessions, want 1", n)
	}
	mustNoAuth(t, e, browser, storage.KindBrowser)

	// Unused for almost a day, past the browser lifetime: still valid.
	e.Clock.Set(t0.Add(cfg.TokenTTL - time.Microsecond))
	mustAuth(t, e, api, storage.KindAPI)
	e.Clock.Set(t0.Add(cfg.TokenTTL))
	mustNoAuth(t, e, api, storage.KindAPI)
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	u := MustConsumer(t, e, "alice", residentID(1))
	other := MustConsumer(t, e, "bob", residentID(2))
	current := MustSession(t, e, u.ID, storage.KindBrowser)
	second := MustSession(t, e, u.ID, storage.KindBrowser)
	token := MustSession(t, e, u.ID, storage.KindAPI)
	bobs := MustSession(t, e, other.ID, storage.KindBrowser)
	const newPassword = "a much better passphrase"

	tests := []struct {
		name          string
		current, next string
		want          map[string]string
	}{
		{"wrong current", badPassword, newPassword, map[string]string{"current_password": "err.password_wrong"}},
		{"short new", goodPassword, "short", map[string]string{"new_password": "err.password_short"}},
		{"both", badPassword, "", map[string]string{"current_password": "err.password_wrong", "new_password": "err.password_short"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.Svc.ChangePassword(ctx, u, tt.current, tt.next, current)
			ce := MustCourtError(t, err, court.EINVALID, "err.invalid_form")
			got := map[string]string{}
			for f, m := range ce.Fields {
				got[f] = m.Key
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
			mustAuth(t, e, second, storage.KindBrowser)
		})
	}

	var before string
	if err := e.DB.Writer().QueryRow(`SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := e.Svc.ChangePassword(ctx, u, goodPassword, newPassword, current); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	mustAuth(t, e, current, storage.KindBrowser)
	mustNoAuth(t, e, second, storage.KindBrowser)
	mustNoAuth(t, e, token, storage.KindAPI)
	mustAuth(t, e, bobs, storage.KindBrowser)

	var after string
	if err := e.DB.Writer().QueryRow(`SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after == before || !strings.HasPrefix(after, hashPrefix) {
		t.Errorf("hash after change = %q, want a new argon2id hash", after)
	}
	if _, err := e.Svc.Login(ctx, "alice", newPassword); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	_, err := e.Svc.Login(ctx, "alice", goodPassword)
	MustCourtError(t, err, court.EUNAUTHORIZED, "err.login_failed")
}

func TestApproveMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := MustEnv(t, accounts.DefaultConfig)
	const orgA, orgB = "91350100M000100Y43", "91110000802100433B"
	a1 := MustMerchant(t, e, "ma1", orgA)
	a2 := MustMerchant(t, e, "ma2", orgA)
	a3 := MustMerchant(t, e, "ma3", orgA)
	b1 := MustMerchant(t, e, "mb1", orgB)
	b2 := MustMerchant(t, e, "mb2", orgB)
	claimant := MustConsumer(t, e, "claimant", residentID(1))
	clerk := MustStaff(t, e, "clerk", court.RoleClerk)
	admin := MustStaff(t, e, "admin", court.RoleAdmin)
	for _, u := range []*court.User{a1, b1} {
		if u.Status != court.StatusActive {
			t.Fatalf("%s status = %s, want active", u.Username, u.Status)
		}
	}
	for _, u := range []*court.User{a2, a3, b2} {
		if u.Status != court.StatusPending {
			t.Fatalf("%s status = %s, want pending", u.Username, u.Status)
		}
	}
	status := func(u *court.User) court.UserStatus {
		t.Helper()
		got, err := e.DB.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}

	refused := []struct {
		name     string
		approver *court.User
		member   int64
		code     court.Code
	}{
		{"staff of another org", b1, a2.ID, court.ENOTFOUND},
		{"claimant", claimant, a2.ID, court.EFORBIDDEN},
		{"clerk", clerk, a2.ID, court.EFORBIDDEN},
		{"the pending member itself", a2, a2.ID, court.EFORBIDDEN},
		{"pending staff of the same org", a3, a2.ID, court.EFORBIDDEN},
		{"merchant without an org", &court.User{ID: a1.ID, Role: court.RoleMerchant, Status: court.StatusActive}, a2.ID, court.EFORBIDDEN},
		{"disabled admin", &court.User{ID: admin.ID, Role: court.RoleAdmin, Status: court.StatusDisabled}, a2.ID, court.EFORBIDDEN},
		{"unknown member", a1, 9999, court.ENOTFOUND},
		{"active colleague", a1, a1.ID, court.ENOTFOUND},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			err := e.Svc.ApproveMember(ctx, tt.approver, tt.member)
			if got := court.ErrorCode(err); got != tt.code {
				t.Errorf("got %v, want code %s", err, tt.code)
			}
			if got := status(a2); got != court.StatusPending {
				t.Errorf("a2 status = %s, want pending (unchanged)", got)
			}
		})
	}

	if err := e.Svc.ApproveMember(ctx, a1, a2.ID); err != nil {
		t.Fatalf("colleague approves: %v", err)
	}
	if got := status(a2); got != court.StatusActive {
		t.Errorf("a2 status = %s, want active", got)
	}
	if _, err := e.Svc.Login(ctx, "ma2", goodPassword); err != nil {
		t.Errorf("approved member logs in: %v", err)
	}
	if err := e.Svc.ApproveMember(ctx, a1, a2.ID); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("approving twice: got %v, want ENOTFOUND", err)
	}

	if err := e.Svc.ApproveMember(ctx, admin, b2.ID); err != nil {
		t.Fatalf("admin approves: %v", err)
	}
	if got := status(b2); got != court.StatusActive {
		t.Errorf("b2 status = %s, want active", got)
	}
}

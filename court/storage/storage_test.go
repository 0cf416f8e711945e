package storage_test

import (
	"context"
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
	"github.com/shangcheng-court/courtd/court/storage"
)

// t0 has a fractional second, so that every comparison below also checks
// that sub-second precision survives the round trip.
var t0 = time.Date(2026, 3, 2, 1, 30, 0, 123456000, time.UTC)

// MustOpen opens the database at path with its clock fixed at t0 and closes it
// when the test ends.
func MustOpen(tb testing.TB, path string) *storage.DB {
	tb.Helper()
	db, err := storage.Open(context.Background(), path, nil)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	db.Now = func() time.Time { return t0 }
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustDB opens a new database in a temp dir.
func MustDB(tb testing.TB) (*storage.DB, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "court.db")
	return MustOpen(tb, path), path
}

// MustCreateUser creates a user with the given username and role (merchants
// need MustCreateMerchant).
func MustCreateUser(tb testing.TB, db *storage.DB, username string, role court.Role, status court.UserStatus) *court.User {
	tb.Helper()
	u, err := db.CreateUser(context.Background(), &storage.NewUser{
		User:         court.User{Username: username, Role: role, DisplayName: "Name of " + username, Status: status},
		PasswordHash: "$argon2id$not-a-real-hash",
	})
	if err != nil {
		tb.Fatalf("CreateUser(%s): %v", username, err)
	}
	return u
}

// MustCreateMerchant registers merchant staff of the organisation with the
// given credit code.
func MustCreateMerchant(tb testing.TB, db *storage.DB, username, creditCode string) (*court.User, bool) {
	tb.Helper()
	u, created, err := db.CreateUserWithOrg(context.Background(), &storage.NewUser{
		User:         court.User{Username: username, Role: court.RoleMerchant, DisplayName: "Staff " + username},
		PasswordHash: "$argon2id$not-a-real-hash",
	}, creditCode, "Org "+creditCode)
	if err != nil {
		tb.Fatalf("CreateUserWithOrg(%s, %s): %v", username, creditCode, err)
	}
	return u, created
}

// MustSession stores a session of the given kind for userID.
func MustSession(tb testing.TB, db *storage.DB, hash string, userID int64, kind string, created, lastSeen, expires time.Time) {
	tb.Helper()
	err := db.CreateSession(context.Background(), &storage.Session{
		TokenHash: hash, UserID: userID, Kind: kind, CreatedAt: created, LastSeenAt: lastSeen, ExpiresAt: expires,
	})
	if err != nil {
		tb.Fatalf("CreateSession(%s): %v", hash, err)
	}
}

// MustCourtError asserts that err is a *court.Error with the given code.
func MustCourtError(tb testing.TB, err error, code court.Code) *court.Error {
	tb.Helper()
	var e *court.Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v (%T), want *court.Error with code %s", err, err, code)
	}
	if e.Code != code {
		tb.Fatalf("got code %s, want %s (error %v)", e.Code, code, err)
	}
	return e
}

func mustStatus(tb testing.TB, db *storage.DB, id int64) court.UserStatus {
	tb.Helper()
	u, err := db.UserByID(context.Background(), id)
	if err != nil {
		tb.Fatalf("UserByID(%d): %v", id, err)
	}
	return u.Status
}

func countRows(tb testing.TB, db *storage.DB, table string) int {
	tb.Helper()
	var n int
	if err := db.Writer().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestOpenNewDatabase(t *testing.T) {
	ctx := context.Background()
	db, path := MustDB(t)

	if v := storage.SchemaVersion(); v <= 0 {
		t.Fatalf("SchemaVersion() = %d, want > 0", v)
	}
	var applied int64
	if err := db.Writer().QueryRow(`SELECT MAX(version_id) FROM goose_db_version WHERE is_applied = 1`).Scan(&applied); err != nil {
		t.Fatalf("read goose_db_version: %v", err)
	}
	if want := storage.SchemaVersion(); applied != want {
		t.Errorf("applied schema version = %d, want %d", applied, want)
	}
	for _, table := range []string{"users", "organizations", "sessions", "login_throttle", "settings"} {
		countRows(t, db, table) // fails the test when the table is missing
	}

	var mode string
	if err := db.Writer().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("writer journal_mode = %q, want wal", mode)
	}
	for name, q := range map[string]func() (int, error){
		"writer": func() (n int, err error) { return n, db.Writer().QueryRow("PRAGMA foreign_keys").Scan(&n) },
		"reader": func() (n int, err error) { return n, db.Readers().QueryRow("PRAGMA foreign_keys").Scan(&n) },
	} {
		n, err := q()
		if err != nil {
			t.Fatalf("%s foreign_keys: %v", name, err)
		}
		if n != 1 {
			t.Errorf("%s foreign_keys = %d, want 1", name, n)
		}
	}
	var synchronous int
	if err := db.Writer().QueryRow("PRAGMA synchronous").Scan(&synchronous); err != nil {
		t.Fatal(err)
	}
	if synchronous != 2 {
		t.Errorf("writer synchronous = %d, want 2 (FULL)", synchronous)
	}

	// Foreign keys are enforced, not just switched on.
	err := db.CreateSession(ctx, &storage.Session{TokenHash: "h", UserID: 4242, Kind: storage.KindBrowser,
		CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if err == nil {
		t.Errorf("CreateSession for a missing user: got nil error, want a foreign key failure")
	}
	// The reader pool cannot write.
	if _, err := db.Readers().Exec(`INSERT INTO settings (name, value) VALUES ('x', 'y')`); err == nil {
		t.Errorf("insert through the reader pool: got nil error, want a read-only failure")
	}

	res, err := db.IntegrityCheck(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != "ok" {
		t.Errorf("IntegrityCheck = %q, want ok", res)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("Ping: got %v, want nil", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v, want it at %s", err, path)
	}
}

func TestOpenTwiceIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "court.db")
	db1, err := storage.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db1.SetSetting(ctx, "court_code", "0102"); err != nil {
		t.Fatal(err)
	}
	if err := db1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := range 2 {
		db := MustOpen(t, path)
		var rows int
		if err := db.Writer().QueryRow(`SELECT COUNT(*) FROM goose_db_version WHERE version_id = ?`, storage.SchemaVersion()).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 1 {
			t.Errorf("open %d: migration %d recorded %d times, want 1", i+2, storage.SchemaVersion(), rows)
		}
		got, err := db.Setting(ctx, "court_code")
		if err != nil {
			t.Fatal(err)
		}
		if got != "0102" {
			t.Errorf("open %d: setting = %q, want 0102", i+2, got)
		}
		db.Close()
	}
	// Two handles on one file at the same time (a second process, say).
	a := MustOpen(t, path)
	b := MustOpen(t, path)
	if err := a.SetSetting(ctx, "k", "from a"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Setting(ctx, "k"); err != nil || got != "from a" {
		t.Errorf("second handle reads %q, %v; want %q, nil", got, err, "from a")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "court.db")
	db, err := storage.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	newer := storage.SchemaVersion() + 1
	if _, err := db.Writer().Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, newer); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db2, err := storage.Open(ctx, path, nil)
	if err == nil {
		db2.Close()
		t.Fatalf("Open of a version %d database: got nil error, want ErrNewerSchema", newer)
	}
	if db2 != nil {
		t.Errorf("Open returned a DB with its error, want nil")
	}
	if !errors.Is(err, storage.ErrNewerSchema) {
		t.Errorf("got %v, want an error wrapping ErrNewerSchema", err)
	}
	msg := err.Error()
	for _, want := range []string{
		fmt.Sprintf("schema version %d", newer),
		fmt.Sprintf("up to %d", storage.SchemaVersion()),
		path,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}

	// Nothing was changed: the newer version is still recorded, and the
	// file is still refused the next time.
	if _, err := storage.Open(ctx, path, nil); !errors.Is(err, storage.ErrNewerSchema) {
		t.Errorf("second Open: got %v, want ErrNewerSchema", err)
	}
}

// A data directory's name may hold characters that mean something in an
// SQLite URI. The database must still be the file named, not another one.
func TestOpenPathWithURICharacters(t *testing.T) {
	for _, name := range []string{"with space", "court#1", "100%25", "what?mode=ro", "a&b=c"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), name)
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "court.db")
			db, err := storage.Open(ctx, path, nil)
			if err != nil {
				t.Fatalf("Open(%q): %v", path, err)
			}
			if err := db.SetSetting(ctx, "k", "v"); err != nil {
				t.Fatal(err)
			}
			got, err := db.Setting(ctx, "k")
			if err != nil || got != "v" {
				t.Errorf("Setting = %q, %v; want v, nil", got, err)
			}
			db.Close()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("stat %q: %v, want the database there", path, err)
			}
			ents, _ := os.ReadDir(filepath.Dir(dir))
			if len(ents) != 1 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("files beside the data dir: %q, want only %q", names, name)
			}
		})
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	db, path := MustDB(t)
	u := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	m, _ := MustCreateMerchant(t, db, "shop1", "91350100M000100Y43")
	MustSession(t, db, "hash-1", u.ID, storage.KindBrowser, t0, t0, t0.Add(time.Hour))
	if _, err := db.RecordLoginFailure(ctx, "alice", t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLang(ctx, u.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db2 := MustOpen(t, path)
	got, err := db2.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("after reopen: UserByID: %v", err)
	}
	want := *u
	want.Lang = "en"
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("after reopen: user = %+v, want %+v", *got, want)
	}
	sess, su, err := db2.SessionUser(ctx, "hash-1")
	if err != nil {
		t.Fatalf("after reopen: SessionUser: %v", err)
	}
	if sess.UserID != u.ID || su.Username != "alice" {
		t.Errorf("after reopen: session of user %d (%s), want %d (alice)", sess.UserID, su.Username, u.ID)
	}
	if th, err := db2.LoginThrottle(ctx, "alice"); err != nil || th.Failures != 1 || !th.LastAt.Equal(t0) {
		t.Errorf("after reopen: LoginThrottle = %+v, %v; want 1 failure at %v", th, err, t0)
	}
	org, err := db2.OrganizationByID(ctx, *m.OrganizationID)
	if err != nil {
		t.Fatalf("after reopen: OrganizationByID: %v", err)
	}
	if org.CreditCode != "91350100M000100Y43" {
		t.Errorf("after reopen: credit code = %q, want 91350100M000100Y43", org.CreditCode)
	}
	if res, err := db2.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Errorf("after reopen: IntegrityCheck = %q, %v; want ok, nil", res, err)
	}
}

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	mac := "mac-of-11010519491231002X"
	u, err := db.CreateUser(ctx, &storage.NewUser{
		User: court.User{Username: "zhangsan", Role: court.RoleClaimant, DisplayName: "张三", Mobile: "13800138000",
			ResidentMasked: "1101**********002X", Lang: "zh-CN"},
		PasswordHash: "hash-1", ResidentEnc: []byte{1, 2, 3}, ResidentMAC: &mac,
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID <= 0 {
		t.Errorf("ID = %d, want > 0", u.ID)
	}
	if u.Status != court.StatusActive {
		t.Errorf("Status = %q, want active by default", u.Status)
	}
	if !u.CreatedAt.Equal(t0) {
		t.Errorf("CreatedAt = %v, want %v (the DB clock)", u.CreatedAt, t0)
	}
	got, err := db.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, u) {
		t.Errorf("UserByID = %+v, want %+v", got, u)
	}
	cu, hash, err := db.Credentials(ctx, "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	if hash != "hash-1" || cu.ID != u.ID {
		t.Errorf("Credentials = user %d, hash %q; want user %d, hash-1", cu.ID, hash, u.ID)
	}
	if _, _, err := db.Credentials(ctx, "nobody"); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("Credentials(nobody): got %v, want ENOTFOUND", err)
	}
	if _, err := db.UserByID(ctx, u.ID+100); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("UserByID(missing): got %v, want ENOTFOUND", err)
	}

	otherMAC := "another-mac"
	tests := []struct {
		name      string
		nu        storage.NewUser
		wantField string
		wantKey   string
	}{
		{"same username", storage.NewUser{User: court.User{Username: "zhangsan", Role: court.RoleClerk, DisplayName: "x"},
			PasswordHash: "h", ResidentMAC: &otherMAC}, "username", "err.username_taken"},
		{"same resident MAC", storage.NewUser{User: court.User{Username: "lisi", Role: court.RoleClaimant, DisplayName: "x"},
			PasswordHash: "h", ResidentMAC: &mac}, "resident_id", "err.resident_id_taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countRows(t, db, "users")
			_, err := db.CreateUser(ctx, &tt.nu)
			e := MustCourtError(t, err, court.ECONFLICT)
			if len(e.Fields) != 1 || e.Fields[tt.wantField].Key != tt.wantKey {
				t.Errorf("fields = %v, want only %s: %s", e.Fields, tt.wantField, tt.wantKey)
			}
			if after := countRows(t, db, "users"); after != before {
				t.Errorf("users: got %d rows after the conflict, want %d", after, before)
			}
		})
	}

	// Users without a resident ID (NULL MAC) do not conflict with each other.
	MustCreateUser(t, db, "clerk1", court.RoleClerk, "")
	MustCreateUser(t, db, "clerk2", court.RoleClerk, "")
}

func TestCreateUsersConcurrently(t *testing.T) {
	db, _ := MustDB(t)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.CreateUser(context.Background(), &storage.NewUser{
				User:         court.User{Username: fmt.Sprintf("user%02d", i), Role: court.RoleClaimant, DisplayName: "x"},
				PasswordHash: "h",
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent CreateUser: %v", err)
		}
	}
	if got := countRows(t, db, "users"); got != n {
		t.Errorf("users = %d, want %d", got, n)
	}
}

func TestCreateUserWithOrg(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	const codeA, codeB, codeC = "91350100M000100Y43", "91110000802100433B", "000000000000000000"

	first, created := MustCreateMerchant(t, db, "a1", codeA)
	if !created || first.Status != court.StatusActive || first.OrganizationID == nil {
		t.Fatalf("first staff of a new org: created=%v status=%s org=%v, want true active set", created, first.Status, first.OrganizationID)
	}
	org, err := db.OrganizationByID(ctx, *first.OrganizationID)
	if err != nil {
		t.Fatal(err)
	}
	if org.CreditCode != codeA || org.Name != "Org "+codeA || !org.CreatedAt.Equal(t0) {
		t.Errorf("org = %+v, want credit code %s, name %q, created %v", org, codeA, "Org "+codeA, t0)
	}

	second, created := MustCreateMerchant(t, db, "a2", codeA)
	if created || second.Status != court.StatusPending {
		t.Errorf("second staff: created=%v status=%s, want false pending", created, second.Status)
	}
	if second.OrganizationID == nil || *second.OrganizationID != *first.OrganizationID {
		t.Errorf("second staff org = %v, want %d", second.OrganizationID, *first.OrganizationID)
	}
	if got := countRows(t, db, "organizations"); got != 1 {
		t.Errorf("organizations = %d, want 1", got)
	}

	// Org B: its only active staff is disabled, the other is pending.
	b1, _ := MustCreateMerchant(t, db, "b1", codeB)
	b2, _ := MustCreateMerchant(t, db, "b2", codeB)
	if err := db.SetUserStatus(ctx, b1.ID, nil, court.StatusActive, court.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	if b2.Status != court.StatusPending {
		t.Fatalf("b2 status = %s, want pending", b2.Status)
	}
	// Without a claim code, only the organisation's creator is trusted.
	b3, created := MustCreateMerchant(t, db, "b3", codeB)
	if created || b3.Status != court.StatusPending {
		t.Errorf("staff of an org with only pending/disabled staff: created=%v status=%s, want false pending", created, b3.Status)
	}

	// Org C exists with no staff at all (known from a served claim, say).
	var orgC int64
	if err := db.Writer().QueryRow(`INSERT INTO organizations (credit_code, name, created_at) VALUES (?, 'C', ?) RETURNING id`, codeC, t0).Scan(&orgC); err != nil {
		t.Fatal(err)
	}
	c1, created := MustCreateMerchant(t, db, "c1", codeC)
	if created || c1.Status != court.StatusPending {
		t.Errorf("first staff of a known org without staff, no claim code: created=%v status=%s, want false pending", created, c1.Status)
	}
	// The court mailed org C a claim code, twice (an attempt that seemed to
	// fail, then one that worked); storage keeps only their hashes.
	const claim, earlier = "7KQ2-M9XD-4RTA", "5MZ8-QQ3T-9KV1"
	var mailID int64
	if err := db.Writer().QueryRow(`INSERT INTO outbox (recipient, lang, kind, organization_id, next_at, created_at)
		VALUES ('c@example.cn', 'zh-CN', 'service', ?, ?, ?) RETURNING id`, orgC, t0, t0).Scan(&mailID); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{earlier, claim} {
		if _, err := db.Writer().Exec(`INSERT INTO claim_codes (organization_id, outbox_id, code_hash, created_at) VALUES (?, ?, ?, ?)`,
			orgC, mailID, court.ClaimCodeHash(code), t0); err != nil {
			t.Fatal(err)
		}
	}
	register := func(username, code string) *court.User {
		t.Helper()
		u, _, err := db.CreateUserWithOrg(ctx, &storage.NewUser{
			User:         court.User{Username: username, Role: court.RoleMerchant, DisplayName: username},
			PasswordHash: "h", ClaimCodeHash: court.ClaimCodeHash(code),
		}, codeC, "C")
		if err != nil {
			t.Fatalf("register %s: %v", username, err)
		}
		return u
	}
	if u := register("c2", "7KQ2-M9XD-4RTB"); u.Status != court.StatusPending {
		t.Errorf("wrong claim code: status %s, want pending", u.Status)
	}
	if u := register("c3", "7kq2 m9xd 4rta"); u.Status != court.StatusActive {
		t.Errorf("right claim code (typed in lower case with spaces): status %s, want active", u.Status)
	}
	if u := register("c4", claim); u.Status != court.StatusPending {
		t.Errorf("claim code used a second time: status %s, want pending", u.Status)
	}
	if u := register("c5", earlier); u.Status != court.StatusPending {
		t.Errorf("the other code of the same message after one was used: status %s, want pending", u.Status)
	}
	// Only an active member names the organisation's contact: a pending
	// registrant's address would receive the next claim code.
	if _, _, err := db.CreateUserWithOrg(ctx, &storage.NewUser{User: court.User{Username: "b9", Role: court.RoleMerchant,
		DisplayName: "b9", Email: "b9@evil.example"}, PasswordHash: "h"}, codeB, "B"); err != nil {
		t.Fatal(err)
	}
	if o, _ := db.OrganizationByID(ctx, *b1.OrganizationID); o.ContactEmail != "" {
		t.Errorf("a pending registrant set the organisation's contact to %q", o.ContactEmail)
	}

	// A failed registration leaves no organisation behind.
	const codeD = "91330000MA27U8BX49"
	_, _, err = db.CreateUserWithOrg(ctx, &storage.NewUser{
		User: court.User{Username: "a1", Role: court.RoleMerchant, DisplayName: "dup"}, PasswordHash: "h",
	}, codeD, "Org D")
	e := MustCourtError(t, err, court.ECONFLICT)
	if _, ok := e.Fields["username"]; !ok {
		t.Errorf("fields = %v, want username", e.Fields)
	}
	if _, created := MustCreateMerchant(t, db, "d1", codeD); !created {
		t.Errorf("org D after a rolled-back registration: created=false, want true")
	}
}

func TestSetUserStatus(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	a1, _ := MustCreateMerchant(t, db, "a1", "91350100M000100Y43")
	a2, _ := MustCreateMerchant(t, db, "a2", "91350100M000100Y43")
	b1, _ := MustCreateMerchant(t, db, "b1", "91110000802100433B")
	orgA, orgB := *a1.OrganizationID, *b1.OrganizationID
	missing := int64(9999)

	tests := []struct {
		name     string
		id       int64
		org      *int64
		from, to court.UserStatus
	}{
		{"other org", a2.ID, &orgB, court.StatusPending, court.StatusActive},
		{"missing org", a2.ID, &missing, court.StatusPending, court.StatusActive},
		{"wrong from-status", a2.ID, &orgA, court.StatusActive, court.StatusDisabled},
		{"wrong from-status, no org", a2.ID, nil, court.StatusDisabled, court.StatusActive},
		{"missing user", 9999, nil, court.StatusPending, court.StatusActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.SetUserStatus(ctx, tt.id, tt.org, tt.from, tt.to)
			MustCourtError(t, err, court.ENOTFOUND)
			if got := mustStatus(t, db, a2.ID); got != court.StatusPending {
				t.Errorf("a2 status = %s, want pending (unchanged)", got)
			}
		})
	}

	if err := db.SetUserStatus(ctx, a2.ID, &orgA, court.StatusPending, court.StatusActive); err != nil {
		t.Fatalf("approve in own org: %v", err)
	}
	if got := mustStatus(t, db, a2.ID); got != court.StatusActive {
		t.Errorf("a2 status = %s, want active", got)
	}

	// Disabling ends the user's sessions; other users keep theirs.
	MustSession(t, db, "a2-s", a2.ID, storage.KindBrowser, t0, t0, t0.Add(time.Hour))
	MustSession(t, db, "a1-s", a1.ID, storage.KindBrowser, t0, t0, t0.Add(time.Hour))
	if err := db.SetUserStatus(ctx, a2.ID, nil, court.StatusActive, court.StatusDisabled); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Writer().QueryRow(`SELECT COUNT(*) FROM sessions WHERE user_id = ?`, a2.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("sessions of disabled user = %d, want 0", n)
	}
	if _, _, err := db.SessionUser(ctx, "a1-s"); err != nil {
		t.Errorf("other user's session: %v, want kept", err)
	}
}

func TestUsersFilter(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	a1, _ := MustCreateMerchant(t, db, "a1", "91350100M000100Y43")
	a2, _ := MustCreateMerchant(t, db, "a2", "91350100M000100Y43")
	b1, _ := MustCreateMerchant(t, db, "b1", "91110000802100433B")
	c := MustCreateUser(t, db, "claimant", court.RoleClaimant, "")
	ids := func(us []court.User) []int64 {
		out := []int64{}
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    storage.UserFilter
		want []int64
	}{
		{"all", storage.UserFilter{}, []int64{a1.ID, a2.ID, b1.ID, c.ID}},
		{"org A", storage.UserFilter{OrganizationID: a1.OrganizationID}, []int64{a1.ID, a2.ID}},
		{"pending", storage.UserFilter{Status: court.StatusPending}, []int64{a2.ID}},
		{"org B pending", storage.UserFilter{OrganizationID: b1.OrganizationID, Status: court.StatusPending}, []int64{}},
		{"page", storage.UserFilter{Limit: 2, Offset: 1}, []int64{a2.ID, b1.ID}},
	}
	for _, tt := range tests {
		got, err := db.Users(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(ids(got), tt.want) {
			t.Errorf("%s: got ids %v, want %v", tt.name, ids(got), tt.want)
		}
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	u := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	created := t0.Add(-time.Minute)
	MustSession(t, db, "h1", u.ID, storage.KindBrowser, created, created, t0.Add(12*time.Hour))

	sess, su, err := db.SessionUser(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	wantSess := storage.Session{TokenHash: "h1", UserID: u.ID, Kind: storage.KindBrowser,
		CreatedAt: created, LastSeenAt: created, ExpiresAt: t0.Add(12 * time.Hour)}
	if !reflect.DeepEqual(*sess, wantSess) {
		t.Errorf("session = %+v, want %+v", *sess, wantSess)
	}
	if su.ID != u.ID || su.Username != "alice" || su.Role != court.RoleClaimant || su.Status != court.StatusActive {
		t.Errorf("session user = %+v, want alice (%d), claimant, active", su, u.ID)
	}

	touched := t0.Add(5*time.Minute + 987654*time.Microsecond)
	if err := db.TouchSession(ctx, "h1", touched); err != nil {
		t.Fatal(err)
	}
	sess, _, err = db.SessionUser(ctx, "h1")
	if err != nil {
		t.Fatal(err)
	}
	if !sess.LastSeenAt.Equal(touched) || !sess.CreatedAt.Equal(created) {
		t.Errorf("after touch: last seen %v, created %v; want %v, %v", sess.LastSeenAt, sess.CreatedAt, touched, created)
	}

	if err := db.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionUser(ctx, "h1"); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("after delete: got %v, want ENOTFOUND", err)
	}
	if err := db.DeleteSession(ctx, "h1"); err != nil {
		t.Errorf("deleting a deleted session: got %v, want nil", err)
	}

	// The token hash is the primary key.
	MustSession(t, db, "h2", u.ID, storage.KindAPI, t0, t0, t0.Add(time.Hour))
	if err := db.CreateSession(ctx, &storage.Session{TokenHash: "h2", UserID: u.ID, Kind: storage.KindBrowser,
		CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0}); err == nil {
		t.Errorf("second session with the same hash: got nil error, want a conflict")
	}
}

func TestSessionUserOnlyActiveUsers(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	for _, st := range []court.UserStatus{court.StatusDisabled, court.StatusPending} {
		u := MustCreateUser(t, db, "user-"+string(st), court.RoleClerk, st)
		MustSession(t, db, "h-"+string(st), u.ID, storage.KindBrowser, t0, t0, t0.Add(time.Hour))
		if _, _, err := db.SessionUser(ctx, "h-"+string(st)); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("session of a %s user: got %v, want ENOTFOUND", st, err)
		}
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	u := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	now := t0
	idleBefore := now.Add(-30 * time.Minute)
	sessions := []struct {
		hash, kind       string
		lastSeen, expiry time.Time
		keep             bool
	}{
		{"browser-fresh", storage.KindBrowser, now.Add(-time.Minute), now.Add(time.Hour), true},
		{"browser-idle-edge", storage.KindBrowser, idleBefore, now.Add(time.Hour), true},
		{"browser-idle", storage.KindBrowser, idleBefore.Add(-time.Microsecond), now.Add(time.Hour), false},
		{"browser-expired", storage.KindBrowser, now, now.Add(-time.Second), false},
		{"browser-expires-now", storage.KindBrowser, now, now, false},
		{"api-idle-unexpired", storage.KindAPI, now.Add(-6 * time.Hour), now.Add(time.Hour), true},
		{"api-expired", storage.KindAPI, now, now.Add(-time.Microsecond), false},
	}
	wantGone := 0
	for _, s := range sessions {
		MustSession(t, db, s.hash, u.ID, s.kind, now.Add(-12*time.Hour), s.lastSeen, s.expiry)
		if !s.keep {
			wantGone++
		}
	}
	// alice's run ended 20 minutes ago; bob's failed 5 minutes ago; carol's
	// last failure is old but her lock still runs.
	if _, err := db.RecordLoginFailure(ctx, "alice", now.Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordLoginFailure(ctx, "bob", now.Add(-5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < court.LockoutThreshold+4; i++ { // the ninth failure locks for 16 minutes
		if _, err := db.RecordLoginFailure(ctx, "carol", now.Add(-20*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}

	n, err := db.DeleteExpiredSessions(ctx, now, idleBefore)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(wantGone) {
		t.Errorf("DeleteExpiredSessions = %d, want %d", n, wantGone)
	}
	for _, s := range sessions {
		_, _, err := db.SessionUser(ctx, s.hash)
		if kept := err == nil; kept != s.keep {
			t.Errorf("%s: kept=%v (err %v), want kept=%v", s.hash, kept, err, s.keep)
		}
	}
	for name, want := range map[string]int{"alice": 0, "bob": 1, "carol": court.LockoutThreshold + 4} {
		th, err := db.LoginThrottle(ctx, name)
		if err != nil || th.Failures != want {
			t.Errorf("%s after sweep: %d failures (%v), want %d", name, th.Failures, err, want)
		}
	}
}

func TestLoginThrottle(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	th, err := db.LoginThrottle(ctx, "alice")
	if err != nil || th != (court.Throttle{}) {
		t.Fatalf("no failures: got %+v, %v; want the zero state", th, err)
	}
	var last court.Throttle
	for i := 1; i <= court.LockoutThreshold; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		got, err := db.RecordLoginFailure(ctx, "alice", at)
		if err != nil {
			t.Fatal(err)
		}
		want := last.Fail(at)
		if got != want {
			t.Fatalf("failure %d: got %+v, want %+v", i, got, want)
		}
		last = got
	}
	if last.Until(t0.Add(5 * time.Minute)).IsZero() {
		t.Fatalf("after %d failures: not locked: %+v", court.LockoutThreshold, last)
	}
	stored, err := db.LoginThrottle(ctx, "alice")
	if err != nil || stored != last {
		t.Fatalf("stored state: got %+v (%v), want %+v", stored, err, last)
	}
	if _, err := db.RecordLoginFailure(ctx, "bob", t0); err != nil {
		t.Fatal(err)
	}
	if err := db.ClearLoginFailures(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if th, _ := db.LoginThrottle(ctx, "alice"); th.Failures != 0 {
		t.Errorf("after clear: alice has %d failures, want 0", th.Failures)
	}
	if th, _ := db.LoginThrottle(ctx, "bob"); th.Failures != 1 || !th.LastAt.Equal(t0) {
		t.Errorf("bob after clearing alice: %+v; want 1 failure at %v", th, t0)
	}
}

func TestSetPasswordHash(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	u := MustCreateUser(t, db, "alice", court.RoleClaimant, "")
	other := MustCreateUser(t, db, "bob", court.RoleClaimant, "")
	for _, h := range []string{"keep", "drop1", "drop2"} {
		MustSession(t, db, h, u.ID, storage.KindBrowser, t0, t0, t0.Add(time.Hour))
	}
	MustSession(t, db, "bob", other.ID, storage.KindBrowser, t0, t0, t0.Add(time.Hour))
	if err := db.SetPasswordHash(ctx, u.ID, "new-hash", "keep"); err != nil {
		t.Fatal(err)
	}
	if _, h, _ := db.Credentials(ctx, "alice"); h != "new-hash" {
		t.Errorf("hash = %q, want new-hash", h)
	}
	for h, want := range map[string]bool{"keep": true, "drop1": false, "drop2": false, "bob": true} {
		_, _, err := db.SessionUser(ctx, h)
		if got := err == nil; got != want {
			t.Errorf("session %s kept=%v, want %v", h, got, want)
		}
	}
	// With nothing to keep every session of the user goes.
	if err := db.SetPasswordHash(ctx, u.ID, "newer", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionUser(ctx, "keep"); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("session keep after a change keeping none: %v, want ENOTFOUND", err)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	if got, err := db.Setting(ctx, "missing"); err != nil || got != "" {
		t.Errorf("unset setting = %q, %v; want empty, nil", got, err)
	}
	for _, v := range []string{"first", "second"} {
		if err := db.SetSetting(ctx, "name", v); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Setting(ctx, "name"); err != nil || got != v {
			t.Errorf("setting = %q, %v; want %q, nil", got, err, v)
		}
	}
}

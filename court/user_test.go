package court

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestUsername(t *testing.T) {
	tests := []struct {
		in     string
		wantOK bool
	}{
		{"abc", true},
		{"zhang.san_01-x", true},
		{"a" + strings.Repeat("b", 31), true}, // 32
		{"a" + strings.Repeat("b", 32), false},
		{"ab", false},
		{"", false},
		{"1abc", false},
		{"_abc", false},
		{".abc", false},
		{"Abc", false}, // Username expects the normalised (lower-case) form
		{"ab c", false},
		{"ab@c", false},
		{"张三丰", false},
		{"abc\x00", false},
	}
	for _, tt := range tests {
		var v Validator
		v.Username("username", tt.in)
		err := v.Err()
		if gotOK := err == nil; gotOK != tt.wantOK {
			t.Errorf("Username(%q): got ok=%v (err %v), want ok=%v", tt.in, gotOK, err, tt.wantOK)
			continue
		}
		if !tt.wantOK {
			fields := MustFieldErrors(t, err, EINVALID)
			if got := fieldKeys(fields); !reflect.DeepEqual(got, map[string]string{"username": "err.username"}) {
				t.Errorf("Username(%q): fields = %v, want map[username:err.username]", tt.in, got)
			}
		}
	}
}

func TestNormalizeUsername(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Alice.W \t", "alice.w"},
		{"ZHANG", "zhang"},
		{"bob", "bob"},
	}
	for _, tt := range tests {
		if got := NormalizeUsername(tt.in); got != tt.want {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPassword(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantKey string
		args    map[string]any
	}{
		{"ten ASCII", "0123456789", "", nil},
		{"nine ASCII", "012345678", "err.password_short", map[string]any{"Min": PasswordMin}},
		{"empty", "", "err.password_short", map[string]any{"Min": PasswordMin}},
		// Nine Chinese characters are 27 bytes but 9 characters: too short.
		{"nine Chinese", strings.Repeat("密", 9), "err.password_short", map[string]any{"Min": PasswordMin}},
		{"ten Chinese", strings.Repeat("密", 10), "", nil},
		{"max", strings.Repeat("p", PasswordMax), "", nil},
		{"max Chinese", strings.Repeat("密", PasswordMax), "", nil},
		{"too long", strings.Repeat("p", PasswordMax+1), "err.text_too_long", map[string]any{"Max": PasswordMax}},
		{"invalid UTF-8", "0123456789\xff", "err.text_encoding", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Validator
			v.Password("password", tt.in)
			err := v.Err()
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			fields := MustFieldErrors(t, err, EINVALID)
			if got := fieldKeys(fields); !reflect.DeepEqual(got, map[string]string{"password": tt.wantKey}) {
				t.Fatalf("fields = %v, want map[password:%s]", got, tt.wantKey)
			}
			if got := fields["password"].Args; !reflect.DeepEqual(got, tt.args) {
				t.Errorf("args = %v, want %v", got, tt.args)
			}
		})
	}
}

func TestConsumerRegistrationValidate(t *testing.T) {
	t.Run("valid, normalised in place", func(t *testing.T) {
		r := ConsumerRegistration{
			Username: "  Zhang.San ", Password: "correct horse", Name: " 张三 ",
			Mobile: " 13800138000 ", ResidentID: " 11010519491231002x ",
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		want := ConsumerRegistration{
			Username: "zhang.san", Password: "correct horse", Name: "张三",
			Mobile: "13800138000", ResidentID: "11010519491231002X",
		}
		if r != want {
			t.Errorf("got %+v, want %+v", r, want)
		}
	})
	t.Run("every field wrong", func(t *testing.T) {
		r := ConsumerRegistration{
			Username: "x", Password: "short", Name: "", Mobile: "12345", ResidentID: "110105194912310021",
		}
		fields := MustFieldErrors(t, r.Validate(), EINVALID)
		want := map[string]string{
			"username":    "err.username",
			"password":    "err.password_short",
			"name":        "err.required",
			"mobile":      "err.mobile",
			"resident_id": "err.resident_id_check",
		}
		if got := fieldKeys(fields); !reflect.DeepEqual(got, want) {
			t.Errorf("fields = %v, want %v", got, want)
		}
	})
	t.Run("one field wrong", func(t *testing.T) {
		r := ConsumerRegistration{
			Username: "zhangsan", Password: "correct horse", Name: "张三", Mobile: "13800138000", ResidentID: "1101051949",
		}
		fields := MustFieldErrors(t, r.Validate(), EINVALID)
		want := map[string]string{"resident_id": "err.resident_id_length"}
		if got := fieldKeys(fields); !reflect.DeepEqual(got, want) {
			t.Errorf("fields = %v, want %v", got, want)
		}
	})
}

func TestMerchantRegistrationValidate(t *testing.T) {
	t.Run("valid, normalised in place", func(t *testing.T) {
		r := MerchantRegistration{
			Username: "Shop01", Password: "correct horse", Name: "李四", Mobile: "13900139000",
			CreditCode: " 91350100m000100y43 ", OrgName: " 西湖茶叶有限公司 ",
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		if got, want := r.CreditCode, "91350100M000100Y43"; got != want {
			t.Errorf("CreditCode = %q, want %q", got, want)
		}
		if got, want := r.OrgName, "西湖茶叶有限公司"; got != want {
			t.Errorf("OrgName = %q, want %q", got, want)
		}
		if got, want := r.Username, "shop01"; got != want {
			t.Errorf("Username = %q, want %q", got, want)
		}
	})
	t.Run("every field wrong", func(t *testing.T) {
		r := MerchantRegistration{
			Username: "9shop", Password: strings.Repeat("p", PasswordMax+1), Name: strings.Repeat("名", 51),
			Mobile: "1390013900a", CreditCode: "91350100O000100Y43", OrgName: "茶",
		}
		fields := MustFieldErrors(t, r.Validate(), EINVALID)
		want := map[string]string{
			"username":    "err.username",
			"password":    "err.text_too_long",
			"name":        "err.text_too_long",
			"mobile":      "err.mobile",
			"credit_code": "err.credit_code_chars",
			"org_name":    "err.text_too_short",
		}
		if got := fieldKeys(fields); !reflect.DeepEqual(got, want) {
			t.Errorf("fields = %v, want %v", got, want)
		}
	})
}

func TestStaffAccountValidate(t *testing.T) {
	for _, role := range StaffRoles {
		a := StaffAccount{Username: "Clerk1", Password: "correct horse", Name: "王五", Role: role}
		if err := a.Validate(); err != nil {
			t.Errorf("role %s: got %v, want nil", role, err)
		}
		if got, want := a.Username, "clerk1"; got != want {
			t.Errorf("role %s: Username = %q, want %q", role, got, want)
		}
	}
	tests := []struct {
		name string
		a    StaffAccount
		want map[string]string
	}{
		{"all wrong", StaffAccount{Username: "", Password: "", Name: "\x00", Role: "emperor"}, map[string]string{
			"username": "err.username", "password": "err.password_short", "name": "err.text_control", "role": "err.role_staff",
		}},
		{"claimant is not staff", StaffAccount{Username: "clerk1", Password: "correct horse", Name: "王五", Role: RoleClaimant},
			map[string]string{"role": "err.role_staff"}},
		{"merchant is not staff", StaffAccount{Username: "clerk1", Password: "correct horse", Name: "王五", Role: RoleMerchant},
			map[string]string{"role": "err.role_staff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := MustFieldErrors(t, tt.a.Validate(), EINVALID)
			if got := fieldKeys(fields); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		r            Role
		valid, staff bool
	}{
		{RoleClaimant, true, false},
		{RoleMerchant, true, false},
		{RoleClerk, true, true},
		{RoleJudge, true, true},
		{RoleMediator, true, true},
		{RoleStationAgent, true, true},
		{RoleAdmin, true, true},
		{"", false, false},
		{"Admin", false, false},
	}
	for _, tt := range tests {
		if got := tt.r.Valid(); got != tt.valid {
			t.Errorf("Role(%q).Valid() = %v, want %v", tt.r, got, tt.valid)
		}
		if got := tt.r.Staff(); got != tt.staff {
			t.Errorf("Role(%q).Staff() = %v, want %v", tt.r, got, tt.staff)
		}
	}
}

func TestLockDelay(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{0, 0},
		{1, 0},
		{LockoutThreshold - 1, 0},
		{5, time.Minute},
		{6, 2 * time.Minute},
		{7, 4 * time.Minute},
		{8, 8 * time.Minute},
		{9, 16 * time.Minute},
		{10, 32 * time.Minute},
		{11, time.Hour}, // 64 minutes, capped
		{12, time.Hour},
		{50, time.Hour},
		{1 << 20, time.Hour},
	}
	for _, tt := range tests {
		if got := LockDelay(tt.failures); got != tt.want {
			t.Errorf("LockDelay(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
	if LockoutThreshold != 5 {
		t.Errorf("LockoutThreshold = %d, want 5", LockoutThreshold)
	}
}

// TestThrottleRun: failures close together form a run whose locks grow and
// hold for their whole length, even past the window; quiet ends the run.
func TestThrottleRun(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	var th Throttle
	at := t0
	for i := 1; i < LockoutThreshold; i++ {
		th = th.Fail(at)
		if u := th.Until(at); !u.IsZero() {
			t.Fatalf("failure %d: locked until %v, want not locked", i, u)
		}
		at = at.Add(14 * time.Minute) // gaps under the window keep the run
	}
	th = th.Fail(at)
	if got, want := th.Until(at), at.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("fifth failure: locked until %v, want %v", got, want)
	}
	// Each failure after a lock ends doubles the next one, up to an hour,
	// and a long lock holds to its end.
	for want := 2 * time.Minute; want <= LockoutMax; want *= 2 {
		at = th.LockedUntil.Add(time.Second)
		th = th.Fail(at)
		if got := th.Until(at); !got.Equal(at.Add(want)) {
			t.Fatalf("failure %d: locked until +%v, want +%v", th.Failures, got.Sub(at), want)
		}
		if th.Until(at.Add(want - time.Second)).IsZero() {
			t.Fatalf("failure %d: lock of %v ended early", th.Failures, want)
		}
	}
	at = th.LockedUntil.Add(time.Second)
	if th = th.Fail(at); !th.Until(at).Equal(at.Add(LockoutMax)) {
		t.Errorf("lock beyond the cap: until +%v, want +%v", th.Until(at).Sub(at), LockoutMax)
	}
	// A run that locked is remembered: quiet for longer than the window
	// does not start afresh, quiet for longer than the memory does.
	at = th.LockedUntil.Add(LockoutWindow + time.Second)
	if th = th.Fail(at); !th.Until(at).Equal(at.Add(LockoutMax)) {
		t.Errorf("after %v of quiet: until +%v, want the run to go on (+%v)", LockoutWindow, th.Until(at).Sub(at), LockoutMax)
	}
	at = th.LockedUntil.Add(LockoutMemory + time.Second)
	if th = th.Fail(at); th.Failures != 1 || !th.Until(at).IsZero() {
		t.Errorf("after %v of quiet: %+v, want a new run of one unlocked failure", LockoutMemory, th)
	}
	// A run that never locked ends after the window.
	var short Throttle
	for i := 0; i < LockoutThreshold-1; i++ {
		short = short.Fail(at)
	}
	at = at.Add(LockoutWindow + time.Second)
	if short = short.Fail(at); short.Failures != 1 {
		t.Errorf("short run after the window: %d failures, want a new run of 1", short.Failures)
	}
	// Failures further apart than the window never lock.
	var slow Throttle
	for i := 0; i < 20; i++ {
		at = at.Add(LockoutWindow + time.Minute)
		if slow = slow.Fail(at); !slow.Until(at).IsZero() {
			t.Fatalf("slow failure %d: locked", i+1)
		}
	}
}

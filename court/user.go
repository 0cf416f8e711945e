package court

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user is to the court. It decides what the user may do.
type Role string

// The roles. Claimants and merchants register themselves; every other role is
// created by an administrator.
const (
	RoleClaimant     Role = "claimant"
	RoleMerchant     Role = "merchant"
	RoleClerk        Role = "clerk"
	RoleJudge        Role = "judge"
	RoleMediator     Role = "mediator"
	RoleStationAgent Role = "station_agent"
	RoleAdmin        Role = "admin"
)

// Roles lists every role in display order.
var Roles = []Role{RoleClaimant, RoleMerchant, RoleClerk, RoleJudge, RoleMediator, RoleStationAgent, RoleAdmin}

// StaffRoles are the roles only an administrator creates.
var StaffRoles = []Role{RoleClerk, RoleJudge, RoleMediator, RoleStationAgent, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Staff reports whether r is a court or partner staff role.
func (r Role) Staff() bool {
	for _, x := range StaffRoles {
		if r == x {
			return true
		}
	}
	return false
}

// UserStatus tells whether an account may log in.
type UserStatus string

// Account states. A merchant staff member joining an existing organisation is
// pending until someone of that organisation, or an admin, approves.
const (
	StatusActive   UserStatus = "active"
	StatusPending  UserStatus = "pending"
	StatusDisabled UserStatus = "disabled"
)

// User is an account.
type User struct {
	ID             int64      `db:"id" json:"id"`
	Username       string     `db:"username" json:"username"`
	Role           Role       `db:"role" json:"role"`
	DisplayName    string     `db:"display_name" json:"display_name"`
	Mobile         string     `db:"mobile" json:"-"`
	ResidentMasked string     `db:"resident_id_masked" json:"-"`
	OrganizationID *int64     `db:"organization_id" json:"organization_id,omitempty"`
	Status         UserStatus `db:"status" json:"status"`
	Lang           string     `db:"lang" json:"-"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`

	// Email is the optional contact address mail from the court goes to.
	Email string `db:"contact_email" json:"-"`
}

// Organization is a merchant business, known by its unified social credit code.
type Organization struct {
	ID         int64     `db:"id" json:"id"`
	CreditCode string    `db:"credit_code" json:"credit_code"`
	Name       string    `db:"name" json:"name"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`

	// ContactEmail is where the organisation is served when it has no
	// staff yet (optional); mail to it is written in ContactLang.
	ContactEmail string `db:"contact_email" json:"-"`
	ContactLang  string `db:"contact_lang" json:"-"`
}

// Password rules: at least 10 characters (NIST SP 800-63B), at most 128 so
// that hashing cost stays bounded.
const (
	PasswordMin = 10
	PasswordMax = 128
)

// Password records an error on field when pw breaks the password rules.
func (v *Validator) Password(field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		v.Fail(field, "err.text_encoding")
	case n < PasswordMin:
		v.Fail(field, "err.password_short", "Min", PasswordMin)
	case n > PasswordMax:
		v.Fail(field, "err.text_too_long", "Max", PasswordMax)
	}
}

// NormalizeUsername trims and lower-cases a username: usernames are unique
// without regard to case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Username records an error on field unless u (normalised) is 3 to 32 of a-z,
// 0-9, '.', '_' and '-', starting with a letter.
func (v *Validator) Username(field, u string) {
	ok := len(u) >= 3 && len(u) <= 32 && u[0] >= 'a' && u[0] <= 'z'
	for i := 0; ok && i < len(u); i++ {
		c := u[i]
		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
	}
	v.Check(ok, field, "err.username")
}

// ConsumerRegistration is what a consumer gives to open an account.
type ConsumerRegistration struct {
	Username   string
	Password   string
	Name       string
	Mobile     string
	ResidentID string
	Lang       string
	Email      string // optional contact address
}

// Validate normalises r in place and returns an EINVALID error naming every
// field that is wrong.
func (r *ConsumerRegistration) Validate() error {
	var v Validator
	r.Username = NormalizeUsername(r.Username)
	v.Username("username", r.Username)
	v.Password("password", r.Password)
	r.Name = v.Text("name", r.Name, 1, 50, false)
	r.Mobile = v.Mobile("mobile", r.Mobile)
	r.ResidentID = v.ResidentID("resident_id", r.ResidentID)
	r.Email = v.Email("email", r.Email)
	return v.Err()
}

// MerchantRegistration is what a merchant's staff member gives to open an
// account. If the organisation is already known, the account waits for
// approval by its staff or an admin.
type MerchantRegistration struct {
	Username   string
	Password   string
	Name       string
	Mobile     string
	CreditCode string
	OrgName    string
	Lang       string
	Email      string // optional contact address
	// ClaimCode is the one-time code the court mailed to the organisation's
	// contact: with it the registrant joins as an active member at once.
	ClaimCode string
}

// Validate normalises r in place and returns an EINVALID error naming every
// field that is wrong.
func (r *MerchantRegistration) Validate() error {
	var v Validator
	r.Username = NormalizeUsername(r.Username)
	v.Username("username", r.Username)
	v.Password("password", r.Password)
	r.Name = v.Text("name", r.Name, 1, 50, false)
	r.Mobile = v.Mobile("mobile", r.Mobile)
	r.CreditCode = v.CreditCode("credit_code", r.CreditCode)
	r.OrgName = v.Text("org_name", r.OrgName, 2, 100, false)
	r.Email = v.Email("email", r.Email)
	r.ClaimCode = NormalizeClaimCode(r.ClaimCode)
	v.Check(len(r.ClaimCode) <= 64, "claim_code", "err.claim_code")
	return v.Err()
}

// StaffAccount is what an administrator gives to create a staff account.
type StaffAccount struct {
	Username string
	Password string
	Name     string
	Role     Role
}

// Validate normalises a in place and returns an EINVALID error naming every
// field that is wrong.
func (a *StaffAccount) Validate() error {
	var v Validator
	a.Username = NormalizeUsername(a.Username)
	v.Username("username", a.Username)
	v.Password("password", a.Password)
	a.Name = v.Text("name", a.Name, 1, 50, false)
	v.Check(a.Role.Staff(), "role", "err.role_staff")
	return v.Err()
}

// Login lock-out: LockoutThreshold failed logins for one account, each
// within LockoutWindow of the one before, lock the account for a minute; each
// further failure doubles the lock, up to LockoutMax. Once a run has locked
// the account it is remembered for LockoutMemory after its last failure or
// lock, so waiting out the window does not buy a fresh set of guesses: a
// patient guesser gets a few dozen tries a day instead of hundreds. A good
// login ends the run.
const (
	LockoutThreshold = 5
	LockoutWindow    = 15 * time.Minute
	LockoutMax       = time.Hour
	LockoutMemory    = 24 * time.Hour
)

// Throttle is the lock-out state of one username, known or not.
type Throttle struct {
	Failures    int       `db:"failures"`
	LastAt      time.Time `db:"last_at"`
	LockedUntil time.Time `db:"locked_until"`
}

// Until returns when the lock in force at now ends, or the zero time when the
// account is not locked.
func (t Throttle) Until(now time.Time) time.Time {
	if now.Before(t.LockedUntil) {
		return t.LockedUntil
	}
	return time.Time{}
}

// Fail returns the state after one more failure at now.
func (t Throttle) Fail(now time.Time) Throttle {
	quiet := t.LastAt
	if t.LockedUntil.After(quiet) {
		quiet = t.LockedUntil
	}
	memory := LockoutWindow
	if t.Failures >= LockoutThreshold {
		memory = LockoutMemory
	}
	if now.Sub(quiet) > memory {
		t = Throttle{} // a new run
	}
	t.Failures++
	t.LastAt = now
	if d := LockDelay(t.Failures); d > 0 {
		t.LockedUntil = now.Add(d)
	}
	return t
}

// LockDelay is how long the given failure of a run locks the account: none
// below the threshold, then 1, 2, 4... minutes, at most LockoutMax.
func LockDelay(failures int) time.Duration {
	if failures < LockoutThreshold {
		return 0
	}
	return min(time.Minute<<min(failures-LockoutThreshold, 7), LockoutMax)
}

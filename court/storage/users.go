package storage

import (
	"context"

	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// NewUser is an account to create: the public fields and the secrets that
// only the accounts service computes.
type NewUser struct {
	court.User
	PasswordHash string
	ResidentEnc  []byte
	ResidentMAC  *string
	// ClaimCodeHash, for merchant staff, is the hash of the claim code the
	// registrant typed (court.ClaimCodeHash), or "".
	ClaimCodeHash string
}

const userColumns = `id, username, role, display_name, mobile, resident_id_masked, organization_id, status, lang, contact_email, created_at`

// CreateUser inserts u and returns it with its id. A taken username or a
// resident identity number already registered is ECONFLICT on that field.
func (db *DB) CreateUser(ctx context.Context, u *NewUser) (*court.User, error) {
	var out *court.User
	err := db.inTx(ctx, func(tx *wtx) error {
		var err error
		out, err = createUser(ctx, tx, u, db.Now())
		return err
	})
	return out, err
}

// CreateUserWithOrg creates the organisation with the given credit code if it
// is new and the user as its staff. The first member of a new organisation
// is active. Joining an organisation that already exists (with staff, or
// known only from a claim served at its contact) takes a valid claim code
// (u.ClaimCodeHash; the code is then spent) to be active at once; without
// one the user is pending until a member or an admin approves. An active
// merchant's contact address becomes the organisation's when it has none.
// created reports whether the organisation was created.
func (db *DB) CreateUserWithOrg(ctx context.Context, u *NewUser, creditCode, orgName string) (user *court.User, created bool, err error) {
	err = db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		var org court.Organization
		err := txGet(ctx, tx, &org.ID, `SELECT id FROM organizations WHERE credit_code = ?`, creditCode)
		switch court.ErrorCode(err) {
		case court.ENOTFOUND:
			if err := txGet(ctx, tx, &org.ID, `INSERT INTO organizations (credit_code, name, created_at) VALUES (?, ?, ?) RETURNING id`,
				creditCode, orgName, now); err != nil {
				return err
			}
			created = true
		case "":
		default:
			return err
		}
		// Anyone may type a credit code: only the organisation's creation
		// or a code the court mailed to its contact vouches for a newcomer.
		u.Status = court.StatusPending
		if created {
			u.Status = court.StatusActive
		}
		u.OrganizationID = &org.ID
		user, err = createUser(ctx, tx, u, now)
		if err != nil {
			return err
		}
		if !created && u.ClaimCodeHash != "" {
			ok, err := useClaimCode(ctx, tx, org.ID, u.ClaimCodeHash, user.ID, now)
			if err != nil {
				return err
			}
			// A wrong code is not an error: the registrant waits for
			// approval like one who gave none (and learns nothing about
			// which codes exist).
			if ok {
				if _, err := txExec(ctx, tx, `UPDATE users SET status = 'active' WHERE id = ?`, user.ID); err != nil {
					return err
				}
				user.Status = court.StatusActive
			}
		}
		// Only a member the court trusts may name the organisation's
		// contact: mail there may carry a claim code.
		if user.Status != court.StatusActive {
			return nil
		}
		return setOrgContact(ctx, tx, org.ID, u.Email, u.Lang)
	})
	return user, created, err
}

func createUser(ctx context.Context, tx *wtx, u *NewUser, now time.Time) (*court.User, error) {
	if u.Status == "" {
		u.Status = court.StatusActive
	}
	err := txGet(ctx, tx, &u.ID, `INSERT INTO users
		(username, password_hash, role, display_name, mobile, resident_id_enc, resident_id_mac, resident_id_masked, organization_id, status, lang, contact_email, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Username, u.PasswordHash, u.Role, u.DisplayName, u.Mobile, u.ResidentEnc, u.ResidentMAC, u.ResidentMasked,
		u.OrganizationID, u.Status, u.Lang, u.Email, now)
	if col, ok := uniqueViolation(err); ok {
		switch {
		case strings.HasSuffix(col, ".username"):
			return nil, &court.Error{Code: court.ECONFLICT, Msg: court.Msg("err.invalid_form"),
				Fields: map[string]court.Message{"username": court.Msg("err.username_taken")}}
		case strings.HasSuffix(col, ".resident_id_mac"):
			return nil, &court.Error{Code: court.ECONFLICT, Msg: court.Msg("err.invalid_form"),
				Fields: map[string]court.Message{"resident_id": court.Msg("err.resident_id_taken")}}
		}
	}
	if err != nil {
		return nil, err
	}
	u.CreatedAt = now
	out := u.User
	return &out, nil
}

// UserByID returns the user with the given id.
func (db *DB) UserByID(ctx context.Context, id int64) (*court.User, error) {
	var u court.User
	if err := db.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &u, nil
}

// Credentials returns the user with the given (normalised) username and its
// password hash, for a login.
func (db *DB) Credentials(ctx context.Context, username string) (*court.User, string, error) {
	var row struct {
		court.User
		Hash string `db:"password_hash"`
	}
	if err := db.get(ctx, &row, `SELECT `+userColumns+`, password_hash FROM users WHERE username = ?`, username); err != nil {
		return nil, "", err
	}
	return &row.User, row.Hash, nil
}

// SetPasswordHash replaces a user's password hash and ends all its sessions
// except keep (the token hash of the session that made the change, if any).
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash, keep string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		if _, err := txExec(ctx, tx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID); err != nil {
			return err
		}
		_, err := txExec(ctx, tx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keep)
		return err
	})
}

// SetLang records a user's preferred language.
func (db *DB) SetLang(ctx context.Context, userID int64, lang string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `UPDATE users SET lang = ? WHERE id = ?`, lang, userID)
		return err
	})
}

// UserFilter selects users for a listing.
type UserFilter struct {
	OrganizationID *int64
	Status         court.UserStatus
	Limit, Offset  int
}

// Users lists users matching f, oldest first.
func (db *DB) Users(ctx context.Context, f UserFilter) ([]court.User, error) {
	q := `SELECT ` + userColumns + ` FROM users WHERE 1=1`
	var args []any
	if f.OrganizationID != nil {
		q += ` AND organization_id = ?`
		args = append(args, *f.OrganizationID)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	q += ` ORDER BY id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, f.Offset)
	users := []court.User{}
	return users, db.sel(ctx, &users, q, args...)
}

// SetUserStatus moves a user from one status to another. It is ENOTFOUND when
// the user is not in status from (or, with orgID set, not of that
// organisation), so a stale or foreign request changes nothing.
func (db *DB) SetUserStatus(ctx context.Context, userID int64, orgID *int64, from, to court.UserStatus) error {
	return db.inTx(ctx, func(tx *wtx) error {
		q := `UPDATE users SET status = ? WHERE id = ? AND status = ?`
		args := []any{to, userID, from}
		if orgID != nil {
			q += ` AND organization_id = ?`
			args = append(args, *orgID)
		}
		res, err := txExec(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return court.ErrNotFound()
		}
		if to != court.StatusActive {
			_, err = txExec(ctx, tx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		}
		return err
	})
}

// OrganizationByID returns an organisation.
func (db *DB) OrganizationByID(ctx context.Context, id int64) (*court.Organization, error) {
	var o court.Organization
	if err := db.get(ctx, &o, `SELECT id, credit_code, name, contact_email, contact_lang, created_at FROM organizations WHERE id = ?`, id); err != nil {
		return nil, err
	}
	return &o, nil
}

// Setting returns a stored setting, or "" when unset.
func (db *DB) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := db.get(ctx, &v, `SELECT value FROM settings WHERE name = ?`, name)
	if court.ErrorCode(err) == court.ENOTFOUND {
		return "", nil
	}
	return v, err
}

// SetSetting stores a setting.
func (db *DB) SetSetting(ctx context.Context, name, value string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `INSERT INTO settings (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
		return err
	})
}

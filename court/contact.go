package court

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// EmailMax bounds a contact address (RFC 5321: 254 octets in a path).
const EmailMax = 254

// NormalizeEmail trims a typed address and lower-cases its domain (the part
// a mail system compares without regard to case; the local part is left as
// typed).
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	if at := strings.LastIndexByte(s, '@'); at > 0 {
		s = s[:at] + strings.ToLower(s[at:])
	}
	return s
}

// CheckEmail returns the message key of what is wrong with a (normalised)
// contact address, or "" when it is a plain address: local@domain with a dot
// in the domain, no display name, no spaces or control characters. "" is
// not checked here: a contact address is optional.
func CheckEmail(s string) string {
	if len(s) > EmailMax || !utf8.ValidString(s) {
		return "err.email"
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == ',' || r == ';' {
			return "err.email"
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "err.email"
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "err.email"
	}
	return ""
}

// Email validates an optional contact address in field and returns it
// normalised ("" when none was given).
func (v *Validator) Email(field, s string) string {
	s = NormalizeEmail(s)
	if s != "" {
		if k := CheckEmail(s); k != "" {
			v.Fail(field, k)
		}
	}
	return s
}

// claimAlphabet is Crockford's base 32: no I, L, O or U, so a code read
// aloud or copied from a letter is not mistaken.
const claimAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewClaimCode returns a fresh one-time claim code: 12 characters (60
// random bits) shown in groups of four, such as "7KQ2-M9XD-4RTA".
func NewClaimCode() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	out := make([]byte, 0, 14)
	for i, x := range b {
		if i == 4 || i == 8 {
			out = append(out, '-')
		}
		out = append(out, claimAlphabet[x&31])
	}
	return string(out)
}

// NormalizeClaimCode reads a typed claim code: spaces and dashes dropped,
// upper case, and the letters Crockford's alphabet maps (O to 0, I and L
// to 1).
func NormalizeClaimCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ClaimCodeHash is what is stored of a claim code: the hex SHA-256 of its
// normalised form. The code itself has 60 random bits, so an unkeyed hash
// cannot be reversed by trying codes.
func ClaimCodeHash(code string) string {
	sum := sha256.Sum256([]byte(NormalizeClaimCode(code)))
	return hex.EncodeToString(sum[:])
}

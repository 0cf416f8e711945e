package court

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Validator collects every field error of a form, so that a user sees all of
// them at once.
type Validator struct {
	fields map[string]Message
}

// Fail records msg for field unless the field already has an error.
func (v *Validator) Fail(field, key string, kv ...any) {
	if v.fields == nil {
		v.fields = map[string]Message{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = Msg(key, kv...)
	}
}

// Check records msg for field when ok is false. It reports ok.
func (v *Validator) Check(ok bool, field, key string, kv ...any) bool {
	if !ok {
		v.Fail(field, key, kv...)
	}
	return ok
}

// Has reports whether field already has an error.
func (v *Validator) Has(field string) bool { _, ok := v.fields[field]; return ok }

// Err returns nil when no field failed, else an EINVALID *Error carrying them.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Msg: Msg("err.invalid_form"), Fields: v.fields}
}

// Text checks a free-text field: valid UTF-8, no control characters other than
// line breaks and tabs (when multiline), at most max characters, and required
// unless min is 0. It returns the value trimmed and in Unicode NFC, which is
// how every text is stored.
func (v *Validator) Text(field, s string, min, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		v.Fail(field, "err.text_encoding")
		return ""
	}
	s = norm.NFC.String(strings.TrimSpace(s))
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			v.Fail(field, "err.text_control")
			return ""
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && min > 0:
		v.Fail(field, "err.required")
	case n < min:
		v.Fail(field, "err.text_too_short", "Min", min)
	case n > max:
		v.Fail(field, "err.text_too_long", "Max", max)
	}
	return s
}

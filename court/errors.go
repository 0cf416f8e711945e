// Package court holds the domain of the small-claims court: its people, its
// rules and its errors. It imports no storage, web or media package; those
// depend on it.
package court

import (
	"errors"
	"fmt"
)

// Code classifies an error for the caller. The web layer maps each code to one
// HTTP status in one place.
type Code string

// Error codes. Anything that is not an *Error is internal.
const (
	EINVALID      Code = "invalid"
	EUNAUTHORIZED Code = "unauthorized"
	EFORBIDDEN    Code = "forbidden"
	ENOTFOUND     Code = "not_found"
	ECONFLICT     Code = "conflict"
	ETOOMANY      Code = "too_many_requests"
	EINTERNAL     Code = "internal"
)

// Message is a user-facing text named by its key in the message catalogs,
// with the values its template needs. The domain never holds the text itself:
// the web layer renders it in the user's language.
type Message struct {
	Key  string
	Args map[string]any
}

// Error is an error meant for users: a code, a message and, for invalid input,
// one message per offending field.
type Error struct {
	Code   Code
	Msg    Message
	Fields map[string]Message
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Code, e.Msg.Key)
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	return s
}

// Errorf returns an *Error with the given code, message key and template
// arguments given as alternating name, value pairs.
func Errorf(code Code, key string, kv ...any) *Error {
	return &Error{Code: code, Msg: Msg(key, kv...)}
}

// Msg builds a Message from a key and alternating name, value pairs.
func Msg(key string, kv ...any) Message {
	m := Message{Key: key}
	if len(kv) > 0 {
		m.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m.Args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return m
}

// ErrorCode returns the code of err, EINTERNAL for anything that is not an
// *Error and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrNotFound is the answer for a missing object and for one the caller may
// not see: both look the same from outside.
func ErrNotFound() *Error { return Errorf(ENOTFOUND, "err.not_found") }

// ErrUnauthorized asks the caller to log in.
func ErrUnauthorized() *Error { return Errorf(EUNAUTHORIZED, "err.unauthorized") }

// ErrForbidden refuses a logged-in caller an action its role does not have.
func ErrForbidden() *Error { return Errorf(EFORBIDDEN, "err.forbidden") }

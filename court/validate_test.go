package court

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// MustFieldErrors returns the field messages of err, which must be an
// *Error with the given code.
func MustFieldErrors(tb testing.TB, err error, code Code) map[string]Message {
	tb.Helper()
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v (%T), want *court.Error with code %s", err, err, code)
	}
	if e.Code != code {
		tb.Fatalf("got code %s, want %s (error %v)", e.Code, code, err)
	}
	return e.Fields
}

func fieldKeys(fields map[string]Message) map[string]string {
	out := map[string]string{}
	for f, m := range fields {
		out[f] = m.Key
	}
	return out
}

func TestValidatorText(t *testing.T) {
	han50 := strings.Repeat("法", 50) // 150 bytes, 50 runes
	tests := []struct {
		name      string
		in        string
		min, max  int
		multiline bool
		want      string
		wantKey   string // "" when the field must pass
		wantArgs  map[string]any
	}{
		{name: "plain", in: "张三", min: 1, max: 50, want: "张三"},
		{name: "trimmed", in: " \t 张三\u3000\n", min: 1, max: 50, want: "张三"},
		{name: "NFC", in: "Jose\u0301 Pe\u0301rez", min: 1, max: 50, want: "Jos\u00e9 P\u00e9rez"},
		// 50 decomposed letters are 100 runes, but 50 once composed: length
		// is counted on the stored (NFC) form.
		{name: "length after NFC", in: strings.Repeat("e\u0301", 50), min: 1, max: 50, want: strings.Repeat("\u00e9", 50)},
		{name: "50 Chinese runes fit", in: han50, min: 1, max: 50, want: han50},
		{name: "51 Chinese runes too long", in: han50 + "法", min: 1, max: 50, want: han50 + "法",
			wantKey: "err.text_too_long", wantArgs: map[string]any{"Max": 50}},
		{name: "spaces do not count", in: "  " + han50 + "  ", min: 1, max: 50, want: han50},
		{name: "required", in: " \t\n ", min: 1, max: 50, want: "", wantKey: "err.required"},
		{name: "optional empty", in: "", min: 0, max: 50, want: ""},
		{name: "too short", in: "张", min: 2, max: 100, want: "张",
			wantKey: "err.text_too_short", wantArgs: map[string]any{"Min": 2}},
		{name: "invalid UTF-8", in: "张\xff三", min: 1, max: 50, want: "", wantKey: "err.text_encoding"},
		{name: "truncated rune", in: "张"[:2], min: 0, max: 50, want: "", wantKey: "err.text_encoding"},
		{name: "NUL", in: "a\x00b", min: 1, max: 50, want: "", wantKey: "err.text_control"},
		{name: "ESC", in: "a\x1b[31mb", min: 1, max: 50, want: "", wantKey: "err.text_control"},
		{name: "DEL", in: "a\x7fb", min: 1, max: 50, want: "", wantKey: "err.text_control"},
		{name: "C1 control", in: "a\u0085b", min: 1, max: 50, want: "", wantKey: "err.text_control"},
		{name: "newline single-line", in: "a\nb", min: 1, max: 50, want: "", wantKey: "err.text_control"},
		{name: "tab single-line", in: "a\tb", min: 1, max: 50, want: "", wantKey: "err.text_control"},
		{name: "newline multiline", in: "a\r\nb\tc", min: 1, max: 50, multiline: true, want: "a\r\nb\tc"},
		{name: "NUL multiline", in: "a\n\x00", min: 1, max: 50, multiline: true, want: "", wantKey: "err.text_control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Validator
			got := v.Text("f", tt.in, tt.min, tt.max, tt.multiline)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			err := v.Err()
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Text(%q): got error %v, want none", tt.in, err)
				}
				if v.Has("f") {
					t.Errorf("Has(f) = true, want false")
				}
				return
			}
			fields := MustFieldErrors(t, err, EINVALID)
			if got := fieldKeys(fields); !reflect.DeepEqual(got, map[string]string{"f": tt.wantKey}) {
				t.Fatalf("field errors = %v, want map[f:%s]", got, tt.wantKey)
			}
			if got := fields["f"].Args; !reflect.DeepEqual(got, tt.wantArgs) {
				t.Errorf("args = %v, want %v", got, tt.wantArgs)
			}
			if !v.Has("f") {
				t.Errorf("Has(f) = false, want true")
			}
		})
	}
}

func TestValidatorKeepsFirstError(t *testing.T) {
	var v Validator
	if err := v.Err(); err != nil {
		t.Fatalf("empty Validator: got %v, want nil", err)
	}
	if got := v.Check(true, "a", "err.first"); !got {
		t.Errorf("Check(true) = false, want true")
	}
	if v.Has("a") {
		t.Errorf("after Check(true): Has(a) = true, want false")
	}
	if got := v.Check(false, "a", "err.first", "N", 1); got {
		t.Errorf("Check(false) = true, want false")
	}
	v.Fail("a", "err.second")
	v.Fail("b", "err.other")
	fields := MustFieldErrors(t, v.Err(), EINVALID)
	want := map[string]string{"a": "err.first", "b": "err.other"}
	if got := fieldKeys(fields); !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
	if got, want := fields["a"].Args, map[string]any{"N": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("args of a = %v, want %v", got, want)
	}
	var e *Error
	errors.As(v.Err(), &e)
	if got, want := e.Msg.Key, "err.invalid_form"; got != want {
		t.Errorf("message key = %q, want %q", got, want)
	}
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		err  error
		want Code
	}{
		{nil, ""},
		{ErrNotFound(), ENOTFOUND},
		{ErrForbidden(), EFORBIDDEN},
		{ErrUnauthorized(), EUNAUTHORIZED},
		{errors.Join(errors.New("context"), Errorf(ECONFLICT, "err.x")), ECONFLICT},
		{errors.New("disk on fire"), EINTERNAL},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.err); got != tt.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

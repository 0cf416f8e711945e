package court

import (
	"strings"
	"testing"
	"unicode"
)

func TestParseYuan(t *testing.T) {
	tests := []struct {
		in      string
		want    Fen
		wantKey string // "" when the amount must be accepted
	}{
		{"0.01", 1, ""},
		{"0.1", 10, ""},
		{"0", 0, ""}, // a valid amount; "above zero" is the filing's rule
		{"1280", 128000, ""},
		{"1280.00", 128000, ""},
		{"1,280.5", 128050, ""},
		{"1,280.50", 128050, ""},
		{"1，280.5", 128050, ""}, // full-width comma
		{"1,234,567.89", 123456789, ""},
		{"¥12", 1200, ""},
		{"￥12", 1200, ""}, // full-width yen sign
		{"12元", 1200, ""},
		{"¥ 1,234.56 元", 123456, ""},
		{"  12.30  ", 1230, ""},
		{"\t12\n", 1200, ""},
		{"\u300012\u3000", 1200, ""}, // ideographic spaces around
		{"007", 700, ""},
		{"10000000000", MaxFen, ""},          // 10 billion yuan: exactly MaxFen
		{"9,999,999,999.99", MaxFen - 1, ""}, // one fen below

		{"", 0, "err.required"},
		{"   ", 0, "err.required"},
		{"¥", 0, "err.required"},
		{"元", 0, "err.required"},
		{",", 0, "err.amount_format"},
		{"1,23", 0, "err.amount_format"},
		{"1234,567", 0, "err.amount_format"},
		{"1,,234", 0, "err.amount_format"},
		{"1,234,567.8", 123456780, ""},
		{"-1", 0, "err.amount_format"},
		{"+1", 0, "err.amount_format"},
		{"1.234", 0, "err.amount_format"},
		{"1.", 0, "err.amount_format"},
		{".5", 0, "err.amount_format"},
		{"1.2.3", 0, "err.amount_format"},
		{"1.2a", 0, "err.amount_format"},
		{"abc", 0, "err.amount_format"},
		{"1e5", 0, "err.amount_format"},
		{"0x10", 0, "err.amount_format"},
		{"1_000", 0, "err.amount_format"},
		{"1 234", 0, "err.amount_format"}, // a space inside is not a separator
		{"１２", 0, "err.amount_format"},    // full-width digits
		{"１２.５", 0, "err.amount_format"},
		{"NaN", 0, "err.amount_format"},
		{"1234567890123", 0, "err.amount_format"},       // 13-digit whole
		{"9223372036854775808", 0, "err.amount_format"}, // beyond int64
		{"999999999999", 0, "err.amount_too_large"},     // 12 digits, above MaxFen
		{"10000000000.01", 0, "err.amount_too_large"},   // MaxFen + 1 fen
		{"10,000,000,001", 0, "err.amount_too_large"},
	}
	for _, tt := range tests {
		got, key := ParseYuan(tt.in)
		if got != tt.want || key != tt.wantKey {
			t.Errorf("ParseYuan(%q) = %d, %q; want %d, %q", tt.in, got, key, tt.want, tt.wantKey)
		}
	}
}

func TestYuan(t *testing.T) {
	tests := []struct {
		in   Fen
		want string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1.00"},
		{99999, "999.99"},
		{100000, "1,000.00"},
		{123456, "1,234.56"},
		{12345678, "123,456.78"},
		{100000000, "1,000,000.00"},
		{MaxFen, "10,000,000,000.00"},
		{-5, "-0.05"},
		{-123456, "-1,234.56"},
	}
	for _, tt := range tests {
		if got := tt.in.Yuan(); got != tt.want {
			t.Errorf("Fen(%d).Yuan() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
	if got, want := Fen(123456).String(), "¥1,234.56"; got != want {
		t.Errorf("Fen(123456).String() = %q, want %q", got, want)
	}
}

// amountRune reports whether r may appear in an amount ParseYuan accepts.
func amountRune(r rune) bool {
	return (r >= '0' && r <= '9') || strings.ContainsRune(".,，¥￥元", r) || unicode.IsSpace(r)
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{
		"0.01", "1280", "1,280.5", "1，280.50", "¥12", "￥12", "12元", " 12 ", "0", "",
		"-1", "1.234", "1.", ".5", "abc", "1e5", "１２", "1234567890123", "999999999999", "10000000000",
		"10000000000.01", "\xff", "1.\xff", "¥¥1元元",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, key := ParseYuan(s)
		switch key {
		case "":
		case "err.required", "err.amount_format", "err.amount_too_large":
			if v != 0 {
				t.Fatalf("ParseYuan(%q) = %d with key %q, want 0 with an error", s, v, key)
			}
			return
		default:
			t.Fatalf("ParseYuan(%q) key = %q, want a known key", s, key)
		}
		if v < 0 || v > MaxFen {
			t.Fatalf("ParseYuan(%q) = %d, want 0 <= v <= %d", s, v, MaxFen)
		}
		for _, r := range s {
			if !amountRune(r) {
				t.Fatalf("ParseYuan(%q) accepted %d, but the input holds %q", s, v, r)
			}
		}
		y := v.Yuan()
		back, key := ParseYuan(y)
		if back != v || key != "" {
			t.Fatalf("ParseYuan(%q) = %d, %q; want %d, \"\" (round trip of ParseYuan(%q))", y, back, key, v, s)
		}
		if again := back.Yuan(); again != y {
			t.Fatalf("Yuan() of the round trip = %q, want %q", again, y)
		}
	})
}

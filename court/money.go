package court

import (
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (1 yuan = 100 fen). Money is never a
// float.
type Fen int64

// MaxFen bounds every amount the court accepts: 10 billion yuan, far above
// any claim, and far from overflow when amounts are added.
const MaxFen Fen = 1_000_000_000_000

// ParseYuan reads an amount typed in yuan: digits, optionally thousands
// separators (, or full-width ，) between groups of three, at most two
// decimals, and a ¥ before or 元 after ("1234", "1,234.5", "0.01", "12元"). It
// returns a message key when s is not such an amount.
func ParseYuan(s string) (Fen, string) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥"), "元"))
	if s == "" {
		return 0, "err.required"
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	// Thousands separators only where they belong: 1,234,567 but not 1,23.
	if groups := strings.FieldsFunc(whole, func(r rune) bool { return r == ',' || r == '，' }); len(groups) > 1 || strings.ContainsAny(whole, ",，") {
		if strings.Count(whole, ",")+strings.Count(whole, "，") != len(groups)-1 || len(groups[0]) > 3 {
			return 0, "err.amount_format"
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, "err.amount_format"
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" || len(whole) > 12 || (hasDot && (len(frac) == 0 || len(frac) > 2)) {
		return 0, "err.amount_format"
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, "err.amount_format"
			}
		}
	}
	y, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, "err.amount_format"
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	v := Fen(y)*100 + Fen(f)
	if v > MaxFen {
		return 0, "err.amount_too_large"
	}
	return v, ""
}

// Yuan formats f as yuan with two decimals and thousands separators:
// 123456 fen is "1,234.56".
func (f Fen) Yuan() string {
	neg := f < 0
	if neg {
		f = -f
	}
	whole := strconv.FormatInt(int64(f/100), 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	frac := int64(f % 100)
	b.WriteByte('.')
	b.WriteByte(byte('0' + frac/10))
	b.WriteByte(byte('0' + frac%10))
	return b.String()
}

// String is Yuan with the currency sign.
func (f Fen) String() string { return "¥" + f.Yuan() }

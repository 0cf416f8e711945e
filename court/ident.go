package court

import (
	"strings"
	"unicode/utf8"
)

// Resident identity numbers (GB 11643-1999): 17 digits and a check character.
var (
	residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	residentChecks  = "10X98765432"
)

// ResidentIDCheck returns the check character for the first 17 digits of a
// resident identity number, or 0 if they are not 17 digits.
func ResidentIDCheck(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * residentWeights[i]
	}
	return residentChecks[sum%11]
}

// NormalizeResidentID upper-cases a trailing x and trims spaces.
func NormalizeResidentID(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// CheckResidentID validates a normalised resident identity number and returns
// the message key that explains what is wrong, or "" when it is valid.
func CheckResidentID(s string) string {
	if len(s) != 18 || !utf8.ValidString(s) {
		return "err.resident_id_length"
	}
	check := ResidentIDCheck(s[:17])
	if check == 0 {
		return "err.resident_id_digits"
	}
	if s[17] != check {
		return "err.resident_id_check"
	}
	return ""
}

// MaskResidentID shows the first four and last four characters only, as
// 3301**********123X.
func MaskResidentID(s string) string {
	if len(s) != 18 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", 10) + s[14:]
}

// Unified social credit codes (GB 32100-2015): 17 characters of a 31-symbol
// alphabet and a check character of the same alphabet.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCodeCheck returns the check character for the first 17 characters of a
// unified social credit code, or 0 if one of them is outside the alphabet.
func CreditCodeCheck(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}

// NormalizeCreditCode upper-cases and trims a credit code.
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// CheckCreditCode validates a normalised credit code and returns the message
// key that explains what is wrong, or "" when it is valid.
func CheckCreditCode(s string) string {
	if len(s) != 18 || !utf8.ValidString(s) {
		return "err.credit_code_length"
	}
	check := CreditCodeCheck(s[:17])
	if check == 0 || strings.IndexByte(creditAlphabet, s[17]) < 0 {
		return "err.credit_code_chars"
	}
	if s[17] != check {
		return "err.credit_code_check"
	}
	return ""
}

// CheckMobile validates a mainland China mobile number: 11 digits starting
// with 1. It returns a message key or "".
func CheckMobile(s string) string {
	if len(s) != 11 || s[0] != '1' {
		return "err.mobile"
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "err.mobile"
		}
	}
	return ""
}

// Mobile normalises a mobile number and records an error under field if it
// is not one; it returns the normalised number.
func (v *Validator) Mobile(field, s string) string {
	s = strings.TrimSpace(s)
	if k := CheckMobile(s); k != "" {
		v.Fail(field, k)
	}
	return s
}

// ResidentID normalises a resident identity number and records an error
// under field if it is not a valid one; it returns the normalised number.
func (v *Validator) ResidentID(field, s string) string {
	s = NormalizeResidentID(s)
	if k := CheckResidentID(s); k != "" {
		v.Fail(field, k)
	}
	return s
}

// CreditCode normalises a unified social credit code and records an error
// under field if it is not a valid one; it returns the normalised code.
func (v *Validator) CreditCode(field, s string) string {
	s = NormalizeCreditCode(s)
	if k := CheckCreditCode(s); k != "" {
		v.Fail(field, k)
	}
	return s
}

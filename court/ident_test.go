package court

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// refResidentCheck is an independent statement of GB 11643-1999 used to check
// the production code: sum of digit times weight, mod 11, indexes "10X98765432".
func refResidentCheck(first17 string) byte {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	if len(first17) != len(weights) {
		return 0
	}
	sum := 0
	for i, w := range weights {
		d := int(first17[i]) - '0'
		if d < 0 || d > 9 {
			return 0
		}
		sum += d * w
	}
	return "10X98765432"[sum%11]
}

// refCreditCheck is an independent statement of GB 32100-2015: check value
// (31 - sum mod 31) mod 31 over the 31-symbol alphabet.
func refCreditCheck(first17 string) byte {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	if len(first17) != len(weights) {
		return 0
	}
	sum := 0
	for i, w := range weights {
		v := strings.IndexByte(alphabet, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * w
	}
	return alphabet[(31-sum%31)%31]
}

func TestResidentIDCheck(t *testing.T) {
	// Worked by hand for the first two, the rest cover every check character.
	//   11010519491231002: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167, 167 mod 11 = 2 -> 'X'
	//   33010619900307120: 21+27+0+5+0+24+2+9+54+0+0+27+0+35+8+8+0 = 220, 220 mod 11 = 0 -> '1'
	tests := []struct {
		first17 string
		want    byte
	}{
		{"11010519491231002", 'X'}, // the standard's published example
		{"33010619900307120", '1'},
		{"33010619900307126", '0'},
		{"33010619900307125", '2'},
		{"44030519851118225", '3'},
		{"33010619900307124", '4'},
		{"33010619900307129", '5'},
		{"33010619900307123", '6'},
		{"33010619900307128", '7'},
		{"33010619900307122", '8'},
		{"33010619900307127", '9'},
		{"33010619900307121", 'X'},
		{"", 0},
		{"1101051949123100", 0},   // 16 digits
		{"110105194912310021", 0}, // 18 digits
		{"1101051949123100A", 0},
		{"11010519491231 02", 0},
		{"/1010519491231002", 0}, // '/' is just below '0'
		{":1010519491231002", 0}, // ':' is just above '9'
	}
	for _, tt := range tests {
		if got := ResidentIDCheck(tt.first17); got != tt.want {
			t.Errorf("ResidentIDCheck(%q) = %q, want %q", tt.first17, got, tt.want)
		}
		if got := refResidentCheck(tt.first17); got != tt.want {
			t.Errorf("reference check of %q = %q, want %q (test table is wrong)", tt.first17, got, tt.want)
		}
	}
}

func TestCheckResidentID(t *testing.T) {
	tests := []struct {
		name, in string
		wantNorm string // after NormalizeResidentID
		wantKey  string
	}{
		{"published example", "11010519491231002X", "11010519491231002X", ""},
		{"lowercase x normalised", "11010519491231002x", "11010519491231002X", ""},
		{"spaces trimmed", "  330106199003071201\t", "330106199003071201", ""},
		{"check 0", "330106199003071260", "330106199003071260", ""},
		{"wrong check digit", "110105194912310021", "110105194912310021", "err.resident_id_check"},
		{"digit where X belongs", "110105194912310029", "110105194912310029", "err.resident_id_check"},
		{"X where digit belongs", "33010619900307120X", "33010619900307120X", "err.resident_id_check"},
		{"transposed digits", "10110519491231002X", "10110519491231002X", "err.resident_id_check"},
		{"check char not in set", "11010519491231002Y", "11010519491231002Y", "err.resident_id_check"},
		{"17 chars", "11010519491231002", "11010519491231002", "err.resident_id_length"},
		{"19 chars", "11010519491231002XX", "11010519491231002XX", "err.resident_id_length"},
		{"15-digit old format", "110105491231002", "110105491231002", "err.resident_id_length"},
		{"empty", "", "", "err.resident_id_length"},
		{"letter inside", "1101051949A231002X", "1101051949A231002X", "err.resident_id_digits"},
		{"x inside", "1101051949x231002X", "1101051949X231002X", "err.resident_id_digits"},
		{"inner space", "110105 9491231002X", "110105 9491231002X", "err.resident_id_digits"},
		// 14 ASCII digits, one 3-byte full-width digit and a digit: 18 bytes, 16 runes.
		{"full-width digit", "11010519491231０2", "11010519491231０2", "err.resident_id_digits"},
		// Upper-casing turns the stray byte into U+FFFD (3 bytes): too long.
		{"invalid UTF-8", "11010519491231002\xff", "11010519491231002\uFFFD", "err.resident_id_length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			norm := NormalizeResidentID(tt.in)
			if norm != tt.wantNorm {
				t.Fatalf("NormalizeResidentID(%q) = %q, want %q", tt.in, norm, tt.wantNorm)
			}
			if got := CheckResidentID(norm); got != tt.wantKey {
				t.Errorf("CheckResidentID(%q) = %q, want %q", norm, got, tt.wantKey)
			}
		})
	}
}

func TestMaskResidentID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"33010619900307121X", "3301**********121X"},
		{"11010519491231002X", "1101**********002X"},
		{"330106199003071201", "3301**********1201"},
		{"1234", "****"}, // not an ID: nothing shown
		{"", ""},         // nothing to hide
		{"3301061990030712", "****************"},
	}
	for _, tt := range tests {
		if got := MaskResidentID(tt.in); got != tt.want {
			t.Errorf("MaskResidentID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCreditCodeCheck(t *testing.T) {
	// 91350100M000100Y4 by hand (M=21, Y=30 in the alphabet):
	//   9*1+1*3+3*9+5*27+0+1*26+0+0+21*20+0+0+0+1*8+0+0+30*30+4*28 = 1640,
	//   1640 mod 31 = 28, 31-28 = 3 -> '3'.
	tests := []struct {
		first17 string
		want    byte
	}{
		{"91350100M000100Y4", '3'},
		{"91110000802100433", 'B'},
		{"91330000MA27U8BX4", '9'},
		{"91330106MA2CFFHF2", '5'},
		{"00000000000000000", '0'}, // (31 - 0) mod 31 = 0
		{"10000000000000000", 'Y'}, // sum 1 -> 30 -> 'Y'
		{"91350100I000100Y4", 0},   // I is not in the alphabet
		{"91350100O000100Y4", 0},
		{"91350100Z000100Y4", 0},
		{"91350100S000100Y4", 0},
		{"91350100V000100Y4", 0},
		{"91350100m000100Y4", 0}, // lower case is not normalised here
		{"91350100M000100Y", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := CreditCodeCheck(tt.first17); got != tt.want {
			t.Errorf("CreditCodeCheck(%q) = %q, want %q", tt.first17, got, tt.want)
		}
		if got := refCreditCheck(tt.first17); got != tt.want {
			t.Errorf("reference check of %q = %q, want %q (test table is wrong)", tt.first17, got, tt.want)
		}
	}
}

func TestCheckCreditCode(t *testing.T) {
	tests := []struct {
		name, in string
		wantNorm string
		wantKey  string
	}{
		{"published example", "91350100M000100Y43", "91350100M000100Y43", ""},
		{"lower case and spaces", " 91350100m000100y43 ", "91350100M000100Y43", ""},
		{"check letter", "91110000802100433B", "91110000802100433B", ""},
		{"all zero", "000000000000000000", "000000000000000000", ""},
		{"wrong check", "91350100M000100Y44", "91350100M000100Y44", "err.credit_code_check"},
		{"transposed", "19350100M000100Y43", "19350100M000100Y43", "err.credit_code_check"},
		{"forbidden I", "91350100I000100Y43", "91350100I000100Y43", "err.credit_code_chars"},
		{"forbidden O", "91350100O000100Y43", "91350100O000100Y43", "err.credit_code_chars"},
		{"forbidden Z", "91350100Z000100Y43", "91350100Z000100Y43", "err.credit_code_chars"},
		{"forbidden S", "91350100S000100Y43", "91350100S000100Y43", "err.credit_code_chars"},
		{"forbidden V", "91350100V000100Y43", "91350100V000100Y43", "err.credit_code_chars"},
		{"forbidden check char", "91350100M000100Y4I", "91350100M000100Y4I", "err.credit_code_chars"},
		{"punctuation", "91350100-000100Y43", "91350100-000100Y43", "err.credit_code_chars"},
		{"17 chars", "91350100M000100Y4", "91350100M000100Y4", "err.credit_code_length"},
		{"19 chars", "91350100M000100Y433", "91350100M000100Y433", "err.credit_code_length"},
		{"empty", "", "", "err.credit_code_length"},
		{"invalid UTF-8", "91350100M000100Y4\xff", "91350100M000100Y4\uFFFD", "err.credit_code_length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			norm := NormalizeCreditCode(tt.in)
			if norm != tt.wantNorm {
				t.Fatalf("NormalizeCreditCode(%q) = %q, want %q", tt.in, norm, tt.wantNorm)
			}
			if got := CheckCreditCode(norm); got != tt.wantKey {
				t.Errorf("CheckCreditCode(%q) = %q, want %q", norm, got, tt.wantKey)
			}
		})
	}
}

func TestCheckMobile(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"13800138000", ""},
		{"19912345678", ""},
		{"1380013800", "err.mobile"},   // 10 digits
		{"138001380000", "err.mobile"}, // 12 digits
		{"23800138000", "err.mobile"},  // does not start with 1
		{"1380013800a", "err.mobile"},
		{"138 0013800", "err.mobile"},
		{"+8613800138", "err.mobile"},
		{"１3800138000", "err.mobile"}, // full-width first digit
		{"", "err.mobile"},
	}
	for _, tt := range tests {
		if got := CheckMobile(tt.in); got != tt.want {
			t.Errorf("CheckMobile(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzResidentID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "330106199003071201", "110105194912310021",
		"", "1", "11010519491231002", "1101051949123100２", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0\xef\xee",
		" 11010519491231002X ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := NormalizeResidentID(s)
		if again := NormalizeResidentID(norm); again != norm {
			t.Fatalf("NormalizeResidentID not idempotent: %q then %q", norm, again)
		}
		for _, in := range []string{s, norm} {
			key := CheckResidentID(in)
			switch key {
			case "", "err.resident_id_length", "err.resident_id_digits", "err.resident_id_check":
			default:
				t.Fatalf("CheckResidentID(%q) = %q, want a known key", in, key)
			}
			if got, want := len(MaskResidentID(in)), len(in); got != want {
				t.Fatalf("len(MaskResidentID(%q)) = %d, want %d", in, got, want)
			}
			if key != "" {
				continue
			}
			if len(in) != 18 {
				t.Fatalf("CheckResidentID(%q) valid with length %d, want 18", in, len(in))
			}
			if got, want := in[17], ResidentIDCheck(in[:17]); got != want {
				t.Fatalf("valid %q ends in %q, want ResidentIDCheck = %q", in, got, want)
			}
			if got, want := in[17], refResidentCheck(in[:17]); got != want {
				t.Fatalf("valid %q ends in %q, want reference check %q", in, got, want)
			}
			m := MaskResidentID(in)
			if want := in[:4] + "**********" + in[14:]; m != want {
				t.Fatalf("MaskResidentID(%q) = %q, want %q", in, m, want)
			}
			if !utf8.ValidString(m) {
				t.Fatalf("MaskResidentID(%q) = %q, not UTF-8", in, m)
			}
		}
		// Any other final character makes a valid number invalid.
		if CheckResidentID(norm) == "" {
			for _, c := range []byte("0123456789X") {
				if c == norm[17] {
					continue
				}
				if got := CheckResidentID(norm[:17] + string(c)); got != "err.resident_id_check" {
					t.Fatalf("CheckResidentID(%q) = %q, want err.resident_id_check", norm[:17]+string(c), got)
				}
			}
		}
	})
}

func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91350100m000100y43", "91110000802100433B", "91350100M000100Y44",
		"91350100I000100Y43", "", "9", "91350100M000100Y4", "000000000000000000", "91350100M000100Y4\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := NormalizeCreditCode(s)
		if again := NormalizeCreditCode(norm); again != norm {
			t.Fatalf("NormalizeCreditCode not idempotent: %q then %q", norm, again)
		}
		for _, in := range []string{s, norm} {
			key := CheckCreditCode(in)
			switch key {
			case "", "err.credit_code_length", "err.credit_code_chars", "err.credit_code_check":
			default:
				t.Fatalf("CheckCreditCode(%q) = %q, want a known key", in, key)
			}
			if key != "" {
				continue
			}
			if len(in) != 18 {
				t.Fatalf("CheckCreditCode(%q) valid with length %d, want 18", in, len(in))
			}
			if strings.ContainsAny(in, "IOZSV") {
				t.Fatalf("CheckCreditCode(%q) valid, but it holds one of I O Z S V", in)
			}
			if got, want := in[17], CreditCodeCheck(in[:17]); got != want {
				t.Fatalf("valid %q ends in %q, want CreditCodeCheck = %q", in, got, want)
			}
			if got, want := in[17], refCreditCheck(in[:17]); got != want {
				t.Fatalf("valid %q ends in %q, want reference check %q", in, got, want)
			}
		}
		if CheckCreditCode(norm) == "" {
			const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
			for _, c := range []byte(alphabet) {
				if c == norm[17] {
					continue
				}
				if got := CheckCreditCode(norm[:17] + string(c)); got != "err.credit_code_check" {
					t.Fatalf("CheckCreditCode(%q) = %q, want err.credit_code_check", norm[:17]+string(c), got)
				}
			}
		}
	})
}

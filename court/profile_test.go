package court

import (
	"reflect"
	"testing"
)

// TestFee checks the default schedule against the Litigation Fee Measures
// Art 13 bands, every expected value worked by hand in yuan:
//
//	up to 10,000                 50
//	10,000-100,000        2.5%   (the band costs 2.5% x 90,000 = 2,250)
//	100,000-200,000       2%     (2,000)
//	200,000-500,000       1.5%   (4,500)
//	500,000-1,000,000     1%     (5,000)
//	1-2 million           0.9%   (9,000)
//	2-5 million           0.8%   (24,000)
//	5-10 million          0.7%   (35,000)
//	10-20 million         0.6%   (60,000)
//	above 20 million      0.5%
//
// and halved (Art 16) with half a fen rounded up.
func TestFee(t *testing.T) {
	tests := []struct {
		name       string
		amount     Fen
		full, half Fen
	}{
		{"zero", 0, 0, 0},
		{"negative", -100, 0, 0},
		{"one fen: the minimum fee", 1, 5_000, 2_500},
		// 5,000 yuan: within the first band, 50 yuan; halved 25.
		{"5,000 yuan", 500_000, 5_000, 2_500},
		// 10,000 yuan: the top of the first band, still 50 / 25.
		{"10,000 yuan", 1_000_000, 5_000, 2_500},
		// 10,000.01: 2.5% of 1 fen is 0.025 fen, rounded to 0.
		{"10,000.01 yuan", 1_000_001, 5_000, 2_500},
		// 10,000.19: 2.5% of 19 fen is 0.475 fen, rounded down to 0.
		{"10,000.19 yuan", 1_000_019, 5_000, 2_500},
		// 10,000.20: 2.5% of 20 fen is exactly half a fen, rounded up to 1:
		// 50.01 yuan; halved 25.005, rounded up to 25.01.
		{"10,000.20 yuan: half a fen", 1_000_020, 5_001, 2_501},
		// 10,000.60: 2.5% of 60 fen is 1.5 fen, rounded up to 2: 50.02;
		// halved exactly 25.01.
		{"10,000.60 yuan", 1_000_060, 5_002, 2_501},
		// 20,000 yuan: 50 + 2.5% x 10,000 = 50 + 250 = 300; halved 150.
		{"20,000 yuan", 2_000_000, 30_000, 15_000},
		// 60,000 yuan (the default cap): 50 + 2.5% x 50,000 = 1,300; 650.
		{"60,000 yuan", 6_000_000, 130_000, 65_000},
		// 100,000 yuan: 50 + 2.5% x 90,000 = 50 + 2,250 = 2,300; halved 1,150.
		{"100,000 yuan", 10_000_000, 230_000, 115_000},
		// 150,000 yuan: 2,300 + 2% x 50,000 = 2,300 + 1,000 = 3,300; 1,650.
		{"150,000 yuan", 15_000_000, 330_000, 165_000},
		// 200,000 yuan: 2,300 + 2% x 100,000 = 4,300; 2,150.
		{"200,000 yuan", 20_000_000, 430_000, 215_000},
		// 300,000 yuan: 4,300 + 1.5% x 100,000 = 5,800; 2,900.
		{"300,000 yuan", 30_000_000, 580_000, 290_000},
		// 20 million yuan: 50 + 2,250 + 2,000 + 4,500 + 5,000 + 9,000 +
		// 24,000 + 35,000 + 60,000 = 141,800; halved 70,900.
		{"20 million yuan", 2_000_000_000, 14_180_000, 7_090_000},
		// 25 million yuan: 141,800 + 0.5% x 5 million = 166,800; 83,400.
		{"25 million yuan", 2_500_000_000, 16_680_000, 8_340_000},
		// MaxFen, 10 billion yuan: 141,800 + 0.5% x 9,980,000,000 =
		// 141,800 + 49,900,000 = 50,041,800; halved 25,020,900.
		{"MaxFen", MaxFen, 5_004_180_000, 2_502_090_000},
	}
	full := DefaultProfile()
	full.HalveFee = false
	half := DefaultProfile()
	half.HalveFee = true
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := full.Fee(tt.amount); got != tt.full {
				t.Errorf("Fee(%d) without halving = %d, want %d", tt.amount, got, tt.full)
			}
			if got := half.Fee(tt.amount); got != tt.half {
				t.Errorf("Fee(%d) halved = %d, want %d", tt.amount, got, tt.half)
			}
		})
	}
}

// A schedule of another court: the first band is charged too, the minimum
// fee is different and the last band is bounded.
func TestFeeCustomSchedule(t *testing.T) {
	p := Profile{
		MinFee:   1_000, // 10 yuan
		FeeBands: []FeeBand{{Upto: 100_000, Rate: 100}, {Upto: 200_000, Rate: 1_000}},
	}
	tests := []struct {
		amount Fen
		want   Fen
	}{
		{50_000, 1_500},  // 10 + 1% x 500 = 15 yuan
		{100_000, 2_000}, // 10 + 1% x 1,000 = 20 yuan
		{150_000, 7_000}, // 20 + 10% x 500 = 70 yuan
		{200_000, 12_000},
		{49, 1_000},  // 1% of 49 fen is 0.49 fen, rounded down
		{50, 1_001},  // 1% of 50 fen is half a fen, rounded up
		{150, 1_002}, // 1.5 fen, rounded up
	}
	for _, tt := range tests {
		if got := p.Fee(tt.amount); got != tt.want {
			t.Errorf("Fee(%d) = %d, want %d", tt.amount, got, tt.want)
		}
	}
	// Halving rounds half a fen up: 15.01 yuan halved is 7.505, so 7.51.
	p.HalveFee = true
	if got, want := p.Fee(50+50_000), Fen(751); got != want {
		// 10 + 1% x 500.50 = 15.005 -> 15.01 (1,501 fen), halved 750.5 -> 751
		t.Errorf("Fee(50,050) halved = %d, want %d", got, want)
	}
}

func TestCap(t *testing.T) {
	p := Profile{SmallClaimsCap: map[int]Fen{2024: 5_000_000, 2026: 6_000_000, 2030: 7_000_000}}
	tests := []struct {
		year   int
		want   Fen
		wantOK bool
	}{
		{2026, 6_000_000, true}, // its own year
		{2024, 5_000_000, true},
		{2025, 5_000_000, true}, // no entry: the latest earlier year
		{2027, 6_000_000, true},
		{2029, 6_000_000, true},
		{2030, 7_000_000, true},
		{2100, 7_000_000, true},
		{2023, 0, false}, // before any entry
		{0, 0, false},
	}
	for _, tt := range tests {
		got, ok := p.Cap(tt.year)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Cap(%d) = %d, %v; want %d, %v", tt.year, got, ok, tt.want, tt.wantOK)
		}
	}
	if got, ok := (Profile{}).Cap(2026); got != 0 || ok {
		t.Errorf("Cap(2026) without caps = %d, %v; want 0, false", got, ok)
	}
}

func TestDocketNumber(t *testing.T) {
	p := DefaultProfile()
	tests := []struct {
		pattern   string
		year, seq int
		want      string
	}{
		{p.DocketPattern, 2026, 123, "(2026)浙0102民初123号"},
		{p.DocketPattern, 2026, 1, "(2026)浙0102民初1号"},
		{p.DocketPattern, 2027, 10000, "(2027)浙0102民初10000号"},
		{"{court}-{type}-{year}-{seq}", 2026, 7, "浙0102-民初-2026-7"},
		{"{seq}/{year}", 2026, 7, "7/2026"},
	}
	for _, tt := range tests {
		p.DocketPattern = tt.pattern
		if got := p.DocketNumber(tt.year, tt.seq); got != tt.want {
			t.Errorf("DocketNumber(%d, %d) with %q = %q, want %q", tt.year, tt.seq, tt.pattern, got, tt.want)
		}
	}
}

func TestProfileValidate(t *testing.T) {
	if err := DefaultProfile().Validate(); err != nil {
		t.Fatalf("DefaultProfile().Validate() = %v, want nil", err)
	}
	bands := func(b ...FeeBand) func(p *Profile) { return func(p *Profile) { p.FeeBands = b } }
	tests := []struct {
		name   string
		change func(p *Profile)
		want   map[string]string // field -> key; nil when valid
	}{
		{"no {seq}", func(p *Profile) { p.DocketPattern = "({year}){court}{type}号" },
			map[string]string{"docket_pattern": "err.docket_pattern"}},
		{"no {year}", func(p *Profile) { p.DocketPattern = "{court}{type}{seq}号" },
			map[string]string{"docket_pattern": "err.docket_pattern"}},
		{"empty pattern", func(p *Profile) { p.DocketPattern = "" },
			map[string]string{"docket_pattern": "err.docket_pattern"}},
		{"descending bands", bands(FeeBand{Upto: 1_000_000}, FeeBand{Upto: 500_000, Rate: 250}, FeeBand{Rate: 50}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"equal bands", bands(FeeBand{Upto: 1_000_000}, FeeBand{Upto: 1_000_000, Rate: 250}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"negative limit", bands(FeeBand{Upto: -1, Rate: 250}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"rate above 100%", bands(FeeBand{Upto: 1_000_000, Rate: 10_001}, FeeBand{Rate: 50}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"rate of exactly 100%", bands(FeeBand{Upto: 1_000_000, Rate: 10_000}, FeeBand{Rate: 50}), nil},
		{"negative rate", bands(FeeBand{Upto: 1_000_000, Rate: -1}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"unlimited band not last", bands(FeeBand{Upto: 1_000_000}, FeeBand{Rate: 50}, FeeBand{Upto: 2_000_000, Rate: 250}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"two unlimited bands", bands(FeeBand{Rate: 50}, FeeBand{Rate: 50}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"no bands", bands(), nil},
		{"no unlimited last band", bands(FeeBand{Upto: 1_000_000}, FeeBand{Upto: 2_000_000, Rate: 250}),
			map[string]string{"fee_bands": "err.fee_bands"}},
		{"no cap", func(p *Profile) { p.SmallClaimsCap = nil }, map[string]string{"small_claims_cap": "err.required"}},
		{"zero cap", func(p *Profile) { p.SmallClaimsCap = map[int]Fen{2026: 0} },
			map[string]string{"small_claims_cap": "err.amount_positive"}},
		{"cap above MaxFen", func(p *Profile) { p.SmallClaimsCap = map[int]Fen{2026: MaxFen + 1} },
			map[string]string{"small_claims_cap": "err.amount_positive"}},
		{"negative minimum fee", func(p *Profile) { p.MinFee = -1 }, map[string]string{"min_fee": "err.amount_positive"}},
		{"answer days 0", func(p *Profile) { p.AnswerDays = 0 }, map[string]string{"answer_days": "err.days_range"}},
		{"answer days 61", func(p *Profile) { p.AnswerDays = 61 }, map[string]string{"answer_days": "err.days_range"}},
		{"evidence days 0", func(p *Profile) { p.EvidenceDays = 0 }, map[string]string{"evidence_days": "err.days_range"}},
		{"conclude months 13", func(p *Profile) { p.ConcludeMonths = 13 }, map[string]string{"conclude_months": "err.days_range"}},
		{"extend months -1", func(p *Profile) { p.ExtendMonths = -1 }, map[string]string{"extend_months": "err.days_range"}},
		{"no extension", func(p *Profile) { p.ExtendMonths = 0 }, nil},
		{"court name too short", func(p *Profile) { p.CourtName = "法" }, map[string]string{"court_name": "err.text_too_short"}},
		{"no court code", func(p *Profile) { p.CourtCode = " " }, map[string]string{"court_code": "err.required"}},
		{"all at once", func(p *Profile) {
			p.DocketPattern = "x"
			p.FeeBands = []FeeBand{{Rate: 20_000}}
			p.AnswerDays = 0
		}, map[string]string{"docket_pattern": "err.docket_pattern", "fee_bands": "err.fee_bands", "answer_days": "err.days_range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultProfile()
			tt.change(&p)
			err := p.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if got := fieldKeys(MustFieldErrors(t, err, EINVALID)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fields = %v, want %v", got, tt.want)
			}
		})
	}
	// The range errors name their bounds.
	p := DefaultProfile()
	p.AnswerDays = 0
	f := MustFieldErrors(t, p.Validate(), EINVALID)
	if got := f["answer_days"].Args; got["Min"] != 1 || got["Max"] != 60 {
		t.Errorf("answer_days args = %v, want Min 1, Max 60", got)
	}
}

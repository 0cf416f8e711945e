package court

import (
	"fmt"
	"strconv"
	"strings"
)

// Profile is the court's configurable profile: who it is, how it numbers its
// cases, its small-claims cap by year, its fee schedule and its periods. None
// of these is a constant in code; Default gives the values the court starts
// with, and the administrator changes them.
type Profile struct {
	CourtName string `json:"court_name"`
	// CourtCode is the court's code in docket numbers, e.g. 浙0102 for the
	// Shangcheng District People's Court.
	CourtCode string `json:"court_code"`
	// CaseType is the case-type part of docket numbers, 民初 for first-instance
	// civil cases.
	CaseType string `json:"case_type"`
	// DocketPattern builds docket numbers from {year}, {court}, {type} and
	// {seq}: (2026)浙0102民初123号.
	DocketPattern string `json:"docket_pattern"`
	// SmallClaimsCap is, per year, 50% of the province's previous-year
	// average annual wage of employed persons (Civil Procedure Law Art 165).
	// A year without an entry uses the latest earlier one.
	SmallClaimsCap map[int]Fen `json:"small_claims_cap"`
	// FeeBands is the filing fee schedule for property cases (Litigation Fee
	// Measures Art 13), in ascending bands.
	FeeBands []FeeBand `json:"fee_bands"`
	// MinFee is the fee for amounts up to the first band's limit.
	MinFee Fen `json:"min_fee"`
	// HalveFee applies Art 16: simplified (and small-claims) procedure pays
	// half.
	HalveFee bool `json:"halve_fee"`
	// AnswerDays is the answer period after service (Art 128: 15 days).
	AnswerDays int `json:"answer_days"`
	// EvidenceDays is the evidence period after service.
	EvidenceDays int `json:"evidence_days"`
	// ConcludeMonths is the limit from acceptance to conclusion (Art 168: 2),
	// ExtendMonths the extension the court president may grant (1).
	ConcludeMonths int `json:"conclude_months"`
	ExtendMonths   int `json:"extend_months"`
}

// FeeBand charges Rate (in basis points, 1/10,000) on the part of the amount
// between the previous band's Upto and this band's Upto (0: no limit).
type FeeBand struct {
	Upto Fen `json:"upto"`
	Rate int `json:"rate_bp"`
}

// DefaultProfile is the Shangcheng court's starting profile. The cap for a
// year must be set from the wage figure Zhejiang publishes; the default here
// is a placeholder of the right size (about half of the province's recent
// average wage), to be replaced by the administrator.
func DefaultProfile() Profile {
	return Profile{
		CourtName:      "杭州市上城区人民法院",
		CourtCode:      "浙0102",
		CaseType:       "民初",
		DocketPattern:  "({year}){court}{type}{seq}号",
		SmallClaimsCap: map[int]Fen{2026: 6_000_000}, // 60,000 yuan
		MinFee:         5_000,                        // 50 yuan
		FeeBands: []FeeBand{
			{Upto: 1_000_000, Rate: 0},      // up to 10,000 yuan: the minimum fee
			{Upto: 10_000_000, Rate: 250},   // 10,000-100,000: 2.5%
			{Upto: 20_000_000, Rate: 200},   // 100,000-200,000: 2%
			{Upto: 50_000_000, Rate: 150},   // 200,000-500,000: 1.5%
			{Upto: 100_000_000, Rate: 100},  // 500,000-1,000,000: 1%
			{Upto: 200_000_000, Rate: 90},   // 1-2 million: 0.9%
			{Upto: 500_000_000, Rate: 80},   // 2-5 million: 0.8%
			{Upto: 1_000_000_000, Rate: 70}, // 5-10 million: 0.7%
			{Upto: 2_000_000_000, Rate: 60}, // 10-20 million: 0.6%
			{Upto: 0, Rate: 50},             // above: 0.5%
		},
		HalveFee:       true,
		AnswerDays:     15,
		EvidenceDays:   7,
		ConcludeMonths: 2,
		ExtendMonths:   1,
	}
}

// Cap returns the small-claims cap for a year: that year's, else the latest
// earlier year's. ok is false when no year up to it has one.
func (p Profile) Cap(year int) (cap Fen, ok bool) {
	best := -1
	for y, c := range p.SmallClaimsCap {
		if y <= year && y > best {
			best, cap = y, c
		}
	}
	return cap, best >= 0
}

// Fee is the filing fee for a claim of amount: the minimum fee, plus each
// band's rate on the part of the amount within it, halved under HalveFee.
// Fractions of a fen are rounded half up.
func (p Profile) Fee(amount Fen) Fen {
	if amount <= 0 {
		return 0
	}
	var bp int64 // fee in fen × 10,000
	lower := Fen(0)
	for _, b := range p.FeeBands {
		upper := b.Upto
		if upper == 0 || upper > amount {
			upper = amount
		}
		if upper > lower {
			bp += int64(upper-lower) * int64(b.Rate)
		}
		if b.Upto == 0 || b.Upto >= amount {
			break
		}
		lower = b.Upto
	}
	fee := p.MinFee + Fen((bp+5_000)/10_000)
	if p.HalveFee {
		fee = (fee + 1) / 2
	}
	return fee
}

// DocketNumber formats a docket number from the pattern.
func (p Profile) DocketNumber(year, seq int) string {
	return strings.NewReplacer("{year}", strconv.Itoa(year), "{court}", p.CourtCode, "{type}", p.CaseType,
		"{seq}", strconv.Itoa(seq)).Replace(p.DocketPattern)
}

// Validate checks a profile an administrator gives.
func (p Profile) Validate() error {
	var v Validator
	p.CourtName = v.Text("court_name", p.CourtName, 2, 100, false)
	p.CourtCode = v.Text("court_code", p.CourtCode, 1, 20, false)
	p.CaseType = v.Text("case_type", p.CaseType, 1, 10, false)
	v.Check(strings.Contains(p.DocketPattern, "{seq}") && strings.Contains(p.DocketPattern, "{year}"),
		"docket_pattern", "err.docket_pattern")
	v.Check(len(p.SmallClaimsCap) > 0, "small_claims_cap", "err.required")
	for _, c := range p.SmallClaimsCap {
		v.Check(c > 0 && c <= MaxFen, "small_claims_cap", "err.amount_positive")
	}
	last := Fen(0)
	for i, b := range p.FeeBands {
		v.Check(b.Rate >= 0 && b.Rate <= 10_000, "fee_bands", "err.fee_bands")
		if b.Upto == 0 {
			v.Check(i == len(p.FeeBands)-1, "fee_bands", "err.fee_bands")
		} else {
			v.Check(b.Upto > last, "fee_bands", "err.fee_bands")
			last = b.Upto
		}
	}
	// The last band has no limit, so every amount has a rate (no bands at
	// all is a flat fee).
	v.Check(len(p.FeeBands) == 0 || p.FeeBands[len(p.FeeBands)-1].Upto == 0, "fee_bands", "err.fee_bands")
	v.Check(p.MinFee >= 0, "min_fee", "err.amount_positive")
	v.Check(p.AnswerDays >= 1 && p.AnswerDays <= 60, "answer_days", "err.days_range", "Min", 1, "Max", 60)
	v.Check(p.EvidenceDays >= 1 && p.EvidenceDays <= 60, "evidence_days", "err.days_range", "Min", 1, "Max", 60)
	v.Check(p.ConcludeMonths >= 1 && p.ConcludeMonths <= 12, "conclude_months", "err.days_range", "Min", 1, "Max", 12)
	v.Check(p.ExtendMonths >= 0 && p.ExtendMonths <= 12, "extend_months", "err.days_range", "Min", 0, "Max", 12)
	return v.Err()
}

// String names the profile in logs.
func (p Profile) String() string { return fmt.Sprintf("%s (%s)", p.CourtName, p.CourtCode) }

package court

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var allActions = []Action{ActSubmit, ActAccept, ActReturn, ActReject, ActWithdraw, ActAnswer, ActSettle, ActConvert}

// TestNext tries every action in every state. The table of what is allowed
// is the procedure, written out independently of the code's own table.
func TestNext(t *testing.T) {
	if len(CaseStatuses) != 11 {
		t.Fatalf("len(CaseStatuses) = %d, want 11: extend this test with the new states", len(CaseStatuses))
	}
	allowed := map[CaseStatus]map[Action]CaseStatus{
		CaseDraft:     {ActSubmit: CaseSubmitted, ActWithdraw: CaseWithdrawn},
		CaseSubmitted: {ActAccept: CaseServed, ActReturn: CaseReturned, ActReject: CaseRejected, ActWithdraw: CaseWithdrawn},
		CaseReturned:  {ActSubmit: CaseSubmitted, ActWithdraw: CaseWithdrawn},
		CaseRejected:  {},
		CaseServed:    {ActWithdraw: CaseWithdrawn, ActAnswer: CaseAnswered, ActSettle: CaseSettled, ActConvert: CaseConverted},
		CaseAnswered:  {ActWithdraw: CaseWithdrawn, ActSettle: CaseSettled, ActConvert: CaseConverted},
		CaseSettled:   {},
		CaseWithdrawn: {},
		CaseConverted: {},
		CaseRuled:     {}, // its payment actions come with the rulings
		CaseClosed:    {},
	}
	// A ruled case has no action of this part of the procedure, yet it is
	// not over: payment follows.
	notFinal := map[CaseStatus]bool{CaseRuled: true}
	for _, s := range CaseStatuses {
		row, ok := allowed[s]
		if !ok {
			t.Fatalf("state %q has no row in the test table", s)
		}
		if want := len(row) == 0 && !notFinal[s]; s.Final() != want {
			t.Errorf("%s.Final() = %v, want %v", s, s.Final(), want)
		}
		for _, a := range allActions {
			got, err := Next(s, a)
			if want, ok := row[a]; ok {
				if err != nil || got != want {
					t.Errorf("Next(%s, %s) = %q, %v; want %q, nil", s, a, got, err, want)
				}
				continue
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("Next(%s, %s) = %q, %v; want an ECONFLICT *Error", s, a, got, err)
				continue
			}
			if e.Code != ECONFLICT || e.Msg.Key != "err.transition" {
				t.Errorf("Next(%s, %s) error = %s %s, want %s err.transition", s, a, e.Code, e.Msg.Key, ECONFLICT)
			}
			if e.Msg.Args["Action"] != string(a) || e.Msg.Args["Status"] != string(s) {
				t.Errorf("Next(%s, %s) args = %v, want Action %s, Status %s", s, a, e.Msg.Args, a, s)
			}
			if got != "" {
				t.Errorf("Next(%s, %s) state = %q with an error, want \"\"", s, a, got)
			}
		}
	}
	for _, a := range []Action{"", "appeal", "SUBMIT", "mediate"} {
		for _, s := range CaseStatuses {
			got, err := Next(s, a)
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Msg.Key != "err.invalid_choice" || got != "" {
				t.Errorf("Next(%s, %q) = %q, %v; want \"\", EINVALID err.invalid_choice", s, a, got, err)
			}
		}
	}
}

func TestCategoryValid(t *testing.T) {
	for _, c := range Categories {
		if !c.Valid() {
			t.Errorf("%q.Valid() = false, want true", c)
		}
	}
	for _, c := range []Category{"", "Quality", "fraud", "quality "} {
		if c.Valid() {
			t.Errorf("%q.Valid() = true, want false", c)
		}
	}
}

// filingToday is 09:30 on 2 March 2026 in Hangzhou.
var filingToday = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

// filingProfile has a cap of 10,000 yuan for 2026 and 20,000 from 2027.
func filingProfile() Profile {
	p := DefaultProfile()
	p.SmallClaimsCap = map[int]Fen{2026: 1_000_000, 2027: 2_000_000}
	return p
}

const validCode = "91350100M000100Y43"

func goodFiling() Filing {
	return Filing{
		CreditCode:     validCode,
		MerchantName:   "杭州西湖龙井茶业有限公司",
		Platform:       "抖音",
		OrderRef:       "DY-20260214-001",
		Category:       CatCounterfeit,
		Facts:          "直播间购买的西湖龙井茶叶经鉴定为假冒产品。",
		PurchaseDate:   "2026-02-14",
		Refund:         128_000,
		Compensation:   50_000,
		Costs:          2_000,
		ServiceConsent: true,
	}
}

func TestFilingValidateGood(t *testing.T) {
	f := goodFiling()
	f.CreditCode = "  " + strings.ToLower(validCode) + " "
	f.MerchantName = "  杭州西湖龙井茶业有限公司\t"
	f.Facts = "  Cafe\u0301 bought in the livestream was fake.\n  "
	f.PurchaseDate = " 2026-02-14 "
	if err := f.Validate(filingProfile(), filingToday, false); err != nil {
		t.Fatalf("Validate() = %v, want nil", err)
	}
	want := goodFiling()
	want.Facts = "Caf\u00e9 bought in the livestream was fake." // trimmed, NFC
	if !reflect.DeepEqual(f, want) {
		t.Errorf("normalised filing = %+v, want %+v", f, want)
	}
	if got := f.Total(); got != 180_000 {
		t.Errorf("Total() = %d, want 180000", got)
	}
}

func TestFilingValidateFields(t *testing.T) {
	tests := []struct {
		name    string
		change  func(f *Filing)
		byAgent bool
		want    map[string]string // nil when the filing must pass
	}{
		{"bad credit code check", func(f *Filing) { f.CreditCode = "91350100M000100Y44" },
			false, map[string]string{"credit_code": "err.credit_code_check"}},
		{"short credit code", func(f *Filing) { f.CreditCode = "9135" }, false, map[string]string{"credit_code": "err.credit_code_length"}},
		{"no merchant name", func(f *Filing) { f.MerchantName = " " }, false, map[string]string{"merchant_name": "err.required"}},
		{"merchant name of 1", func(f *Filing) { f.MerchantName = "店" }, false, map[string]string{"merchant_name": "err.text_too_short"}},
		{"merchant name of 101", func(f *Filing) { f.MerchantName = strings.Repeat("店", 101) },
			false, map[string]string{"merchant_name": "err.text_too_long"}},
		{"no platform", func(f *Filing) { f.Platform = "" }, false, nil},
		{"platform of 101", func(f *Filing) { f.Platform = strings.Repeat("p", 101) }, false, map[string]string{"platform": "err.text_too_long"}},
		{"order ref with a newline", func(f *Filing) { f.OrderRef = "A\nB" }, false, map[string]string{"order_ref": "err.text_control"}},
		{"no order ref", func(f *Filing) { f.OrderRef = "" }, false, nil},
		{"no category", func(f *Filing) { f.Category = "" }, false, map[string]string{"category": "err.category"}},
		{"unknown category", func(f *Filing) { f.Category = "fraud" }, false, map[string]string{"category": "err.category"}},
		{"no facts", func(f *Filing) { f.Facts = " \n " }, false, map[string]string{"facts": "err.required"}},
		{"facts of 9 characters", func(f *Filing) { f.Facts = strings.Repeat("假", 9) }, false, map[string]string{"facts": "err.text_too_short"}},
		{"facts of 10 characters", func(f *Filing) { f.Facts = strings.Repeat("假", 10) }, false, nil},
		// 5,000 Chinese characters are 15,000 bytes: the limit is in characters.
		{"facts of 5,000 characters", func(f *Filing) { f.Facts = strings.Repeat("茶", 5000) }, false, nil},
		{"facts of 5,001 characters", func(f *Filing) { f.Facts = strings.Repeat("茶", 5001) }, false, map[string]string{"facts": "err.text_too_long"}},
		{"facts on several lines", func(f *Filing) { f.Facts = "第一行：购买茶叶。\n第二行：发现是假的。\t完" }, false, nil},
		{"facts with a control character", func(f *Filing) { f.Facts = "购买的茶叶是假的。\x00\x00" }, false, map[string]string{"facts": "err.text_control"}},
		{"facts not UTF-8", func(f *Filing) { f.Facts = "购买的茶叶是假的\xff\xfe" }, false, map[string]string{"facts": "err.text_encoding"}},
		{"no purchase date", func(f *Filing) { f.PurchaseDate = "" }, false, nil},
		{"purchase today", func(f *Filing) { f.PurchaseDate = "2026-03-02" }, false, nil},
		{"purchase tomorrow", func(f *Filing) { f.PurchaseDate = "2026-03-03" }, false, map[string]string{"purchase_date": "err.date_future"}},
		{"purchase on 30 February", func(f *Filing) { f.PurchaseDate = "2026-02-30" }, false, map[string]string{"purchase_date": "err.date"}},
		{"purchase date with slashes", func(f *Filing) { f.PurchaseDate = "2026/02/14" }, false, map[string]string{"purchase_date": "err.date"}},
		{"purchase date words", func(f *Filing) { f.PurchaseDate = "yesterday" }, false, map[string]string{"purchase_date": "err.date"}},
		{"total zero", func(f *Filing) { f.Refund, f.Compensation, f.Costs = 0, 0, 0 }, false, map[string]string{"refund": "err.amount_positive"}},
		{"negative refund", func(f *Filing) { f.Refund = -1 }, false, map[string]string{"refund": "err.amount_range"}},
		{"negative costs", func(f *Filing) { f.Costs = -100 }, false, map[string]string{"costs": "err.amount_range"}},
		{"compensation above MaxFen", func(f *Filing) { f.Compensation = MaxFen + 1 },
			false, map[string]string{"compensation": "err.amount_range"}},
		{"no service consent", func(f *Filing) { f.ServiceConsent = false }, false, map[string]string{"service_consent": "err.service_consent"}},
		{"agent without the villager's consent", func(f *Filing) {}, true, map[string]string{"villager_consent": "err.villager_consent"}},
		{"agent with the villager's consent", func(f *Filing) { f.VillagerConsent = true }, true, nil},
		{"unknown exclusion", func(f *Filing) { f.Exclusions = []string{"divorce"} }, false, map[string]string{"exclusions": "err.invalid_choice"}},
		{"no exclusions", func(f *Filing) { f.Exclusions = []string{} }, false, nil},
	}
	for _, e := range Exclusions {
		tests = append(tests, struct {
			name    string
			change  func(f *Filing)
			byAgent bool
			want    map[string]string
		}{"exclusion " + string(e), func(f *Filing) { f.Exclusions = []string{string(e)} }, false,
			map[string]string{"exclusions": "err.excluded_" + string(e)}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := goodFiling()
			tt.change(&f)
			err := f.Validate(filingProfile(), filingToday, tt.byAgent)
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
}

func TestFilingValidateAllAtOnce(t *testing.T) {
	f := Filing{
		CreditCode:   "not a code",
		MerchantName: "",
		Platform:     strings.Repeat("p", 101),
		OrderRef:     "a\x01b",
		Category:     "none",
		Facts:        "太短",
		PurchaseDate: "2099-01-01",
		Refund:       -5,
		Exclusions:   []string{string(ExclForeign)},
	}
	err := f.Validate(filingProfile(), filingToday, true)
	want := map[string]string{
		"credit_code":      "err.credit_code_length",
		"merchant_name":    "err.required",
		"platform":         "err.text_too_long",
		"order_ref":        "err.text_control",
		"category":         "err.category",
		"facts":            "err.text_too_short",
		"purchase_date":    "err.date_future",
		"refund":           "err.amount_range",
		"exclusions":       "err.excluded_foreign",
		"service_consent":  "err.service_consent",
		"villager_consent": "err.villager_consent",
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID || e.Msg.Key != "err.invalid_form" {
		t.Fatalf("Validate() = %v, want EINVALID err.invalid_form", err)
	}
	if got := fieldKeys(e.Fields); !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

// TestFilingValidateCap walks the amount across the small-claims cap of
// 10,000 yuan (Art 165): up to the cap it proceeds; up to twice the cap
// only with consent; above twice the cap never.
func TestFilingValidateCap(t *testing.T) {
	const capFen Fen = 1_000_000
	capArgs := map[string]any{"Cap": "¥10,000.00", "Twice": "¥20,000.00"}
	tests := []struct {
		name    string
		total   Fen
		consent bool
		field   string // "" when it must pass
		key     string
	}{
		{"one fen", 1, false, "", ""},
		{"at the cap", capFen, false, "", ""},
		{"cap + 1 fen without consent", capFen + 1, false, "over_cap_consent", "err.over_cap"},
		{"cap + 1 fen with consent", capFen + 1, true, "", ""},
		{"twice the cap without consent", 2 * capFen, false, "over_cap_consent", "err.over_cap"},
		{"twice the cap with consent", 2 * capFen, true, "", ""},
		{"twice the cap + 1 fen with consent", 2*capFen + 1, true, "refund", "err.over_twice_cap"},
		{"twice the cap + 1 fen without consent", 2*capFen + 1, false, "refund", "err.over_twice_cap"},
		{"MaxFen", MaxFen, true, "refund", "err.over_twice_cap"},
	}
	for _, tt := range tests {
		// The same total in one field, and spread over the three.
		for _, spread := range []bool{false, true} {
			f := goodFiling()
			f.Refund, f.Compensation, f.Costs = tt.total, 0, 0
			if spread && tt.total >= 3 {
				f.Refund, f.Compensation, f.Costs = tt.total/3, tt.total/3, tt.total-2*(tt.total/3)
			}
			f.OverCapConsent = tt.consent
			err := f.Validate(filingProfile(), filingToday, false)
			if tt.field == "" {
				if err != nil {
					t.Errorf("%s (spread %v): Validate() = %v, want nil", tt.name, spread, err)
				}
				continue
			}
			fields := MustFieldErrors(t, err, EINVALID)
			if len(fields) != 1 || fields[tt.field].Key != tt.key {
				t.Errorf("%s (spread %v): fields = %v, want only %s: %s", tt.name, spread, fields, tt.field, tt.key)
				continue
			}
			if got := fields[tt.field].Args; !reflect.DeepEqual(got, capArgs) {
				t.Errorf("%s: args = %v, want %v", tt.name, got, capArgs)
			}
		}
	}
}

func TestFilingValidateCapYearAndZone(t *testing.T) {
	p := filingProfile() // 10,000 yuan in 2026, 20,000 from 2027
	f := goodFiling()
	f.Refund, f.Compensation, f.Costs = 1_500_000, 0, 0 // 15,000 yuan

	// 31 December 2026 at 23:00 in Hangzhou is still 2026: over the cap.
	dec31 := time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC)
	fields := MustFieldErrors(t, f.Validate(p, dec31, false), EINVALID)
	if fields["over_cap_consent"].Key != "err.over_cap" {
		t.Errorf("on %v: fields = %v, want over_cap_consent: err.over_cap", dec31, fields)
	}
	// An hour later it is 1 January 2027 in Hangzhou (still 2026 in UTC):
	// the 2027 cap applies.
	jan1 := time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)
	if err := f.Validate(p, jan1, false); err != nil {
		t.Errorf("on %v (2027 in Hangzhou): Validate() = %v, want nil", jan1, err)
	}

	// No cap set for the year.
	p.SmallClaimsCap = map[int]Fen{2030: 1_000_000}
	fields = MustFieldErrors(t, f.Validate(p, filingToday, false), EINVALID)
	if len(fields) != 1 || fields["refund"].Key != "err.cap_unset" {
		t.Errorf("without a cap: fields = %v, want only refund: err.cap_unset", fields)
	}

	// A purchase on the Hangzhou date of today is not in the future even
	// while it is still yesterday in UTC.
	f = goodFiling()
	f.PurchaseDate = "2026-03-02"
	early := time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC) // 00:30 on 2 March in Hangzhou
	if err := f.Validate(filingProfile(), early, false); err != nil {
		t.Errorf("purchase on 2026-03-02 at %v: Validate() = %v, want nil", early, err)
	}
	f.PurchaseDate = "2026-03-03"
	fields = MustFieldErrors(t, f.Validate(filingProfile(), early, false), EINVALID)
	if fields["purchase_date"].Key != "err.date_future" {
		t.Errorf("purchase on 2026-03-03 at %v: fields = %v, want purchase_date: err.date_future", early, fields)
	}
}

func shanghai(y int, m time.Month, d, h, min, s, ns int) time.Time {
	return time.Date(y, m, d, h, min, s, ns, Zone)
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		in     time.Time
		months int
		want   time.Time
	}{
		{shanghai(2026, 1, 31, 10, 0, 0, 0), 1, shanghai(2026, 2, 28, 10, 0, 0, 0)},
		{shanghai(2028, 1, 31, 10, 0, 0, 0), 1, shanghai(2028, 2, 29, 10, 0, 0, 0)}, // leap year
		{shanghai(2026, 3, 31, 10, 0, 0, 0), 1, shanghai(2026, 4, 30, 10, 0, 0, 0)},
		{shanghai(2026, 3, 31, 10, 0, 0, 0), 2, shanghai(2026, 5, 31, 10, 0, 0, 0)},
		{shanghai(2026, 12, 31, 8, 0, 0, 0), 2, shanghai(2027, 2, 28, 8, 0, 0, 0)}, // across the year
		{shanghai(2026, 11, 30, 8, 0, 0, 0), 3, shanghai(2027, 2, 28, 8, 0, 0, 0)},
		{shanghai(2026, 8, 31, 8, 0, 0, 0), 1, shanghai(2026, 9, 30, 8, 0, 0, 0)},
		{shanghai(2026, 3, 2, 9, 30, 0, 123456000), 2, shanghai(2026, 5, 2, 9, 30, 0, 123456000)},
		{shanghai(2026, 3, 2, 9, 30, 0, 0), 0, shanghai(2026, 3, 2, 9, 30, 0, 0)},
		{shanghai(2026, 3, 31, 9, 30, 0, 0), -1, shanghai(2026, 2, 28, 9, 30, 0, 0)},
		// 00:30 on 31 January in Hangzhou is still 30 January in UTC: the
		// month is counted on the Hangzhou date, so the result is 28
		// February, not 1 March, in Hangzhou.
		{shanghai(2026, 1, 31, 0, 30, 0, 0).UTC(), 1, shanghai(2026, 2, 28, 0, 30, 0, 0)},
		// 23:30 on 30 April in Hangzhou: the 30th of June, not the 1st of July.
		{shanghai(2026, 4, 30, 23, 30, 0, 0).UTC(), 2, shanghai(2026, 6, 30, 23, 30, 0, 0)},
	}
	for _, tt := range tests {
		got := AddMonths(tt.in, tt.months)
		if !got.Equal(tt.want) {
			t.Errorf("AddMonths(%v, %d) = %v, want %v", tt.in.In(Zone), tt.months, got.In(Zone), tt.want)
		}
		if got.Location() != time.UTC {
			t.Errorf("AddMonths(%v, %d) location = %v, want UTC", tt.in, tt.months, got.Location())
		}
	}
}

func TestEndOfDay(t *testing.T) {
	tests := []struct {
		in   time.Time
		days int
		want time.Time
	}{
		// 23:30 in Hangzhou is 15:30 UTC of the same date; 15 days on, the
		// period ends at the last microsecond of 17 March in Hangzhou.
		{time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC), 15, shanghai(2026, 3, 17, 23, 59, 59, 999999000)},
		// 00:10 on 2 March in Hangzhou is still 1 March in UTC.
		{time.Date(2026, 3, 1, 16, 10, 0, 0, time.UTC), 15, shanghai(2026, 3, 17, 23, 59, 59, 999999000)},
		{time.Date(2026, 3, 2, 1, 30, 0, 123456000, time.UTC), 15, shanghai(2026, 3, 17, 23, 59, 59, 999999000)},
		{time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC), 0, shanghai(2026, 3, 2, 23, 59, 59, 999999000)},
		{time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC), 7, shanghai(2026, 3, 9, 23, 59, 59, 999999000)},
		{time.Date(2026, 12, 25, 1, 0, 0, 0, time.UTC), 15, shanghai(2027, 1, 9, 23, 59, 59, 999999000)},
		{time.Date(2028, 2, 20, 1, 0, 0, 0, time.UTC), 15, shanghai(2028, 3, 6, 23, 59, 59, 999999000)}, // 29 February counts
	}
	for _, tt := range tests {
		got := EndOfDay(tt.in, tt.days)
		if !got.Equal(tt.want) {
			t.Errorf("EndOfDay(%v, %d) = %v, want %v", tt.in, tt.days, got.In(Zone), tt.want)
		}
		if got.Location() != time.UTC {
			t.Errorf("EndOfDay(%v, %d) location = %v, want UTC", tt.in, tt.days, got.Location())
		}
	}
	// Written in UTC, the first example ends at 15:59:59.999999.
	got := EndOfDay(time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC), 15)
	if want := time.Date(2026, 3, 17, 15, 59, 59, 999999000, time.UTC); got != want {
		t.Errorf("EndOfDay = %#v, want %#v", got, want)
	}
}

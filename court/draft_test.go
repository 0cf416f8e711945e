package court

import (
	"strings"
	"testing"
	"time"
)

func TestCheckDraft(t *testing.T) {
	today := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	// Almost nothing is a fine draft: missing fields are not errors.
	for _, f := range []Filing{{}, {MerchantName: "  杭州某茶行 "}, {Facts: "短"}, {Refund: 100}} {
		g := f
		if err := g.CheckDraft(today); err != nil {
			t.Errorf("CheckDraft(%+v): got %v, want nil", f, err)
		}
	}
	f := Filing{MerchantName: " 杭州某茶行 ", CreditCode: " 91330102ma2h3k7q1x "}
	f.CheckDraft(today)
	if f.MerchantName != "杭州某茶行" || !strings.HasPrefix(f.CreditCode, "91330102MA2H3K7Q1") {
		t.Errorf("normalised: got %q %q", f.MerchantName, f.CreditCode)
	}
	// What is there must be well formed: every error at once.
	bad := Filing{CreditCode: "123", MerchantName: strings.Repeat("商", 101), Category: "fun", Facts: "a\x00b",
		PurchaseDate: "2026-03-03", Refund: -1, Costs: MaxFen + 1, Exclusions: []string{"nope"}, MerchantEmail: "kefu@shop"}
	err := bad.CheckDraft(today)
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("bad draft: got %v, want EINVALID", err)
	}
	for _, field := range []string{"credit_code", "merchant_name", "category", "facts", "purchase_date", "refund", "costs", "exclusions", "merchant_email"} {
		if _, ok := e.Fields[field]; !ok {
			t.Errorf("bad draft: got fields %v, want an error on %s", e.Fields, field)
		}
	}
	if _, ok := e.Fields["service_consent"]; ok {
		t.Error("bad draft: got an error on the missing consent, want none (a draft is not complete)")
	}
}

// FuzzCheckDraft: any input is either refused or kept in a form that checks
// again unchanged (normalising twice changes nothing).
func FuzzCheckDraft(f *testing.F) {
	f.Add("杭州某茶行", "91330102MA2H3K7Q1M", "2026-02-14", "facts", int64(100), "quality")
	f.Add("", "", "", "", int64(0), "")
	f.Add(" x\u0301 ", "9133", "2026-02-30", "a\x00", int64(-1), "nope")
	today := time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name, code, date, facts string, refund int64, cat string) {
		d := Filing{MerchantName: name, CreditCode: code, PurchaseDate: date, Facts: facts, Refund: Fen(refund), Category: Category(cat)}
		if d.CheckDraft(today) != nil {
			return
		}
		again := d
		if err := again.CheckDraft(today); err != nil {
			t.Fatalf("a kept draft checked again: %v", err)
		}
		if again.MerchantName != d.MerchantName || again.CreditCode != d.CreditCode || again.Facts != d.Facts {
			t.Fatalf("normalising twice changed %+v into %+v", d, again)
		}
	})
}

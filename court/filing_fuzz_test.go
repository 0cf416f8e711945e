package court_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

// FuzzFilingJSON feeds arbitrary bodies of POST /api/v1/cases through what
// the API does with them: a strict JSON decode into a Filing, then its
// validation. Whatever comes in, nothing panics; a refusal is an "invalid"
// error whose every message exists in both languages; an accepted filing is
// within the rules (amounts, cap, texts, credit code, consents) and stays
// accepted, unchanged, when validated again.
func FuzzFilingJSON(f *testing.F) {
	cat, err := i18n.Load(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	keys := map[string]bool{}
	for _, lang := range []string{"en", "zh-CN"} {
		for _, k := range cat.Keys(lang) {
			keys[lang+" "+k] = true
		}
	}
	p := court.DefaultProfile()
	today := time.Date(2026, 11, 26, 12, 0, 0, 0, court.Zone)
	cap, _ := p.Cap(2026)

	for _, s := range []string{
		`{"credit_code":"91330106MA2B0G0F0J","merchant_name":"杭州西湖龙井茶业有限公司","platform":"淘宝","order_ref":"T123",` +
			`"category":"quality","facts":"收到的茶叶与描述不符，商家拒绝退款。","purchase_date":"2026-10-01","refund":51200,` +
			`"service_consent":true}`,
		`{"credit_code":"91330106ma2b0g0f0j","merchant_name":" 商家 ","category":"livestream","facts":"直播间购买的手机是翻新机。",` +
			`"refund":6000000,"compensation":6000000,"over_cap_consent":true,"service_consent":true}`,
		`{"refund":-1,"compensation":9223372036854775807,"costs":9223372036854775807}`,
		`{"category":"other","facts":"\u0000\u0001 hidden","exclusions":["identity","nonsense"]}`,
		`{"facts":"\xff\xfe","purchase_date":"2026-02-30","merchant_name":"a"}`,
		`{"purchase_date":"2099-01-01","refund":1e3}`,
		`{"refund":"100"}`, `{"unknown":1}`, `[]`, `null`, `{}`, ``, `{"refund":1}{"refund":2}`,
		`{"villager_consent":true,"refund":1.5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fl court.Filing
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&fl) != nil || dec.More() {
			return // the API answers err.json without looking further
		}
		for _, byAgent := range []bool{false, true} {
			g := fl
			g.Exclusions = slices.Clone(fl.Exclusions)
			err := g.Validate(p, today, byAgent)
			if err != nil {
				var ce *court.Error
				if !errors.As(err, &ce) || ce.Code != court.EINVALID || len(ce.Fields) == 0 {
					t.Fatalf("Validate(%s): got %v, want an invalid error naming fields", body, err)
				}
				for field, m := range ce.Fields {
					for _, lang := range []string{"en", "zh-CN"} {
						if !keys[lang+" "+m.Key] {
							t.Fatalf("Validate(%s): field %s has message %q with no %s text", body, field, m.Key, lang)
						}
					}
				}
				continue
			}
			total := g.Total()
			switch {
			case g.Refund < 0 || g.Compensation < 0 || g.Costs < 0 || total <= 0:
				t.Fatalf("accepted %s with amounts %d+%d+%d", body, g.Refund, g.Compensation, g.Costs)
			case total > 2*cap || (total > cap && !g.OverCapConsent):
				t.Fatalf("accepted %s: total %d over the cap %d without the rule's consent", body, total, cap)
			case !g.ServiceConsent || (byAgent && !g.VillagerConsent):
				t.Fatalf("accepted %s without the consents", body)
			case court.CheckCreditCode(g.CreditCode) != "":
				t.Fatalf("accepted %s with credit code %q", body, g.CreditCode)
			case len(g.Exclusions) > 0:
				t.Fatalf("accepted %s with exclusions %v", body, g.Exclusions)
			}
			for _, s := range []string{g.MerchantName, g.Platform, g.OrderRef, g.Facts} {
				if !utf8.ValidString(s) || !norm.NFC.IsNormalString(s) {
					t.Fatalf("accepted %s with text %q not valid NFC UTF-8", body, s)
				}
			}
			if n := utf8.RuneCountInString(g.Facts); n < 10 || n > 5000 {
				t.Fatalf("accepted %s with facts of %d characters", body, n)
			}
			again := g
			if err := again.Validate(p, today, byAgent); err != nil || !filingsEqual(again, g) {
				t.Fatalf("validating the accepted %s again: %v, %+v != %+v", body, err, again, g)
			}
		}
	})
}

func filingsEqual(a, b court.Filing) bool { return reflect.DeepEqual(a, b) }

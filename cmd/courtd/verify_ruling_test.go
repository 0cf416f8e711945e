package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/rulings"
)

// TestVerifyRuling: `courtd verify` checks a signed ruling's record offline
// with the court's public key, as it checks an exhibit's receipt, and says
// what is wrong with a changed one or another court's key.
func TestVerifyRuling(t *testing.T) {
	tmp := t.TempDir()
	for _, d := range []string{"court", "other"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	key, err := ledger.LoadOrCreateKey(filepath.Join(tmp, "court"), "court.example/ledger")
	if err != nil {
		t.Fatal(err)
	}
	other, err := ledger.LoadOrCreateKey(filepath.Join(tmp, "other"), "court.example/ledger")
	if err != nil {
		t.Fatal(err)
	}
	doc := rulings.Document{Format: rulings.Format, Kind: rulings.Judgment, Number: "(2026)浙0102民初7号",
		Court: "杭州市上城区人民法院", CaseID: 7, DocketNo: "(2026)浙0102民初7号",
		Claimant: rulings.Party{Name: "张三"}, Respondent: rulings.Party{Name: "杭州茶香电子商务有限公司"},
		Claims: "判令被告退还货款1280元。", Facts: "原告于直播间购买龙井茶。", Reasoning: "被告构成欺诈。",
		Orders: []rulings.Order{{Payer: rulings.SideRespondent, Payee: rulings.SideClaimant, Amount: 128000, DueDays: 10, What: "货款"}},
		Fee:    rulings.SplitFee(2500, rulings.FeeShared), Final: rulings.FinalJudgment,
		Judge: rulings.Judge{ID: 5, Name: "王法官"}, SignedAt: "2026-03-02T01:30:00Z", Seal: "杭州市上城区人民法院"}
	rec, _, err := rulings.Sign(doc, key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pub := filepath.Join(tmp, "court.pub")
	otherPub := filepath.Join(tmp, "other.pub")
	os.WriteFile(pub, []byte(key.VerifierKey()+"\n"), 0o644)
	os.WriteFile(otherPub, []byte(other.VerifierKey()+"\n"), 0o644)
	// As GET /api/v1/cases/{id}/ruling returns it, under "record".
	good := write("ruling.json", map[string]any{"record": rec})
	if code, out := runCmd(t, "verify", "-key", pub, good); code != 0 || !strings.HasPrefix(out, "verified") || !strings.Contains(out, rec.Number) {
		t.Errorf("verify a genuine ruling: exit %d %q, want 0 verified with its number", code, out)
	}
	changed := rec
	changed.Canonical = strings.Replace(changed.Canonical, "128000", "12800", 1)
	if code, out := runCmd(t, "verify", "-key", pub, write("changed.json", changed)); code != 1 || !strings.Contains(out, "NOT verified") {
		t.Errorf("verify a changed ruling: exit %d %q, want 1 NOT verified", code, out)
	}
	if code, out := runCmd(t, "verify", "-key", otherPub, good); code != 1 || !strings.Contains(out, "NOT verified") {
		t.Errorf("verify with another court's key: exit %d %q, want 1 NOT verified", code, out)
	}
}

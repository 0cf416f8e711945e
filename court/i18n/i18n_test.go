package i18n_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

func mustLoad(tb testing.TB) *i18n.Catalog {
	tb.Helper()
	c, err := i18n.Load(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestCatalogsHaveTheSameKeys fails when a message exists in one language and
// not in the other.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	c := mustLoad(t)
	zh, en := set(c.Keys(i18n.Chinese)), set(c.Keys(i18n.English))
	if len(zh) < 50 {
		t.Fatalf("zh-CN catalog: got %d keys, want the full catalog", len(zh))
	}
	for k := range zh {
		if !en[k] {
			t.Errorf("key %q is in zh-CN but missing in en", k)
		}
	}
	for k := range en {
		if !zh[k] {
			t.Errorf("key %q is in en but missing in zh-CN", k)
		}
	}
}

// Message keys as they appear in Go source and templates.
var (
	goKeyRE     = regexp.MustCompile(`"((?:err|notice|title|field|hint|role|status|home|nav|site|index|login|register|account|admin|error|step|filing|docket|notice_kind|category|case_status|exclusion|fee_status|answer|offer|assign)\.[a-z0-9_.]+)"`)
	tplKeyRE    = regexp.MustCompile(`T "([a-z0-9_.]+)"`)
	tplFieldRE  = regexp.MustCompile(`"((?:field|hint)\.[a-z0-9_]+)"`)
	noticeRE    = regexp.MustCompile(`notice=([a-z_]+)`)
	tplPrintfRE = regexp.MustCompile(`printf "([a-z_]+)\.%s(\.[a-z_]+)?"`)
	// The docket entry and notice kinds of the docket service: each is
	// rendered from "docket.<kind>" or "notice_kind.<kind>".
	kindRE = regexp.MustCompile(`\b(Entry|Notice)[A-Z][A-Za-z]*\s*=\s*"([a-z_]+)"`)
)

// feeStatuses are the values of a case's fee_status.
var feeStatuses = []string{"unpaid", "paid", "waived"}

// TestEveryUsedKeyExists walks the source tree and checks every message key
// that Go code or a template uses is in both catalogs.
func TestEveryUsedKeyExists(t *testing.T) {
	c := mustLoad(t)
	have := map[string]map[string]bool{}
	for _, l := range i18n.Langs {
		have[l] = set(c.Keys(l))
	}
	used := map[string]string{} // key -> where
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		isGo := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		isTpl := strings.HasSuffix(path, ".html")
		if !isGo && !isTpl {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		res := []*regexp.Regexp{goKeyRE}
		if isTpl {
			res = []*regexp.Regexp{tplKeyRE, tplFieldRE}
		}
		for _, re := range res {
			for _, m := range re.FindAllStringSubmatch(src, -1) {
				used[m[1]] = path
			}
		}
		for _, m := range noticeRE.FindAllStringSubmatch(src, -1) {
			used["notice."+m[1]] = path
		}
		if isGo && filepath.Base(filepath.Dir(path)) == "docket" {
			for _, m := range kindRE.FindAllStringSubmatch(src, -1) {
				prefix := "docket."
				if m[1] == "Notice" {
					prefix = "notice_kind."
				}
				used[prefix+m[2]] = path
			}
		}
		// Keys built from a role or a status in templates.
		for _, m := range tplPrintfRE.FindAllStringSubmatch(src, -1) {
			var values []string
			switch m[1] {
			case "home":
				for _, r := range court.Roles {
					values = append(values, string(r))
				}
			case "status":
				values = []string{string(court.StatusActive), string(court.StatusPending), string(court.StatusDisabled)}
			case "case_status":
				for _, st := range court.CaseStatuses {
					values = append(values, string(st))
				}
			case "category":
				for _, c := range court.Categories {
					values = append(values, string(c))
				}
			case "exclusion":
				for _, e := range court.Exclusions {
					values = append(values, string(e))
				}
			case "fee_status":
				values = feeStatuses
			default:
				t.Errorf("%s: printf key %q: teach this test its values", path, m[0])
			}
			for _, v := range values {
				used[m[1]+"."+v+m[2]] = path
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range court.Roles {
		used["role."+string(r)] = "page.RoleName"
	}
	// Keys the pages build from a value in Go.
	for _, st := range court.CaseStatuses {
		used["case_status."+string(st)] = "page.StatusName"
	}
	for _, c := range court.Categories {
		used["category."+string(c)] = "page.CategoryName"
	}
	for _, e := range court.Exclusions {
		used["exclusion."+string(e)] = "page.ExclusionChoices"
	}
	for _, f := range feeStatuses {
		used["fee_status."+f] = "page.ConversionNote"
	}
	// Keys the answer and settlement pages build from a value.
	for _, k := range court.AnswerKinds {
		used["answer_kind."+string(k)] = "page.AnswerKindName"
	}
	for _, c := range []court.Conversion{court.ConversionPending, court.ConversionDeclined, court.ConversionDone} {
		used["answer_conversion."+string(c)] = "page.ConversionNote"
	}
	for _, st := range []court.OfferStatus{court.OfferOpen, court.OfferAccepted, court.OfferRejected, court.OfferCountered,
		court.OfferExpired, court.OfferConfirmed, court.OfferDeclined} {
		used["offer_status."+string(st)] = "page.OfferStatusName"
	}
	for _, r := range []court.Role{court.RoleClaimant, court.RoleMerchant} {
		used["offer_side."+string(r)] = "page.SideName"
	}
	for _, r := range []court.Role{court.RoleJudge, court.RoleMediator} {
		used["assign_field."+string(r)] = "page.AssignField"
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use: is the walk looking in the right place?", len(used))
	}
	for k, where := range used {
		for _, l := range i18n.Langs {
			if !have[l][k] {
				t.Errorf("%s uses %q, missing in the %s catalog", where, k, l)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	c := mustLoad(t)
	cases := []struct{ choice, accept, want string }{
		{"", "", "zh-CN"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "zh-TW,zh;q=0.9", "zh-CN"},
		{"", "fr-FR", "zh-CN"},
		{"en", "zh-CN", "en"},
		{"zh-CN", "en", "zh-CN"},
		{"xx", "en", "en"},
		{"", "garbage;;;q=", "zh-CN"},
	}
	for _, tc := range cases {
		if got := c.Match(tc.choice, tc.accept); got != tc.want {
			t.Errorf("Match(%q, %q): got %q, want %q", tc.choice, tc.accept, got, tc.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	c := mustLoad(t)
	if got := c.T("en", "err.text_too_long", map[string]any{"Max": 50}); got != "Please write at most 50 characters." {
		t.Errorf("got %q", got)
	}
	if got := c.T("zh-CN", "err.text_too_long", map[string]any{"Max": 50}); got != "最多填写 50 个字。" {
		t.Errorf("got %q", got)
	}
	if got := c.T("en", "no.such.key", nil); got != "no.such.key" {
		t.Errorf("missing key: got %q, want the key itself", got)
	}
}

func set(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

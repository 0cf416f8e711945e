package storage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"张伟", []string{"张", "伟"}},
		{"张伟买的Apple手机", []string{"张", "伟", "买", "的", "apple", "手", "机"}},
		{"(2026)浙0102民初12号", []string{"2026", "浙", "0102", "民", "初", "12", "号"}},
		{"（２０２６）浙０１０２民初１２号", []string{"2026", "浙", "0102", "民", "初", "12", "号"}}, // full width
		{"91330102MA2H3K7Q1X", []string{"91330102ma2h3k7q1x"}},
		{"JD-20260301-007", []string{"jd", "20260301", "007"}},
		{"Refund refused, twice!", []string{"refund", "refused", "twice"}},
		{"ニンテンドー 한국", []string{"ニ", "ン", "テ", "ン", "ド", "ー", "한", "국"}},
		{"  ,.!?。，  ", nil},
		{"", nil},
	} {
		if got := storage.Tokens(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Tokens(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := storage.Segment("张伟 bought 2 杯"), "张 伟 bought 2 杯"; got != want {
		t.Errorf("Segment: got %q, want %q", got, want)
	}
}

func TestMatchQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"张伟", `"张 伟"`},
		{"张伟  假货", `"张 伟" "假 货"`},
		{`"refund" OR NEAR(x) *`, `"refund" "or" "near x"`}, // no FTS5 syntax gets through
		{"(2026)浙0102民初12号", `"2026 浙 0102 民 初 12 号"`},
		{"!!! ？", ""},
		{"", ""},
	} {
		if got := storage.MatchQuery(tc.in); got != tc.want {
			t.Errorf("MatchQuery(%q): got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// searchIDs runs a search and returns the ids found, in order.
func searchIDs(tb testing.TB, db *storage.DB, f storage.SearchFilter) []int64 {
	tb.Helper()
	cases, err := db.SearchCases(context.Background(), f)
	if err != nil {
		tb.Fatalf("SearchCases(%+v): %v", f, err)
	}
	ids := []int64{}
	for _, c := range cases {
		ids = append(ids, c.ID)
	}
	return ids
}

func mustNamedUser(tb testing.TB, db *storage.DB, username, name string) *court.User {
	tb.Helper()
	u, err := db.CreateUser(context.Background(), &storage.NewUser{
		User:         court.User{Username: username, Role: court.RoleClaimant, DisplayName: name},
		PasswordHash: "$argon2id$not-a-real-hash",
	})
	if err != nil {
		tb.Fatalf("CreateUser(%s): %v", username, err)
	}
	return u
}

func TestSearchCases(t *testing.T) {
	db, _ := MustDB(t)
	zhang := mustNamedUser(t, db, "zhang", "张伟")
	li := mustNamedUser(t, db, "li", "李娜")

	mk := func(claimant *court.User, order, facts string, status court.CaseStatus) *court.Case {
		nc := newCase(claimant, codeA, order, status)
		nc.Case.Facts = facts
		return MustCreateCase(t, db, nc)
	}
	// Facts that name 张伟; a claimant named 张伟; 张 and 伟 far apart.
	inFacts := mk(li, "o1", "我的朋友张伟替我下单，收到的茶叶是假货。", court.CaseSubmitted)
	asName := mk(zhang, "o2", "直播间购买的手机无法开机，商家拒绝退款。", court.CaseSubmitted)
	apart := mk(li, "o3", "张家的店铺卖的东西很伟大，但是质量不好。", court.CaseSubmitted)
	latin := mk(li, "JD-20260301-007", "Bought an Apple iPhone 15 from the livestream, refund refused after 7 days.", court.CaseSubmitted)
	draft := mk(zhang, "o5", "草稿：张伟还没有提交的案件。", court.CaseDraft)

	all := storage.SearchFilter{}
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"张伟", []int64{draft.ID, asName.ID, inFacts.ID}},
		{"张 伟", []int64{draft.ID, apart.ID, asName.ID, inFacts.ID}}, // two terms: both anywhere
		{"伟张", []int64{}},
		{"假货", []int64{inFacts.ID}},
		{"iphone", []int64{latin.ID}},
		{"REFUND refused", []int64{latin.ID}},
		{"refund 15", []int64{latin.ID}},
		{"1", []int64{}}, // whole tokens: 15 is not 1
		{"jd-20260301-007", []int64{latin.ID}},
		{codeA, []int64{draft.ID, latin.ID, apart.ID, asName.ID, inFacts.ID}},
		{"龙井茶业", []int64{draft.ID, latin.ID, apart.ID, asName.ID, inFacts.ID}}, // the merchant's name
		{"李娜 假货", []int64{inFacts.ID}},
		{"???", []int64{}},
	} {
		f := all
		f.Query = tc.q
		if got := searchIDs(t, db, f); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("search %q: got %v, want %v", tc.q, got, tc.want)
		}
	}

	// Accepting a case gives it a docket number, and the index has it at once.
	f := all
	f.Query = "(2026)浙0102民初1号"
	if got := searchIDs(t, db, f); len(got) != 0 {
		t.Fatalf("docket number before acceptance: got %v, want none", got)
	}
	served := MustChange(t, db, asName.ID, serve(2026))
	if served.DocketNo != "(2026)浙0102民初1号" {
		t.Fatalf("docket number: got %q, want (2026)浙0102民初1号", served.DocketNo)
	}
	for _, q := range []string{"(2026)浙0102民初1号", "浙0102民初1号", "（２０２６）浙０１０２民初１号"} {
		f.Query = q
		if got, want := searchIDs(t, db, f), []int64{asName.ID}; !reflect.DeepEqual(got, want) {
			t.Errorf("docket number %q after acceptance: got %v, want %v", q, got, want)
		}
	}
	// The rest of its index row is still there after the replacement.
	f.Query = "张伟 无法开机"
	if got, want := searchIDs(t, db, f), []int64{asName.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("facts after acceptance: got %v, want %v", got, want)
	}
	f.Query = "民初12号"
	if got := searchIDs(t, db, f); len(got) != 0 {
		t.Errorf("民初12号: got %v, want none (1号 is not 12号)", got)
	}

	// Filters.
	judge := MustCreateUser(t, db, "judge", court.RoleJudge, court.StatusActive)
	MustChange(t, db, inFacts.ID, storage.Change{From: court.CaseSubmitted, To: court.CaseSubmitted,
		Set: map[string]any{"judge_id": judge.ID, "category": string(court.CatQuality)}})
	jid := judge.ID
	var orgID int64 = asName.OrgID
	other := mk(li, "o6", "张伟的包裹一直没有送到。", court.CaseSubmitted)
	nc := newCase(li, codeB, "o7", court.CaseSubmitted)
	nc.Case.Facts = "张伟推荐的商家卖假货。"
	otherOrg := MustCreateCase(t, db, nc)
	for _, tc := range []struct {
		name string
		f    storage.SearchFilter
		want []int64
	}{
		{"not draft", storage.SearchFilter{Query: "张伟", NotDraft: true}, []int64{otherOrg.ID, other.ID, asName.ID, inFacts.ID}},
		{"judge", storage.SearchFilter{Query: "张伟", JudgeID: &jid}, []int64{inFacts.ID}},
		{"judge, no text", storage.SearchFilter{JudgeID: &jid}, []int64{inFacts.ID}},
		{"status", storage.SearchFilter{Query: "张伟", Status: []court.CaseStatus{court.CaseServed}}, []int64{asName.ID}},
		{"statuses", storage.SearchFilter{Query: "张伟", Status: []court.CaseStatus{court.CaseServed, court.CaseDraft}}, []int64{draft.ID, asName.ID}},
		{"category", storage.SearchFilter{Query: "张伟", Category: court.CatQuality}, []int64{inFacts.ID}},
		{"merchant", storage.SearchFilter{Query: "张伟", OrgID: &orgID, NotDraft: true}, []int64{other.ID, asName.ID, inFacts.ID}},
		{"other merchant", storage.SearchFilter{Query: "张伟", OrgID: &otherOrg.OrgID}, []int64{otherOrg.ID}},
		{"before", storage.SearchFilter{Query: "张伟", NotDraft: true, BeforeID: other.ID}, []int64{asName.ID, inFacts.ID}},
		{"limit", storage.SearchFilter{Query: "张伟", NotDraft: true, Limit: 2}, []int64{otherOrg.ID, other.ID}},
		{"offset", storage.SearchFilter{Query: "张伟", NotDraft: true, Limit: 2, Offset: 2}, []int64{asName.ID, inFacts.ID}},
		{"offset past the end", storage.SearchFilter{Query: "张伟", NotDraft: true, Limit: 2, Offset: 4}, []int64{}},
		{"no text, limit", storage.SearchFilter{NotDraft: true, Limit: 3}, []int64{otherOrg.ID, other.ID, latin.ID}},
		{"no text, offset", storage.SearchFilter{NotDraft: true, Limit: 3, Offset: 3}, []int64{apart.ID, asName.ID, inFacts.ID}},
	} {
		if got := searchIDs(t, db, tc.f); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSearchDates(t *testing.T) {
	db, _ := MustDB(t)
	u := mustNamedUser(t, db, "zhang", "张伟")
	var ids []int64
	for i, day := range []int{1, 2, 3} {
		nc := newCase(u, codeA, fmt.Sprint("o", i), court.CaseSubmitted)
		// 00:30 in Shanghai is the day before in UTC: the filter counts court days.
		at := time.Date(2026, 3, day, 0, 30, 0, 0, court.Zone).UTC()
		nc.Case.SubmittedAt = &at
		ids = append(ids, MustCreateCase(t, db, nc).ID)
	}
	day := func(d int) *time.Time { x := time.Date(2026, 3, d, 0, 0, 0, 0, court.Zone); return &x }
	for _, tc := range []struct {
		name     string
		from, to *time.Time
		want     []int64
	}{
		{"from", day(2), nil, []int64{ids[2], ids[1]}},
		{"to", nil, day(2), []int64{ids[0]}},
		{"one day", day(2), day(3), []int64{ids[1]}},
		{"none", day(4), nil, []int64{}},
	} {
		f := storage.SearchFilter{Query: "张伟", From: tc.from, To: tc.to}
		if got := searchIDs(t, db, f); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A filing refused inside a batch leaves no index row: the next case, which
// may reuse its id, is found only by its own words.
func TestSearchIndexFollowsBatchRollback(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	u := mustNamedUser(t, db, "zhang", "张伟")
	MustCreateCase(t, db, newCase(u, codeA, "same", court.CaseSubmitted))
	dup := newCase(u, codeA, "same", court.CaseSubmitted)
	dup.Case.Facts = "重复的订单：独角兽。"
	if _, err := db.CreateCase(ctx, dup); court.ErrorCode(err) != court.ECONFLICT {
		t.Fatalf("duplicate open claim: got %v, want ECONFLICT", err)
	}
	next := newCase(u, codeA, "other", court.CaseSubmitted)
	next.Case.Facts = "另一个订单：凤凰。"
	c := MustCreateCase(t, db, next)
	if got := searchIDs(t, db, storage.SearchFilter{Query: "独角兽"}); len(got) != 0 {
		t.Errorf("words of the refused filing: got %v, want none", got)
	}
	if got, want := searchIDs(t, db, storage.SearchFilter{Query: "凤凰"}), []int64{c.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("words of the next filing: got %v, want %v", got, want)
	}
}

// Cases stored before the search migration are indexed at the next start.
func TestSearchBackfill(t *testing.T) {
	ctx := context.Background()
	db, path := MustDB(t)
	u := mustNamedUser(t, db, "zhang", "张伟")
	c := MustCreateCase(t, db, newCase(u, codeA, "o1", court.CaseSubmitted))
	if err := db.SetSetting(ctx, "search_backfill", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(ctx, `DELETE FROM cases_fts`); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, db, storage.SearchFilter{Query: "张伟"}); len(got) != 0 {
		t.Fatalf("after emptying the index: got %v, want none", got)
	}
	db.Close()
	db = MustOpen(t, path)
	if got, want := searchIDs(t, db, storage.SearchFilter{Query: "张伟"}), []int64{c.ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("after reopening: got %v, want %v", got, want)
	}
	if v, err := db.Setting(ctx, "search_backfill"); err != nil || v != "" {
		t.Errorf("backfill setting after reopening: got %q, %v, want it gone", v, err)
	}
}

// Filings that share one commit, some refused: every stored one is found by
// its own words, no refused one is.
func TestSearchIndexInFilingBatch(t *testing.T) {
	ctx := context.Background()
	db, _ := MustDB(t)
	u := mustNamedUser(t, db, "zhang", "张伟")
	MustCreateCase(t, db, newCase(u, codeA, "taken", court.CaseSubmitted))
	const n = 40
	type result struct {
		word string
		c    *court.Case
		err  error
	}
	results := make(chan result, n)
	for i := 0; i < n; i++ {
		go func() {
			order := fmt.Sprint("o", i)
			if i%2 == 1 {
				order = "taken" // an open claim on this order exists: refused
			}
			nc := newCase(u, codeA, order, court.CaseSubmitted)
			word := fmt.Sprintf("marker%d", i)
			nc.Case.Facts = "批量提交的案件 " + word
			c, err := db.CreateCase(ctx, nc)
			results <- result{word, c, err}
		}()
	}
	for i := 0; i < n; i++ {
		r := <-results
		got := searchIDs(t, db, storage.SearchFilter{Query: r.word})
		switch {
		case r.err == nil:
			if want := []int64{r.c.ID}; !reflect.DeepEqual(got, want) {
				t.Errorf("%s (stored): got %v, want %v", r.word, got, want)
			}
		case court.ErrorCode(r.err) == court.ECONFLICT:
			if len(got) != 0 {
				t.Errorf("%s (refused): got %v, want none", r.word, got)
			}
		default:
			t.Errorf("%s: %v", r.word, r.err)
		}
	}
}

package web_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// TestAPIUpdateCase: a returned claim is corrected through PUT, in both
// languages a bad correction changes nothing, the corrected entry is on the
// docket, and search finds the new facts and not the old ones.
func TestAPIUpdateCase(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	f := a.filing(true)
	f["facts"] = "收到的龙井茶叶已经发霉，商家拒绝退款，霉斑明显。"
	id := a.mustCase("claimant1", "POST", "/api/v1/cases", f, http.StatusCreated).ID
	a.mustCase("clerk1", "POST", casePath(id, "/review"), map[string]any{"decision": "return", "reason": "请补充证据"}, http.StatusOK)
	before := a.dbCase(id)
	search := func(q string) []int64 {
		t.Helper()
		res, e := a.call("clerk1", "GET", "/api/v1/search?q="+q, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("search %q: %d %+v", q, res.StatusCode, e.Error)
		}
		var l struct {
			Cases []court.Case `json:"cases"`
		}
		decodeInto(t, res, &l)
		ids := []int64{}
		for _, c := range l.Cases {
			ids = append(ids, c.ID)
		}
		return ids
	}
	if got := search("%E9%9C%89%E6%96%91"); !reflect.DeepEqual(got, []int64{id}) { // 霉斑
		t.Fatalf("search old facts before: got %v, want [%d]", got, id)
	}

	// A bad correction, in each language: every error, nothing changed.
	bad := editBody(a).(map[string]any)
	bad["facts"], bad["service_consent"] = "太短", false
	for _, lang := range []string{"en", "zh-CN"} {
		a.c.Lang = lang
		res, e := a.call("claimant1", "PUT", casePath(id, ""), bad)
		if res.StatusCode != http.StatusBadRequest || e.Error.Code != "invalid" ||
			e.Error.Fields["facts"] != ts.Cat.M(lang, court.Msg("err.text_too_short", "Min", 10)) ||
			e.Error.Fields["service_consent"] != ts.Cat.M(lang, court.Msg("err.service_consent")) ||
			e.Error.Message != ts.Cat.M(lang, court.Msg("err.invalid_form")) {
			t.Errorf("%s bad correction: got %d %+v", lang, res.StatusCode, e.Error)
		}
		// "submit" is not part of a correction.
		withSubmit := editBody(a).(map[string]any)
		withSubmit["submit"] = true
		if res, _ := a.call("claimant1", "PUT", casePath(id, ""), withSubmit); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s correction with submit: got %d, want 400", lang, res.StatusCode)
		}
	}
	a.c.Lang = "en"
	if got := a.dbCase(id); !reflect.DeepEqual(got, before) {
		t.Errorf("refused corrections changed the case:\n got %+v\nwant %+v", got, before)
	}

	good := against2(editBody(a).(map[string]any))
	good["facts"] = "直播间购买的手机是翻新机，屏幕有划痕，商家不予退货。"
	good["refund"] = 1_000_000
	cs := a.mustCase("claimant1", "PUT", casePath(id, ""), good, http.StatusOK)
	if cs.Status != court.CaseReturned || cs.Facts != good["facts"] || cs.CreditCode != demo.CreditCode2 ||
		cs.Total != 1_000_000 || cs.Fee != ts.Dk.Profile.Fee(1_000_000) || cs.OrgID == before.OrgID {
		t.Errorf("corrected case: %+v", cs)
	}
	res, _ := a.call("claimant1", "GET", casePath(id, "/docket"), nil)
	var d struct {
		Entries []storage.Entry `json:"entries"`
	}
	decodeInto(t, res, &d)
	if n := len(d.Entries); n != 3 || d.Entries[2].Kind != "corrected" || d.Entries[2].Data["Total"] != cs.Total.String() {
		t.Errorf("docket after correction: %+v", d.Entries)
	}
	if got := search("%E9%9C%89%E6%96%91"); len(got) != 0 {
		t.Errorf("search old facts: got %v, want none", got)
	}
	if got := search("%E7%BF%BB%E6%96%B0%E6%9C%BA"); !reflect.DeepEqual(got, []int64{id}) { // 翻新机
		t.Errorf("search new facts: got %v, want [%d]", got, id)
	}
	// Resubmitted, the case is no longer the claimant's to change.
	a.mustCase("claimant1", "POST", casePath(id, "/submit"), nil, http.StatusOK)
	res, e := a.call("claimant1", "PUT", casePath(id, ""), editBody(a))
	if res.StatusCode != http.StatusConflict || e.Error.Code != "conflict" {
		t.Errorf("correcting a submitted case: got %d %+v, want 409", res.StatusCode, e.Error)
	}
}

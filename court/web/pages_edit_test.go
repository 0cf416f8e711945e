package web_test

import (
	"context"
	"html"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
)

// TestEditReturnedPage: the claimant corrects a returned claim on the edit
// page and resubmits it; a bad correction is refused in the user's language
// and changes nothing; the docket shows the correction.
func TestEditReturnedPage(t *testing.T) {
	ts := mustServer(t, nil)
	ctx := context.Background()
	c := ts.client(t)
	c.login("claimant1")
	id := c.fileClaim(pageFiling("submit"), "case_submitted")
	clerk, _, err := ts.DB.Credentials(ctx, "clerk1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Dk.Review(ctx, clerk, id, court.ActReturn, "请补充证据"); err != nil {
		t.Fatal(err)
	}
	casePage := "/cases/" + strconv.FormatInt(id, 10)
	editPage := casePage + "/edit"

	res := c.get(casePage)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `href="`+editPage+`"`) ||
		!strings.Contains(res.Body, ts.Cat.M("zh-CN", court.Msg("edit.link_returned"))) {
		t.Errorf("case page of a returned claim: no link to correct it (%d)", res.StatusCode)
	}
	cc := ts.client(t)
	cc.login("clerk1")
	if res := cc.get(casePage); res.StatusCode != http.StatusOK || strings.Contains(res.Body, editPage) {
		t.Errorf("clerk's case page: got %d, link to edit shown: %v", res.StatusCode, strings.Contains(res.Body, editPage))
	}

	res = c.get(editPage)
	facts := pageFiling("")["facts"][0]
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `action="`+editPage+`"`) ||
		!strings.Contains(html.UnescapeString(res.Body), facts) || !strings.Contains(res.Body, `value="1,280.50"`) ||
		!strings.Contains(res.Body, ts.Cat.M("zh-CN", court.Msg("title.case_edit"))) {
		t.Errorf("edit page: got %d, want the form posting to %s filled with the claim\n%s", res.StatusCode, editPage, res.Body)
	}
	noRawKeys(t, "edit page", res)

	before, err := ts.DB.CaseByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		c.Lang = lang
		res := c.postForm(editPage, editPage, withForm(pageFiling("submit"), "facts", "太短"))
		if res.StatusCode != http.StatusBadRequest ||
			!strings.Contains(res.Body, pageFieldError("facts", ts.Cat.M(lang, court.Msg("err.text_too_short", "Min", 10)))) {
			t.Errorf("%s bad correction: got %d, want 400 with the facts error\n%s", lang, res.StatusCode, res.Body)
		}
		noRawKeys(t, lang+" bad correction", res)
	}
	if got, _ := ts.DB.CaseByID(ctx, id); !reflect.DeepEqual(got, before) {
		t.Errorf("bad corrections changed the case:\n got %+v\nwant %+v", got, before)
	}

	c.Lang = "en"
	newFacts := "收到的茶叶经检测为普通绿茶，并非明前龙井，商家拒绝退货。"
	res = c.postForm(editPage, editPage, withForm(pageFiling("review"), "facts", newFacts, "refund", "2000"))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `action="`+editPage+`"`) || !strings.Contains(res.Body, `id="review-total"`) {
		t.Errorf("review of the correction: got %d\n%s", res.StatusCode, res.Body)
	}
	res = c.postForm(editPage, editPage, withForm(pageFiling("submit"), "facts", newFacts, "refund", "2000"))
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != casePage+"?notice=case_submitted" {
		t.Fatalf("correct and resubmit: got %d to %q\n%s", res.StatusCode, loc, res.Body)
	}
	got, err := ts.DB.CaseByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != court.CaseSubmitted || got.Facts != newFacts || got.Refund != 200_000 || got.Reason != "" {
		t.Errorf("resubmitted case: %+v", got)
	}
	res = c.get(casePage)
	if !strings.Contains(res.Body, ts.Cat.M("en", court.Msg("docket.corrected"))) {
		t.Errorf("case page: no corrected entry on the docket")
	}
	if strings.Contains(res.Body, editPage) {
		t.Errorf("case page of a submitted claim links to the edit page")
	}
	if res := c.get(editPage); res.StatusCode != http.StatusConflict {
		t.Errorf("edit page of a submitted claim: got %d, want 409", res.StatusCode)
	}
}

// TestEditDraftPage: a draft is continued and saved, without a docket
// entry; the case page offers to continue it.
func TestEditDraftPage(t *testing.T) {
	ts := mustServer(t, nil)
	ctx := context.Background()
	c := ts.client(t)
	c.login("claimant1")
	id := c.fileClaim(pageFiling("draft"), "draft_saved")
	casePage := "/cases/" + strconv.FormatInt(id, 10)
	editPage := casePage + "/edit"
	if res := c.get(casePage); !strings.Contains(res.Body, `href="`+editPage+`"`) ||
		!strings.Contains(res.Body, ts.Cat.M("zh-CN", court.Msg("edit.link_draft"))) {
		t.Errorf("case page of a draft: no link to continue it")
	}
	res := c.postForm(editPage, editPage, withForm(pageFiling("draft"), "platform", "京东", "compensation", ""))
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != casePage+"?notice=draft_saved" {
		t.Fatalf("save the draft: got %d to %q\n%s", res.StatusCode, loc, res.Body)
	}
	got, err := ts.DB.CaseByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != court.CaseDraft || got.Platform != "京东" || got.Compensation != 0 || got.Total != 128_050 {
		t.Errorf("saved draft: %+v", got)
	}
	es, err := ts.DB.Docket(ctx, id, true)
	if err != nil || len(es) != 0 {
		t.Errorf("a draft's docket: %+v, %v", es, err)
	}
	other := ts.client(t)
	other.login("claimant2")
	if res := other.get(editPage); res.StatusCode != http.StatusNotFound {
		t.Errorf("another claimant's edit page: got %d, want 404", res.StatusCode)
	}
}

package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/i18n"
)

// TestBrowserHearingSchedule: in a real browser, in Chinese, judge1 sets a
// video hearing from the case page's form; claimant1 sees it on the case
// page with its time and calendar file, follows the join link to the room
// page (which says when the room opens), and the page's script asks for a
// token with the session cookie and the page's CSRF token: this server has
// no media server, and says so. Screenshots go to testdata/artifacts.
func TestBrowserHearingSchedule(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	b := &browserTab{t: t, ctx: newBrowser(t, i18n.Chinese), base: ts.URL}
	page := fmt.Sprintf("/cases/%d", cs.ID)
	slot := hearingAt("", "10:00", 60)

	b.loginAs("judge1")
	b.wantPage("case page", b.open(page), page, 200)
	b.do("fill in the hearing", chromedp.SetValue(chromedp.CSS("#f-h_date"), slot["date"].(string)),
		chromedp.SetValue(chromedp.CSS("#f-h_time"), "10:00"), chromedp.SetValue(chromedp.CSS("#f-h_minutes"), "45"))
	res := b.click("#schedule-submit")
	b.wantPage("hearing set", res, page, 200)
	hs, err := ts.DB.Hearings(t.Context(), cs.ID)
	if err != nil || len(hs) != 1 {
		t.Fatalf("hearings: got %v %v, want one", hs, err)
	}
	h := hs[0]
	hsel := fmt.Sprintf("#hearing-%d", h.ID)
	b.wantText("hearing set", hsel+" .hearing-when", slot["date"].(string)+" 10:00 – 10:45 (北京时间)")
	b.screenshot("hearing_judge_zh")
	b.logout()

	b.loginAs("claimant1")
	b.open(page)
	if got := b.attr(hsel+" .hearing-ics", "href"); got != fmt.Sprintf("/cases/%d/hearings/%d/ics", cs.ID, h.ID) {
		t.Fatalf("calendar link: got %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll("#schedule-form").length`); n != 0 {
		t.Fatalf("the claimant is offered the schedule form")
	}
	b.screenshotAt("hearing_claimant_phone_zh", 400)
	room := court.HearingLink(cs.ID, h.ID)
	res = b.click(hsel + " .hearing-link")
	b.wantPage("room page", res, room, 200)
	if got := b.text("#room-opens"); !strings.Contains(got, "开庭前 15 分钟") || !strings.Contains(got, "09:45") {
		t.Fatalf("room page: got %q, want when the room opens (09:45)", got)
	}
	js := `fetch(location.pathname.replace(/room$/, "token"), {method: "POST",
		headers: {"X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content}})
		.then(r => r.json().then(j => r.status + " " + j.error.code + " " + j.error.message))`
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	// Too early is said first; the room's hours come before the issuer.
	if !strings.HasPrefix(got, "409 conflict ") || !strings.Contains(got, "09:45") {
		t.Fatalf("token from the page: got %q, want 409 with the room's hours", got)
	}
	b.screenshot("hearing_room_zh")
}

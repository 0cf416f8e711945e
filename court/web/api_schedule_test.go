package web_test

// Tests of hearing scheduling, the calendar file, the join token, the
// hearing record and the written hearing, through the real server; and the
// hearing routes' rows in both access matrices.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/court/web"
)

// hearingAt is a slot on the day after tomorrow (Beijing time) at hh:mm.
func hearingAt(kind court.HearingKind, hhmm string, minutes int) map[string]any {
	day := time.Now().In(court.Zone).AddDate(0, 0, 2).Format("2006-01-02")
	return map[string]any{"kind": string(kind), "date": day, "time": hhmm, "minutes": minutes}
}

// startOf is the UTC start of a slot made by hearingAt.
func startOf(t *testing.T, slot map[string]any) time.Time {
	t.Helper()
	st, err := time.ParseInLocation("2006-01-02 15:04", slot["date"].(string)+" "+slot["time"].(string), court.Zone)
	if err != nil {
		t.Fatal(err)
	}
	return st.UTC()
}

// judgeCase files claimant1's claim, accepts it and assigns judge1.
func judgeCase(a *caseAPIClient) court.Case {
	a.t.Helper()
	cs := a.mustCase("claimant1", "POST", "/api/v1/cases", a.filing(true), http.StatusCreated)
	a.mustCase("clerk1", "POST", casePath(cs.ID, "/review"), map[string]any{"decision": "accept"}, http.StatusOK)
	return a.mustCase("clerk1", "POST", casePath(cs.ID, "/assign"), map[string]any{"judge_id": a.ids["judge1"]}, http.StatusOK)
}

func (a *caseAPIClient) mustHearing(user, method, path string, body any, want int) court.Hearing {
	a.t.Helper()
	res, e := a.call(user, method, path, body)
	if res.StatusCode != want {
		a.t.Fatalf("%s %s %s: got %d %+v, want %d", user, method, path, res.StatusCode, e.Error, want)
	}
	var h court.Hearing
	decodeInto(a.t, res, &h)
	return h
}

func hearingPath(id, hid int64, suffix string) string {
	return fmt.Sprintf("/api/v1/cases/%d/hearings/%d%s", id, hid, suffix)
}

// noticesOf returns user's notices of kind.
func (a *caseAPIClient) noticesOf(user, kind string) []storage.Notice {
	a.t.Helper()
	res, _ := a.call(user, "GET", "/api/v1/notices", nil)
	var l struct {
		Notices []storage.Notice `json:"notices"`
	}
	decodeInto(a.t, res, &l)
	var out []storage.Notice
	for _, n := range l.Notices {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// docketKinds lists the kinds of a case's docket entries.
func (a *caseAPIClient) docketKinds(id int64) []string {
	a.t.Helper()
	entries, err := a.ts.DB.Docket(context.Background(), id, true)
	if err != nil {
		a.t.Fatal(err)
	}
	var ks []string
	for _, e := range entries {
		ks = append(ks, e.Kind)
	}
	return ks
}

func countOf(ks []string, k string) int {
	n := 0
	for _, x := range ks {
		if x == k {
			n++
		}
	}
	return n
}

// TestHearingScheduling: the slot's rules, who may schedule, the clash
// with the judge's other hearing named by its docket number, the written
// hearing refused without both parties' agreement, notices to each party
// and the judge, reschedule and cancel with a reason, all on the docket.
func TestHearingScheduling(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	path := casePath(cs.ID, "/hearings")

	yesterday := hearingAt("", "10:00", 60)
	yesterday["date"] = time.Now().In(court.Zone).AddDate(0, 0, -1).Format("2006-01-02")
	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"past", yesterday, "date"},
		{"too short", hearingAt("", "10:00", 10), "minutes"},
		{"too long", hearingAt("", "10:00", 241), "minutes"},
		{"bad time", hearingAt("", "25:00", 60), "time"},
		{"bad kind", hearingAt("court", "10:00", 60), "kind"},
		{"far", map[string]any{"date": time.Now().AddDate(2, 0, 0).Format("2006-01-02"), "time": "10:00", "minutes": 60}, "date"},
	}
	for _, b := range bad {
		res, e := a.call("judge1", "POST", path, b.body)
		if res.StatusCode != http.StatusBadRequest || e.Error.Fields[b.field] == "" {
			t.Errorf("%s: got %d %+v, want 400 with a message on %s", b.name, res.StatusCode, e.Error, b.field)
		}
	}
	// The parties, the mediator and a judge of another case may not.
	for _, u := range []string{"claimant1", "merchant1"} {
		if res, _ := a.call(u, "POST", path, hearingAt("", "10:00", 60)); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s schedules: got %d, want 403", u, res.StatusCode)
		}
	}
	if res, _ := a.call("claimant2", "POST", path, hearingAt("", "10:00", 60)); res.StatusCode != http.StatusNotFound {
		t.Errorf("claimant2 schedules on a foreign case: got %d, want 404", res.StatusCode)
	}

	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", path, slot, http.StatusCreated)
	if h.Kind != court.HearingVideo || h.Status != court.HearingScheduled || !h.Start.Equal(startOf(t, slot)) ||
		!h.End.Equal(startOf(t, slot).Add(time.Hour)) || h.Sequence != 0 {
		t.Errorf("hearing: got %+v, want a scheduled video hearing of 60 minutes from %v", h, startOf(t, slot))
	}
	// The parties are told with the date, time and join link; the judge
	// acted, so is not told.
	when := slot["date"].(string) + " 10:00"
	link := fmt.Sprintf("/cases/%d/hearings/%d/room", cs.ID, h.ID)
	for _, u := range []string{"claimant1", "merchant1"} {
		ns := a.noticesOf(u, "hearing_scheduled")
		if len(ns) != 1 || ns[0].Data["Start"] != when || ns[0].Data["End"] != "11:00" || ns[0].Data["Link"] != link ||
			ns[0].Data["DocketNo"] != cs.DocketNo {
			t.Errorf("%s notices: got %+v, want one with start %s, end 11:00 and link %s", u, ns, when, link)
		}
	}
	if ns := a.noticesOf("judge1", "hearing_scheduled"); len(ns) != 0 {
		t.Errorf("judge1 was told of its own act: %+v", ns)
	}
	// The notice reads in both languages with the time and the link.
	for _, lang := range []string{"en", "zh-CN"} {
		c := ts.client(t)
		c.Lang = lang
		c.login("merchant1")
		if body := c.get("/home").Body; !strings.Contains(body, when) || !strings.Contains(body, link) {
			t.Errorf("merchant1's home (%s) lacks the hearing's time or link", lang)
		}
	}

	// Another case of the same judge at an overlapping time is refused,
	// naming the first case; right after it ends is fine.
	other := judgeCase(a)
	res, e := a.call("clerk1", "POST", casePath(other.ID, "/hearings"), hearingAt("", "10:30", 30))
	if res.StatusCode != http.StatusConflict || !strings.Contains(e.Error.Message, cs.DocketNo) || !strings.Contains(e.Error.Message, when) {
		t.Errorf("clash: got %d %q, want 409 naming %s at %s", res.StatusCode, e.Error.Message, cs.DocketNo, when)
	}
	h2 := a.mustHearing("clerk1", "POST", casePath(other.ID, "/hearings"), hearingAt(court.HearingAudio, "11:00", 30), http.StatusCreated)
	// The clerk scheduled it: the judge is told.
	if ns := a.noticesOf("judge1", "hearing_scheduled"); len(ns) != 1 || ns[0].Data["HearingID"] != float64(h2.ID) {
		t.Errorf("judge1 notices: got %+v, want one about hearing %d", ns, h2.ID)
	}

	// A written hearing needs both sides' agreement.
	written := hearingAt(court.HearingWritten, "10:00", 60)
	res, e = a.call("judge1", "POST", path, written)
	if res.StatusCode != http.StatusConflict || e.Error.Fields["kind"] == "" {
		t.Errorf("written without agreement: got %d %+v, want 409 on kind", res.StatusCode, e.Error)
	}
	a.mustHearing("claimant1", "POST", casePath(cs.ID, "/written-consent"), map[string]any{"agree": true}, http.StatusOK)
	if res, _ := a.call("judge1", "POST", path, written); res.StatusCode != http.StatusConflict {
		t.Errorf("written with one side's agreement: got %d, want 409", res.StatusCode)
	}
	if res, _ := a.call("judge1", "POST", casePath(cs.ID, "/written-consent"), map[string]any{"agree": true}); res.StatusCode != http.StatusForbidden {
		t.Errorf("judge agrees for a party: got %d, want 403", res.StatusCode)
	}
	a.mustHearing("merchant1", "POST", casePath(cs.ID, "/written-consent"), map[string]any{"agree": true}, http.StatusOK)
	// Written hearings take no slot of the judge's: no clash.
	a.mustHearing("judge1", "POST", path, written, http.StatusCreated)
	// A side may withdraw its agreement: no further written hearing then.
	a.mustHearing("merchant1", "POST", casePath(cs.ID, "/written-consent"), map[string]any{"agree": false}, http.StatusOK)
	if res, _ := a.call("judge1", "POST", path, written); res.StatusCode != http.StatusConflict {
		t.Errorf("written after a side withdrew: got %d, want 409", res.StatusCode)
	}
	a.mustHearing("merchant1", "POST", casePath(cs.ID, "/written-consent"), map[string]any{"agree": true}, http.StatusOK)

	// Reschedule needs a reason and a free time; it raises the sequence.
	res, e = a.call("judge1", "POST", hearingPath(cs.ID, h.ID, "/reschedule"), hearingAt("", "14:00", 45))
	if res.StatusCode != http.StatusBadRequest || e.Error.Fields["reason"] == "" {
		t.Errorf("reschedule without reason: got %d %+v, want 400 on reason", res.StatusCode, e.Error)
	}
	clash := hearingAt("", "11:15", 30)
	clash["reason"] = "法官另有安排"
	if res, e := a.call("judge1", "POST", hearingPath(cs.ID, h.ID, "/reschedule"), clash); res.StatusCode != http.StatusConflict ||
		!strings.Contains(e.Error.Message, other.DocketNo) {
		t.Errorf("reschedule onto the other hearing: got %d %q, want 409 naming %s", res.StatusCode, e.Error.Message, other.DocketNo)
	}
	moved := hearingAt("", "14:00", 45)
	moved["reason"] = "法官另有安排"
	h = a.mustHearing("judge1", "POST", hearingPath(cs.ID, h.ID, "/reschedule"), moved, http.StatusOK)
	if !h.Start.Equal(startOf(t, moved)) || h.Sequence != 1 || h.Reason != "法官另有安排" || h.Kind != court.HearingVideo {
		t.Errorf("rescheduled: got %+v, want 14:00, sequence 1 and the reason", h)
	}
	if ns := a.noticesOf("claimant1", "hearing_rescheduled"); len(ns) != 1 || ns[0].Data["From"] != when ||
		ns[0].Data["Start"] != moved["date"].(string)+" 14:00" || ns[0].Data["Reason"] != "法官另有安排" {
		t.Errorf("claimant1 reschedule notices: got %+v", ns)
	}
	if res, _ := a.call("merchant1", "POST", hearingPath(cs.ID, h.ID, "/cancel"), map[string]any{"reason": "不想开庭"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("merchant cancels: got %d, want 403", res.StatusCode)
	}
	h = a.mustHearing("clerk1", "POST", hearingPath(cs.ID, h.ID, "/cancel"), map[string]any{"reason": "当事人已和解"}, http.StatusOK)
	if h.Status != court.HearingCancelled || h.Sequence != 2 {
		t.Errorf("cancelled: got %+v, want cancelled with sequence 2", h)
	}
	if ns := a.noticesOf("merchant1", "hearing_cancelled"); len(ns) != 1 || ns[0].Data["Reason"] != "当事人已和解" {
		t.Errorf("merchant1 cancel notices: got %+v", ns)
	}
	if res, _ := a.call("judge1", "POST", hearingPath(cs.ID, h.ID, "/reschedule"), moved); res.StatusCode != http.StatusConflict {
		t.Errorf("reschedule a cancelled hearing: got %d, want 409", res.StatusCode)
	}
	ks := a.docketKinds(cs.ID)
	for _, k := range []string{"hearing_scheduled", "hearing_rescheduled", "hearing_cancelled", "written_consent"} {
		if countOf(ks, k) == 0 {
			t.Errorf("docket lacks %s: %v", k, ks)
		}
	}
	if countOf(ks, "hearing_scheduled") != 2 || countOf(ks, "written_consent") != 3 || countOf(ks, "written_refusal") != 1 {
		t.Errorf("docket: got %v, want two scheduled hearings, three agreements and a withdrawal", ks)
	}

	// The list, and a hearing of another case is not found under this one.
	res, _ = a.call("merchant1", "GET", path, nil)
	var l struct {
		Hearings []court.Hearing `json:"hearings"`
		Consents []court.Consent `json:"consents"`
	}
	decodeInto(t, res, &l)
	if len(l.Hearings) != 2 || len(l.Consents) != 2 {
		t.Errorf("list: got %d hearings, %d consents, want 2 and 2", len(l.Hearings), len(l.Consents))
	}
	if res, _ := a.call("judge1", "GET", hearingPath(cs.ID, h2.ID, ""), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("hearing of another case: got %d, want 404", res.StatusCode)
	}
	if res, _ := a.call("claimant2", "GET", path, nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("foreign list: got %d, want 404", res.StatusCode)
	}
}

// parseICS checks the framing of a calendar file (every line ends in CRLF,
// no line is longer than 75 octets) and returns its unfolded properties by
// name (the parameters dropped), and the number of folded lines.
func parseICS(t *testing.T, body string) (map[string]string, int) {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Fatalf("ics does not end in CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	var logical []string
	folded := 0
	for _, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("bare CR or LF in line %q", l)
		}
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") {
			logical[len(logical)-1] += l[1:]
			folded++
			continue
		}
		logical = append(logical, l)
	}
	props := map[string]string{}
	for _, l := range logical {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line without a colon: %q", l)
		}
		name, _, _ = strings.Cut(name, ";")
		props[name] = value
	}
	return props, folded
}

// TestHearingICS: the calendar file, on the API and the page, parses back
// with the right times, UID, sequence, join link and status, CRLF endings
// and lines folded at 75 octets.
func TestHearingICS(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "09:30", 90)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)

	get := func(user string) map[string]string {
		t.Helper()
		res, _ := a.call(user, "GET", hearingPath(cs.ID, h.ID, "/ics"), nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("ics as %s: got %d %q", user, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !strings.HasPrefix(res.Body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(res.Body, "END:VEVENT\r\nEND:VCALENDAR\r\n") ||
			strings.Count(res.Body, "BEGIN:VEVENT\r\n") != 1 {
			t.Errorf("ics is not one VEVENT in a VCALENDAR:\n%s", res.Body)
		}
		props, folded := parseICS(t, res.Body)
		if folded == 0 {
			t.Errorf("no folded line; the description (%d octets) needs folding", len(props["DESCRIPTION"]))
		}
		return props
	}
	p := get("merchant1")
	start := startOf(t, slot)
	want := map[string]string{
		"VERSION": "2.0", "UID": fmt.Sprintf("hearing-%d@127.0.0.1", h.ID),
		"DTSTART": start.Format("20060102T150405Z"), "DTEND": start.Add(90 * time.Minute).Format("20060102T150405Z"),
		"SEQUENCE": "0", "STATUS": "CONFIRMED", "LOCATION": ts.URL + fmt.Sprintf("/cases/%d/hearings/%d/room", cs.ID, h.ID),
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s: got %q, want %q", k, p[k], v)
		}
	}
	if !strings.Contains(p["SUMMARY"], strings.ReplaceAll(cs.DocketNo, ",", `\,`)) {
		t.Errorf("SUMMARY %q lacks the docket number %s", p["SUMMARY"], cs.DocketNo)
	}
	if !strings.Contains(p["DESCRIPTION"], "杭州西湖龙井茶业有限公司") {
		t.Errorf("DESCRIPTION %q lacks the merchant", p["DESCRIPTION"])
	}
	if _, err := time.Parse("20060102T150405Z", p["DTSTAMP"]); err != nil {
		t.Errorf("DTSTAMP %q: %v", p["DTSTAMP"], err)
	}

	moved := hearingAt("", "15:00", 30)
	moved["reason"] = "调整时间"
	a.mustHearing("clerk1", "POST", hearingPath(cs.ID, h.ID, "/reschedule"), moved, http.StatusOK)
	p = get("claimant1")
	if p["SEQUENCE"] != "1" || p["DTSTART"] != startOf(t, moved).Format("20060102T150405Z") || p["UID"] != want["UID"] {
		t.Errorf("after reschedule: got SEQUENCE %s DTSTART %s UID %s", p["SEQUENCE"], p["DTSTART"], p["UID"])
	}
	a.mustHearing("judge1", "POST", hearingPath(cs.ID, h.ID, "/cancel"), map[string]any{"reason": "撤诉"}, http.StatusOK)
	p = get("judge1")
	if p["SEQUENCE"] != "2" || p["STATUS"] != "CANCELLED" {
		t.Errorf("after cancel: got SEQUENCE %s STATUS %s, want 2 CANCELLED", p["SEQUENCE"], p["STATUS"])
	}
	// The page route serves the same file to a signed-in user.
	c := ts.client(t)
	c.login("claimant1")
	res := c.get(fmt.Sprintf("/cases/%d/hearings/%d/ics", cs.ID, h.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("page ics: got %d", res.StatusCode)
	}
	if p, _ := parseICS(t, res.Body); p["STATUS"] != "CANCELLED" || !strings.Contains(p["SUMMARY"], "视频庭审") {
		t.Errorf("page ics: got %v", p)
	}
	if res, _ := a.call("claimant2", "GET", hearingPath(cs.ID, h.ID, "/ics"), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("foreign ics: got %d, want 404", res.StatusCode)
	}
}

// testIssuer is a token issuer that records what it was asked.
type testIssuer struct {
	mu    sync.Mutex
	calls []string
}

func (ti *testIssuer) IssueToken(hearingID, userID int64, role, name string) (string, time.Time, error) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	call := fmt.Sprintf("%d/%d/%s/%s", hearingID, userID, role, name)
	ti.calls = append(ti.calls, call)
	return "tok-" + call, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), nil
}

// clockAt sets the court's clock (the docket's and the hearings') to t.
func clockAt(ts *testServer, t time.Time) { ts.Dk.Now = func() time.Time { return t } }

// TestHearingToken: who may have a join token and when: the parties, the
// judge and a clerk, from 15 minutes before the start to the end; not the
// mediator or an admin; not for a written or cancelled hearing; and a
// server without an issuer says rooms are not available.
func TestHearingToken(t *testing.T) {
	issuer := &testIssuer{}
	ts := mustServer(t, func(c *web.Config) { c.HearingTokens = issuer })
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	start := startOf(t, slot)
	tokPath := hearingPath(cs.ID, h.ID, "/token")

	clockAt(ts, start.Add(-16*time.Minute))
	res, e := a.call("claimant1", "POST", tokPath, nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(e.Error.Message, start.Add(-15*time.Minute).In(court.Zone).Format("15:04")) {
		t.Errorf("16 minutes early: got %d %q, want 409 saying when it opens", res.StatusCode, e.Error.Message)
	}
	clockAt(ts, start.Add(-15*time.Minute))
	want := map[string]int{"claimant1": 200, "merchant1": 200, "judge1": 200, "clerk1": 200,
		"admin1": 403, "mediator1": 404, "claimant2": 404, "merchant2": 404, "agent1": 404}
	roles := map[string]string{"claimant1": "claimant", "merchant1": "merchant", "judge1": "judge", "clerk1": "clerk"}
	for u, w := range want {
		res, _ := a.call(u, "POST", tokPath, nil)
		if res.StatusCode != w {
			t.Errorf("%s: got %d, want %d", u, res.StatusCode, w)
			continue
		}
		if w != 200 {
			continue
		}
		var tok struct {
			Token   string    `json:"token"`
			Expires time.Time `json:"expires"`
		}
		decodeInto(t, res, &tok)
		prefix := fmt.Sprintf("tok-%d/%d/%s/", h.ID, a.ids[u], roles[u])
		if !strings.HasPrefix(tok.Token, prefix) || tok.Expires.IsZero() {
			t.Errorf("%s token: got %+v, want one issued for %s", u, tok, prefix)
		}
	}
	// The room page asks with the session cookie and the page's CSRF token.
	c := ts.client(t)
	c.login("merchant1")
	page := fmt.Sprintf("/cases/%d/hearings/%d/room", cs.ID, h.ID)
	if body := c.get(page).Body; !strings.Contains(body, "庭审室现已开放") {
		t.Errorf("room page at the opening does not say the room is open")
	}
	req, _ := http.NewRequest("POST", ts.URL+page[:len(page)-len("/room")]+"/token", nil)
	req.Header.Set("X-CSRF-Token", c.csrf(page))
	if res := c.do(req); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"token":"tok-`) {
		t.Errorf("page token: got %d %s", res.StatusCode, res.Body)
	}
	req, _ = http.NewRequest("POST", ts.URL+page[:len(page)-len("/room")]+"/token", nil)
	if res := c.do(req); res.StatusCode != http.StatusForbidden {
		t.Errorf("page token without CSRF: got %d, want 403", res.StatusCode)
	}

	clockAt(ts, start.Add(59*time.Minute))
	if res, _ := a.call("claimant1", "POST", tokPath, nil); res.StatusCode != http.StatusOK {
		t.Errorf("a minute before the end: got %d, want 200", res.StatusCode)
	}
	clockAt(ts, start.Add(60*time.Minute))
	if res, _ := a.call("claimant1", "POST", tokPath, nil); res.StatusCode != http.StatusConflict {
		t.Errorf("at the end: got %d, want 409", res.StatusCode)
	}
	clockAt(ts, start.Add(-5*time.Minute))
	a.mustHearing("judge1", "POST", hearingPath(cs.ID, h.ID, "/cancel"), map[string]any{"reason": "撤诉"}, http.StatusOK)
	if res, _ := a.call("claimant1", "POST", tokPath, nil); res.StatusCode != http.StatusConflict {
		t.Errorf("cancelled: got %d, want 409", res.StatusCode)
	}
	n := len(issuer.calls)
	if n != 6 { // four roles, the page, a minute before the end
		t.Errorf("issuer calls: got %d %v, want 6", n, issuer.calls)
	}

	// Without an issuer, the answer says rooms are not available.
	ts2 := mustServer(t, nil)
	a2 := newCaseAPI(t, ts2)
	cs2 := judgeCase(a2)
	h2 := a2.mustHearing("judge1", "POST", casePath(cs2.ID, "/hearings"), slot, http.StatusCreated)
	clockAt(ts2, start)
	res, e = a2.call("claimant1", "POST", hearingPath(cs2.ID, h2.ID, "/token"), nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(e.Error.Message, "not available") {
		t.Errorf("no issuer: got %d %q, want 409 saying rooms are not available", res.StatusCode, e.Error.Message)
	}
}

// TestHearingRecord: the media server's reports (start, joins and leaves,
// end) and the judge's minutes make the record, shown by the API and the
// case page and kept on the docket.
func TestHearingRecord(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	start := startOf(t, slot)
	minutes := map[string]any{"minutes": "双方到庭。原告陈述诉讼请求，被告答辩。"}
	if res, e := a.call("judge1", "POST", hearingPath(cs.ID, h.ID, "/minutes"), minutes); res.StatusCode != http.StatusConflict {
		t.Errorf("minutes before the start: got %d %+v, want 409", res.StatusCode, e.Error)
	}

	svc := &hearings.Service{DB: ts.DB, Now: ts.Dk.Now}
	ctx := context.Background()
	at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
	steps := []func() error{
		func() error { return svc.RecordJoin(ctx, h.ID, a.ids["judge1"], hearings.RoleJudge, at(-10)) },
		func() error { _, err := svc.MarkStarted(ctx, h.ID, at(0)); return err },
		func() error { return svc.RecordJoin(ctx, h.ID, a.ids["claimant1"], hearings.RoleClaimant, at(1)) },
		// A late report of an older connection's admission (the media
		// server reports from several goroutines): nothing to record.
		func() error { return svc.RecordJoin(ctx, h.ID, a.ids["claimant1"], hearings.RoleClaimant, at(0)) },
		func() error { return svc.RecordJoin(ctx, h.ID, a.ids["merchant1"], hearings.RoleMerchant, at(2)) },
		func() error { return svc.RecordLeave(ctx, h.ID, a.ids["merchant1"], at(20)) },
		func() error { return svc.RecordJoin(ctx, h.ID, a.ids["merchant1"], hearings.RoleMerchant, at(21)) },
		func() error { _, err := svc.MarkEnded(ctx, h.ID, at(45)); return err },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := svc.RecordLeave(ctx, h.ID, a.ids["clerk1"], at(46)); court.ErrorCode(err) != court.ENOTFOUND {
		t.Errorf("leave of someone never there: got %v, want not found", err)
	}
	if _, err := svc.MarkStarted(ctx, h.ID, at(50)); court.ErrorCode(err) != court.ECONFLICT {
		t.Errorf("start after the end: got %v, want conflict", err)
	}
	clockAt(ts, at(50))
	if res, _ := a.call("merchant1", "POST", hearingPath(cs.ID, h.ID, "/minutes"), minutes); res.StatusCode != http.StatusForbidden {
		t.Errorf("merchant writes minutes: got %d, want 403", res.StatusCode)
	}
	if res, e := a.call("judge1", "POST", hearingPath(cs.ID, h.ID, "/minutes"), map[string]any{"minutes": " "}); res.StatusCode != http.StatusBadRequest ||
		e.Error.Fields["minutes"] == "" {
		t.Errorf("empty minutes: got %d %+v, want 400", res.StatusCode, e.Error)
	}
	got := a.mustHearing("judge1", "POST", hearingPath(cs.ID, h.ID, "/minutes"), minutes, http.StatusOK)
	if got.Minutes != minutes["minutes"] || got.Status != court.HearingEnded || got.StartedAt == nil || !got.StartedAt.Equal(at(0)) ||
		got.EndedAt == nil || !got.EndedAt.Equal(at(45)) {
		t.Errorf("hearing: got %+v, want ended at %v with the minutes", got, at(45))
	}

	res, _ := a.call("claimant1", "GET", hearingPath(cs.ID, h.ID, ""), nil)
	var d struct {
		Hearing    court.Hearing      `json:"hearing"`
		Link       string             `json:"link"`
		Attendance []court.Attendance `json:"attendance"`
	}
	decodeInto(t, res, &d)
	if len(d.Attendance) != 4 {
		t.Fatalf("attendance: got %+v, want 4 stays", d.Attendance)
	}
	m1 := d.Attendance[2]
	if m1.UserID != a.ids["merchant1"] || !m1.JoinedAt.Equal(at(2)) || m1.LeftAt == nil || !m1.LeftAt.Equal(at(20)) || m1.Name != "王芳" {
		t.Errorf("merchant's first stay: got %+v, want 2 to 20 minutes in", m1)
	}
	if d.Link != fmt.Sprintf("/cases/%d/hearings/%d/room", cs.ID, h.ID) {
		t.Errorf("link: got %q", d.Link)
	}
	ks := a.docketKinds(cs.ID)
	for k, n := range map[string]int{"hearing_started": 1, "hearing_ended": 1, "hearing_joined": 4, "hearing_left": 1, "hearing_minutes": 1} {
		if countOf(ks, k) != n {
			t.Errorf("docket %s: got %d, want %d (%v)", k, countOf(ks, k), n, ks)
		}
	}
	c := ts.client(t)
	c.login("claimant1")
	body := c.get(casePath(cs.ID, "")[len("/api/v1"):]).Body
	for _, s := range []string{"双方到庭。原告陈述诉讼请求", "王芳", "到庭情况", "庭审笔录"} {
		if !strings.Contains(body, s) {
			t.Errorf("case page lacks %q", s)
		}
	}
}

// TestWrittenHearing: the judge asks, each side answers once by the
// deadline, the judge follows up; notices go both ways; the thread is on
// the case page and the docket.
func TestWrittenHearing(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	for _, u := range []string{"claimant1", "merchant1"} {
		a.mustHearing(u, "POST", casePath(cs.ID, "/written-consent"), map[string]any{"agree": true}, http.StatusOK)
	}
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), hearingAt(court.HearingWritten, "09:00", 60), http.StatusCreated)
	due := time.Now().In(court.Zone).AddDate(0, 0, 3).Format("2006-01-02")
	qPath := hearingPath(cs.ID, h.ID, "/questions")
	if res, _ := a.call("claimant1", "POST", qPath, map[string]any{"question": "请说明", "due": due}); res.StatusCode != http.StatusForbidden {
		t.Errorf("claimant asks: got %d, want 403", res.StatusCode)
	}
	if res, e := a.call("judge1", "POST", qPath, map[string]any{"question": "请说明", "due": "2020-01-01"}); res.StatusCode != http.StatusBadRequest ||
		e.Error.Fields["due"] == "" {
		t.Errorf("past due: got %d %+v, want 400 on due", res.StatusCode, e.Error)
	}
	res, _ := a.call("judge1", "POST", qPath, map[string]any{"question": "被告：茶叶的进货凭证在哪里？", "due": due})
	var q court.HearingPost
	decodeInto(t, res, &q)
	if res.StatusCode != http.StatusCreated || q.Due == nil || q.Due.In(court.Zone).Format("2006-01-02") != due {
		t.Fatalf("question: got %d %+v, want 201 due %s", res.StatusCode, q, due)
	}
	for _, u := range []string{"claimant1", "merchant1"} {
		if ns := a.noticesOf(u, "written_question"); len(ns) != 1 || ns[0].Data["Due"] != due {
			t.Errorf("%s question notices: got %+v", u, ns)
		}
	}
	aPath := hearingPath(cs.ID, h.ID, "/answers")
	for _, u := range []string{"merchant1", "claimant1"} {
		res, e := a.call(u, "POST", aPath, map[string]any{"question_id": q.ID, "answer": u + " 的答复：凭证已上传。"})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("%s answers: got %d %+v", u, res.StatusCode, e.Error)
		}
	}
	if res, _ := a.call("claimant1", "POST", aPath, map[string]any{"question_id": q.ID, "answer": "再补充一点"}); res.StatusCode != http.StatusConflict {
		t.Errorf("second answer of a side: got %d, want 409", res.StatusCode)
	}
	if res, _ := a.call("judge1", "POST", aPath, map[string]any{"question_id": q.ID, "answer": "法官答"}); res.StatusCode != http.StatusForbidden {
		t.Errorf("judge answers: got %d, want 403", res.StatusCode)
	}
	if res, _ := a.call("claimant1", "POST", aPath, map[string]any{"question_id": q.ID + 100, "answer": "答"}); res.StatusCode != http.StatusNotFound {
		t.Errorf("answer to no question: got %d, want 404", res.StatusCode)
	}
	if ns := a.noticesOf("judge1", "written_answer"); len(ns) != 2 {
		t.Errorf("judge answer notices: got %d, want 2", len(ns))
	}
	// A follow-up, answered too late.
	res, _ = a.call("judge1", "POST", qPath, map[string]any{"question": "追问：凭证日期为何晚于购买日？", "due": due})
	var f court.HearingPost
	decodeInto(t, res, &f)
	clockAt(ts, q.Due.Add(time.Minute))
	if res, e := a.call("merchant1", "POST", aPath, map[string]any{"question_id": f.ID, "answer": "迟到的答复"}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(e.Error.Message, due) {
		t.Errorf("answer after the deadline: got %d %q, want 409 naming %s", res.StatusCode, e.Error.Message, due)
	}
	res, _ = a.call("merchant1", "GET", hearingPath(cs.ID, h.ID, ""), nil)
	var d struct {
		Link  string              `json:"link"`
		Posts []court.HearingPost `json:"posts"`
	}
	decodeInto(t, res, &d)
	if len(d.Posts) != 4 || d.Link != "" {
		t.Errorf("thread: got %d posts, link %q, want 4 and none", len(d.Posts), d.Link)
	}
	ks := a.docketKinds(cs.ID)
	if countOf(ks, "written_question") != 2 || countOf(ks, "written_answer") != 2 {
		t.Errorf("docket: got %v, want 2 questions and 2 answers", ks)
	}
	c := ts.client(t)
	c.login("claimant1")
	body := c.get(fmt.Sprintf("/cases/%d", cs.ID)).Body
	for _, s := range []string{"茶叶的进货凭证在哪里", "merchant1 的答复", "追问", "书面审理"} {
		if !strings.Contains(body, s) {
			t.Errorf("case page lacks %q", s)
		}
	}
	// The room of a written hearing does not exist; no token either.
	if res := c.get(fmt.Sprintf("/cases/%d/hearings/%d/room", cs.ID, h.ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("room of a written hearing: got %d, want 404", res.StatusCode)
	}
}

// TestHearingPages: the judge schedules on the case page; errors show on
// the form; the parties see the hearing, the link and the calendar file;
// the room page says when it opens.
func TestHearingPages(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	page := fmt.Sprintf("/cases/%d", cs.ID)
	judge := ts.client(t)
	judge.Lang = "en"
	judge.login("judge1")
	slot := hearingAt("", "10:00", 60)
	form := url.Values{"h_kind": {"video"}, "h_date": {time.Now().In(court.Zone).AddDate(0, 0, -1).Format("2006-01-02")}, "h_time": {"10:00"}, "h_minutes": {"60"}}
	res := judge.postForm(page, page+"/hearings", form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "already passed") {
		t.Errorf("past date on the page: got %d, want 400 with the message", res.StatusCode)
	}
	form.Set("h_date", slot["date"].(string))
	res = judge.postForm(page, page+"/hearings", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule on the page: got %d, want 303\n%s", res.StatusCode, res.Body)
	}
	hs, err := ts.DB.Hearings(context.Background(), cs.ID)
	if err != nil || len(hs) != 1 {
		t.Fatalf("hearings: got %v %v, want 1", hs, err)
	}
	other := judgeCase(a)
	res = judge.postForm(page, fmt.Sprintf("/cases/%d/hearings", other.ID), form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, cs.DocketNo) {
		t.Errorf("clash on the page: got %d, want 409 naming %s", res.StatusCode, cs.DocketNo)
	}
	claimant := ts.client(t)
	claimant.login("claimant1")
	body := claimant.get(page).Body
	link := fmt.Sprintf("/cases/%d/hearings/%d/room", cs.ID, hs[0].ID)
	for _, s := range []string{link, fmt.Sprintf("/cases/%d/hearings/%d/ics", cs.ID, hs[0].ID), slot["date"].(string) + " 10:00", "开庭前 15 分钟开放"} {
		if !strings.Contains(body, s) {
			t.Errorf("claimant's case page lacks %q", s)
		}
	}
	if strings.Contains(body, `id="schedule-form"`) {
		t.Errorf("the claimant is offered the schedule form")
	}
	room := claimant.get(link)
	if room.StatusCode != http.StatusOK || !strings.Contains(room.Body, "庭审室于开庭前 15 分钟开放") {
		t.Errorf("room page: got %d", room.StatusCode)
	}
	stranger := ts.client(t)
	stranger.login("claimant2")
	if res := stranger.get(link); res.StatusCode != http.StatusNotFound {
		t.Errorf("foreign room page: got %d, want 404", res.StatusCode)
	}
	// The agreement to a written hearing, on the page.
	res = claimant.postForm(page, page+"/written-consent", url.Values{"agree": {"yes"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("consent on the page: got %d", res.StatusCode)
	}
	if cs, _ := ts.DB.Consents(context.Background(), cs.ID); len(cs) != 1 || !cs[0].Agreed || cs[0].Side != court.SideClaimant {
		t.Errorf("consents: got %+v", cs)
	}
	// Reschedule and cancel on the page.
	moved := url.Values{"h_date": {slot["date"].(string)}, "h_time": {"16:00"}, "h_minutes": {"30"}, "h_reason": {"法官另有安排"}}
	hp := fmt.Sprintf("%s/hearings/%d", page, hs[0].ID)
	if res := judge.postForm(page, hp+"/reschedule", moved); res.StatusCode != http.StatusSeeOther {
		t.Errorf("reschedule on the page: got %d", res.StatusCode)
	}
	if res := judge.postForm(page, hp+"/cancel", url.Values{"h_reason": {""}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("cancel without reason on the page: got %d, want 400", res.StatusCode)
	}
	if res := judge.postForm(page, hp+"/cancel", url.Values{"h_reason": {"当事人和解"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cancel on the page: got %d", res.StatusCode)
	}
	if h, _ := ts.DB.Hearing(context.Background(), cs.ID, hs[0].ID); h.Status != court.HearingCancelled || h.Sequence != 2 {
		t.Errorf("after the page's reschedule and cancel: got %+v", h)
	}
}

// The access matrices. A matrix hearing is set at its own hour, so that
// judge1's hearings never clash; "soon" is one whose room is open now,
// "held" one that began an hour ago, "written" a written hearing with a
// question. They are stored directly: the fixtures are about access, the
// tests above about the rules.
var matrixSlot atomic.Int64

func nextMatrixSlot() map[string]any {
	n := matrixSlot.Add(1)
	day := time.Now().In(court.Zone).AddDate(0, 0, 3+int(n/20))
	return map[string]any{"date": day.Format("2006-01-02"), "time": fmt.Sprintf("%02d:00", 2+n%20), "minutes": 30}
}

// lastDB is the database of the latest matrix fixture (pageForm has no
// other way to it).
var lastDB *storage.DB

func storeMatrixHearing(t *testing.T, db *storage.DB, id int64, prep string, by int64) {
	t.Helper()
	lastDB = db
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	var h court.Hearing
	switch prep {
	case "hearing":
		slot := nextMatrixSlot()
		st, _ := time.ParseInLocation("2006-01-02 15:04", slot["date"].(string)+" "+slot["time"].(string), court.Zone)
		h = court.Hearing{Kind: court.HearingVideo, Start: st.UTC(), End: st.UTC().Add(30 * time.Minute)}
	case "soon":
		h = court.Hearing{Kind: court.HearingVideo, Start: now.Add(10 * time.Minute), End: now.Add(40 * time.Minute)}
	case "held":
		h = court.Hearing{Kind: court.HearingVideo, Start: now.Add(-time.Hour), End: now.Add(-30 * time.Minute)}
	case "written":
		h = court.Hearing{Kind: court.HearingWritten, Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)}
	default:
		t.Fatalf("no hearing fixture %q", prep)
	}
	h.CaseID, h.CreatedBy = id, by
	stored, err := db.CreateHearing(ctx, &h, storage.HearingChecks{}, storage.Record{})
	if err != nil {
		t.Fatal(err)
	}
	if prep == "written" {
		due := time.Now().Add(72 * time.Hour)
		if _, err := db.AddPost(ctx, id, &court.HearingPost{HearingID: stored.ID, AuthorID: by, AuthorRole: "judge", Text: "请说明", Due: &due}, storage.Record{}); err != nil {
			t.Fatal(err)
		}
	}
}

// isHearingPrep reports whether a matrix fixture step is a hearing's.
func isHearingPrep(p string) bool {
	return p == "hearing" || p == "soon" || p == "held" || p == "written"
}

// hearingMatrixPath puts case id's newest hearing in place of :hid.
func hearingMatrixPath(t *testing.T, db *storage.DB, path string, id int64) string {
	t.Helper()
	if !strings.Contains(path, ":hid") {
		return path
	}
	hs, err := db.Hearings(context.Background(), id)
	if err != nil || len(hs) == 0 {
		t.Fatalf("case %d has no hearing for %s: %v", id, path, err)
	}
	return strings.Replace(path, ":hid", strconv.FormatInt(hs[len(hs)-1].ID, 10), 1)
}

// firstQuestion is the id of the first question of case id's newest hearing.
func firstQuestion(t *testing.T, db *storage.DB, id int64) int64 {
	t.Helper()
	hs, _ := db.Hearings(context.Background(), id)
	ps, err := db.Posts(context.Background(), hs[len(hs)-1].ID)
	if err != nil || len(ps) == 0 {
		t.Fatalf("case %d: no question: %v", id, err)
	}
	return ps[0].ID
}

// newestQuestion is the id of the newest written-hearing post: the question
// the fixture of the matrix case just made.
func newestQuestion(t *testing.T, db *storage.DB) int64 {
	t.Helper()
	var id int64
	if err := db.Readers().QueryRow(`SELECT MAX(id) FROM hearing_posts`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// hearingFormValue fills in the page matrix's placeholders: the date and
// time of the form's slot (one fresh slot a form, whichever placeholder
// comes first: a form's values come in map order), a question's deadline,
// the newest question.
func hearingFormValue(v string, slot func() map[string]any) string {
	switch v {
	case "@slot-date":
		return slot()["date"].(string)
	case "@slot-time":
		return slot()["time"].(string)
	case "@due":
		return time.Now().In(court.Zone).AddDate(0, 0, 3).Format("2006-01-02")
	case "@question":
		var id int64
		if err := lastDB.Readers().QueryRow(`SELECT MAX(id) FROM hearing_posts`).Scan(&id); err != nil {
			panic(err)
		}
		return strconv.FormatInt(id, 10)
	}
	return v
}

var (
	// Scheduling: the assigned judge, clerks and admins.
	schedulers = func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
			"clerk1": {ok, ok}, "judge1": {ok, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {ok, ok},
		}
	}
	// The parties (both sides) act; the court does not.
	partiesOnly = func(ok int) map[string][2]int {
		return map[string][2]int{
			"claimant1": {ok, 404}, "claimant2": {ok, 404}, "merchant1": {ok, 404}, "merchant2": {ok, 404},
			"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {ok, 404}, "admin1": {403, 403},
		}
	}
	// Only the assigned judge, with ok on success.
	judgeOnlyWith = func(ok int) map[string][2]int {
		m := map[string][2]int{}
		for k, v := range judgeOnly {
			m[k] = v
		}
		m["judge1"] = [2]int{ok, 404}
		return m
	}
	// Joining: the parties, the judge and a clerk. The matrix server has no
	// token issuer, so whoever may join is told rooms are not available
	// (409) after the access check.
	joiners = map[string][2]int{
		"claimant1": {409, 404}, "claimant2": {409, 404}, "merchant1": {409, 404}, "merchant2": {409, 404},
		"clerk1": {409, 409}, "judge1": {409, 404}, "mediator1": {403, 404}, "agent1": {409, 404}, "admin1": {403, 403},
	}
)

func init() {
	slotBody := func(*caseAPIClient) any { return nextMatrixSlot() }
	rescheduleBody := func(*caseAPIClient) any { s := nextMatrixSlot(); s["reason"] = "法官另有安排"; return s }
	h := "/api/v1/cases/:id/hearings/:hid"
	accessMatrix = append(accessMatrix,
		matrixRoute{"GET", "/api/v1/cases/:id/hearings", court.CaseServed, nil, seeLikeCase},
		matrixRoute{"POST", "/api/v1/cases/:id/hearings", court.CaseServed, slotBody, schedulers(201)},
		matrixRoute{"POST", "/api/v1/cases/:id/written-consent", court.CaseServed, map[string]any{"agree": true}, partiesOnly(200)},
		matrixRoute{"GET", h, "served/hearing", nil, seeLikeCase},
		matrixRoute{"GET", h + "/ics", "served/hearing", nil, seeLikeCase},
		matrixRoute{"POST", h + "/reschedule", "served/hearing", rescheduleBody, schedulers(200)},
		matrixRoute{"POST", h + "/cancel", "served/hearing", map[string]any{"reason": "当事人和解"}, schedulers(200)},
		matrixRoute{"POST", h + "/token", "served/soon", nil, joiners},
		matrixRoute{"POST", h + "/minutes", "served/held", map[string]any{"minutes": "双方到庭。"}, judgeOnly},
		matrixRoute{"POST", h + "/questions", "served/written", func(*caseAPIClient) any {
			return map[string]any{"question": "请说明", "due": time.Now().In(court.Zone).AddDate(0, 0, 3).Format("2006-01-02")}
		}, judgeOnlyWith(201)},
		matrixRoute{"POST", h + "/answers", "served/written", func(a *caseAPIClient) any {
			return map[string]any{"question_id": newestQuestion(a.t, a.ts.DB), "answer": "已上传凭证"}
		}, partiesOnly(201)},
	)
	for _, r := range []string{"/api/v1/cases/:id/hearings", "/api/v1/cases/:id/written-consent", h + "/reschedule", h + "/cancel",
		h + "/token", h + "/minutes", h + "/questions", h + "/answers"} {
		matrixKeepsStatus["POST "+r] = true
	}
	p := "/cases/:id/hearings/:hid"
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"POST", "/cases/:id/hearings", court.CaseServed, url.Values{"h_kind": {"video"}, "h_date": {"@slot-date"}, "h_time": {"@slot-time"}, "h_minutes": {"30"}}, schedulers(303)},
		pageMatrixRoute{"POST", "/cases/:id/written-consent", court.CaseServed, url.Values{"agree": {"yes"}}, partiesOnly(303)},
		pageMatrixRoute{"GET", p + "/room", "served/hearing", nil, seeLikeCase},
		pageMatrixRoute{"GET", p + "/ics", "served/hearing", nil, seeLikeCase},
		pageMatrixRoute{"POST", p + "/token", "served/soon", url.Values{}, joiners},
		pageMatrixRoute{"POST", p + "/reschedule", "served/hearing", url.Values{"h_date": {"@slot-date"}, "h_time": {"@slot-time"}, "h_minutes": {"30"}, "h_reason": {"法官另有安排"}}, schedulers(303)},
		pageMatrixRoute{"POST", p + "/cancel", "served/hearing", url.Values{"h_reason": {"当事人和解"}}, schedulers(303)},
		pageMatrixRoute{"POST", p + "/minutes", "served/held", url.Values{"minutes": {"双方到庭。"}}, judgeOnlyWith(303)},
		pageMatrixRoute{"POST", p + "/questions", "served/written", url.Values{"question": {"请说明"}, "due": {"@due"}}, judgeOnlyWith(303)},
		pageMatrixRoute{"POST", p + "/answers", "served/written", url.Values{"question_id": {"@question"}, "answer": {"已上传凭证"}}, partiesOnly(303)},
	)
}

// TestHearingClashConcurrent: requests for the same judge's time on
// different cases at once: exactly one gets the slot (the clash check and
// the insert share a write transaction).
func TestHearingClashConcurrent(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	var ids []int64
	for range 4 {
		ids = append(ids, judgeCase(a).ID)
	}
	body := `{"date":"` + hearingAt("", "10:00", 60)["date"].(string) + `","time":"10:00","minutes":60}`
	hc := &http.Client{Timeout: 30 * time.Second}
	codes := make([]int, 8)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, err := rawPost(hc, ts.URL+casePath(ids[i%len(ids)], "/hearings"), a.tok["clerk1"], body)
			if err != nil {
				t.Error(err)
			}
			codes[i] = code
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			won++
		case http.StatusConflict:
		default:
			t.Errorf("got status %d, want 201 or 409", c)
		}
	}
	if won != 1 {
		t.Errorf("got %d hearings at the same time, want 1 (%v)", won, codes)
	}
}

// TestHearingOnJudgeDocket: the next hearing is a date of the judge's
// docket when it comes before the case's other deadlines; a cancelled one
// is not.
func TestHearingOnJudgeDocket(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	plain := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	items := func() map[int64]docket.DeadlineItem {
		t.Helper()
		res, _ := a.call("judge1", "GET", "/api/v1/docket", nil)
		var l deadlineList
		decodeInto(t, res, &l)
		out := map[int64]docket.DeadlineItem{}
		for _, it := range l.Items {
			out[it.Case.ID] = it
		}
		return out
	}
	got := items()
	if it := got[cs.ID]; it.Kind != docket.DueHearing || !it.Due.Equal(startOf(t, slot)) || it.Overdue {
		t.Errorf("case with a hearing: got %s %v, want hearing at %v", it.Kind, it.Due, startOf(t, slot))
	}
	if it := got[plain.ID]; it.Kind == docket.DueHearing {
		t.Errorf("case without a hearing: got kind %s", it.Kind)
	}
	if got[cs.ID].Due.After(got[plain.ID].Due) {
		t.Errorf("the hearing (%v) should come before the other case's deadline (%v)", got[cs.ID].Due, got[plain.ID].Due)
	}
	a.mustHearing("judge1", "POST", hearingPath(cs.ID, h.ID, "/cancel"), map[string]any{"reason": "撤诉"}, http.StatusOK)
	if it := items()[cs.ID]; it.Kind == docket.DueHearing {
		t.Errorf("cancelled hearing still on the docket: %+v", it)
	}
	c := ts.client(t)
	c.login("judge1")
	a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	if body := c.get("/home").Body; !strings.Contains(body, `">庭审</td>`) {
		t.Errorf("judge's home page does not name the hearing as the next date")
	}
}

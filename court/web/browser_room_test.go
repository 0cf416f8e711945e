package web_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/hearings/roomlink"
	"github.com/shangcheng-court/courtd/court/i18n"
	"github.com/shangcheng-court/courtd/court/web"
	"github.com/shangcheng-court/courtd/hearing"
)

// roomTimeout bounds the three-browser room test: three Chromiums encoding
// and decoding fake video share two cores (with other work on them: under
// a load average of 30 one run took 160 s).
const roomTimeout = 300 * time.Second

// roomServer is a court with a real media server on ephemeral loopback
// ports, joined to the hearing record as courtd joins them.
func roomServer(t *testing.T) (*testServer, *hearing.Server, *roomlink.Recorder) {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := roomlink.NewRecorder(nil, log)
	hs, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true, Recording: true, BatchSends: true}, rec.Hooks()) // batched, as courtd runs it
	if err != nil {
		t.Fatal(err)
	}
	rec.Server = hs
	ts := mustServer(t, func(c *web.Config) {
		c.Hearings = hs
		c.HearingTokens = roomlink.Tokens{Server: hs}
	})
	// Closed before the web server (cleanups run last first): the sockets
	// are hijacked from it.
	t.Cleanup(func() { hs.Close() })
	rec.Service = &hearings.Service{DB: ts.DB, Now: ts.Dk.Now}
	return ts, hs, rec
}

// newRoomBrowser starts a headless Chromium with a fake camera and
// microphone that grants them without asking, and loopback ICE.
func newRoomBrowser(t *testing.T, lang string, width int) context.Context {
	t.Helper()
	opts := append(browserOptions(t, lang),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("auto-select-desktop-capture-source", "Entire screen"),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
		chromedp.WindowSize(width, 900),
	)
	var out browserLog
	opts = append(opts, chromedp.CombinedOutput(&out))
	tctx, tcancel := context.WithTimeout(context.Background(), roomTimeout)
	actx, acancel := chromedp.NewExecAllocator(tctx, opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("closing browser: %v", err)
		}
		cancel()
		acancel()
		tcancel()
		if t.Failed() {
			if s := strings.TrimSpace(out.String()); s != "" {
				t.Logf("browser output:\n%s", s)
			}
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v (%s)", err, chromiumHint)
	}
	return ctx
}

// waitJS polls the expression js in b until it is true, or fails the test
// after d with what.
func waitJS(b *browserTab, what, js string, d time.Duration) {
	b.t.Helper()
	end := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(end) {
			state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify({you: hearingRoom.you, events: hearingRoom.events,
				errors: hearingRoom.errors, status: document.getElementById('rm-status').textContent,
				alert: document.getElementById('rm-alert').textContent})`))
			b.t.Fatalf("%s: not after %s (err %v); room state %s", what, d, err, state)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// clickJS clicks the element selected by css from the page's script once
// it exists: the people list changes under a pointer as people speak.
func clickJS(b *browserTab, what, css string) {
	b.t.Helper()
	waitJS(b, what, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.click(); return true; })()`, css), 20*time.Second)
}

// personButton selects the button cls of user id in the people list.
func personButton(id int64, cls string) string {
	return fmt.Sprintf(`#rm-people li[data-user="%d"] .%s`, id, cls)
}

// framesFrom is a JS expression: the number of video frames this page has
// decoded from each other participant's camera, by user id.
const framesFrom = `(async () => {
  const out = {};
  const sub = hearingRoom.sub;
  if (!sub) return out;
  const stats = await sub.getStats();
  const byMid = {};
  sub.getTransceivers().forEach(tr => { if (tr.mid !== null) byMid[tr.mid] = tr; });
  stats.forEach(s => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    const sec = hearingRoom.sub.remoteDescription.sdp.split(/\r?\nm=/).find(x => new RegExp('\na=mid:' + s.mid + '\r?\n').test(x));
    const m = sec && /\na=msid:p(\d+) (video|screen)-/.exec(sec);
    if (m && m[2] === 'video') out[m[1]] = (out[m[1]] || 0) + (s.framesDecoded || 0);
  });
  return out;
})()`

// TestBrowserHearingRoom: three real Chromiums with fake cameras and
// microphones (judge1 in Chinese on a desktop, claimant1 in English on a
// phone-sized window, merchant1 in Chinese) go through the device check
// (camera preview, a moving microphone meter, device choices) into the room. The parties wait until the judge lets them in (one by one,
// then all), each page decodes the other two's camera video (framesDecoded
// rising), the presence list names everyone, the text panel carries a
// message, the merchant shares a screen the judge sees and stops, the
// judge makes a witness link, the merchant's dropped connection comes back by itself without
// the waiting room, the judge mutes the merchant (whose page says so) and sends the
// claimant out, then ends the hearing; the record has the start, the end
// and every join and leave, on the case's docket, with the text panel.
// Screenshots of each role's room go to testdata/artifacts.
func TestBrowserHearingRoom(t *testing.T) {
	ts, _, _ := roomServer(t)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	clockAt(ts, startOf(t, slot).Add(-10*time.Minute))
	room := court.HearingLink(cs.ID, h.ID)

	type person struct {
		user, lang string
		width      int
		b          *browserTab
	}
	people := []*person{{user: "judge1", lang: i18n.Chinese, width: 1280}, {user: "claimant1", lang: i18n.English, width: 400},
		{user: "merchant1", lang: i18n.Chinese, width: 1280}}
	for _, p := range people {
		p.b = &browserTab{t: t, ctx: newRoomBrowser(t, p.lang, p.width), base: ts.URL}
		p.b.loginAs(p.user)
		p.b.wantPage(p.user+" opens the room", p.b.open(room), room, 200)
		waitJS(p.b, p.user+": device check shows the camera", `document.getElementById('rm-preview').videoWidth > 0 && !document.getElementById('rm-join').disabled`, 20*time.Second)
		// The fake microphone beeps once a second: the meter must move.
		waitJS(p.b, p.user+": the microphone level meter moves", `document.getElementById('rm-level').value > 0.02`, 20*time.Second)
		if n := eval[int](p.b, `document.querySelectorAll('#rm-cam option').length * 10 + document.querySelectorAll('#rm-mic option').length`); n < 11 {
			t.Errorf("%s: device choices: got %d cameras×10+microphones, want at least one of each", p.user, n)
		}
	}
	judge, claimant, merchant := people[0].b, people[1].b, people[2].b
	claimant.screenshot("room_check_claimant_phone_en")

	// The parties first: they wait.
	for _, p := range people[1:] {
		if _, err := chromedp.Run(p.b.ctx, chromedp.Click(chromedp.CSS("#rm-join"))); err != nil {
			t.Fatal(err)
		}
		waitJS(p.b, p.user+" waits", `hearingRoom.you !== null && !hearingRoom.admitted && !document.getElementById('rm-wait').hidden`, 15*time.Second)
	}
	merchant.screenshot("room_waiting_merchant_zh")
	if _, err := chromedp.Run(judge.ctx, chromedp.Click(chromedp.CSS("#rm-join"))); err != nil {
		t.Fatal(err)
	}
	waitJS(judge, "the judge is in at once and sees two waiting", `hearingRoom.admitted && document.querySelectorAll('#rm-people li.rm-waiting').length === 2`, 15*time.Second)
	if n := eval[int](merchant, `hearingRoom.participants.length`); n != 0 {
		t.Errorf("a waiting party sees %d participants, want none", n)
	}
	// The server announces the recording (Config.Recording): the waiting
	// room says so already.
	if !eval[bool](merchant, `[...document.querySelectorAll('#rm-wait .rm-recording')].some(el => !el.hidden)`) {
		t.Error("the waiting room does not say the hearing is recorded")
	}

	// One by one: the claimant; then everyone left (the merchant).
	ids := a.ids
	clickJS(judge, "admit claimant1", personButton(ids["claimant1"], "rm-admit"))
	waitJS(claimant, "the claimant is admitted", `hearingRoom.admitted && !document.getElementById('rm-live').hidden`, 15*time.Second)
	if !eval[bool](claimant, `!document.getElementById('rm-recording').hidden`) {
		t.Error("the hearing does not say it is recorded")
	}
	if eval[bool](merchant, `hearingRoom.admitted`) {
		t.Fatal("admitting the claimant admitted the merchant too")
	}
	if _, err := chromedp.Run(judge.ctx, chromedp.Click(chromedp.CSS("#rm-admit-all"))); err != nil {
		t.Fatal(err)
	}
	waitJS(merchant, "the merchant is admitted", `hearingRoom.admitted`, 15*time.Second)

	// Media: each page decodes the other two cameras, and keeps decoding.
	others := map[string][]string{"judge1": {"claimant1", "merchant1"}, "claimant1": {"judge1", "merchant1"}, "merchant1": {"judge1", "claimant1"}}
	for _, p := range people {
		var cond []string
		for _, o := range others[p.user] {
			cond = append(cond, fmt.Sprintf(`(f[%d] || 0) > 10`, ids[o]))
		}
		waitJS(p.b, p.user+" decodes the other two cameras", `(async () => { const f = await `+framesFrom+`; return `+strings.Join(cond, " && ")+`; })()`, 40*time.Second)
	}
	for _, p := range people {
		before, err := chromedp.Run(p.b.ctx, chromedp.Evaluate[map[string]int](framesFrom, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		var cond []string
		for _, o := range others[p.user] {
			id := fmt.Sprint(ids[o])
			cond = append(cond, fmt.Sprintf(`(f[%s] || 0) > %d`, id, before[id]))
		}
		waitJS(p.b, p.user+": frames keep coming", `(async () => { const f = await `+framesFrom+`; return `+strings.Join(cond, " && ")+`; })()`, 20*time.Second)
		if n := eval[int](p.b, `document.querySelectorAll('#rm-people li').length`); n != 3 {
			t.Errorf("%s sees %d people present, want 3", p.user, n)
		}
	}
	for _, p := range people[1:] {
		if eval[bool](p.b, `document.getElementById('rm-end').offsetParent !== null || document.getElementById('rm-witness-form').offsetParent !== null`) {
			t.Errorf("%s is shown the judge's buttons", p.user)
		}
		if n := eval[int](p.b, `document.querySelectorAll('#rm-people button').length`); n != 0 {
			t.Errorf("%s is shown %d buttons on the people present, want none", p.user, n)
		}
	}
	if eval[bool](judge, `document.getElementById('rm-end').offsetParent === null`) {
		t.Errorf("the judge is not shown the end button")
	}
	waitJS(claimant, "the quality indicator has a reading", `hearingRoom.quality !== null`, 20*time.Second)

	// The merchant's connection drops: the page joins again with a fresh
	// token and is back in the hearing without the judge, receiving again.
	if _, err := chromedp.Run(merchant.ctx, chromedp.Evaluate[bool](`hearingRoom.oldWS = hearingRoom.ws; hearingRoom.ws.close(); true`)); err != nil {
		t.Fatal(err)
	}
	waitJS(merchant, "the merchant is back without the waiting room", `hearingRoom.ws !== hearingRoom.oldWS && hearingRoom.ws.readyState === 1 && hearingRoom.admitted && hearingRoom.you.admitted`, 20*time.Second)
	waitJS(merchant, "the merchant decodes the judge again", fmt.Sprintf(`(async () => { const f = await `+framesFrom+`; return (f[%d] || 0) > 10; })()`, ids["judge1"]), 30*time.Second)

	// The text panel.
	if err := chromedp.Do(claimant.ctx, chromedp.SendKeys(chromedp.CSS("#rm-chat-text"), "I have the receipt."), chromedp.Click(chromedp.CSS("#rm-chat-form button"))); err != nil {
		t.Fatal(err)
	}
	waitJS(judge, "the judge reads the message", `document.getElementById('rm-chat-log').textContent.includes('I have the receipt.')`, 20*time.Second)
	// The judge makes a link for a witness from the room.
	if err := chromedp.Do(judge.ctx, chromedp.SendKeys(chromedp.CSS("#rm-witness-name"), "李证人"),
		chromedp.Click(chromedp.CSS("#rm-witness-form button"))); err != nil {
		t.Fatal(err)
	}
	waitJS(judge, "the judge gets a witness link", `document.getElementById('rm-witness-out').textContent.startsWith(location.origin + '/hearing/witness/')`, 20*time.Second)
	waitJS(judge, "the judge sees their own camera", `document.getElementById('rm-self').videoWidth > 0`, 20*time.Second)
	// The merchant shares a screen (Chromium's fake capture): the judge
	// sees it in its own tile; then the merchant stops.
	if _, err := chromedp.Run(merchant.ctx, chromedp.Click(chromedp.CSS("#rm-screen-toggle"))); err != nil {
		t.Fatal(err)
	}
	waitJS(judge, "the judge sees the merchant's screen", `(() => { const v = document.querySelector('.rm-tile.rm-screen video'); return !!v && v.videoWidth > 0; })()`, 30*time.Second)
	judge.screenshot("room_judge_screen_zh")
	if _, err := chromedp.Run(merchant.ctx, chromedp.Click(chromedp.CSS("#rm-screen-toggle"))); err != nil {
		t.Fatal(err)
	}
	waitJS(judge, "the screen slot is free again and its tile hidden", `!hearingRoom.participants.some(p => p.screen) &&
		[...document.querySelectorAll('.rm-tile.rm-screen')].every(e => e.hidden)`, 20*time.Second)
	judge.screenshot("room_judge_zh")
	claimant.screenshot("room_claimant_phone_en")
	merchant.screenshot("room_merchant_zh")

	// Audio only on the claimant's phone: the server stops sending it the
	// cameras (no frame is decoded for 2 s) and the others see it in the
	// list; switched back, the pictures return (a keyframe asked for).
	if _, err := chromedp.Run(claimant.ctx, chromedp.Click(chromedp.CSS("#rm-audio-toggle"))); err != nil {
		t.Fatal(err)
	}
	waitJS(judge, "presence shows the claimant on audio only", fmt.Sprintf(`hearingRoom.participants.some(p => p.id === %d && p.audio_only)`, ids["claimant1"]), 20*time.Second)
	// Packets, not frames: a page might stop decoding hidden videos itself.
	packetsFrom := strings.Replace(framesFrom, "s.framesDecoded", "s.packetsReceived", 1)
	fromJudge := func(js string) int {
		m, err := chromedp.Run(claimant.ctx, chromedp.Evaluate[map[string]int](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return m[fmt.Sprint(ids["judge1"])]
	}
	time.Sleep(time.Second) // packets in flight
	p0 := fromJudge(packetsFrom)
	time.Sleep(2 * time.Second)
	if p1 := fromJudge(packetsFrom); p1 != p0 {
		t.Errorf("audio only: the claimant received %d packets of the judge's camera in 2 s, want none", p1-p0)
	}
	f0 := fromJudge(framesFrom)
	if _, err := chromedp.Run(claimant.ctx, chromedp.Click(chromedp.CSS("#rm-audio-toggle"))); err != nil {
		t.Fatal(err)
	}
	waitJS(claimant, "the judge's camera comes back after audio only", fmt.Sprintf(`(async () => { const f = await `+framesFrom+`; return (f[%d] || 0) > %d; })()`, ids["judge1"], f0+10), 20*time.Second)
	waitJS(judge, "presence shows the claimant back on video", fmt.Sprintf(`hearingRoom.participants.some(p => p.id === %d && !p.audio_only)`, ids["claimant1"]), 20*time.Second)

	// The judge mutes the merchant's microphone, then sends the claimant out.
	clickJS(judge, "mute merchant1", personButton(ids["merchant1"], "rm-mute"))
	waitJS(merchant, "the merchant is told of the mute", `hearingRoom.events.includes('muted') && document.getElementById('rm-alert').textContent.includes('静音')`, 20*time.Second)
	waitJS(judge, "presence shows the merchant muted", fmt.Sprintf(`hearingRoom.participants.some(p => p.id === %d && p.audio_muted)`, ids["merchant1"]), 20*time.Second)
	clickJS(judge, "remove claimant1", personButton(ids["claimant1"], "rm-remove"))
	waitJS(claimant, "the claimant is sent out", `hearingRoom.over && hearingRoom.events.includes('removed')`, 20*time.Second)
	waitJS(judge, "the judge no longer sees the claimant", fmt.Sprintf(`!hearingRoom.participants.some(p => p.id === %d)`, ids["claimant1"]), 20*time.Second)

	if _, err := chromedp.Run(judge.ctx, chromedp.Click(chromedp.CSS("#rm-end"))); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*person{people[0], people[2]} {
		waitJS(p.b, p.user+" sees the end", `hearingRoom.over && hearingRoom.events.includes('ended')`, 20*time.Second)
	}
	merchant.screenshot("room_ended_merchant_zh")

	// The record: started and ended, and each of the three joined and left.
	var hr court.Hearing
	var att []court.Attendance
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := ts.DB.HearingByID(t.Context(), h.ID)
		if err != nil {
			t.Fatal(err)
		}
		hr = *got
		if att, err = ts.DB.Attendance(t.Context(), h.ID); err != nil {
			t.Fatal(err)
		}
		closed := len(att) >= 3
		for _, s := range att {
			closed = closed && s.LeftAt != nil
		}
		if (hr.Status == court.HearingEnded && closed) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if hr.Status != court.HearingEnded || hr.StartedAt == nil || hr.EndedAt == nil || hr.EndedAt.Before(*hr.StartedAt) {
		t.Errorf("hearing: got status %s started %v ended %v, want ended after started", hr.Status, hr.StartedAt, hr.EndedAt)
	}
	present := map[int64]bool{}
	for _, s := range att {
		present[s.UserID] = true
		if s.LeftAt == nil || s.LeftAt.Before(s.JoinedAt) {
			t.Errorf("attendance of %d: joined %v left %v, want a closed stay", s.UserID, s.JoinedAt, s.LeftAt)
		}
	}
	for _, u := range []string{"judge1", "claimant1", "merchant1"} {
		if !present[ids[u]] {
			t.Errorf("attendance: %s missing (got %+v)", u, att)
		}
	}
	entries, err := ts.DB.Docket(t.Context(), cs.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	var transcript string
	for _, e := range entries {
		kinds[e.Kind]++
		if e.Kind == hearings.EntryTranscript {
			transcript = e.Text
		}
	}
	if kinds[hearings.EntryStarted] != 1 || kinds[hearings.EntryEnded] != 1 || kinds[hearings.EntryJoined] < 3 || kinds[hearings.EntryLeft] < 3 {
		t.Errorf("docket: got %v, want started, ended, 3 joined and 3 left", kinds)
	}
	if !strings.Contains(transcript, "I have the receipt.") {
		t.Errorf("docket transcript: got %q, want the claimant's message", transcript)
	}
	// The case page shows the record to the judge.
	judge.open(fmt.Sprintf("/cases/%d", cs.ID))
	judge.screenshot("room_record_case_page_zh")
}

package hearing_test

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
)

// roomPage is the least a browser room page does: join, publish the camera
// and microphone once admitted, answer the server's offers, trickle its
// candidates. It is not the court's room page (that lives in court/web); it
// checks that a real browser and this SFU understand each other.
const roomPage = `<!doctype html><meta charset="utf-8"><title>room</title><script>
const q = new URLSearchParams(location.search);
window.state = {you: null, events: [], errors: []};
const ws = new WebSocket(q.get('ws'));
const send = m => ws.send(JSON.stringify(m));
let pub = null, sub = null;
ws.onopen = () => send({type: 'join', token: q.get('token')});
ws.onmessage = async e => {
  const m = JSON.parse(e.data);
  if (m.type === 'joined') { state.you = m.you; if (m.you.admitted) await publish(); }
  else if (m.type === 'event') { state.events.push(m.event); if (m.event === 'admitted') await publish(); }
  else if (m.type === 'answer') await pub.setRemoteDescription(m.sdp);
  else if (m.type === 'offer') {
    if (!sub) {
      sub = new RTCPeerConnection();
      sub.onicecandidate = ev => ev.candidate && send({type: 'candidate', pc: 'sub', candidate: ev.candidate.toJSON()});
    }
    await sub.setRemoteDescription(m.sdp);
    await sub.setLocalDescription(await sub.createAnswer());
    send({type: 'answer', pc: 'sub', sdp: sub.localDescription});
  }
  else if (m.type === 'error') state.errors.push(m.key);
};
async function publish() {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  pub = new RTCPeerConnection();
  pub.onicecandidate = ev => ev.candidate && send({type: 'candidate', pc: 'pub', candidate: ev.candidate.toJSON()});
  stream.getTracks().forEach(t => pub.addTrack(t, stream));
  await pub.setLocalDescription(await pub.createOffer());
  send({type: 'offer', pc: 'pub', sdp: pub.localDescription});
}
window.received = async () => {
  const r = {audio: 0, video: 0};
  if (sub) (await sub.getStats()).forEach(s => { if (s.type === 'inbound-rtp') r[s.kind] += s.packetsReceived; });
  return r;
};
</script>`

func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM_PATH"), "/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	t.Skip("no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)")
	return ""
}

// TestBrowserInterop: a headless Chromium with a fake camera and microphone
// joins, waits, is admitted by an in-process judge, and media flows both
// ways through the SFU: the browser's real Opus and VP8 reach the judge,
// the judge's RTP reaches the browser, and the browser's audio level shows
// it speaking.
func TestBrowserInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	exe := chromium(t)
	th := mustHearing(t, nil)

	judge, _ := join(t, th, hearingID, judgeID, court.RoleJudge)
	defer judge.close()
	judge.publish(false)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	tctx, tcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer tcancel()
	actx, acancel := chromedp.NewExecAllocator(tctx, opts...)
	defer acancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	tok := th.token(t, hearingID, consumerID, court.RoleClaimant)
	u := th.Page + "/?" + url.Values{"ws": {th.URL}, "token": {tok}}.Encode()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	you := poll(t, ctx, "the browser joins, waiting", `state.you`, func(p *hearing.Presence) bool { return p != nil })
	if you.Admitted || you.ID != consumerID {
		t.Fatalf("browser joined as %+v, want consumer waiting", you)
	}
	judge.send(hearing.Message{Type: hearing.TypeAdmit, Target: consumerID})

	eventually(t, "the judge receives the browser's audio and video", func() bool {
		return judge.count(consumerID, "audio") > 20 && judge.count(consumerID, "video") > 20
	})
	poll(t, ctx, "the browser receives the judge's audio and video", `received()`, func(got struct{ Audio, Video int }) bool {
		return got.Audio > 20 && got.Video > 20
	})
	// Chromium puts the audio level in its packets; its fake microphone
	// beeps, so the browser is seen speaking.
	judge.waitFor(func(m hearing.Message) bool {
		for _, p := range m.Participants {
			if m.Type == hearing.TypePresence && p.ID == consumerID && p.Speaking {
				return true
			}
		}
		return false
	})
	if errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`state.errors`)); err != nil || len(errs) > 0 {
		t.Errorf("browser errors: %v %v", errs, err)
	}
}

// poll evaluates expr in the page (awaiting a promise) until ok accepts
// its value, and returns that value.
func poll[T any](t *testing.T, ctx context.Context, what, expr string, ok func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
		if err == nil && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s (last error %v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

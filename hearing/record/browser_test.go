package record

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pion/rtp"
)

// encodePage encodes, with the browser's own WebCodecs encoders, one
// second of 64x48 VP8 video (30 frames, keyframes at 0 and 15) and half a
// second of a 440 Hz tone in Opus.
const encodePage = `<!doctype html><meta charset="utf-8"><script>
const b64 = b => { let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); };
window.encode = async () => {
  const video = [], audio = [];
  const ve = new VideoEncoder({output: c => { const b = new Uint8Array(c.byteLength); c.copyTo(b);
    video.push({key: c.type === 'key', ts: c.timestamp, data: b64(b)}); }, error: e => { throw e; }});
  ve.configure({codec: 'vp8', width: 64, height: 48, bitrate: 200000, framerate: 30});
  const cv = new OffscreenCanvas(64, 48), g = cv.getContext('2d');
  for (let i = 0; i < 30; i++) {
    g.fillStyle = 'rgb(' + (i * 8) + ',100,' + (255 - i * 8) + ')'; g.fillRect(0, 0, 64, 48);
    const f = new VideoFrame(cv, {timestamp: Math.round(i * 1e6 / 30)});
    ve.encode(f, {keyFrame: i % 15 === 0}); f.close();
  }
  await ve.flush();
  const ae = new AudioEncoder({output: c => { const b = new Uint8Array(c.byteLength); c.copyTo(b); audio.push(b64(b)); },
    error: e => { throw e; }});
  ae.configure({codec: 'opus', sampleRate: 48000, numberOfChannels: 2, bitrate: 64000});
  const n = 24000, pcm = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) pcm[i] = pcm[n + i] = 0.5 * Math.sin(2 * Math.PI * 440 * i / 48000);
  ae.encode(new AudioData({format: 'f32-planar', sampleRate: 48000, numberOfFrames: n, numberOfChannels: 2, timestamp: 0, data: pcm}));
  await ae.flush();
  return {video, audio};
};
window.play = async () => {
  const v = document.createElement('video');
  v.muted = true; v.src = '/v.webm'; document.body.append(v);
  await new Promise((ok, bad) => { v.onloadeddata = ok; v.onerror = () => bad(new Error('video: ' + (v.error && v.error.message))); });
  await v.play();
  await new Promise(ok => { v.onended = ok; });
  const q = v.getVideoPlaybackQuality();
  const buf = await (await fetch('/a.ogg')).arrayBuffer();
  const ab = await new OfflineAudioContext(2, 48000, 48000).decodeAudioData(buf);
  let peak = 0; for (const x of ab.getChannelData(0)) peak = Math.max(peak, Math.abs(x));
  return {width: v.videoWidth, height: v.videoHeight, duration: v.duration, frames: q.totalVideoFrames,
    audio: ab.duration, peak};
};
</script>`

// TestBrowserPlays: frames a real encoder made (Chromium's WebCodecs) go
// through RTP into the recorder, and Chromium plays the WebM to its end
// and decodes the Ogg Opus: what the case page's player does.
func TestBrowserPlays(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	exe := ""
	for _, p := range []string{os.Getenv("CHROMIUM_PATH"), "/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if _, err := os.Stat(p); p != "" && err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Skip("no Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)")
	}
	files := map[string]string{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(encodePage))
		case "/v.webm", "/a.ogg":
			http.ServeFile(w, r, files[r.URL.Path])
		default:
			http.NotFound(w, r)
		}
	}))
	defer hs.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
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
	if _, err := chromedp.Run(ctx, chromedp.Navigate(hs.URL+"/")); err != nil {
		t.Fatalf("open the page: %v", err)
	}
	type chunk struct {
		Key  bool
		TS   int64
		Data string
	}
	enc, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Video []chunk
		Audio []string
	}](`encode()`, chromedp.EvalAwaitPromise))
	if err != nil || len(enc.Video) != 30 || len(enc.Audio) < 20 {
		t.Fatalf("the browser encoded %d frames and %d audio packets (%v), want 30 and 25", len(enc.Video), len(enc.Audio), err)
	}

	r, _ := mustRecorder(t, Config{})
	vtap := r.OnTrack(5, alice, "video", vp8)
	atap := r.OnTrack(5, alice, "audio", opus)
	var seq uint16
	for _, c := range enc.Video {
		frame, _ := base64.StdEncoding.DecodeString(c.Data)
		for _, p := range packetize(frame, &seq, uint32(c.TS*90/1000)) {
			vtap(p)
		}
	}
	for i, a := range enc.Audio {
		data, _ := base64.StdEncoding.DecodeString(a)
		atap(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * 960)}, Payload: data})
	}
	vtap(nil)
	atap(nil)
	for _, f := range r.Finish(5) {
		if f.Kind == "video" {
			files["/v.webm"] = f.Path
		} else {
			files["/a.ogg"] = f.Path
		}
	}
	if len(files) != 2 {
		t.Fatalf("got %v, want a video and an audio file", files)
	}

	got, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		Width, Height, Frames int
		Duration, Audio, Peak float64
	}](`play()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the browser does not play the recording: %v", err)
	}
	t.Logf("played: %+v", got)
	// The recorder writes a frame once the next one shows it complete: 29
	// or 30 of the 30 frames.
	if got.Width != 64 || got.Height != 48 || got.Frames < 29 || got.Duration < 0.9 || got.Duration > 1.1 {
		t.Errorf("video: got %+v, want 64x48, about 30 frames over about 1 s", got)
	}
	if got.Audio < 0.4 || got.Audio > 0.6 || got.Peak < 0.2 {
		t.Errorf("audio: got %.2f s peaking at %.2f, want about 0.5 s of the tone", got.Audio, got.Peak)
	}
}

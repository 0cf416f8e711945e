package record

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/hearing"
)

var (
	opus = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}}
	vp8  = webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}}
)

// vp8Frame is a VP8 frame of 16x16 with a real frame header (RFC 6386 9.1:
// key frame bit, version, show frame, first partition size, start code and
// dimensions) followed by n bytes marking it as frame i.
func vp8Frame(i int, key bool, n int) []byte {
	tag := uint32(1<<4) | uint32(n)<<5 // show_frame, first partition size
	if !key {
		tag |= 1
	}
	f := []byte{byte(tag), byte(tag >> 8), byte(tag >> 16)}
	if key {
		f = append(f, 0x9d, 0x01, 0x2a, 16, 0, 16, 0)
	}
	for j := range n {
		f = append(f, byte(i+j))
	}
	return f
}

// packetize splits a VP8 frame into RTP packets of at most 100 bytes of
// frame, each with a one-byte VP8 payload descriptor (S on the first), the
// marker on the last.
func packetize(frame []byte, seq *uint16, ts uint32) []*rtp.Packet {
	var out []*rtp.Packet
	for off := 0; off < len(frame); off += 100 {
		end := min(off+100, len(frame))
		desc := byte(0)
		if off == 0 {
			desc = 0x10
		}
		*seq++
		out = append(out, &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: *seq, Timestamp: ts, SSRC: 2, PayloadType: 96,
			Marker: end == len(frame)}, Payload: append([]byte{desc}, frame[off:end]...)})
	}
	return out
}

// opusPacket is a 20 ms stereo CELT packet (TOC 0xfc) marked i.
func opusPacket(seq uint16, ts uint32, i int) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts, SSRC: 1, PayloadType: 111},
		Payload: []byte{0xfc, byte(i), byte(i >> 8), 1, 2, 3}}
}

func mustRecorder(t *testing.T, cfg Config) (*Recorder, *atomic.Int64) {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(t.TempDir(), "recordings")
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int64
	r.SetKeyframe(func(int64, int64) { asked.Add(1) })
	return r, &asked
}

var alice = hearing.Presence{ID: 7, Name: "张三", Role: "claimant", Admitted: true}

// TestRecord records an audio and a video track with packets out of
// order, a late one, and RTP time wrapping, and checks both files
// structurally: every Ogg page's checksum and every WebM element.
func TestRecord(t *testing.T) {
	r, asked := mustRecorder(t, Config{})
	atap := r.OnTrack(1, alice, "audio", opus)
	vtap := r.OnTrack(1, alice, "video", vp8)
	if atap == nil || vtap == nil {
		t.Fatal("no taps")
	}

	// Audio: 100 packets of 20 ms; packets 10 and 11 swapped; packet 50
	// arrives again far too late (after 90): a duplicate the builder drops.
	var apkts []*rtp.Packet
	for i := range 100 {
		apkts = append(apkts, opusPacket(uint16(65500+i), uint32(0xffffff00)+uint32(i*960), i))
	}
	apkts[10], apkts[11] = apkts[11], apkts[10]
	for i, p := range apkts {
		atap(p)
		if i == 90 {
			atap(apkts[50])
		}
	}
	atap(nil)

	// Video: 60 frames at 30 fps of 250 bytes (3 packets each), a keyframe
	// every 30; RTP time wraps; two packets of frame 5 swapped.
	var seq uint16 = 65530
	var frames [][]byte
	var vpkts []*rtp.Packet
	for i := range 60 {
		f := vp8Frame(i, i%30 == 0, 250)
		frames = append(frames, f)
		vpkts = append(vpkts, packetize(f, &seq, uint32(0xfffff000)+uint32(i*3000))...)
	}
	vpkts[16], vpkts[17] = vpkts[17], vpkts[16]
	for _, p := range vpkts {
		vtap(p)
	}
	vtap(nil)
	if asked.Load() == 0 {
		t.Error("no keyframe was asked for when the video recording started")
	}

	files := r.Finish(1)
	if len(files) != 2 {
		t.Fatalf("got %d files, want 2", len(files))
	}
	for _, f := range files {
		if f.UserID != 7 || f.Name != "张三" || f.Part != 1 {
			t.Errorf("file %+v", f)
		}
		switch f.Kind {
		case "audio":
			got := checkOgg(t, f.Path)
			if len(got) != 100 {
				t.Errorf("got %d audio packets, want 100", len(got))
			}
			for i, p := range got {
				if p[1] != byte(i) || p[2] != byte(i>>8) {
					t.Fatalf("audio packet %d is packet %d: out of order", i, int(p[1])|int(p[2])<<8)
				}
			}
		case "video":
			if f.MIME != "video/webm" {
				t.Errorf("got MIME %s, want video/webm", f.MIME)
			}
			w := checkWebM(t, f.Path)
			// The builder releases the last frame only when it is sure of it:
			// at least 59 of the 60 frames, in order.
			if len(w.frames) < 59 {
				t.Fatalf("got %d video frames, want 59 or 60", len(w.frames))
			}
			for i, fr := range w.frames {
				if !bytes.Equal(fr, frames[i]) {
					t.Fatalf("video frame %d differs from what was sent", i)
				}
				if want := int64(i) * 100 / 3; w.times[i] != want {
					t.Errorf("frame %d at %d ms, want %d", i, w.times[i], want)
				}
				if w.keys[i] != (i%30 == 0) {
					t.Errorf("frame %d keyframe flag %v", i, w.keys[i])
				}
			}
			if w.width != 16 || w.height != 16 || w.codec != "V_VP8" {
				t.Errorf("got %s %dx%d, want V_VP8 16x16", w.codec, w.width, w.height)
			}
			if last := w.times[len(w.times)-1]; w.duration < float64(last) || w.duration > float64(last+100) {
				t.Errorf("duration %v ms, last frame at %d", w.duration, last)
			}
		default:
			t.Errorf("kind %s", f.Kind)
		}
	}
	if r.OnTrack(1, alice, "audio", opus) != nil {
		t.Error("a finished hearing records again")
	}
	r.Remove(files)
	if _, err := os.Stat(filepath.Dir(files[0].Path)); !os.IsNotExist(err) {
		t.Errorf("the hearing's directory is left: %v", err)
	}
}

// TestRecordKeyframes: video before the first keyframe is dropped (and a
// keyframe asked for), as are the frames after a loss until the next
// keyframe; a track with no keyframe at all leaves no file.
func TestRecordKeyframes(t *testing.T) {
	r, asked := mustRecorder(t, Config{})
	vtap := r.OnTrack(2, alice, "video", vp8)
	empty := r.OnTrack(2, hearing.Presence{ID: 8, Name: "李四"}, "video", vp8)
	var seq, seq2 uint16
	var sent [][]byte
	for i := range 40 {
		f := vp8Frame(i, i == 5 || i == 25, 50)
		ps := packetize(f, &seq, uint32(i*3000))
		if i == 15 { // lost: frames 15..24 cannot be decoded
			seq += 5
			forgetAsk(r, 2, 0)
			ps = packetize(f, &seq, uint32(i*3000))
		}
		if (i >= 5 && i < 15) || i >= 25 {
			sent = append(sent, f)
		}
		for _, p := range ps {
			vtap(p)
		}
		for _, p := range packetize(vp8Frame(i, false, 50), &seq2, uint32(i*3000)) {
			empty(p)
		}
	}
	vtap(nil)
	files := r.Finish(2)
	if len(files) != 1 {
		t.Fatalf("got %d files, want 1 (a video without keyframe leaves none)", len(files))
	}
	w := checkWebM(t, files[0].Path)
	if len(w.frames) < len(sent)-1 || len(w.frames) > len(sent) {
		t.Fatalf("got %d frames, want %d", len(w.frames), len(sent))
	}
	for i, fr := range w.frames {
		if !bytes.Equal(fr, sent[i]) {
			t.Fatalf("frame %d is not the one expected", i)
		}
	}
	if !w.keys[0] || !w.keys[10] {
		t.Error("the recording does not restart on a keyframe")
	}
	if asked.Load() != 3 {
		t.Errorf("got %d keyframe requests, want 3: one per track at its start, one after the loss", asked.Load())
	}
}

// TestRecordBound: past MaxBytes the hearing's recording stops, the files
// stay valid, and a rejoin is a new part.
func TestRecordBound(t *testing.T) {
	r, _ := mustRecorder(t, Config{MaxBytes: 5000})
	atap := r.OnTrack(3, alice, "audio", opus)
	for i := range 2000 {
		atap(opusPacket(uint16(i), uint32(i*960), i))
	}
	atap(nil)
	if r.OnTrack(3, alice, "audio", opus) != nil {
		t.Error("a hearing past its bound opens a new file")
	}
	files := r.Finish(3)
	if len(files) != 1 {
		t.Fatalf("got %d files, want 1", len(files))
	}
	pkts := checkOgg(t, files[0].Path)
	if n := len(pkts); n == 0 || n*(6+frameOverhead) > 5000+100 {
		t.Errorf("got %d packets recorded, want the bound of 5000 bytes respected", n)
	}

	r2, _ := mustRecorder(t, Config{})
	for range 2 { // joined, left, joined again
		tap := r2.OnTrack(4, alice, "audio", opus)
		for i := range 10 {
			tap(opusPacket(uint16(i), uint32(i*960), i))
		}
		tap(nil)
	}
	files = r2.Finish(4)
	if len(files) != 2 || files[0].Part != 1 || files[1].Part != 2 || files[0].Path == files[1].Path {
		t.Fatalf("a rejoin: got %+v, want parts 1 and 2", files)
	}
}

// checkOgg reads an Ogg Opus file page by page, checking each page's
// capture pattern, sequence and CRC, and returns the audio packets (after
// OpusHead and OpusTags).
func checkOgg(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var packets [][]byte
	var cur []byte
	for seq := uint32(0); len(b) > 0; seq++ {
		if len(b) < 27 || string(b[:4]) != "OggS" || b[4] != 0 {
			t.Fatalf("page %d: no Ogg page header", seq)
		}
		nseg := int(b[26])
		if len(b) < 27+nseg {
			t.Fatalf("page %d: truncated", seq)
		}
		size := 27 + nseg
		for _, l := range b[27 : 27+nseg] {
			size += int(l)
		}
		if len(b) < size {
			t.Fatalf("page %d: truncated", seq)
		}
		page := slices.Clone(b[:size])
		if got := binary.LittleEndian.Uint32(page[18:]); got != seq {
			t.Fatalf("page sequence %d, want %d", got, seq)
		}
		want := binary.LittleEndian.Uint32(page[22:])
		clear(page[22:26])
		if got := oggCRC(page); got != want {
			t.Fatalf("page %d: CRC %08x, want %08x", seq, got, want)
		}
		data := page[27+nseg:]
		for _, l := range page[27 : 27+nseg] {
			cur = append(cur, data[:l]...)
			data = data[l:]
			if l < 255 {
				packets = append(packets, cur)
				cur = nil
			}
		}
		b = b[size:]
	}
	if len(packets) < 2 || !bytes.HasPrefix(packets[0], []byte("OpusHead")) || !bytes.HasPrefix(packets[1], []byte("OpusTags")) {
		t.Fatal("no OpusHead and OpusTags")
	}
	return packets[2:]
}

// oggCRC is the Ogg page checksum: CRC-32, polynomial 0x04c11db7, not
// reflected, initial value 0.
func oggCRC(b []byte) uint32 {
	var crc uint32
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

type webmFile struct {
	codec         string
	width, height uint64
	duration      float64
	frames        [][]byte
	times         []int64
	keys          []bool
}

// checkWebM parses a WebM file element by element: the EBML header says
// webm, the Segment's size is the rest of the file, every element fits in
// its parent; it returns the track and the frames.
func checkWebM(t *testing.T, path string) *webmFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &webmFile{}
	readVint := func(b []byte, keepMarker bool) (uint64, int) {
		if len(b) == 0 || b[0] == 0 {
			t.Fatal("bad vint")
		}
		l := 1
		for b[0]&(0x80>>(l-1)) == 0 {
			l++
		}
		if len(b) < l {
			t.Fatal("truncated vint")
		}
		v := uint64(b[0])
		if !keepMarker {
			v &^= 0x80 >> (l - 1)
		}
		for _, c := range b[1:l] {
			v = v<<8 | uint64(c)
		}
		return v, l
	}
	uintOf := func(d []byte) uint64 {
		var v uint64
		for _, c := range d {
			v = v<<8 | uint64(c)
		}
		return v
	}
	var clusterTime int64
	var walk func(b []byte, depth int)
	walk = func(b []byte, depth int) {
		for len(b) > 0 {
			id, il := readVint(b, true)
			size, sl := readVint(b[il:], false)
			if uint64(len(b)-il-sl) < size {
				t.Fatalf("element %x of size %d does not fit in its parent (%d left)", id, size, len(b)-il-sl)
			}
			d := b[il+sl : il+sl+int(size)]
			switch id {
			case idEBML, idSegment, idInfo, idTracks, idTrackEntry, idVideo, idCluster:
				walk(d, depth+1)
			case idDocType:
				if string(d) != "webm" {
					t.Errorf("doctype %q", d)
				}
			case idCodecID:
				w.codec = string(d)
			case idPixelWidth:
				w.width = uintOf(d)
			case idPixelHeight:
				w.height = uintOf(d)
			case idDuration:
				w.duration = math.Float64frombits(binary.BigEndian.Uint64(d))
			case idTimecode:
				clusterTime = int64(uintOf(d))
			case idSimpleBlock:
				if d[0] != 0x81 {
					t.Fatalf("block of track %x", d[0])
				}
				w.times = append(w.times, clusterTime+int64(int16(binary.BigEndian.Uint16(d[1:]))))
				w.keys = append(w.keys, d[3]&0x80 != 0)
				w.frames = append(w.frames, d[4:])
			}
			b = b[il+sl+int(size):]
		}
	}
	if id, _ := readVint(b, true); id != idEBML {
		t.Fatal("not an EBML file")
	}
	walk(b, 0)
	if w.codec == "" || len(w.frames) == 0 {
		t.Fatal("no track or no frames")
	}
	if !w.keys[0] {
		t.Error("the first frame is not a keyframe")
	}
	for i := 1; i < len(w.times); i++ {
		if w.times[i] < w.times[i-1] {
			t.Errorf("frame %d goes back in time", i)
		}
	}
	return w
}

// TestRecordMuteGap: while the judge mutes a participant's video nothing is
// forwarded; afterwards the sequence numbers and RTP time jump. The frames
// after the gap wait for a keyframe, and the gap is a pause in the file.
func TestRecordMuteGap(t *testing.T) {
	r, asked := mustRecorder(t, Config{})
	vtap := r.OnTrack(6, alice, "video", vp8)
	var seq uint16
	var want []int
	for i := range 40 {
		ts := uint32(i * 3000)
		if i >= 20 {
			ts += 10 * 90000 // ten seconds muted
		}
		if i == 20 {
			seq += 1000
			forgetAsk(r, 6, 0) // ten seconds have passed: the throttle allows a request
		}
		if i < 20 || i >= 30 {
			want = append(want, i)
		}
		for _, p := range packetize(vp8Frame(i, i == 0 || i == 30, 150), &seq, ts) {
			vtap(p)
		}
	}
	vtap(nil)
	before := asked.Load()
	files := r.Finish(6)
	if len(files) != 1 {
		t.Fatalf("got %d files, want 1", len(files))
	}
	w := checkWebM(t, files[0].Path)
	if len(w.frames) < len(want)-1 {
		t.Fatalf("got %d frames, want %d", len(w.frames), len(want))
	}
	for k, fr := range w.frames {
		i := want[k]
		if !bytes.Equal(fr, vp8Frame(i, i == 0 || i == 30, 150)) {
			t.Fatalf("frame %d is not frame %d", k, i)
		}
		wantMS := int64(i) * 100 / 3
		if i >= 20 {
			wantMS += 10000
		}
		if w.times[k] != wantMS {
			t.Errorf("frame %d at %d ms, want %d", i, w.times[k], wantMS)
		}
	}
	if before < 2 {
		t.Errorf("got %d keyframe requests, want one at the start and one after the gap", before)
	}
}

// forgetAsk lets track i of hearing hid ask for a keyframe again at once,
// as if a second had passed since it last asked.
func forgetAsk(r *Recorder, hid int64, i int) {
	r.mu.Lock()
	tr := r.sessions[hid].tracks[i]
	r.mu.Unlock()
	tr.mu.Lock()
	tr.lastAsk = time.Time{}.Add(time.Nanosecond)
	tr.mu.Unlock()
}

// TestRecordAudioGap: a stretch without audio packets (a mute) is filled
// with empty Opus packets, so the audio keeps its length; a forged jump of
// the RTP time is filled no further than the time that really passed.
func TestRecordAudioGap(t *testing.T) {
	r, _ := mustRecorder(t, Config{})
	atap := r.OnTrack(8, alice, "audio", opus)
	var seq uint16
	send := func(i int, ts uint32) { seq++; atap(opusPacket(seq, ts, i)) }
	for i := range 10 {
		send(i, uint32(i*960))
	}
	r.mu.Lock()
	tr := r.sessions[8].tracks[0]
	r.mu.Unlock()
	for i := 10; i < 20; i++ { // two seconds later than the packets' pace
		if i == 11 { // packet 9 is written (the builder holds one back): three seconds pass
			tr.mu.Lock()
			tr.lastWall = tr.lastWall.Add(-3 * time.Second)
			tr.mu.Unlock()
		}
		send(i, uint32(i*960+96000))
	}
	for i := 20; i < 25; i++ { // a forged jump of hours, at once
		send(i, uint32(i*960+96000+1<<30))
	}
	atap(nil)
	files := r.Finish(8)
	pkts := checkOgg(t, files[0].Path)
	var fill []int // fillers before each real packet
	n := 0
	for _, p := range pkts {
		if len(p) == 1 && p[0] == opusEmpty20ms {
			n++
			continue
		}
		fill = append(fill, n)
		n = 0
	}
	if len(fill) != 25 {
		t.Fatalf("got %d real packets, want 25", len(fill))
	}
	for i, n := range fill {
		want := 0
		switch i {
		case 10:
			want = 100 // two seconds of 20 ms
		case 20:
			want = -1 // at most what passed (about nothing) plus a second
		}
		if want == -1 && (n > 50 || n < 1) || want >= 0 && n != want {
			t.Errorf("before packet %d: got %d empty packets, want %d", i, n, want)
		}
	}
}

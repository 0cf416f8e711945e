// Package record records the hearings: each admitted participant's audio
// (Opus in Ogg) and video (VP8 or VP9 in WebM, which browsers play) to files
// in a temp area, from the packets the SFU forwards. The court attaches the
// files to the case when the hearing ends (court/hearings.AttachRecord).
//
// Wiring (cmd/courtd): hooks = recorder.Wrap(hooks, attach) before
// hearing.New, then recorder.SetKeyframe(server.RequestKeyframe); close the
// hearing server before the recorder (Close waits for the attachments).
// Done by hand: Recorder.OnTrack is the OnTrack hook; in OnEnd, Finish
// hands over the files, which the caller attaches and passes to Remove.
package record

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/shangcheng-court/courtd/hearing"
)

// Defaults of the bounds on one hearing's recording.
const (
	DefaultMaxBytes    int64 = 4 << 30 // 4 GiB: about 6 h of four 1.5 Mbps participants
	DefaultMaxDuration       = 8 * time.Hour
)

// Reordering windows, in packets: a packet later than this behind the
// newest is dropped. About 1 s of audio (50 packets/s) and of video.
const (
	audioWindow = 50
	videoWindow = 200
)

// Config says where recordings go and how much one hearing may take.
type Config struct {
	// Dir is the temp area (created if need be); each hearing records into
	// its own directory under it.
	Dir string
	// MaxBytes bounds one hearing's media bytes on disk (all files); past
	// it, recording of that hearing stops with a log line. MaxDuration
	// likewise bounds its length from the first track. Zero: the defaults.
	MaxBytes    int64
	MaxDuration time.Duration
	Logger      *slog.Logger
}

// File is one recording, ready to attach. Its fields are those of
// court/hearings.Recording, so that one converts to the other.
type File struct {
	Path   string
	UserID int64
	Name   string // the participant's name as shown in the room
	Kind   string // "audio", "video" or "screen"
	Part   int    // 1, then 2... when the participant published this kind again (a rejoin)
	MIME   string // "audio/ogg" or "video/webm"
}

// Recorder records every hearing of one hearing.Server.
type Recorder struct {
	cfg      Config
	log      *slog.Logger
	keyframe atomic.Pointer[func(hearingID, userID int64)]

	mu        sync.Mutex
	sessions  map[int64]*session
	finished  map[int64]bool // hearings handed over: nothing more is recorded
	attaching sync.WaitGroup // Wrap's attachments under way
}

// New makes the temp area and returns a Recorder.
func New(cfg Config) (*Recorder, error) {
	if cfg.Dir == "" {
		return nil, errors.New("record: no directory")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = DefaultMaxDuration
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &Recorder{cfg: cfg, log: cfg.Logger, sessions: map[int64]*session{}, finished: map[int64]bool{}}, nil
}

// SetKeyframe gives the recorder a way to ask a participant for a keyframe
// (hearing.Server.RequestKeyframe): a video recording starts with one and
// asks again after losing packets.
func (r *Recorder) SetKeyframe(f func(hearingID, userID int64)) { r.keyframe.Store(&f) }

func (r *Recorder) askKeyframe(hearingID, userID int64) {
	if f := r.keyframe.Load(); f != nil {
		(*f)(hearingID, userID)
	}
}

// session is one hearing's recording.
type session struct {
	id      int64
	dir     string
	started time.Time
	bytes   atomic.Int64
	stopped atomic.Bool // a bound was reached
	tracks  []*track
	parts   map[string]int // "user/kind" -> files so far
}

// OnTrack is the hearing.Hooks.OnTrack hook: it opens a file for the new
// track and returns the tap that writes it (nil for a codec it does not
// record, or a hearing already handed over). A participant who publishes
// again (a rejoin, a new camera) gets a new file, part 2, 3...: each file
// is one continuous stream, and the transcript's join and leave times
// explain the gaps.
func (r *Recorder) OnTrack(hearingID int64, p hearing.Presence, kind string, codec webrtc.RTPCodecParameters) func(*rtp.Packet) {
	if kind != "audio" && kind != "video" && kind != "screen" { // it names the file
		return nil
	}
	mime := strings.ToLower(codec.MimeType)
	var depack rtp.Depacketizer
	var ext, fileMIME string
	switch mime {
	case strings.ToLower(webrtc.MimeTypeOpus):
		depack, ext, fileMIME = &codecs.OpusPacket{}, ".ogg", "audio/ogg"
	case strings.ToLower(webrtc.MimeTypeVP8):
		depack, ext, fileMIME = &codecs.VP8Packet{}, ".webm", "video/webm"
	case strings.ToLower(webrtc.MimeTypeVP9):
		depack, ext, fileMIME = &codecs.VP9Packet{}, ".webm", "video/webm"
	default:
		r.log.Warn("hearing recording: codec not recorded", "hearing", hearingID, "user", p.ID, "codec", codec.MimeType)
		return nil
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished[hearingID] {
		return nil
	}
	s := r.sessions[hearingID]
	if s == nil {
		dir, err := os.MkdirTemp(r.cfg.Dir, fmt.Sprintf("h%d-", hearingID))
		if err != nil {
			r.log.Error("hearing recording: cannot make its directory", "hearing", hearingID, "err", err)
			return nil
		}
		s = &session{id: hearingID, dir: dir, started: time.Now(), parts: map[string]int{}}
		r.sessions[hearingID] = s
	}
	if s.stopped.Load() {
		return nil
	}
	key := fmt.Sprintf("%d/%s", p.ID, kind)
	s.parts[key]++
	t := &track{r: r, s: s, clock: codec.ClockRate, codec: mime,
		file: File{UserID: p.ID, Name: p.Name, Kind: kind, Part: s.parts[key], MIME: fileMIME}}
	t.file.Path = filepath.Join(s.dir, fmt.Sprintf("u%d-%s-%d%s", p.ID, kind, t.file.Part, ext))
	f, err := os.OpenFile(t.file.Path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		r.log.Error("hearing recording: cannot open a file", "hearing", hearingID, "err", err)
		return nil
	}
	t.f = f
	if fileMIME == "audio/ogg" {
		channels := codec.Channels
		if channels == 0 {
			channels = 2
		}
		t.bw = bufio.NewWriterSize(f, 64<<10)
		t.ogg, err = oggwriter.NewWith(t.bw, codec.ClockRate, channels)
		t.sb = samplebuilder.New(audioWindow, depack, codec.ClockRate)
	} else {
		t.bw = bufio.NewWriterSize(f, 64<<10)
		codecID := "V_VP8"
		if mime == strings.ToLower(webrtc.MimeTypeVP9) {
			codecID = "V_VP9"
		}
		t.webm = newWebM(&seekBuf{t.bw, f}, codecID)
		t.sb = samplebuilder.New(videoWindow, depack, codec.ClockRate)
	}
	if err != nil {
		f.Close()
		os.Remove(t.file.Path)
		r.log.Error("hearing recording: cannot start a file", "hearing", hearingID, "err", err)
		return nil
	}
	s.tracks = append(s.tracks, t)
	return t.tap
}

// Finish stops recording hearing id and returns its files that hold media
// (a file with no frame is deleted). Nothing more is recorded for id. The
// caller attaches the files, then calls Remove.
func (r *Recorder) Finish(id int64) []File {
	r.mu.Lock()
	s := r.sessions[id]
	delete(r.sessions, id)
	r.finished[id] = true
	r.mu.Unlock()
	if s == nil {
		return nil
	}
	var out []File
	for _, t := range s.tracks {
		if t.close() {
			out = append(out, t.file)
		} else {
			os.Remove(t.file.Path)
		}
	}
	if len(out) == 0 {
		os.Remove(s.dir)
	}
	return out
}

// Remove deletes attached files and their hearing's directory once empty.
func (r *Recorder) Remove(files []File) {
	for _, f := range files {
		os.Remove(f.Path)
		os.Remove(filepath.Dir(f.Path)) // fails while other files remain
	}
}

// Attach puts an ended hearing's recording on the court's record (see
// court/hearings.AttachRecord); files may be empty (the transcript is still
// worth attaching). It runs on its own goroutine.
type Attach func(ctx context.Context, rec hearing.Record, files []File) error

// AttachTimeout bounds one hearing's attachment (hashing and copying a few
// GiB takes a minute or two on a slow disk).
const AttachTimeout = 30 * time.Minute

// Wrap returns hooks that also record: OnTrack records each track (and
// still calls h's OnTrack, whose tap gets the packets too), OnEnd calls h's
// OnEnd, finishes the recording and runs attach on a goroutine of its own,
// as hooks must not block. Attached files are removed; after an error
// they stay in the temp area, with a log line saying where.
func (r *Recorder) Wrap(h hearing.Hooks, attach Attach) hearing.Hooks {
	onTrack, onEnd := h.OnTrack, h.OnEnd
	h.OnTrack = func(hid int64, p hearing.Presence, kind string, codec webrtc.RTPCodecParameters) func(*rtp.Packet) {
		mine := r.OnTrack(hid, p, kind, codec)
		var theirs func(*rtp.Packet)
		if onTrack != nil {
			theirs = onTrack(hid, p, kind, codec)
		}
		if mine == nil || theirs == nil {
			if mine == nil {
				return theirs
			}
			return mine
		}
		return func(pkt *rtp.Packet) { mine(pkt); theirs(pkt) }
	}
	h.OnEnd = func(rec hearing.Record) {
		if onEnd != nil {
			onEnd(rec)
		}
		files := r.Finish(rec.Hearing)
		if attach == nil {
			return
		}
		r.attaching.Add(1)
		go func() {
			defer r.attaching.Done()
			ctx, cancel := context.WithTimeout(context.Background(), AttachTimeout)
			defer cancel()
			if err := attach(ctx, rec, files); err != nil {
				dirs := map[string]bool{}
				for _, f := range files {
					dirs[filepath.Dir(f.Path)] = true
				}
				r.log.Error("hearing recording not attached: its files are kept", "hearing", rec.Hearing, "err", err, "dirs", fmt.Sprint(dirs))
				return
			}
			r.Remove(files)
		}()
	}
	return h
}

// Close finishes every recording still running (the server is shutting
// down: close the hearing server first, whose hearings end then), waits
// for the attachments under way, and leaves unattached files in the temp
// area for an operator.
func (r *Recorder) Close() error {
	r.mu.Lock()
	ids := make([]int64, 0, len(r.sessions))
	for id := range r.sessions {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	for _, id := range ids {
		if files := r.Finish(id); len(files) > 0 {
			r.log.Warn("hearing recording kept in the temp area", "hearing", id, "dir", filepath.Dir(files[0].Path))
		}
	}
	r.attaching.Wait()
	return nil
}

// stop ends a hearing's recording when a bound is reached.
func (s *session) stop(r *Recorder, why string) {
	if s.stopped.CompareAndSwap(false, true) {
		r.log.Warn("hearing recording stopped: limit reached", "hearing", s.id, "limit", why,
			"bytes", s.bytes.Load(), "max_bytes", r.cfg.MaxBytes, "max_duration", r.cfg.MaxDuration.String())
	}
}

// track is one published track being recorded. Its tap runs on the SFU's
// forwarding goroutine; Finish may close it from another, hence the lock.
type track struct {
	r     *Recorder
	s     *session
	file  File
	codec string
	clock uint32

	mu     sync.Mutex
	closed bool
	f      *os.File
	bw     *bufio.Writer
	sb     *samplebuilder.SampleBuilder
	ogg    *oggwriter.OggWriter
	webm   *webmWriter
	frames int

	keyed    bool      // video: a keyframe was written; until then frames are dropped
	lastTS   uint32    // RTP time of the last written frame
	lastDur  int       // audio: samples in the last packet
	lastWall time.Time // audio: when the last packet was written
	elapsed  int64     // RTP time since the first keyframe, unwrapped
	lastAsk  time.Time
	failed   bool
}

// tap takes one forwarded packet (nil: the track ended). Packets go through
// the sample builder, which puts them back in order within its window,
// drops those that come too late, and assembles frames.
func (t *track) tap(pkt *rtp.Packet) {
	if pkt == nil {
		t.close()
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed || t.failed || t.s.stopped.Load() {
		return
	}
	if time.Since(t.s.started) > t.r.cfg.MaxDuration {
		t.s.stop(t.r, "duration")
		return
	}
	if t.webm != nil && t.frames == 0 && t.lastAsk.IsZero() {
		t.ask() // a recording starts with a keyframe
	}
	t.sb.Push(pkt.Clone()) // the packet is only ours during the call
	t.drain()
}

// drain writes the frames the sample builder has completed.
func (t *track) drain() {
	for smp := t.sb.Pop(); smp != nil; smp = t.sb.Pop() {
		if t.failed || t.s.stopped.Load() {
			return
		}
		var err error
		if t.ogg != nil {
			err = t.writeAudio(smp.Data, smp.PacketTimestamp)
		} else {
			err = t.writeVideo(smp.Data, smp.PacketTimestamp, smp.PrevDroppedPackets > 0)
		}
		if err != nil {
			t.failed = true
			t.r.log.Error("hearing recording: write failed", "hearing", t.s.id, "file", t.file.Path, "err", err)
			return
		}
		if n := t.s.bytes.Add(int64(len(smp.Data)) + frameOverhead); n >= t.r.cfg.MaxBytes {
			t.s.stop(t.r, "size")
		}
	}
}

// frameOverhead is what the container adds to a frame, counted towards
// the bound (an Ogg page header per packet; Matroska's block header is
// smaller).
const frameOverhead = 28

// writeAudio writes an Opus packet. Ogg time is the count of samples
// written, so a stretch without packets (the judge's mute, a loss) would
// vanish from the audio and put it out of step with the video: it is
// filled with empty 20 ms packets (a TOC byte alone: the decoder plays
// silence or concealment), at most as long as the stretch really lasted,
// so a publisher's forged timestamps cannot make the recorder write hours
// of filler. A packet that is not Opus is skipped.
func (t *track) writeAudio(p []byte, ts uint32) error {
	n := opusSamples(p)
	if n == 0 {
		return nil
	}
	now := time.Now()
	if t.frames > 0 {
		gap := int64(int32(ts-t.lastTS)) - int64(t.lastDur)
		most := int64((now.Sub(t.lastWall) + time.Second).Seconds() * 48000)
		for gap = min(gap, most); gap >= 960 && !t.s.stopped.Load(); gap -= 960 {
			if err := t.ogg.WriteRTP(&rtp.Packet{Header: rtp.Header{Timestamp: ts}, Payload: []byte{opusEmpty20ms}}); err != nil {
				return err
			}
			if t.s.bytes.Add(1+frameOverhead) >= t.r.cfg.MaxBytes {
				t.s.stop(t.r, "size")
			}
		}
	}
	t.lastTS, t.lastDur, t.lastWall = ts, n, now
	t.frames++
	return t.ogg.WriteRTP(&rtp.Packet{Header: rtp.Header{Timestamp: ts}, Payload: p})
}

// opusEmpty20ms is the TOC byte of a 20 ms CELT fullband stereo packet
// with one frame; alone it is an empty frame (RFC 6716 3.2.1).
const opusEmpty20ms = 0xfc

// opusSamples is the number of 48 kHz samples an Opus packet holds (RFC
// 6716 3.1: the TOC's configuration and frame count), 0 for what is not a
// valid packet.
func opusSamples(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	cfg := p[0] >> 3
	var per int
	switch {
	case cfg < 12: // SILK: 10, 20, 40, 60 ms
		per = []int{480, 960, 1920, 2880}[cfg&3]
	case cfg < 16: // hybrid: 10, 20 ms
		per = []int{480, 960}[cfg&1]
	default: // CELT: 2.5, 5, 10, 20 ms
		per = []int{120, 240, 480, 960}[cfg&3]
	}
	frames := 1
	switch p[0] & 3 {
	case 1, 2:
		frames = 2
	case 3:
		if len(p) < 2 || p[1]&0x3f == 0 {
			return 0
		}
		frames = int(p[1] & 0x3f)
	}
	if per*frames > 5760 { // 120 ms at most
		return 0
	}
	return per * frames
}

// writeVideo writes a frame once the recording has a keyframe. After a
// loss the following frames would decode into garbage, so the recording
// waits for (and asks for) the next keyframe: the video pauses instead.
func (t *track) writeVideo(frame []byte, ts uint32, lost bool) error {
	var key bool
	var w, h int
	if t.codec == strings.ToLower(webrtc.MimeTypeVP9) {
		key, w, h = vp9Key(frame)
	} else {
		key, w, h = vp8Key(frame)
	}
	if lost && !key {
		t.keyed = false
	}
	if !t.keyed && !key {
		t.ask()
		return nil
	}
	if t.frames == 0 {
		t.lastTS = ts
	}
	t.elapsed += int64(int32(ts - t.lastTS)) // RTP time wraps; differences do not
	t.lastTS = ts
	t.keyed = true
	t.frames++
	return t.webm.WriteFrame(frame, t.elapsed*1000/int64(t.clock), key, w, h)
}

// ask requests a keyframe at most once a second.
func (t *track) ask() {
	if time.Since(t.lastAsk) < time.Second {
		return
	}
	t.lastAsk = time.Now()
	t.r.askKeyframe(t.s.id, t.file.UserID)
}

// close writes what is left and closes the file; it reports whether the
// file holds any media.
func (t *track) close() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return t.frames > 0 && !t.failed
	}
	t.closed = true
	if !t.failed && !t.s.stopped.Load() {
		t.sb.Flush()
		t.drain()
	}
	var err error
	if t.ogg != nil {
		err = t.ogg.Close()
	} else {
		err = t.webm.Close()
	}
	err = errors.Join(err, t.bw.Flush(), t.f.Close())
	if err != nil {
		t.failed = true
		t.r.log.Error("hearing recording: closing a file failed", "hearing", t.s.id, "file", t.file.Path, "err", err)
	}
	return t.frames > 0 && !t.failed
}

// seekBuf is a buffered file that may seek back (the WebM muxer patches
// its header on close): it flushes the buffer before seeking.
type seekBuf struct {
	bw *bufio.Writer
	f  *os.File
}

func (b *seekBuf) Write(p []byte) (int, error) { return b.bw.Write(p) }

func (b *seekBuf) Seek(off int64, whence int) (int64, error) {
	if err := b.bw.Flush(); err != nil {
		return 0, err
	}
	return b.f.Seek(off, whence)
}

var _ io.WriteSeeker = (*seekBuf)(nil)

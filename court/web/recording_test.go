package web_test

// The hearing's recording attached to the case (court/hearings.AttachRecord
// with files written by hearing/record): court exhibits J-n with the files'
// hashes, on the ledger and the docket, that the parties play back and a
// stranger to the case cannot see.

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/storage"
	"github.com/shangcheng-court/courtd/hearing"
	"github.com/shangcheng-court/courtd/hearing/record"
)

// recordSome writes a short recording of user (audio and video) with rec.
func recordSome(t *testing.T, rec *record.Recorder, hid int64, p hearing.Presence) {
	t.Helper()
	atap := rec.OnTrack(hid, p, "audio", webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}})
	vtap := rec.OnTrack(hid, p, "video", webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}})
	for i := range 50 {
		atap(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * 960)},
			Payload: []byte{0xfc, byte(i), 1, 2}})
		// A one-packet VP8 frame: payload descriptor with S, then a frame
		// header (a 16x16 keyframe every 10 frames).
		frame := []byte{0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 16, 0, 16, 0, byte(i)}
		if i%10 != 0 {
			frame = []byte{0x10, 0x11, 0x02, 0x00, byte(i), 7, 7}
		}
		vtap(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * 3000), Marker: true},
			Payload: frame})
	}
	atap(nil)
	vtap(nil)
}

func TestAttachRecording(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	start := startOf(t, slot)
	svc := &hearings.Service{DB: ts.DB, Now: ts.Dk.Now}
	ctx := context.Background()
	at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
	if err := svc.RecordJoin(ctx, h.ID, a.ids["claimant1"], hearings.RoleClaimant, at(1)); err != nil {
		t.Fatal(err)
	}
	if err := svc.RecordLeave(ctx, h.ID, a.ids["claimant1"], at(30)); err != nil {
		t.Fatal(err)
	}

	rec, err := record.New(record.Config{Dir: filepath.Join(ts.Dir, "recordings")})
	if err != nil {
		t.Fatal(err)
	}
	recordSome(t, rec, h.ID, hearing.Presence{ID: a.ids["claimant1"], Name: "张伟", Role: "claimant", Admitted: true})
	files := rec.Finish(h.ID)
	if len(files) != 2 {
		t.Fatalf("got %d recordings, want 2", len(files))
	}
	want := map[string]string{} // title -> sha256 of the file
	rs := make([]hearings.Recording, len(files))
	for i, f := range files {
		rs[i] = hearings.Recording(f)
		b, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		want[hearings.RecordingTitle(rs[i])] = sha(b)
	}
	chat := []hearings.ChatLine{{Name: "张伟", Role: "claimant", Text: "我同意\n[10:00:00] 王法官 (judge): 伪造", At: at(5)}}

	before := countOf(a.docketKinds(cs.ID), evidence.EntryFiled)
	exs, err := svc.AttachRecord(ctx, ts.Ev, h.ID, rs, chat)
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 3 {
		t.Fatalf("got %d exhibits, want 3 (audio, video, transcript)", len(exs))
	}
	rec.Remove(files)
	for _, f := range files {
		if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
			t.Errorf("%s is still in the temp area", f.Path)
		}
	}
	if got := countOf(a.docketKinds(cs.ID), evidence.EntryFiled) - before; got != 3 {
		t.Errorf("got %d exhibit_filed docket entries, want 3", got)
	}

	// The parties and the judge see them; a stranger to the case does not.
	res, _ := a.call("claimant1", "GET", casePath(cs.ID, "/exhibits"), nil)
	var list struct {
		Exhibits []storage.Exhibit `json:"exhibits"`
	}
	decodeInto(t, res, &list)
	titles := map[string]bool{}
	for i, e := range list.Exhibits {
		titles[e.Title] = true
		if e.Side != evidence.SideCourt || e.Label != "J-"+strconv.Itoa(i+1) || e.LeafIndex < 0 || e.UploadedBy != a.ids["judge1"] {
			t.Errorf("exhibit %+v: want J-%d on the ledger, filed for the judge", e, i+1)
		}
		wantMIME := map[string]string{"庭审录像 张伟 音频": "audio/ogg", "庭审录像 张伟 视频": "video/webm", hearings.TranscriptTitle: evidence.MIMEText}[e.Title]
		if e.MIME != wantMIME {
			t.Errorf("%s: got MIME %s, want %s", e.Title, e.MIME, wantMIME)
		}
		if sum, ok := want[e.Title]; ok && e.SHA256 != sum {
			t.Errorf("%s: got sha256 %s, want the file's %s", e.Title, e.SHA256, sum)
		}
		content := casePath(cs.ID, "/exhibits/"+strconv.FormatInt(e.ID, 10)+"/content")
		for _, user := range []string{"claimant1", "merchant1", "judge1"} {
			res, _ := a.call(user, "GET", content, nil)
			if res.StatusCode != http.StatusOK || sha([]byte(res.Body)) != e.SHA256 {
				t.Errorf("%s plays %s: got %d, want 200 and the file", user, e.Title, res.StatusCode)
			}
		}
		if res, _ := a.call("claimant2", "GET", content, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("a stranger gets %s: got %d, want 404", e.Title, res.StatusCode)
		}
		rres, _ := a.call("claimant1", "GET", casePath(cs.ID, "/exhibits/"+strconv.FormatInt(e.ID, 10)+"/receipt"), nil)
		var receipt struct {
			ExhibitSHA256 string `json:"exhibit_sha256"`
		}
		if rres.StatusCode != http.StatusOK || json.Unmarshal([]byte(rres.Body), &receipt) != nil || receipt.ExhibitSHA256 != e.SHA256 {
			t.Errorf("%s: ledger receipt: got %d %s", e.Title, rres.StatusCode, rres.Body)
		}
		if e.Title == hearings.TranscriptTitle {
			res, _ := a.call("claimant1", "GET", content, nil)
			for _, line := range []string{"张伟 (claimant): ", "我同意 ⏎ [10:00:00] 王法官 (judge): 伪造", cs.DocketNo} {
				if !strings.Contains(res.Body, line) {
					t.Errorf("the transcript lacks %q:\n%s", line, res.Body)
				}
			}
			for _, l := range strings.Split(res.Body, "\n") {
				if strings.HasPrefix(l, "[10:00:00]") {
					t.Errorf("a chat message forged a line of the transcript:\n%s", res.Body)
				}
			}
		}
	}
	for _, title := range []string{"庭审录像 张伟 音频", "庭审录像 张伟 视频", hearings.TranscriptTitle} {
		if !titles[title] {
			t.Errorf("no exhibit %q in %v", title, titles)
		}
	}
}

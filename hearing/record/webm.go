package record

// A minimal WebM (Matroska) muxer for one video track (VP8 or VP9), so that a
// browser plays the recording from the case page: browsers play WebM but not
// IVF. It writes what Chromium's own MediaRecorder writes (EBML header,
// Segment, Info, Tracks, then Clusters of SimpleBlocks) and, on Close, goes
// back to fill in the Segment size and the Duration. There are no Cues:
// players seek by scanning the clusters, which are small.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
)

// Matroska element IDs used here (RFC 9559), written with their marker bits.
const (
	idEBML               = 0x1A45DFA3
	idEBMLVersion        = 0x4286
	idEBMLReadVersion    = 0x42F7
	idEBMLMaxIDLength    = 0x42F2
	idEBMLMaxSizeLength  = 0x42F3
	idDocType            = 0x4282
	idDocTypeVersion     = 0x4287
	idDocTypeReadVersion = 0x4285
	idSegment            = 0x18538067
	idInfo               = 0x1549A966
	idTimecodeScale      = 0x2AD7B1
	idDuration           = 0x4489
	idMuxingApp          = 0x4D80
	idWritingApp         = 0x5741
	idTracks             = 0x1654AE6B
	idTrackEntry         = 0xAE
	idTrackNumber        = 0xD7
	idTrackUID           = 0x73C5
	idTrackType          = 0x83
	idCodecID            = 0x86
	idVideo              = 0xE0
	idPixelWidth         = 0xB0
	idPixelHeight        = 0xBA
	idCluster            = 0x1F43B675
	idTimecode           = 0xE7
	idSimpleBlock        = 0xA3
)

// Cluster bounds: a cluster's blocks carry a signed 16-bit time offset
// (ms), so a cluster spans at most 32 s; a new one starts at each keyframe
// a second or more into the cluster, or after clusterSpan.
const (
	clusterSpan   = 5000 // ms
	clusterMinKey = 1000 // ms
)

// webmWriter writes one video track. Times are in milliseconds from the
// start of the recording.
type webmWriter struct {
	out   io.WriteSeeker
	codec string // "V_VP8" or "V_VP9"

	started     bool
	segData     int64 // file offset where the Segment's data begins
	durationAt  int64 // file offset of the Duration's 8-byte float
	cluster     bytes.Buffer
	clusterTime int64
	inCluster   bool
	last        int64 // time of the last frame written
	err         error
}

func newWebM(out io.WriteSeeker, codec string) *webmWriter {
	return &webmWriter{out: out, codec: codec}
}

// WriteFrame adds one encoded frame at time ms. The first frame must be a
// keyframe (the caller waits for one); width and height are taken from it.
func (w *webmWriter) WriteFrame(frame []byte, ms int64, key bool, width, height int) error {
	if w.err != nil {
		return w.err
	}
	if !w.started {
		if !key {
			return errors.New("webm: the first frame must be a keyframe")
		}
		if w.err = w.header(width, height); w.err != nil {
			return w.err
		}
		w.started = true
	}
	if ms < w.last { // never go back in time: a reordered frame is late
		ms = w.last
	}
	span := ms - w.clusterTime
	if !w.inCluster || span >= clusterSpan || (key && span >= clusterMinKey) {
		if w.err = w.flushCluster(); w.err != nil {
			return w.err
		}
		w.inCluster, w.clusterTime = true, ms
	}
	flags := byte(0)
	if key {
		flags = 0x80
	}
	block := make([]byte, 0, 4+len(frame))
	block = append(block, 0x81) // track number 1 as a one-byte vint
	block = binary.BigEndian.AppendUint16(block, uint16(int16(ms-w.clusterTime)))
	block = append(block, flags)
	block = append(block, frame...)
	w.cluster.Write(element(idSimpleBlock, block))
	w.last = ms
	return nil
}

// header writes the EBML header, the Segment (its size to be filled in on
// Close), Info and Tracks.
func (w *webmWriter) header(width, height int) error {
	var h bytes.Buffer
	h.Write(element(idEBML, cat(
		uintElement(idEBMLVersion, 1), uintElement(idEBMLReadVersion, 1),
		uintElement(idEBMLMaxIDLength, 4), uintElement(idEBMLMaxSizeLength, 8),
		element(idDocType, []byte("webm")), uintElement(idDocTypeVersion, 2), uintElement(idDocTypeReadVersion, 2))))
	h.Write(id(idSegment))
	h.Write(unknownSize[:]) // replaced by the real size on Close
	w.segData = int64(h.Len())

	info := cat(uintElement(idTimecodeScale, 1000000), element(idMuxingApp, []byte("courtd")), element(idWritingApp, []byte("courtd")))
	durationOffset := len(info) + len(id(idDuration)) + 1 // within info's data
	info = cat(info, element(idDuration, make([]byte, 8)))
	infoEl := element(idInfo, info)
	w.durationAt = int64(h.Len()) + int64(len(infoEl)-len(info)) + int64(durationOffset)
	h.Write(infoEl)

	video := cat(uintElement(idPixelWidth, uint64(width)), uintElement(idPixelHeight, uint64(height)))
	track := cat(uintElement(idTrackNumber, 1), uintElement(idTrackUID, 1), uintElement(idTrackType, 1),
		element(idCodecID, []byte(w.codec)), element(idVideo, video))
	h.Write(element(idTracks, element(idTrackEntry, track)))
	_, err := w.out.Write(h.Bytes())
	return err
}

func (w *webmWriter) flushCluster() error {
	if !w.inCluster {
		return nil
	}
	data := cat(uintElement(idTimecode, uint64(w.clusterTime)), w.cluster.Bytes())
	w.cluster.Reset()
	w.inCluster = false
	_, err := w.out.Write(element(idCluster, data))
	return err
}

// Close writes the last cluster and fills in the Segment size and the
// Duration. A writer that never got a keyframe wrote nothing.
func (w *webmWriter) Close() error {
	if w.err != nil || !w.started {
		return w.err
	}
	if err := w.flushCluster(); err != nil {
		return err
	}
	end, err := w.out.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	var size [8]byte
	binary.BigEndian.PutUint64(size[:], uint64(end-w.segData)|1<<56) // an 8-byte vint
	if _, err := w.out.Seek(w.segData-8, io.SeekStart); err != nil {
		return err
	}
	if _, err := w.out.Write(size[:]); err != nil {
		return err
	}
	var dur [8]byte
	binary.BigEndian.PutUint64(dur[:], math.Float64bits(float64(w.last+frameMS)))
	if _, err := w.out.Seek(w.durationAt, io.SeekStart); err != nil {
		return err
	}
	if _, err := w.out.Write(dur[:]); err != nil {
		return err
	}
	_, err = w.out.Seek(end, io.SeekStart)
	return err
}

// frameMS is added to the last frame's time for the duration: that frame
// is shown for about one frame interval.
const frameMS = 33

// unknownSize is the 8-byte vint "size unknown".
var unknownSize = [8]byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}

// id returns an element ID's bytes (IDs carry their own length marker).
func id(v uint32) []byte {
	switch {
	case v >= 1<<24:
		return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	case v >= 1<<16:
		return []byte{byte(v >> 16), byte(v >> 8), byte(v)}
	case v >= 1<<8:
		return []byte{byte(v >> 8), byte(v)}
	}
	return []byte{byte(v)}
}

// vint returns n as the shortest EBML variable-size integer (the all-ones
// value of each length is reserved for "unknown").
func vint(n uint64) []byte {
	for l := 1; l <= 8; l++ {
		if n < 1<<(7*l)-1 {
			b := make([]byte, l)
			v := n | 1<<(7*l)
			for i := l - 1; i >= 0; i-- {
				b[i] = byte(v)
				v >>= 8
			}
			return b
		}
	}
	panic("webm: element too large")
}

func element(v uint32, data []byte) []byte {
	return cat(id(v), vint(uint64(len(data))), data)
}

func uintElement(v uint32, n uint64) []byte {
	b := binary.BigEndian.AppendUint64(nil, n)
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return element(v, b)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// vp8Key reports whether a VP8 frame is a keyframe and, if so, its size
// (RFC 6386 9.1: a 3-byte tag, the start code 9d 01 2a, then 14-bit width
// and height).
func vp8Key(f []byte) (key bool, width, height int) {
	if len(f) < 10 || f[0]&1 != 0 || f[3] != 0x9d || f[4] != 0x01 || f[5] != 0x2a {
		return false, 0, 0
	}
	return true, int(binary.LittleEndian.Uint16(f[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(f[8:]) & 0x3fff)
}

// vp9Key reports whether a VP9 frame is a keyframe (VP9 bitstream spec
// 6.2: frame_marker, profile bits, show_existing_frame, frame_type) and,
// for profile 0 (what browsers send), its size; otherwise the size is 0x0
// and players take it from the bitstream.
func vp9Key(f []byte) (key bool, width, height int) {
	if len(f) < 1 || f[0]>>6 != 2 {
		return false, 0, 0
	}
	br := bitReader{b: f, pos: 2}
	profile := br.bit() | br.bit()<<1
	if profile == 3 {
		br.bit()
	}
	if br.bit() == 1 { // show_existing_frame
		return false, 0, 0
	}
	if br.bit() != 0 { // frame_type 1 = not a keyframe
		return false, 0, 0
	}
	br.bits(2)                                   // show_frame, error_resilient_mode
	if br.bits(24) != 0x498342 || profile != 0 { // sync code; colour config differs for others
		return true, 0, 0
	}
	if br.bits(3) != 7 { // color_space other than RGB: a color_range bit
		br.bit()
	}
	w, h := int(br.bits(16))+1, int(br.bits(16))+1
	if !br.ok() {
		return true, 0, 0
	}
	return true, w, h
}

type bitReader struct {
	b   []byte
	pos int
}

func (r *bitReader) bit() uint32 {
	if r.pos >= 8*len(r.b) {
		r.pos++
		return 0
	}
	v := uint32(r.b[r.pos/8]>>(7-r.pos%8)) & 1
	r.pos++
	return v
}

func (r *bitReader) bits(n int) uint32 {
	var v uint32
	for range n {
		v = v<<1 | r.bit()
	}
	return v
}

func (r *bitReader) ok() bool { return r.pos <= 8*len(r.b) }

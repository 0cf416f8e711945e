package evidence

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// The types the court accepts, decided by the content alone.
const (
	MIMEPDF  = "application/pdf"
	MIMEJPEG = "image/jpeg"
	MIMEPNG  = "image/png"
	MIMEWebP = "image/webp"
	MIMEMP4  = "video/mp4"
	MIMEWebM = "video/webm"
	MIMEMP3  = "audio/mpeg"
	MIMEM4A  = "audio/mp4"
	MIMEOgg  = "audio/ogg"
	MIMEWAV  = "audio/wav"
	MIMEText = "text/plain; charset=utf-8"
)

// Accepted names the accepted types for messages.
const Accepted = "PDF, JPEG, PNG, WebP, MP4, WebM, MP3, M4A, Ogg, WAV, TXT (UTF-8)"

// sniffLen is how much of the start of a file sniff needs.
const sniffLen = 512

// mp4Brands are the ISO base media major brands of MP4 video; M4A and M4B
// are audio. QuickTime, 3GP and the rest are refused.
var mp4Brands = map[string]string{
	"isom": MIMEMP4, "iso2": MIMEMP4, "iso3": MIMEMP4, "iso4": MIMEMP4, "iso5": MIMEMP4, "iso6": MIMEMP4,
	"mp41": MIMEMP4, "mp42": MIMEMP4, "avc1": MIMEMP4, "dash": MIMEMP4, "M4V ": MIMEMP4,
	"M4A ": MIMEM4A, "M4B ": MIMEM4A,
}

// sniff decides the type of a file from its first bytes (up to sniffLen).
// A file that is none of the binary types may still be text: sniff answers
// MIMEText then, and the whole content must pass a textChecker.
func sniff(head []byte) (mime string, ok bool) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return MIMEPDF, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return MIMEJPEG, true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return MIMEPNG, true
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return MIMEWebP, true
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return MIMEWAV, true
	case bytes.HasPrefix(head, []byte("RIFF")): // AVI and the rest
		return "", false
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		m, ok := mp4Brands[string(head[8:12])]
		return m, ok
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		// EBML: WebM only, not any Matroska file. The DocType element
		// (0x42 0x82) comes early in the header.
		if i := bytes.Index(head, []byte{0x42, 0x82}); i >= 0 && i+3+4 <= len(head) && string(head[i+3:i+3+4]) == "webm" {
			return MIMEWebM, true
		}
		return "", false
	case bytes.HasPrefix(head, []byte("OggS")):
		return MIMEOgg, true
	case bytes.HasPrefix(head, []byte("ID3")):
		return MIMEMP3, true
	case len(head) >= 4 && isMP3Frame(head):
		return MIMEMP3, true
	}
	return MIMEText, true
}

// isMP3Frame reports whether head starts with an MPEG audio Layer III frame
// header: 11 sync bits, a version that exists, layer III, and a bit rate and
// sample rate that are not the reserved values.
func isMP3Frame(head []byte) bool {
	h := binary.BigEndian.Uint32(head)
	sync := h>>21 == 0x7FF
	version := (h >> 19) & 3 // 1 is reserved
	layer := (h >> 17) & 3   // 1 is layer III
	bitrate := (h >> 12) & 15
	rate := (h >> 10) & 3
	return sync && version != 1 && layer == 1 && bitrate != 0 && bitrate != 15 && rate != 3
}

// textChecker checks, chunk by chunk, that a stream is plain text: valid
// UTF-8 with no control characters other than tab, line feed, form feed and
// carriage return (so no NUL, and none of the bytes that start executables
// and archives).
type textChecker struct {
	carry []byte // an incomplete UTF-8 sequence at the end of the last chunk
	bad   bool
}

func (t *textChecker) Write(p []byte) (int, error) {
	if t.bad {
		return len(p), nil
	}
	b := p
	if len(t.carry) > 0 {
		b = append(append([]byte{}, t.carry...), p...)
		t.carry = t.carry[:0]
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7F {
				t.bad = true
				return len(p), nil
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRune(b[i:]) && len(b)-i < utf8.UTFMax {
				t.carry = append(t.carry, b[i:]...) // may complete in the next chunk
				return len(p), nil
			}
			t.bad = true
			return len(p), nil
		}
		if r >= 0x80 && r < 0xA0 { // C1 controls
			t.bad = true
			return len(p), nil
		}
		i += n
	}
	return len(p), nil
}

// ok reports whether everything written was text, ending on a whole
// character.
func (t *textChecker) ok() bool { return !t.bad && len(t.carry) == 0 }

// Previewable reports whether a type is shown in the page (inline) rather
// than only downloaded.
func Previewable(mime string) bool {
	switch mime {
	case MIMEPDF, MIMEJPEG, MIMEPNG, MIMEWebP, MIMEMP4, MIMEWebM, MIMEMP3, MIMEM4A, MIMEOgg, MIMEWAV:
		return true
	}
	return false
}

// Ext is the usual file extension of a type, for download names.
func Ext(mime string) string {
	switch mime {
	case MIMEPDF:
		return ".pdf"
	case MIMEJPEG:
		return ".jpg"
	case MIMEPNG:
		return ".png"
	case MIMEWebP:
		return ".webp"
	case MIMEMP4:
		return ".mp4"
	case MIMEWebM:
		return ".webm"
	case MIMEMP3:
		return ".mp3"
	case MIMEM4A:
		return ".m4a"
	case MIMEOgg:
		return ".ogg"
	case MIMEWAV:
		return ".wav"
	case MIMEText:
		return ".txt"
	}
	return ""
}

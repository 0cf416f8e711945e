package evidence

import (
	"bytes"
	"testing"
)

func TestSniff(t *testing.T) {
	ftyp := func(brand string) []byte {
		return append([]byte{0, 0, 0, 0x18}, []byte("ftyp"+brand+"\x00\x00\x02\x00")...)
	}
	webm := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'}
	mkv := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x88, 'm', 'a', 't', 'r', 'o', 's', 'k', 'a'}
	tests := []struct {
		name string
		head []byte
		mime string
		ok   bool
	}{
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3"), MIMEPDF, true},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, MIMEJPEG, true},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), MIMEPNG, true},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), MIMEWebP, true},
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), MIMEWAV, true},
		{"avi is refused", []byte("RIFF\x24\x00\x00\x00AVI LIST"), "", false},
		{"mp4", ftyp("isom"), MIMEMP4, true},
		{"m4a", ftyp("M4A "), MIMEM4A, true},
		{"quicktime is refused", ftyp("qt  "), "", false},
		{"webm", webm, MIMEWebM, true},
		{"matroska is refused", mkv, "", false},
		{"ogg", []byte("OggS\x00\x02"), MIMEOgg, true},
		{"mp3 id3", []byte("ID3\x04\x00"), MIMEMP3, true},
		{"mp3 frame", []byte{0xFF, 0xFB, 0x90, 0x64}, MIMEMP3, true},
		{"text", []byte("买家于 2026-05-01 在直播间下单。\n"), MIMEText, true},
	}
	for _, tt := range tests {
		mime, ok := sniff(tt.head)
		if ok != tt.ok || (ok && mime != tt.mime) {
			t.Errorf("%s: got %q %v, want %q %v", tt.name, mime, ok, tt.mime, tt.ok)
		}
	}
}

func TestTextChecker(t *testing.T) {
	tests := []struct {
		name string
		data string
		ok   bool
	}{
		{"ascii", "hello\r\n\tworld\f", true},
		{"chinese", "证据清单：聊天记录截图", true},
		{"nul", "abc\x00def", false},
		{"elf", "\x7fELF\x02\x01\x01", false},
		{"zip", "PK\x03\x04", false},
		{"escape", "a\x1b[31m", false},
		{"invalid utf-8", "abc\xff", false},
		{"c1 control", "a\u0085b", false},
		{"truncated rune", "证"[:2], false},
	}
	for _, tt := range tests {
		// Every split point: a rune cut across two writes is still text.
		for cut := 0; cut <= len(tt.data); cut++ {
			var c textChecker
			c.Write([]byte(tt.data[:cut]))
			c.Write([]byte(tt.data[cut:]))
			if c.ok() != tt.ok {
				t.Errorf("%s cut at %d: got ok=%v, want %v", tt.name, cut, c.ok(), tt.ok)
			}
		}
	}
	if !bytes.Equal([]byte(Accepted[:3]), []byte("PDF")) {
		t.Errorf("Accepted: got %q", Accepted)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KiB", 1536: "1.5 KiB", 1 << 30: "1 GiB", 300 << 20: "300 MiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d): got %q, want %q", n, got, want)
		}
	}
}

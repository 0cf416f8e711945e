package hearings

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shangcheng-court/courtd/court"
)

// TestFold: lines end in CRLF, no line exceeds 75 octets, a UTF-8
// character is never split, and unfolding gives the line back.
func TestFold(t *testing.T) {
	for _, s := range []string{
		"SHORT:x",
		"DESCRIPTION:" + strings.Repeat("a", 200),
		"SUMMARY:" + strings.Repeat("龙井茶", 40), // 3-octet characters across the limit
		"X:" + strings.Repeat("é", 74),
	} {
		got := fold(s)
		if !strings.HasSuffix(got, "\r\n") {
			t.Errorf("%q: no CRLF at the end", s)
		}
		lines := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
		var back strings.Builder
		for i, l := range lines {
			if len(l) > 75 {
				t.Errorf("line of %d octets", len(l))
			}
			if !utf8.ValidString(l) {
				t.Errorf("line %d splits a character: %q", i, l)
			}
			if i > 0 {
				if !strings.HasPrefix(l, " ") {
					t.Errorf("continuation %q does not start with a space", l)
				}
				l = l[1:]
			}
			back.WriteString(l)
		}
		if back.String() != s {
			t.Errorf("unfolded: got %q, want %q", back.String(), s)
		}
	}
}

func TestEscapeText(t *testing.T) {
	got := escapeText("a,b;c\\d\ne\r\nf")
	want := `a\,b\;c\\d\ne\nf`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestICSCancelled(t *testing.T) {
	start := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	h := &court.Hearing{ID: 7, Status: court.HearingCancelled, Start: start, End: start.Add(time.Hour), Sequence: 3}
	out := string(ICS(h, Calendar{Host: "court.example", Summary: "Hearing; case 1, video", Stamp: start}))
	for _, want := range []string{"UID:hearing-7@court.example\r\n", "DTSTART:20261201T020000Z\r\n", "DTEND:20261201T030000Z\r\n",
		"SEQUENCE:3\r\n", "STATUS:CANCELLED\r\n", `SUMMARY:Hearing\; case 1\, video` + "\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("ics lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Errorf("a bare LF in the file")
	}
}

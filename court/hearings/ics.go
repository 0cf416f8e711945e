package hearings

// The calendar file of a hearing (RFC 5545): one VEVENT whose UID stays the
// same across reschedules, with SEQUENCE raised by each change so that
// calendars replace the event, and STATUS:CANCELLED once cancelled. Times
// are in UTC ("Z"), which needs no VTIMEZONE component.

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shangcheng-court/courtd/court"
)

// Calendar is what the event says besides the hearing's times.
type Calendar struct {
	Host        string    // the court's host name, for the UID
	Summary     string    // the event's title, in the reader's language
	Description string    // plain text
	URL         string    // the absolute join link (LOCATION and URL)
	Stamp       time.Time // DTSTAMP: when the file is made
}

const icsTime = "20060102T150405Z"

// ICS returns the calendar file of h.
func ICS(h *court.Hearing, cal Calendar) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Shangcheng District People's Court//courtd//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("BEGIN:VEVENT")
	line("UID:hearing-" + strconv.FormatInt(h.ID, 10) + "@" + escapeText(cal.Host))
	line("DTSTAMP:" + cal.Stamp.UTC().Format(icsTime))
	line("DTSTART:" + h.Start.UTC().Format(icsTime))
	line("DTEND:" + h.End.UTC().Format(icsTime))
	line("SEQUENCE:" + strconv.Itoa(h.Sequence))
	line("SUMMARY:" + escapeText(cal.Summary))
	if cal.Description != "" {
		line("DESCRIPTION:" + escapeText(cal.Description))
	}
	if cal.URL != "" {
		line("LOCATION:" + escapeText(cal.URL))
		line("URL:" + cal.URL)
	}
	if h.Status == court.HearingCancelled {
		line("STATUS:CANCELLED")
	} else {
		line("STATUS:CONFIRMED")
	}
	line("END:VEVENT")
	line("END:VCALENDAR")
	return []byte(b.String())
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and line breaks.
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// fold ends a content line with CRLF, folded so that no line is longer than
// 75 octets (RFC 5545 3.1): a continuation line starts with a space, and a
// UTF-8 character is never split.
func fold(s string) string {
	const limit = 75
	var b strings.Builder
	n := 0 // octets on the current line
	for _, r := range s {
		size := utf8.RuneLen(r)
		if n+size > limit {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	b.WriteString("\r\n")
	return b.String()
}

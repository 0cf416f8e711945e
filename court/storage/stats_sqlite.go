package storage

import (
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// SQLite's part of the statistics queries; a PostgreSQL backend would write
// date_trunc('week', col AT TIME ZONE 'Asia/Shanghai') here instead.

// sqlCourtWeek is the SQL for the date (YYYY-MM-DD) of the Monday that
// starts the court week of the UTC time in column col. The court's zone,
// Asia/Shanghai, has been UTC+8 all year since 1991 (no daylight saving), so
// adding 8 hours gives the court's local time exactly; "-6 days, weekday 1"
// then moves to the Monday on or before that day.
func sqlCourtWeek(col string) string {
	return "date(" + col + ", '+8 hours', '-6 days', 'weekday 1')"
}

// sqlDaysBetween is the SQL for the days (with fraction) from the time in
// column a to the time in column b.
func sqlDaysBetween(a, b string) string {
	return "(julianday(" + b + ") - julianday(" + a + "))"
}

// sqlMonday is the SQL for the Monday (YYYY-MM-DD) on or before the day
// (YYYY-MM-DD) in column col: the court week it belongs to.
func sqlMonday(col string) string {
	return "date(" + col + ", '-6 days', 'weekday 1')"
}

// parseSQLiteTime reads a time as the driver reads a TIMESTAMP column
// (go-sqlite3: a trailing Z dropped, then each of its formats in turn, in
// UTC), so that a time read as text is the very time the driver would
// give.
func parseSQLiteTime(s string) (time.Time, error) {
	s = strings.TrimSuffix(s, "Z")
	var err error
	for _, f := range sqlite3.SQLiteTimestampFormats {
		var t time.Time
		if t, err = time.ParseInLocation(f, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("a time SQLite holds: %q: %w", s, err)
}

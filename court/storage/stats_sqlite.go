package storage

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

package stats

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// WriteCSV writes r as rows of section, key, value: the same numbers as the
// page and the JSON, one per row, so a spreadsheet can pick any of them.
// Amounts are fen; an empty value means "not recorded" (paid) or "none"
// (a median of nothing).
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := func(section, key, value string) {
		cw.Write([]string{section, cell(key), value})
	}
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 1, 64)
	}
	row("section", "key", "value")
	row("period", "scope", string(r.Scope))
	row("period", "from", r.From)
	row("period", "to", r.To)
	row("filings", "total", n(r.Filings))
	for _, x := range r.Weeks {
		row("filings_by_week", x.Week, n(x.Cases))
	}
	for _, x := range r.Categories {
		row("filings_by_category", string(x.Category), n(x.Cases))
	}
	for _, x := range r.Categories {
		row("claimed_fen_by_category", string(x.Category), n(int64(x.Claimed)))
	}
	for _, x := range r.Merchants {
		row("top_merchants", x.Name, n(x.Cases))
	}
	row("outcomes", "concluded", n(r.Concluded))
	for _, x := range r.Outcomes {
		row("outcomes", string(x.Outcome), n(x.Cases))
	}
	row("duration", "median_days_to_conclusion", opt(r.MedianDays))
	row("money", "claimed_fen", n(int64(r.Money.Claimed)))
	row("money", "awarded_fen", n(int64(r.Money.Awarded)))
	row("money", "agreed_fen", n(int64(r.Money.Agreed)))
	paid := ""
	if r.Money.Paid != nil {
		paid = n(int64(*r.Money.Paid))
	}
	row("money", "paid_fen", paid)
	row("hearings", "held", n(r.Hearings.Held))
	for _, x := range r.Hearings.ByKind {
		row("hearings_by_kind", string(x.Kind), n(x.Held))
	}
	row("hearings", "total_minutes", n(r.Hearings.TotalMinutes))
	row("hearings", "median_minutes", opt(r.Hearings.MedianMinutes))
	if r.Workload != nil {
		for _, x := range r.Workload.ByStatus {
			row("workload_by_status", string(x.Status), n(x.Cases))
		}
		row("workload", "overdue", n(r.Workload.Overdue))
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a text a spreadsheet would run as a formula (a merchant's
// name is typed by consumers) a text: it is prefixed with an apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

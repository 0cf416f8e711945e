package stats

import (
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

const dateLayout = "2006-01-02"

// MaxDays bounds the period of one report (about ten years): the weeks of
// the chart and the rows read stay bounded whatever a visitor asks.
const MaxDays = 3660

// DefaultDays is the period shown when none is asked: the last year.
const DefaultDays = 365

// Query is the period of a report: whole court days From to To, both
// included, at midnight in the court's zone.
type Query struct {
	From, To time.Time
}

// ParseQuery reads from and to (YYYY-MM-DD, court days; either may be
// empty) as of now. Without to the period ends today; without from it
// starts DefaultDays-1 days before to. Errors are EINVALID with a message
// per field.
func ParseQuery(from, to string, now time.Time) (Query, error) {
	var v court.Validator
	y, m, d := now.In(court.Zone).Date()
	q := Query{To: time.Date(y, m, d, 0, 0, 0, 0, court.Zone)}
	if len(to) > 10 || len(from) > 10 {
		v.Check(len(from) <= 10, "from", "stats.err_date")
		v.Check(len(to) <= 10, "to", "stats.err_date")
		return q, v.Err()
	}
	if to != "" {
		t, err := time.ParseInLocation(dateLayout, to, court.Zone)
		if v.Check(err == nil, "to", "stats.err_date") {
			q.To = t
		}
	}
	q.From = q.To.AddDate(0, 0, -(DefaultDays - 1))
	if from != "" {
		t, err := time.ParseInLocation(dateLayout, from, court.Zone)
		if v.Check(err == nil, "from", "stats.err_date") {
			q.From = t
		}
	}
	if err := v.Err(); err != nil {
		return q, err
	}
	v.Check(!q.From.After(q.To), "from", "stats.err_order")
	v.Check(q.To.Sub(q.From) <= MaxDays*24*time.Hour, "from", "stats.err_span", "Days", MaxDays)
	return q, v.Err()
}

// period is q as UTC bounds: from the start of From to the start of the
// day after To.
func (q Query) period() storage.StatsPeriod {
	return storage.StatsPeriod{From: q.From.UTC(), To: q.To.AddDate(0, 0, 1).UTC()}
}

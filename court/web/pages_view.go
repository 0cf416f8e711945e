package web

import (
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Helpers the case templates call on the page: statuses, categories, money,
// dates and messages built from stored data, all in the viewer's language
// and the court's time zone.

// StatusName is the translated name of a case status.
func (p *page) StatusName(s court.CaseStatus) string { return p.T("case_status." + string(s)) }

// CategoryName is the translated name of a dispute category.
func (p *page) CategoryName(c court.Category) string { return p.T("category." + string(c)) }

// Date shows a time (a time.Time, a *time.Time or a stored RFC 3339 string)
// as a date in the court's zone: deadlines run to the end of their day, so
// the date says it all. Nothing gives "".
func (p *page) Date(t any) string {
	if tt, ok := asTime(t); ok {
		return tt.In(court.Zone).Format("2006-01-02")
	}
	return ""
}

// DateTime shows a time as date, hours and minutes in the court's zone.
func (p *page) DateTime(t any) string {
	if tt, ok := asTime(t); ok {
		return tt.In(court.Zone).Format("2006-01-02 15:04")
	}
	return ""
}

// Overdue reports whether a deadline has passed.
func (p *page) Overdue(t *time.Time) bool {
	return t != nil && p.s.dk.Now().After(*t)
}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	case string:
		tt, err := time.Parse(time.RFC3339Nano, t)
		return tt, err == nil
	}
	return time.Time{}, false
}

// TData renders key with the values of a docket entry or a notice, as they
// were stored: times (kept as RFC 3339 text) are shown as dates.
func (p *page) TData(key string, data map[string]any) string {
	kv := make([]any, 0, 2*len(data))
	for k, v := range data {
		if t, ok := asTime(v); ok {
			v = p.Date(t)
		}
		kv = append(kv, k, v)
	}
	return p.T(key, kv...)
}

// ActorName names who made a docket entry: a role, or the court's system.
func (p *page) ActorName(role string) string {
	if court.Role(role).Valid() {
		return p.RoleName(court.Role(role))
	}
	return p.T("case.actor_system")
}

// WithHint gives a field a hint that is already translated (one that needs
// values, such as the court's cap).
func (p *page) WithHint(f field, hint string) field {
	f.Hint = hint
	return f
}

// pager is what the "pager" template shows: the links to the neighbouring
// pages of a result list ("" for none) and their labels.
type pager struct {
	Prev, Next                string
	Label, PrevText, NextText string
}

// Pager is the pager of a result list with these neighbouring pages.
func (p *page) Pager(prev, next string) pager {
	return pager{Prev: prev, Next: next, Label: p.T("search.paging"), PrevText: p.T("search.prev"), NextText: p.T("search.next")}
}

package docket

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// SearchQuery is a search of cases: words to find in the facts, the party
// names, the credit code, the order reference and the docket number, and
// filters. Dates are days in the court's zone, YYYY-MM-DD, both included.
type SearchQuery struct {
	Text     string
	Status   []court.CaseStatus
	Category court.Category
	OrgID    int64 // the merchant organisation, 0 for any
	From, To string
	BeforeID int64
	Offset   int
	Limit    int
}

// MaxSearchText is the longest search text, in characters.
const MaxSearchText = 200

// Validate checks q and returns the filing-time bounds of its dates: every
// field error at once (EINVALID).
func (q *SearchQuery) Validate() (from, to *time.Time, err error) {
	var v court.Validator
	q.Text = strings.TrimSpace(q.Text)
	switch {
	case !utf8.ValidString(q.Text):
		v.Fail("q", "err.text_encoding")
	case utf8.RuneCountInString(q.Text) > MaxSearchText:
		v.Fail("q", "err.text_too_long", "Max", MaxSearchText)
	case q.Text != "" && storage.MatchQuery(q.Text) == "":
		v.Fail("q", "err.search_no_terms")
	}
	for _, s := range q.Status {
		if !knownStatus(s) {
			v.Fail("status", "err.invalid_choice")
		}
	}
	if q.Category != "" {
		v.Check(q.Category.Valid(), "category", "err.invalid_choice")
	}
	v.Check(q.OrgID >= 0, "merchant", "err.invalid_choice")
	day := func(field, s string, next int) *time.Time {
		if s == "" {
			return nil
		}
		d, err := time.ParseInLocation("2006-01-02", s, court.Zone)
		if !v.Check(err == nil, field, "err.date") {
			return nil
		}
		d = d.AddDate(0, 0, next)
		return &d
	}
	from = day("from", q.From, 0)
	to = day("to", q.To, 1) // the end of the day: the next day's start
	if from != nil && to != nil && !from.Before(*to) {
		v.Fail("to", "err.search_dates")
	}
	v.Check(q.BeforeID >= 0, "before", "err.invalid_choice")
	v.Check(q.Offset >= 0, "offset", "err.invalid_choice")
	return from, to, v.Err()
}

func knownStatus(s court.CaseStatus) bool {
	for _, x := range court.CaseStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// Search finds the cases u may search, newest first (by filing order, not by
// rank: a clerk works the result like a list, and it pages stably). Clerks
// and admins search every case filed with the court (no drafts); judges their
// assigned cases. Errors: ENOTFOUND for every other role (search is not
// theirs); EINVALID with the fields of a bad query.
func (s *Service) Search(ctx context.Context, u *court.User, q SearchQuery) ([]court.Case, error) {
	f := storage.SearchFilter{}
	switch u.Role {
	case court.RoleClerk, court.RoleAdmin:
		f.NotDraft = true
	case court.RoleJudge:
		id := u.ID
		f.JudgeID = &id
		f.NotDraft = true
	default:
		return nil, court.ErrNotFound()
	}
	from, to, err := q.Validate()
	if err != nil {
		return nil, err
	}
	f.Query, f.Status, f.Category, f.From, f.To = q.Text, q.Status, q.Category, from, to
	f.BeforeID, f.Offset, f.Limit = q.BeforeID, q.Offset, q.Limit
	if q.OrgID > 0 {
		org := q.OrgID
		f.OrgID = &org
	}
	return s.DB.SearchCases(ctx, f)
}

// CanSearch reports whether u may search cases at all.
func CanSearch(u *court.User) bool {
	return u != nil && (u.Role == court.RoleClerk || u.Role == court.RoleAdmin || u.Role == court.RoleJudge)
}

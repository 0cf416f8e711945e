// Package stats computes the statistics the court shares with the consumers
// association and the public (issue 6): filings per week and by category,
// the merchants with most cases, outcomes, money claimed, awarded, agreed
// and paid, days from filing to conclusion, and hearings held. Every number
// is read from small tables that triggers keep exact (storage/stats_rollup.go,
// migration 00020) or computed straight from the cases (storage/stats.go,
// Service.Direct) and shaped here; docs/statistics.md says exactly how each
// is counted.
package stats

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Scope says who the report is for. The public report holds only
// aggregates and organisations' names; the dashboard adds the court's
// current workload.
type Scope string

const (
	Public    Scope = "public"
	Dashboard Scope = "dashboard"
)

// Top merchants listed per scope.
const (
	publicMerchants    = 10
	dashboardMerchants = 25
)

// Outcome is how a concluded case ended.
type Outcome string

// The outcomes in display order. A ruling is for the claimant when it
// awards at least the whole claim, for the respondent when it awards
// nothing, partly otherwise; a ruling on a case the merchant never answered
// is a default judgment, whatever it awards.
const (
	Settled         Outcome = "settled"
	Withdrawn       Outcome = "withdrawn"
	RuledClaimant   Outcome = "ruled_claimant"
	RuledRespondent Outcome = "ruled_respondent"
	RuledPartly     Outcome = "ruled_partly"
	Default         Outcome = "default"
	Converted       Outcome = "converted"
	Rejected        Outcome = "rejected"
)

// Outcomes lists every outcome in display order.
var Outcomes = []Outcome{Settled, Withdrawn, RuledClaimant, RuledRespondent, RuledPartly, Default, Converted, Rejected}

// Report is one set of statistics. Amounts are fen; JSON and CSV carry the
// same numbers as the page.
type Report struct {
	Scope Scope  `json:"scope"`
	From  string `json:"from"` // first day counted, court time
	To    string `json:"to"`   // last day counted (inclusive)

	Filings    int64           `json:"filings"`
	Weeks      []WeekCount     `json:"filings_by_week"`
	Categories []CategoryCount `json:"filings_by_category"`
	Merchants  []MerchantCount `json:"top_merchants"`

	Concluded int64          `json:"concluded"`
	Outcomes  []OutcomeCount `json:"outcomes"`
	// MedianDays from filing to conclusion, over concluded cases other
	// than those rejected at review; nil when there are none.
	MedianDays *float64 `json:"median_days_to_conclusion"`

	Money Money `json:"money"`

	Hearings Hearings `json:"hearings"`

	// Workload is the dashboard's only (nil in the public report).
	Workload *Workload `json:"workload,omitempty"`
}

// WeekCount is the filings of one court week (Monday to Sunday).
type WeekCount struct {
	Week  string `json:"week"` // the Monday, YYYY-MM-DD
	Cases int64  `json:"cases"`
}

// CategoryCount is the filings of one category and the sum they claim.
type CategoryCount struct {
	Category court.Category `json:"category"`
	Cases    int64          `json:"cases"`
	Claimed  court.Fen      `json:"claimed_fen"`
}

// MerchantCount is a merchant organisation and its number of filings.
type MerchantCount struct {
	Name  string `json:"name"`
	Cases int64  `json:"cases"`
}

// OutcomeCount is the concluded cases of one outcome.
type OutcomeCount struct {
	Outcome Outcome `json:"outcome"`
	Cases   int64   `json:"cases"`
}

// Money is what was claimed (filings of the period), awarded by judgments
// and agreed in confirmed settlements (cases concluded in the period), and
// paid (nil while the court does not record payments).
type Money struct {
	Claimed court.Fen  `json:"claimed_fen"`
	Awarded court.Fen  `json:"awarded_fen"`
	Agreed  court.Fen  `json:"agreed_fen"`
	Paid    *court.Fen `json:"paid_fen"`
}

// Hearings are the hearings held (started in the period and ended).
type Hearings struct {
	Held          int64       `json:"held"`
	ByKind        []KindCount `json:"by_kind"`
	TotalMinutes  int64       `json:"total_minutes"`
	MedianMinutes *float64    `json:"median_minutes"`
}

// KindCount is the hearings of one kind (video, audio, written).
type KindCount struct {
	Kind court.HearingKind `json:"kind"`
	Held int64             `json:"held"`
}

// Workload is the court's cases by state now, and those past their time
// limit.
type Workload struct {
	ByStatus []StatusCount `json:"by_status"`
	Overdue  int64         `json:"overdue"`
}

// StatusCount is the cases in one state now.
type StatusCount struct {
	Status court.CaseStatus `json:"status"`
	Cases  int64            `json:"cases"`
}

// Service builds reports from the court's database and keeps the last
// ones it built (see Report).
type Service struct {
	DB  *storage.DB
	Now court.Clock
	// Direct computes every figure from the cases, their docket, rulings,
	// offers and hearings, as before migration 00020, rather than from the
	// tables its triggers keep (storage/stats_rollup.go): the same numbers,
	// about four times the CPU on 100,000 cases. The tests compare the two
	// and the benchmark uses it as its baseline.
	Direct bool

	mu    sync.Mutex
	cache map[cacheKey]cached
}

// A report is used again for cacheFresh whatever changed, then up to
// cacheTTL while the database's version is unchanged; cacheMax reports are
// kept at most (a visitor choosing many periods cannot grow memory: when
// full, all go).
const (
	cacheFresh = 10 * time.Second
	cacheTTL   = time.Minute
	cacheMax   = 64
)

type cacheKey struct {
	scope    Scope
	from, to string
}

type cached struct {
	r       *Report
	version string
	at      time.Time
}

// New returns the service over db with the system clock.
func New(db *storage.DB) *Service { return &Service{DB: db, Now: court.SystemClock} }

// Report returns the statistics of q for scope. The report is shared:
// callers read it and do not change it.
//
// A report computed less than cacheFresh ago is used again as it is: on a
// busy court every filing changes the numbers, and computing them for
// 100,000 cases still costs tens of milliseconds of CPU (see
// storage/stats_rollup.go), so a page is at most that much late rather
// than computed for every visitor. After that it is used while
// the database's storage.StatsVersion is the one it was computed at (every
// change that moves a number appends a docket entry or changes a hearing),
// up to cacheTTL; the age bound also keeps the dashboard's "past the time
// limit", which moves with the clock alone, at most that late.
func (s *Service) Report(ctx context.Context, q Query, scope Scope) (*Report, error) {
	key := cacheKey{scope, q.From.Format(dateLayout), q.To.Format(dateLayout)}
	now := s.Now()
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	age := now.Sub(c.at)
	if ok && age >= 0 && age < cacheFresh {
		return c.r, nil
	}
	version, err := s.DB.StatsVersion(ctx)
	if err != nil {
		return nil, err
	}
	if ok && c.version == version && age >= 0 && age < cacheTTL {
		return c.r, nil
	}
	r, err := s.compute(ctx, q, scope)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cache == nil || len(s.cache) >= cacheMax {
		s.cache = map[cacheKey]cached{}
	}
	s.cache[key] = cached{r, version, now}
	s.mu.Unlock()
	return r, nil
}

// compute builds the report of q for scope from the database.
func (s *Service) compute(ctx context.Context, q Query, scope Scope) (*Report, error) {
	p := q.period()
	r := &Report{Scope: scope, From: q.From.Format(dateLayout), To: q.To.Format(dateLayout)}

	var filings []storage.FilingCount
	var err error
	if s.Direct {
		filings, err = s.DB.StatsFilings(ctx, p, monday(q.From).Format(dateLayout), monday(q.To).Format(dateLayout))
	} else {
		filings, err = s.DB.StatsFilingsByDay(ctx, q.From.Format(dateLayout), q.To.Format(dateLayout))
	}
	if err != nil {
		return nil, err
	}
	r.addFilings(filings, q)

	limit := publicMerchants
	if scope == Dashboard {
		limit = dashboardMerchants
	}
	var ms []storage.MerchantCount
	if s.Direct {
		ms, err = s.DB.StatsTopMerchants(ctx, p, limit)
	} else {
		ms, err = s.DB.StatsTopMerchantsByDay(ctx, q.From.Format(dateLayout), q.To.Format(dateLayout), limit)
	}
	if err != nil {
		return nil, err
	}
	r.Merchants = make([]MerchantCount, len(ms))
	for i, m := range ms {
		r.Merchants[i] = MerchantCount{Name: m.Name, Cases: m.Cases}
	}

	// days are all the days to conclusion (direct) or only the middle one
	// or two (rollup): their median is the same.
	concluded, days, err := s.concluded(ctx, p)
	if err != nil {
		return nil, err
	}
	r.addConcluded(concluded, days)

	paid, err := s.DB.StatsPaid(ctx, p)
	if err != nil {
		return nil, err
	}
	r.Money.Paid = &paid

	hearings := s.DB.StatsHeldHearings
	if s.Direct {
		hearings = s.DB.StatsHearings
	}
	held, err := hearings(ctx, p)
	if err != nil {
		return nil, err
	}
	r.addHearings(held)

	if scope == Dashboard {
		st, overdue, err := s.open(ctx)
		if err != nil {
			return nil, err
		}
		w := &Workload{Overdue: overdue, ByStatus: []StatusCount{}}
		for _, x := range st {
			w.ByStatus = append(w.ByStatus, StatusCount{Status: x.Status, Cases: x.Cases})
		}
		r.Workload = w
	}
	return r, nil
}

// concluded returns the groups of cases concluded within p and the days
// to conclusion the median needs.
func (s *Service) concluded(ctx context.Context, p storage.StatsPeriod) ([]storage.ConcludedGroup, []float64, error) {
	if s.Direct {
		groups, err := s.DB.StatsConcluded(ctx, p)
		if err != nil {
			return nil, nil, err
		}
		days, err := s.DB.StatsDaysToConclusion(ctx, p)
		return groups, days, err
	}
	groups, err := s.DB.StatsConcludedRows(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	days, err := s.DB.StatsMiddleDays(ctx, p)
	return groups, days, err
}

// open returns the cases by state now and how many are past their time
// limit.
func (s *Service) open(ctx context.Context) ([]storage.StatusCount, int64, error) {
	if s.Direct {
		return s.DB.StatsOpen(ctx, s.Now())
	}
	st, err := s.DB.StatsStatusCounts(ctx)
	if err != nil {
		return nil, 0, err
	}
	overdue, err := s.DB.StatsOverdue(ctx, s.Now())
	return st, overdue, err
}

// addFilings sums the rows per week (every week of the period listed, with
// zero where none was filed) and per category (every category listed).
func (r *Report) addFilings(rows []storage.FilingCount, q Query) {
	perWeek := map[string]int64{}
	perCat := map[court.Category]*CategoryCount{}
	r.Categories = make([]CategoryCount, len(court.Categories))
	for i, c := range court.Categories {
		r.Categories[i] = CategoryCount{Category: c}
		perCat[c] = &r.Categories[i]
	}
	for _, x := range rows {
		perWeek[x.Week] += x.Cases
		r.Filings += x.Cases
		r.Money.Claimed += x.Claimed
		cc, ok := perCat[court.Category(x.Category)]
		if !ok { // a category no longer offered: counted under "other"
			cc = perCat[court.CatOther]
		}
		cc.Cases += x.Cases
		cc.Claimed += x.Claimed
	}
	for w := monday(q.From); !w.After(q.To); w = w.AddDate(0, 0, 7) {
		k := w.Format(dateLayout)
		r.Weeks = append(r.Weeks, WeekCount{Week: k, Cases: perWeek[k]})
	}
}

// classify returns the outcome of a group of concluded cases.
func classify(g storage.ConcludedGroup) Outcome {
	switch g.Status {
	case court.CaseSettled:
		return Settled
	case court.CaseWithdrawn:
		return Withdrawn
	case court.CaseConverted:
		return Converted
	case court.CaseRejected:
		return Rejected
	}
	// ruled, or closed after a ruling was paid
	switch {
	case !g.Answered:
		return Default
	case g.Full:
		return RuledClaimant
	case g.Zero:
		return RuledRespondent
	default:
		return RuledPartly
	}
}

func (r *Report) addConcluded(groups []storage.ConcludedGroup, days []float64) {
	n := map[Outcome]int64{}
	for _, g := range groups {
		o := classify(g)
		n[o] += g.Cases
		r.Concluded += g.Cases
		switch o {
		case Settled:
			r.Money.Agreed += g.Agreed
		case RuledClaimant, RuledRespondent, RuledPartly, Default:
			r.Money.Awarded += g.Awarded
		}
	}
	r.Outcomes = make([]OutcomeCount, len(Outcomes))
	for i, o := range Outcomes {
		r.Outcomes[i] = OutcomeCount{Outcome: o, Cases: n[o]}
	}
	r.MedianDays = median(days)
}

func (r *Report) addHearings(rows []storage.HeldHearing) {
	n := map[court.HearingKind]int64{}
	var mins []float64
	for _, h := range rows {
		n[court.HearingKind(h.Kind)]++
		m := h.EndedAt.Sub(h.StartedAt).Minutes()
		mins = append(mins, m)
		r.Hearings.TotalMinutes += int64(m + 0.5)
	}
	r.Hearings.Held = int64(len(rows))
	r.Hearings.ByKind = []KindCount{}
	for _, k := range []court.HearingKind{court.HearingVideo, court.HearingAudio, court.HearingWritten} {
		r.Hearings.ByKind = append(r.Hearings.ByKind, KindCount{Kind: k, Held: n[k]})
	}
	r.Hearings.MedianMinutes = median(mins)
}

// median is the middle value of xs (the mean of the two middle ones for an
// even count) to one decimal, or nil for none.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	m = float64(int64(m*10+0.5)) / 10
	return &m
}

// monday is the Monday on or before day d (a court day at midnight).
func monday(d time.Time) time.Time {
	back := (int(d.Weekday()) + 6) % 7 // Monday 0 ... Sunday 6
	return d.AddDate(0, 0, -back)
}

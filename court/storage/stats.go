package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// The queries behind the court's statistics (issue 6, court/stats). Each is
// one aggregate or one narrow read over an index of migration 00015, bounded
// by a period; court/stats turns the rows into the published numbers.

// StatsPeriod bounds the times a statistic counts: From <= t < To, in UTC.
type StatsPeriod struct {
	From, To time.Time
}

// FilingCount is the number of filings of one week and category, and the
// sum they claim in fen. Week is the date (YYYY-MM-DD) of the Monday that
// starts the week in the court's time zone.
type FilingCount struct {
	Week     string    `db:"week"`
	Category string    `db:"category"`
	Cases    int64     `db:"cases"`
	Claimed  court.Fen `db:"claimed"`
}

// StatsFilings counts the filings (cases with a time of filing, drafts
// never filed excluded) filed within p, by week and category. firstWeek
// and lastWeek are the Mondays (YYYY-MM-DD) of the weeks of p's first and
// last day: the weeks bound the scan of the index on the week expression
// (migration 00015), the times cut it to p exactly.
func (db *DB) StatsFilings(ctx context.Context, p StatsPeriod, firstWeek, lastWeek string) ([]FilingCount, error) {
	var out []FilingCount
	week := sqlCourtWeek("submitted_at")
	err := db.sel(ctx, &out, `SELECT `+week+` AS week, category, COUNT(*) AS cases, SUM(total) AS claimed
		FROM cases WHERE submitted_at IS NOT NULL AND `+week+` BETWEEN ? AND ?
		AND submitted_at >= ? AND submitted_at < ?
		GROUP BY 1, 2 ORDER BY 1, 2`, firstWeek, lastWeek, p.From, p.To)
	return out, err
}

// MerchantCount is the number of cases filed against one merchant
// organisation.
type MerchantCount struct {
	OrgID int64  `db:"organization_id" json:"-"`
	Name  string `db:"name" json:"name"`
	Cases int64  `db:"cases" json:"cases"`
}

// StatsTopMerchants returns the limit merchants with most filings within
// p, most first (ties by name). The name is the organisation's registered
// name, not what each consumer typed.
func (db *DB) StatsTopMerchants(ctx context.Context, p StatsPeriod, limit int) ([]MerchantCount, error) {
	var out []MerchantCount
	err := db.sel(ctx, &out, `SELECT t.organization_id, o.name, t.cases FROM (
			SELECT organization_id, COUNT(*) AS cases FROM cases
			WHERE submitted_at IS NOT NULL AND submitted_at >= ? AND submitted_at < ?
			GROUP BY organization_id ORDER BY cases DESC, organization_id LIMIT ?) t
		JOIN organizations o ON o.id = t.organization_id
		ORDER BY t.cases DESC, o.name`, p.From, p.To, limit)
	return out, err
}

// ConcludingEntries are the docket entries that end a case in the
// small-claims procedure, one per case at most (each leads to a final
// state, or to "ruled" that only payment follows): its time is the case's
// time of conclusion.
var ConcludingEntries = []string{"withdrawn", "settled", "converted", "ruling_signed", "rejected"}

// ConcludedGroup counts the cases concluded within a period that share a
// state and, for rulings, what the outcome depends on: whether the
// merchant answered, and whether the judgment awards the consumer the
// whole claim (Full) or nothing (Zero). Awarded sums what the signed
// judgments order the respondent to pay the claimant; Agreed sums the
// confirmed settlements' amounts.
type ConcludedGroup struct {
	Status   court.CaseStatus `db:"status"`
	Answered bool             `db:"answered"`
	Full     bool             `db:"full"`
	Zero     bool             `db:"zero"`
	Cases    int64            `db:"cases"`
	Awarded  court.Fen        `db:"awarded"`
	Agreed   court.Fen        `db:"agreed"`
}

// concludedFrom is the FROM and WHERE of the cases concluded within a
// period: those whose concluding docket entry falls within it and whose
// state is still the one that entry led to (five kinds, then From, To).
const concludedFrom = ` FROM docket_entries e JOIN cases c ON c.id = e.case_id
	WHERE e.kind IN (?, ?, ?, ?, ?) AND e.at >= ? AND e.at < ?
	AND c.status IN ('withdrawn', 'settled', 'converted', 'ruled', 'closed', 'rejected')`

func concludedArgs(p StatsPeriod) []any {
	return []any{ConcludingEntries[0], ConcludingEntries[1], ConcludingEntries[2], ConcludingEntries[3], ConcludingEntries[4], p.From, p.To}
}

// StatsConcluded counts the cases concluded within p in groups (see
// ConcludedGroup): a few rows, whatever the number of cases.
func (db *DB) StatsConcluded(ctx context.Context, p StatsPeriod) ([]ConcludedGroup, error) {
	var out []ConcludedGroup
	// The subqueries run only for the cases they are about (a ruling's
	// answer and award, a settlement's amount): most concluded cases are
	// withdrawn or rejected.
	err := db.sel(ctx, &out, `SELECT status, answered, awarded >= total AS full, awarded = 0 AS zero,
			COUNT(*) AS cases, SUM(awarded) AS awarded, SUM(agreed) AS agreed
		FROM (SELECT c.status, c.total,
			CASE WHEN c.status IN ('ruled', 'closed') THEN EXISTS (SELECT 1 FROM answers a WHERE a.case_id = c.id)
				ELSE FALSE END AS answered,
			CASE WHEN c.status IN ('ruled', 'closed') THEN COALESCE((SELECT SUM(o.amount) FROM rulings r
				JOIN ruling_orders o ON o.ruling_id = r.id
				WHERE r.case_id = c.id AND r.kind = 'judgment' AND r.status = 'signed'
				AND o.payer = 'respondent' AND o.payee = 'claimant'), 0) ELSE 0 END AS awarded,
			CASE WHEN c.status = 'settled' THEN COALESCE((SELECT SUM(f.amount) FROM offers f
				WHERE f.case_id = c.id AND f.status = 'confirmed'), 0) ELSE 0 END AS agreed`+concludedFrom+`) x
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, concludedArgs(p)...)
	return out, err
}

// StatsDaysToConclusion returns, for each case concluded within p other
// than those rejected at review, the days from its filing to its
// conclusion, in no order: one number per case, for the median.
func (db *DB) StatsDaysToConclusion(ctx context.Context, p StatsPeriod) ([]float64, error) {
	var out []float64
	err := db.sel(ctx, &out, `SELECT `+sqlDaysBetween("c.submitted_at", "e.at")+concludedFrom+`
		AND c.status <> 'rejected' AND c.submitted_at IS NOT NULL`, concludedArgs(p)...)
	return out, err
}

// HeldHearing is a hearing that took place: its kind and when it started
// and ended.
type HeldHearing struct {
	Kind      string    `db:"kind"`
	StartedAt time.Time `db:"started_at"`
	EndedAt   time.Time `db:"ended_at"`
}

// StatsHearings returns the hearings that started within p and ended.
func (db *DB) StatsHearings(ctx context.Context, p StatsPeriod) ([]HeldHearing, error) {
	var out []HeldHearing
	err := db.sel(ctx, &out, `SELECT kind, started_at, ended_at FROM hearings
		WHERE status = 'ended' AND started_at IS NOT NULL AND started_at >= ? AND started_at < ? AND ended_at IS NOT NULL
		ORDER BY started_at`, p.From, p.To)
	return out, err
}

// StatsPaid is the money the merchants actually paid within p under
// rulings and mediation documents: the payments whose payee confirmed them
// in p (recorded but unconfirmed and disputed payments do not count).
func (db *DB) StatsPaid(ctx context.Context, p StatsPeriod) (court.Fen, error) {
	var paid court.Fen
	err := db.get(ctx, &paid, `SELECT COALESCE(SUM(amount), 0) FROM payments
		WHERE status = 'confirmed' AND decided_at >= ? AND decided_at < ?`, p.From, p.To)
	return paid, err
}

// StatsVersion changes whenever a number of the statistics may have
// changed: every filing, correction, transition, answer, settlement and
// ruling appends a docket entry in its own transaction, and a hearing's
// changes set its updated_at. Two cheap index lookups; the statistics cache
// (court/stats) compares it before using a report it computed earlier.
func (db *DB) StatsVersion(ctx context.Context) (string, error) {
	var v struct {
		Entry   *int64  `db:"entry"`
		Hearing *string `db:"hearing"`
	}
	err := db.get(ctx, &v, `SELECT (SELECT MAX(id) FROM docket_entries) AS entry,
		(SELECT CAST(MAX(updated_at) AS TEXT) FROM hearings) AS hearing`)
	if err != nil {
		return "", err
	}
	var e int64
	var h string
	if v.Entry != nil {
		e = *v.Entry
	}
	if v.Hearing != nil {
		h = *v.Hearing
	}
	return fmt.Sprintf("%d/%s", e, h), nil
}

// StatusCount is the number of cases in one state.
type StatusCount struct {
	Status court.CaseStatus `db:"status"`
	Cases  int64            `db:"cases"`
}

// StatsOpen counts the cases by state now (drafts excluded), and the
// accepted cases not yet concluded whose time limit (Art 168) has passed.
func (db *DB) StatsOpen(ctx context.Context, now time.Time) ([]StatusCount, int64, error) {
	var out []StatusCount
	if err := db.sel(ctx, &out, `SELECT status, COUNT(*) AS cases FROM cases WHERE status <> 'draft'
		GROUP BY status ORDER BY status`); err != nil {
		return nil, 0, err
	}
	overdue, err := db.StatsOverdue(ctx, now)
	return out, overdue, err
}

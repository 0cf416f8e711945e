package storage

import (
	"context"
	"time"
)

// StatsHeldHearings is StatsHearings read lean: the two times of each
// hearing as text, parsed as the driver parses them, without a struct
// mapped by reflection per row (7,000 hearings a year at 100,000 cases:
// this was the largest part of a report left). The covering index
// stats_hearings_held (migration 00020) answers it without the table.
func (db *DB) StatsHeldHearings(ctx context.Context, p StatsPeriod) ([]HeldHearing, error) {
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(`SELECT kind, CAST(started_at AS TEXT), CAST(ended_at AS TEXT)
		FROM hearings WHERE status = 'ended' AND started_at IS NOT NULL AND started_at >= ? AND started_at < ?
		AND ended_at IS NOT NULL`), p.From, p.To)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HeldHearing
	for rows.Next() {
		var h HeldHearing
		var started, ended string
		if err := rows.Scan(&h.Kind, &started, &ended); err != nil {
			return nil, err
		}
		if h.StartedAt, err = parseSQLiteTime(started); err != nil {
			return nil, err
		}
		if h.EndedAt, err = parseSQLiteTime(ended); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// The statistics read from the tables migration 00020 keeps up to date
// (stats_filing_days, stats_concluded): the same numbers as StatsFilings,
// StatsConcluded and StatsDaysToConclusion, which compute them from the
// cases and their docket, in a few milliseconds instead of about 200 on
// 100,000 cases. court/stats uses these; the direct queries stay as the
// reference the tests compare them with.

// StatsFilingsByDay is StatsFilings read from the per-day rollup: the
// filings of the court days fromDay to toDay (YYYY-MM-DD, both included),
// by week and category.
func (db *DB) StatsFilingsByDay(ctx context.Context, fromDay, toDay string) ([]FilingCount, error) {
	var out []FilingCount
	err := db.sel(ctx, &out, `SELECT `+sqlMonday("day")+` AS week, category, SUM(cases) AS cases, SUM(claimed) AS claimed
		FROM stats_filing_days WHERE day >= ? AND day <= ?
		GROUP BY 1, 2 HAVING SUM(cases) <> 0 ORDER BY 1, 2`, fromDay, toDay)
	return out, err
}

// StatsConcludedRows is StatsConcluded read from stats_concluded (one row
// per concluding entry, its outcome's inputs worked out when it changed):
// a range of a covering index.
func (db *DB) StatsConcludedRows(ctx context.Context, p StatsPeriod) ([]ConcludedGroup, error) {
	var out []ConcludedGroup
	err := db.sel(ctx, &out, `SELECT status, answered, awarded >= total AS full, awarded = 0 AS zero,
			COUNT(*) AS cases, SUM(awarded) AS awarded, SUM(agreed) AS agreed
		FROM stats_concluded WHERE at >= ? AND at < ?
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, p.From, p.To)
	return out, err
}

// StatsMiddleDays returns the middle of the days from filing to conclusion
// of the cases concluded within p (rejected at review excluded): the one
// middle value for an odd count, the two for an even count, none for none.
// SQLite picks them from the period's rows with a bounded sort; nothing but
// these values comes back.
func (db *DB) StatsMiddleDays(ctx context.Context, p StatsPeriod) ([]float64, error) {
	var n int64
	if err := db.get(ctx, &n, `SELECT COUNT(*) FROM stats_concluded
		WHERE at >= ? AND at < ? AND days IS NOT NULL`, p.From, p.To); err != nil || n == 0 {
		return nil, err
	}
	limit := 2 - n%2
	var out []float64
	err := db.sel(ctx, &out, `SELECT days FROM stats_concluded WHERE at >= ? AND at < ? AND days IS NOT NULL
		ORDER BY days LIMIT ? OFFSET ?`, p.From, p.To, limit, (n-1)/2)
	return out, err
}

// StatsStatusCounts is the first part of StatsOpen read from
// stats_status_counts: the cases by state now, drafts excluded.
func (db *DB) StatsStatusCounts(ctx context.Context) ([]StatusCount, error) {
	var out []StatusCount
	err := db.sel(ctx, &out, `SELECT status, cases FROM stats_status_counts WHERE status <> 'draft' AND cases <> 0
		ORDER BY status`)
	return out, err
}

// StatsOverdue is the second part of StatsOpen: the accepted cases not
// yet concluded whose time limit has passed at now (a range of the index
// cases_conclude_by).
func (db *DB) StatsOverdue(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := db.get(ctx, &n, `SELECT COUNT(*) FROM cases WHERE status IN ('served', 'answered')
		AND conclude_by IS NOT NULL AND conclude_by < ?`, now)
	return n, err
}

// StatsTopMerchantsByDay is StatsTopMerchants read from the per-month and
// per-day counts (migration 00020) for the court days fromDay to toDay
// (both included): the whole months inside the period from
// stats_org_months, the days before the first and after the last of them
// from stats_org_days. Same order: most filings first, ties by id for the
// limit, then by name.
func (db *DB) StatsTopMerchantsByDay(ctx context.Context, fromDay, toDay string, limit int) ([]MerchantCount, error) {
	from, err := time.Parse(time.DateOnly, fromDay)
	if err != nil {
		return nil, err
	}
	to, err := time.Parse(time.DateOnly, toDay)
	if err != nil {
		return nil, err
	}
	// The whole months: from the first of a month on or after from, to the
	// last day of a month on or before to.
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if !first.Equal(from) {
		first = first.AddDate(0, 1, 0)
	}
	end := time.Date(to.Year(), to.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0) // after to's month
	if !end.AddDate(0, 0, -1).Equal(to) {
		end = end.AddDate(0, -1, 0)
	}
	var parts string
	var args []any
	if first.Before(end) {
		// Months [first, end), days [from, first) and [end, to].
		parts = `SELECT organization_id, cases FROM stats_org_months WHERE month >= ? AND month < ?
			UNION ALL SELECT organization_id, cases FROM stats_org_days WHERE day >= ? AND day < ?
			UNION ALL SELECT organization_id, cases FROM stats_org_days WHERE day >= ? AND day <= ?`
		args = []any{first.Format("2006-01"), end.Format("2006-01"), fromDay, first.Format(time.DateOnly),
			end.Format(time.DateOnly), toDay}
	} else {
		parts = `SELECT organization_id, cases FROM stats_org_days WHERE day >= ? AND day <= ?`
		args = []any{fromDay, toDay}
	}
	var out []MerchantCount
	err = db.sel(ctx, &out, `SELECT t.organization_id, o.name, t.cases FROM (
			SELECT organization_id, SUM(cases) AS cases FROM (`+parts+`)
			GROUP BY organization_id HAVING SUM(cases) > 0 ORDER BY cases DESC, organization_id LIMIT ?) t
		JOIN organizations o ON o.id = t.organization_id
		ORDER BY t.cases DESC, o.name`, append(args, limit)...)
	return out, err
}

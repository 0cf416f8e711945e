package storage

import (
	"context"
	"fmt"

	"github.com/shangcheng-court/courtd/court"
)

// Bulk loading, for seeding a demonstration or benchmark court with many
// cases at once (courtd demo -cases N). It writes what the procedure would
// have written, in large transactions, with the search index in step.

// ImportUsers creates users in one transaction and returns their ids in
// order. A taken username is ECONFLICT as in CreateUser.
func (db *DB) ImportUsers(ctx context.Context, users []NewUser) ([]int64, error) {
	ctx = context.WithoutCancel(ctx) // see ImportCases
	ids := make([]int64, 0, len(users))
	err := db.inTx(ctx, func(tx *wtx) error {
		now := db.Now()
		for i := range users {
			u, err := createUser(ctx, tx, &users[i], now)
			if err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		return nil
	})
	return ids, err
}

// ImportCase is a case as a bulk load stores it: in any state, with its
// times set by the caller, its docket entries, and whether it was docketed.
type ImportCase struct {
	Case    court.Case
	Entries []Entry
	// Docket gives the case the next docket number of the year of
	// AcceptedAt in the court's zone, formatted by Number.
	Docket bool
}

const sqlImportCase = `INSERT INTO cases (status, docket_no, docket_year, docket_seq, claimant_id, filed_by_id,
	organization_id, merchant_name, credit_code, platform, order_ref, category, facts, purchase_date, refund,
	compensation, costs, total, fee, fee_status, over_cap, service_consent, villager_consent, judge_id, mediator_id,
	reason, created_at, submitted_at, accepted_at, served_at, answer_due, conclude_by, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

// ImportCases stores cases in one transaction: the merchant organisation
// found or created by credit code as for a filing, docket numbers drawn from
// the same counters as acceptance (no gaps, no duplicates), the docket
// entries appended at each case's UpdatedAt, and the search index written.
// It returns the ids in order. Callers load a large set in batches of about
// a thousand.
func (db *DB) ImportCases(ctx context.Context, cases []ImportCase, number func(year, seq int) string) ([]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The statements run without the caller's cancellation: the driver
	// watches a cancellable context with a goroutine per statement, which
	// cost more than the statements themselves here. A batch is short; ctx
	// is checked before each.
	ctx = context.WithoutCancel(ctx)
	ids := make([]int64, 0, len(cases))
	orgs := map[string]int64{}
	names := map[int64]string{}
	counters := map[int]int{} // year -> last docket sequence number given out
	err := db.inTx(ctx, func(tx *wtx) error {
		for i := range cases {
			ic := &cases[i]
			c := &ic.Case
			orgID, ok := orgs[c.CreditCode]
			if !ok {
				err := txGet(ctx, tx, &orgID, sqlOrgByCode, c.CreditCode)
				if court.ErrorCode(err) == court.ENOTFOUND {
					err = txGet(ctx, tx, &orgID, sqlInsertOrg, c.CreditCode, c.MerchantName, c.CreatedAt)
				}
				if err != nil {
					return err
				}
				orgs[c.CreditCode] = orgID
			}
			c.OrgID = orgID
			var docketNo *string
			var year, seq *int
			if ic.Docket && c.AcceptedAt != nil {
				y := c.AcceptedAt.In(court.Zone).Year()
				last, ok := counters[y]
				if !ok {
					err := txGet(ctx, tx, &last, `SELECT last_seq FROM docket_counters WHERE year = ?`, y)
					if err != nil && court.ErrorCode(err) != court.ENOTFOUND {
						return err
					}
				}
				s := last + 1
				counters[y] = s
				no := number(y, s)
				docketNo, year, seq, c.DocketNo = &no, &y, &s, no
			}
			if c.FeeStatus == "" {
				c.FeeStatus = "unpaid"
			}
			if err := txGet(ctx, tx, &c.ID, sqlImportCase, c.Status, docketNo, year, seq, c.ClaimantID, c.FiledByID,
				c.OrgID, c.MerchantName, c.CreditCode, c.Platform, c.OrderRef, c.Category, c.Facts, c.PurchaseDate,
				c.Refund, c.Compensation, c.Costs, c.Total, c.Fee, c.FeeStatus, c.OverCap, true, false, c.JudgeID,
				c.MediatorID, c.Reason, c.CreatedAt, c.SubmittedAt, c.AcceptedAt, c.ServedAt, c.AnswerDue,
				c.ConcludeBy, c.UpdatedAt); err != nil {
				return err
			}
			name, ok := names[c.ClaimantID]
			if !ok {
				if err := txGet(ctx, tx, &name, sqlClaimantName, c.ClaimantID); err != nil {
					return err
				}
				names[c.ClaimantID] = name
			}
			if err := indexDoc(ctx, tx, searchDoc{ID: c.ID, Facts: c.Facts, Claimant: name, Merchant: c.MerchantName,
				CreditCode: c.CreditCode, OrderRef: c.OrderRef, DocketNo: c.DocketNo}, true); err != nil {
				return err
			}
			for j, e := range ic.Entries {
				at := e.At
				if at.IsZero() {
					at = c.UpdatedAt
				}
				// A new case: its entries are numbered from 1.
				if err := appendEntrySeq(ctx, tx, c.ID, int64(j+1), e, at); err != nil {
					return err
				}
			}
			ids = append(ids, c.ID)
		}
		// The counters end where the numbers given out end: the same as
		// accepting each case one by one.
		for y, last := range counters {
			if _, err := txExec(ctx, tx, `INSERT INTO docket_counters (year, last_seq) VALUES (?, ?)
				ON CONFLICT (year) DO UPDATE SET last_seq = excluded.last_seq`, y, last); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}

// Analyze updates the query planner's statistics (after a bulk load).
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.w.ExecContext(ctx, `ANALYZE`)
	return err
}

// SetBulkLoad prepares the writer connection for a bulk load, or returns it
// to its usual settings. On: a page cache of 256 MiB, so that the secondary
// indexes are written without reading their pages back, and statement
// journals in memory: SQLite journals the pages each INSERT changes (it may
// have to undo the statement alone), and in a temporary file that cost two
// system calls per page, more than the inserts themselves.
func (db *DB) SetBulkLoad(ctx context.Context, on bool) error {
	cache, temp := -2000, "DEFAULT"
	if on {
		cache, temp = -256*1024, "MEMORY"
	}
	_, err := db.w.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d; PRAGMA temp_store = %s", cache, temp))
	return err
}

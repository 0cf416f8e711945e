package docket

import (
	"strconv"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/storage"
)

// NoticeFeeDue tells the claimant, when the court accepts a claim whose fee
// is unpaid, what to pay and by when (court.FeePayDays).
const NoticeFeeDue = "fee_due"

// feeDueNotices are the notices of an acceptance at now for c's unpaid
// fee: to the claimant, and to the station agent who filed for them.
func feeDueNotices(c *court.Case, now time.Time) []storage.Notice {
	if c.FeeStatus != court.FeeUnpaid || c.Fee == 0 {
		return nil
	}
	caseID := c.ID
	data := map[string]any{"Fee": c.Fee.String(), "Due": Deadline(court.EndOfDay(now, court.FeePayDays)),
		"Reference": "FEE-" + strconv.FormatInt(c.ID, 10)}
	out := []storage.Notice{{UserID: c.ClaimantID, CaseID: &caseID, Kind: NoticeFeeDue, Data: data}}
	if c.FiledByID != 0 && c.FiledByID != c.ClaimantID {
		out = append(out, storage.Notice{UserID: c.FiledByID, CaseID: &caseID, Kind: NoticeFeeDue, Data: data})
	}
	return out
}

// Package statstest seeds a small court whose statistics are known, for the
// tests of court/stats and court/web. Cases go in through the bulk loader
// (storage.ImportCases); the answers, confirmed settlements, signed
// judgments and hearings they need are written as rows, because producing
// each through its service would take a whole procedure per case. Only tests
// import this package.
package statstest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// From and To are the period the seeded numbers are about: two court weeks,
// Monday 2 March to Sunday 15 March 2026.
const From, To = "2026-03-02", "2026-03-15"

// OrderRef is the order reference every seeded case carries a variant of
// (never shown in statistics).
const OrderRef = "STATSORDER"

// CST is a time in the court's zone.
func CST(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, court.Zone)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

type seedCase struct {
	status    court.CaseStatus
	submitted string // court time; "" for a draft
	cat       court.Category
	total     court.Fen
	merchant  int    // 1 or 2: demo merchant organisation
	entry     string // concluding docket entry kind, "" for none
	at        string // its court time
	answered  bool
	awarded   court.Fen // judgment order respondent -> claimant, 0 for none
	agreed    court.Fen // confirmed settlement offer
}

// Cases are the seeded cases. Expected, in the period: 9 filings (6 in the
// week of 2 March, 3 in that of 9 March), 89,900 fen claimed; 9 concluded:
// settled 1, withdrawn 2, for the claimant 1, for the respondent 1, partly
// 1, default 1, converted 1, rejected 1; awarded 42,245 fen, agreed 8,000;
// median 8.0 days (1, 2, 4, 6, 10, 10, 11, 12.5); merchant 1 has 5 filings,
// merchant 2 has 4.
var cases = []seedCase{
	// 00:30 on Monday 2 March in Hangzhou is still Sunday 1 March in UTC.
	{court.CaseSettled, "2026-03-02 00:30", court.CatQuality, 10000, 1, "settled", "2026-03-12 00:30", true, 0, 8000},
	// Sunday 23:30 in Hangzhou is the week of 2 March.
	{court.CaseWithdrawn, "2026-03-08 23:30", court.CatRefund, 5000, 1, "withdrawn", "2026-03-10 23:30", false, 0, 0},
	{court.CaseRuled, "2026-03-09 08:00", court.CatCounterfeit, 20000, 2, "ruling_signed", "2026-03-13 08:00", true, 20000, 0},
	{court.CaseRuled, "2026-03-03 08:00", court.CatQuality, 7000, 2, "ruling_signed", "2026-03-15 20:00", true, 0, 0},
	{court.CaseClosed, "2026-03-04 10:00", court.CatDelivery, 30000, 1, "ruling_signed", "2026-03-14 10:00", true, 12345, 0},
	{court.CaseRuled, "2026-03-05 10:00", court.CatQuality, 9900, 1, "ruling_signed", "2026-03-11 10:00", false, 9900, 0},
	{court.CaseConverted, "2026-03-06 10:00", court.CatOther, 1000, 2, "converted", "2026-03-07 10:00", true, 0, 0},
	{court.CaseRejected, "2026-03-10 10:00", court.CatService, 4000, 1, "rejected", "2026-03-10 12:00", false, 0, 0},
	{court.CaseServed, "2026-03-11 09:00", court.CatLivestream, 3000, 2, "", "", false, 0, 0},
	// Outside the period in the court's zone, inside it by UTC date.
	{court.CaseServed, "2026-03-16 00:10", court.CatQuality, 100000, 1, "", "", false, 0, 0},
	{court.CaseServed, "2026-03-01 23:50", court.CatQuality, 100000, 1, "", "", false, 0, 0},
	// Filed before the period, concluded within it: an outcome, not a filing.
	{court.CaseWithdrawn, "2026-02-20 10:00", court.CatQuality, 2500, 2, "withdrawn", "2026-03-03 10:00", false, 0, 0},
	// A draft is no filing.
	{court.CaseDraft, "", court.CatQuality, 100000, 1, "", "", false, 0, 0},
}

// Seed stores the cases, their answers, settlements and judgments, and
// four hearings (three held: 25, 40 and 30 minutes; one only scheduled;
// one held after the period), into db, whose demo accounts are seeded.
// Paid is the money the seeded consumers confirmed they were paid within
// the period From to To.
const Paid court.Fen = 10000

func Seed(tb testing.TB, db *storage.DB) {
	tb.Helper()
	ctx := context.Background()
	ids := map[string]int64{}
	for _, a := range demo.Accounts {
		u, _, err := db.Credentials(ctx, a.Username)
		if err != nil {
			tb.Fatal(err)
		}
		ids[a.Username] = u.ID
	}
	claimant := ids["claimant1"]
	var batch []storage.ImportCase
	for i, sc := range cases {
		code, name := demo.CreditCode1, demo.Accounts[2].Org
		if sc.merchant == 2 {
			code, name = demo.CreditCode2, demo.Accounts[3].Org
		}
		created := CST("2026-02-01 09:00")
		c := court.Case{Status: sc.status, ClaimantID: claimant, FiledByID: claimant, MerchantName: name, CreditCode: code,
			OrderRef: fmt.Sprintf("%s%03d", OrderRef, i), Category: sc.cat, Facts: "商家拒绝退款，质量问题。",
			Refund: sc.total, Total: sc.total, CreatedAt: created, UpdatedAt: created}
		ic := storage.ImportCase{}
		if sc.submitted != "" {
			t := CST(sc.submitted)
			c.SubmittedAt, c.UpdatedAt = &t, t
			ic.Entries = append(ic.Entries, storage.Entry{ActorID: &claimant, ActorRole: "claimant", Kind: "filed", Public: true, At: t})
		}
		if sc.entry != "" {
			ic.Entries = append(ic.Entries, storage.Entry{ActorRole: "system", Kind: sc.entry, Public: true, At: CST(sc.at)})
		}
		ic.Case = c
		batch = append(batch, ic)
	}
	caseIDs, err := db.ImportCases(ctx, batch, court.DefaultProfile().DocketNumber)
	if err != nil {
		tb.Fatal(err)
	}
	w := db.Writer()
	exec := func(q string, args ...any) {
		tb.Helper()
		if _, err := w.ExecContext(ctx, q, args...); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	judge := ids["judge1"]
	merchantUser := ids["merchant1"]
	paidSeeded := false
	for i, sc := range cases {
		id := caseIDs[i]
		if sc.answered {
			exec(`INSERT INTO answers (case_id, by_user, kind, admitted, created_at) VALUES (?, ?, 'contest', 0, ?)`,
				id, merchantUser, CST("2026-03-06 09:00"))
		}
		if sc.agreed > 0 {
			exec(`INSERT INTO offers (case_id, by_user, by_role, amount, expires_at, status, created_at)
				VALUES (?, ?, 'merchant', ?, ?, 'confirmed', ?)`, id, merchantUser, sc.agreed, CST("2026-03-20 00:00"), CST("2026-03-10 00:00"))
		}
		if sc.entry == "ruling_signed" {
			at := CST(sc.at)
			var rid int64
			err := w.QueryRowContext(ctx, `INSERT INTO rulings (case_id, kind, status, number, content, canonical, sha256,
				signature, key_name, judge_id, signed_at, leaf_index, created_at, updated_at)
				VALUES (?, 'judgment', 'signed', ?, '{}', '{}', ?, 'sig', 'k', ?, ?, ?, ?, ?) RETURNING id`,
				id, fmt.Sprintf("R%d", id), fmt.Sprintf("%064d", id), judge, at, 1000+i, at, at).Scan(&rid)
			if err != nil {
				tb.Fatal(err)
			}
			seq := 1
			if sc.awarded > 0 {
				exec(`INSERT INTO ruling_orders (ruling_id, seq, payer, payee, amount, due_days, due_at, what)
					VALUES (?, ?, 'respondent', 'claimant', ?, 10, ?, 'refund')`, rid, seq, sc.awarded, at.AddDate(0, 0, 10))
				if !paidSeeded {
					// Money recovered counts the payments the consumer
					// confirmed within the period: Paid (100 yuan), not the
					// one only recorded, the disputed one, or the one
					// confirmed after the period.
					paidSeeded = true
					pay := func(amount int64, status string, decided any) {
						exec(`INSERT INTO payments (case_id, ruling_id, seq, amount, method, paid_on, status, recorded_by,
							decided_by, created_at, decided_at) VALUES (?, ?, ?, ?, 'bank', '2026-03-13', ?, ?, ?, ?, ?)`,
							id, rid, seq, amount, status, merchantUser, ids["claimant1"], CST("2026-03-13 10:00"), decided)
					}
					pay(int64(Paid), "confirmed", CST("2026-03-14 10:00"))
					pay(2000, "recorded", nil)
					pay(3000, "disputed", CST("2026-03-14 11:00"))
					pay(1000, "confirmed", CST("2026-03-20 10:00"))
				}
				seq++
			}
			// The filing fee borne by a party goes to the court: not money
			// awarded to the consumer.
			exec(`INSERT INTO ruling_orders (ruling_id, seq, payer, payee, amount, due_days, due_at, what)
				VALUES (?, ?, 'respondent', 'court', 5000, 7, ?, 'fee')`, rid, seq, at.AddDate(0, 0, 7))
		}
	}
	hearing := func(caseID int64, kind, status, start string, minutes int) {
		s := CST(start)
		e := s.Add(time.Duration(minutes) * time.Minute)
		var started, ended any
		if status == "ended" {
			started, ended = s, e
		}
		exec(`INSERT INTO hearings (case_id, kind, status, start_at, end_at, started_at, ended_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, caseID, kind, status, s, s.Add(time.Hour), started, ended, judge, s, s)
	}
	hearing(caseIDs[2], "video", "ended", "2026-03-09 10:00", 25)
	hearing(caseIDs[3], "audio", "ended", "2026-03-10 14:00", 40)
	hearing(caseIDs[4], "written", "ended", "2026-03-12 09:00", 30)
	hearing(caseIDs[5], "video", "scheduled", "2026-03-13 09:00", 0)
	hearing(caseIDs[8], "video", "ended", "2026-03-16 09:00", 20)
}

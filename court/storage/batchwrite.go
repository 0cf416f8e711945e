package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
)

// The fast path of the group commit: a batch of filings written with a few
// multi-row statements instead of about ten statements per filing. Under
// load most of the writer's time went to the fixed cost of each statement
// (a cgo call, binding, database/sql's bookkeeping), not to SQLite's b-tree
// work, and the writer is the one goroutine every filing waits for.
//
// The batch runs in a savepoint. If any statement fails (an open claim on
// the same order, in the database or twice in the batch; a constraint), the
// savepoint is rolled back and the batch is written again filing by filing
// (filingBatcher.write), which tells each caller exactly what was wrong with
// its own filing. So the fast path never decides an error: it either stores
// every filing of the batch or none.

// filingPrep is the work of a filing that needs no database, done by the
// caller's goroutine before it queues (two cores: the writer should only
// write).
type filingPrep struct {
	entryData []string // each entry's Data as JSON
	// The search index's text of the case, segmented (see Segment); the
	// claimant's name is segmented by the writer, which reads it.
	facts, merchant, creditCode, orderRef, docketNo string
}

func prepareFiling(nc *NewCase) (*filingPrep, error) {
	p := &filingPrep{entryData: make([]string, len(nc.Entries))}
	for i, e := range nc.Entries {
		p.entryData[i] = "{}"
		if len(e.Data) > 0 {
			b, err := json.Marshal(e.Data)
			if err != nil {
				return nil, err
			}
			p.entryData[i] = string(b)
		}
	}
	c := &nc.Case
	p.facts, p.merchant, p.creditCode = Segment(c.Facts), Segment(c.MerchantName), Segment(c.CreditCode)
	p.orderRef, p.docketNo = Segment(c.OrderRef), Segment(c.DocketNo)
	return p, nil
}

// Multi-row statements come in chunks of these sizes (powers of two up to
// maxChunk), all prepared at Open: a batch of 37 rows is 32 + 4 + 1.
const maxChunk = 64

var chunkSizes = func() []int {
	var s []int
	for n := maxChunk; n >= 1; n /= 2 {
		s = append(s, n)
	}
	return s
}()

// multiRow turns "INSERT ... VALUES (?, ...)" into the same statement for n
// rows.
func multiRow(q string, n int) string {
	i := strings.LastIndex(q, "VALUES ")
	tuple := strings.TrimSpace(q[i+len("VALUES "):])
	return q[:i+len("VALUES ")] + tuple + strings.Repeat(", "+tuple, n-1)
}

// The single-row statements the batch's multi-row ones are made of. The
// case and entry columns are those of createCase's statements, so that the
// two paths cannot drift apart: a column added there is added here.
var (
	sqlBatchCaseRow = strings.Replace(strings.Replace(strings.TrimSuffix(sqlInsertCase, " RETURNING id"),
		"INSERT INTO cases (", "INSERT INTO cases (id, ", 1), "VALUES (", "VALUES (?, ", 1)
	sqlBatchEntryRow = sqlInsertEntry
	sqlBatchLeafRow  = `INSERT INTO ledger_leaves (idx, data) VALUES (?, ?)`
	sqlBatchHashRow  = `INSERT INTO ledger_hashes (id, hash) VALUES (?, ?)`
	sqlBatchIndexRow = sqlIndexNewCase
)

const (
	sqlMaxCaseID      = `SELECT COALESCE(MAX(id), 0) FROM cases`
	sqlBatchSavepoint = "SAVEPOINT batch"
	sqlBatchRollback  = "ROLLBACK TO SAVEPOINT batch"
	sqlBatchRelease   = "RELEASE SAVEPOINT batch"
)

// batchStmts[q][k] is q for chunkSizes[k] rows.
var batchStmts = map[string][]string{}

func init() {
	for _, q := range []string{sqlBatchCaseRow, sqlBatchEntryRow, sqlBatchLeafRow, sqlBatchHashRow, sqlBatchIndexRow} {
		for _, n := range chunkSizes {
			m := multiRow(q, n)
			batchStmts[q] = append(batchStmts[q], m)
			hotStatements = append(hotStatements, m)
		}
	}
	hotStatements = append(hotStatements, sqlMaxCaseID, sqlLedgerSize, sqlBatchSavepoint, sqlBatchRollback, sqlBatchRelease)
}

// insertRows inserts rows (each the arguments of one row of q) with as few
// statements as the chunk sizes allow.
func insertRows(ctx context.Context, tx *wtx, q string, rows [][]any) error {
	stmts := batchStmts[q]
	for len(rows) > 0 {
		k := 0
		for chunkSizes[k] > len(rows) {
			k++
		}
		n := chunkSizes[k]
		args := make([]any, 0, n*len(rows[0]))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := txExec(ctx, tx, stmts[k], args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// caseArgs are the arguments of sqlInsertCase for c.
func caseArgs(c *court.Case, villagerConsent bool) []any {
	return []any{c.Status, c.ClaimantID, c.FiledByID, c.OrgID, c.MerchantName, c.CreditCode, c.Platform, c.OrderRef,
		c.Category, c.Facts, c.PurchaseDate, c.Refund, c.Compensation, c.Costs, c.Total, c.Fee, c.FeeStatus,
		c.OverCap, true, villagerConsent, c.CreatedAt, c.SubmittedAt, c.UpdatedAt}
}

// writeFast stores the filings reqs in tx, each with its prep, within a
// savepoint, and returns the stored cases in order. When it fails the
// savepoint has been rolled back (nothing of the batch is in tx) and the
// error is returned; the caller then writes the filings one by one.
func writeFast(tx *wtx, reqs []*filingReq, now time.Time) ([]*court.Case, error) {
	// The statements run without a cancellable context: the driver would
	// watch it with a goroutine per statement. Callers that left were
	// dropped before; those who leave now find their filing stored.
	ctx := context.Background()
	if _, err := txExec(ctx, tx, sqlBatchSavepoint); err != nil {
		return nil, err
	}
	cases, err := writeFastIn(ctx, tx, reqs, now)
	if err != nil {
		if _, err2 := txExec(ctx, tx, sqlBatchRollback); err2 != nil {
			return nil, fmt.Errorf("%w (rolling back the batch: %v)", err, err2)
		}
	}
	if _, err2 := txExec(ctx, tx, sqlBatchRelease); err2 != nil && err == nil {
		err = err2
	}
	return cases, err
}

func writeFastIn(ctx context.Context, tx *wtx, reqs []*filingReq, now time.Time) ([]*court.Case, error) {
	// Merchants: one look-up per credit code in the batch (usually one),
	// created when unknown.
	orgs := map[string]int64{}
	for _, r := range reqs {
		c := &r.nc.Case
		if _, ok := orgs[c.CreditCode]; ok {
			continue
		}
		var id int64
		err := txGet(ctx, tx, &id, sqlOrgByCode, c.CreditCode)
		if court.ErrorCode(err) == court.ENOTFOUND {
			err = txGet(ctx, tx, &id, sqlInsertOrg, c.CreditCode, c.MerchantName, now)
		}
		if err != nil {
			return nil, err
		}
		orgs[c.CreditCode] = id
	}
	// Case ids are given here, in the batch's order, so that one statement
	// can insert them all and their entries can name them. The writer is
	// alone, so MAX(id) + 1 is what SQLite itself would give.
	var lastID int64
	if err := txGet(ctx, tx, &lastID, sqlMaxCaseID); err != nil {
		return nil, err
	}
	var leafIdx int64
	if err := txGet(ctx, tx, &leafIdx, sqlLedgerSize); err != nil {
		return nil, err
	}
	cases := make([]*court.Case, len(reqs))
	caseRows := make([][]any, len(reqs))
	var entryRows, leafRows, hashRows [][]any
	hashes := map[int64]tlog.Hash{} // stored hashes written by this batch, by storage index
	read := txHashReader(ctx, tx, hashes)
	for i, r := range reqs {
		c := r.nc.Case
		c.ID = lastID + int64(i) + 1
		c.OrgID, c.CreatedAt, c.UpdatedAt = orgs[c.CreditCode], now, now
		if c.FeeStatus == "" {
			c.FeeStatus = "unpaid" // the case returned must be the case stored
		}
		if err := setOrgContact(ctx, tx, c.OrgID, r.nc.MerchantEmail, r.nc.MerchantEmailLang); err != nil {
			return nil, err
		}
		caseRows[i] = append([]any{c.ID}, caseArgs(&c, r.nc.VillagerConsent)...)
		for j, e := range r.nc.Entries {
			seq := int64(j + 1)
			data := r.prep.entryData[j]
			leaf := ledger.EntryLeaf(ledger.Entry{CaseID: c.ID, Seq: seq, ActorID: e.ActorID,
				ActorRole: e.ActorRole, Kind: e.Kind, Public: e.Public, Text: e.Text, Data: data, At: now})
			hs, err := tlog.StoredHashes(leafIdx, leaf, read)
			if err != nil {
				return nil, err
			}
			id := tlog.StoredHashIndex(0, leafIdx)
			for k, h := range hs {
				hashes[id+int64(k)] = h
				hashRows = append(hashRows, []any{id + int64(k), h[:]})
			}
			leafRows = append(leafRows, []any{leafIdx, leaf})
			entryRows = append(entryRows, []any{c.ID, seq, e.ActorID, e.ActorRole, e.Kind, e.Public, e.Text, data, now, leafIdx})
			leafIdx++
		}
		cases[i] = &c
	}
	if err := insertRows(ctx, tx, sqlBatchCaseRow, caseRows); err != nil {
		return nil, err
	}
	if err := insertRows(ctx, tx, sqlBatchLeafRow, leafRows); err != nil {
		return nil, err
	}
	if err := insertRows(ctx, tx, sqlBatchHashRow, hashRows); err != nil {
		return nil, err
	}
	if err := insertRows(ctx, tx, sqlBatchEntryRow, entryRows); err != nil {
		return nil, err
	}
	// The search index, in one statement too: FTS5 then writes one
	// segment for the batch.
	names := map[int64]string{}
	indexRows := make([][]any, len(reqs))
	for i, r := range reqs {
		c := cases[i]
		name, ok := names[c.ClaimantID]
		if !ok {
			var n string
			if err := txGet(ctx, tx, &n, sqlClaimantName, c.ClaimantID); err != nil {
				return nil, err
			}
			name = Segment(n)
			names[c.ClaimantID] = name
		}
		p := r.prep
		indexRows[i] = []any{c.ID, p.facts, name, p.merchant, p.creditCode, p.orderRef, p.docketNo}
	}
	if err := insertRows(ctx, tx, sqlBatchIndexRow, indexRows); err != nil {
		return nil, err
	}
	return cases, nil
}

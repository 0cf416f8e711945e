package rulings_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court/ledger"
)

// TestAuditRulings: the ledger's audit knows ruling leaves: a signed ruling
// is sound, and a ruling whose text was changed behind the database's back
// is named.
func TestAuditRulings(t *testing.T) {
	e := mustEnv(t, false)
	ctx := context.Background()
	judge := e.u["judge1"]
	ed, err := e.svc.Draft(ctx, judge, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := ed.Draft
	d.Reasoning = "被告销售假冒商品，构成欺诈，应退还货款。"
	if _, err := e.svc.SaveDraft(ctx, judge, e.c.ID, d); err != nil {
		t.Fatal(err)
	}
	signed, err := e.svc.Sign(ctx, judge, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The tree has grown since any checkpoint: sign one, as courtd does.
	if _, _, err := ledger.New(e.db, e.key).SignIfGrown(ctx); err != nil {
		t.Fatal(err)
	}
	audit := func() *ledger.AuditReport {
		t.Helper()
		var rep *ledger.AuditReport
		err := e.db.AuditLedger(ctx, func(src ledger.AuditSource) error {
			var err error
			rep, err = ledger.Audit(ctx, src, e.key.Verifier(), "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := audit(); len(rep.Problems) != 0 || rep.Rulings != 1 {
		t.Fatalf("audit of a signed ruling: %d rulings, problems %q; want 1 and none", rep.Rulings, rep.Problems)
	}

	raw, err := sql.Open("sqlite3", filepath.Join(e.dir, "court.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`DROP TRIGGER rulings_signed_no_update`,
		`UPDATE rulings SET canonical = replace(canonical, '应退还货款', '无需退款') WHERE id = ` + strconv.FormatInt(signed.Ruling.ID, 10),
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rep := audit()
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "ruling "+strconv.FormatInt(signed.Ruling.ID, 10)) ||
		!strings.Contains(rep.Problems[0], "was changed") {
		t.Errorf("audit after changing the ruling's text: %q, want the ruling named as changed", rep.Problems)
	}
}

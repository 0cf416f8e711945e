package docket_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
)

// TestSearchVisibility: clerks and admins find every case filed with the
// court, judges only their assigned ones; drafts (and drafts withdrawn
// before submission) are found by no one; every other role gets ENOTFOUND.
func TestSearchVisibility(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	ids := map[string]int64{}
	for _, st := range []string{"draft", "withdrawn draft", "submitted", "returned", "rejected", "served", "withdrawn submitted"} {
		ids[st] = build(t, e, "S-"+st, st).ID
	}
	filed := []int64{ids["withdrawn submitted"], ids["served"], ids["rejected"], ids["returned"], ids["submitted"]}
	want := map[string][]int64{
		"clerk1": filed, "admin1": filed, "judge1": {ids["served"]},
	}
	for _, q := range []string{"假冒产品", "张伟", ""} { // facts, claimant name, filters only
		for username, u := range e.U {
			got, err := e.Svc.Search(ctx, u, docket.SearchQuery{Text: q})
			w, ok := want[username]
			if !ok {
				MustCourtError(t, err, court.ENOTFOUND)
				continue
			}
			if err != nil {
				t.Errorf("%s search %q: %v", username, q, err)
				continue
			}
			var gotIDs []int64
			for _, c := range got {
				gotIDs = append(gotIDs, c.ID)
			}
			if !reflect.DeepEqual(gotIDs, w) {
				t.Errorf("%s search %q: got %v, want %v", username, q, gotIDs, w)
			}
		}
	}
}

func TestSearchValidation(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	long := make([]rune, docket.MaxSearchText+1)
	for i := range long {
		long[i] = '张'
	}
	for _, tc := range []struct {
		q     docket.SearchQuery
		field string
	}{
		{docket.SearchQuery{Text: string(long)}, "q"},
		{docket.SearchQuery{Text: "，。！"}, "q"},
		{docket.SearchQuery{Status: []court.CaseStatus{"nope"}}, "status"},
		{docket.SearchQuery{Category: "nope"}, "category"},
		{docket.SearchQuery{From: "2026-02-30"}, "from"},
		{docket.SearchQuery{To: "26-1-1"}, "to"},
		{docket.SearchQuery{From: "2026-03-02", To: "2026-03-01"}, "to"},
		{docket.SearchQuery{Offset: -1}, "offset"},
	} {
		_, err := e.Svc.Search(ctx, e.U["clerk1"], tc.q)
		ce := MustCourtError(t, err, court.EINVALID)
		if _, ok := ce.Fields[tc.field]; !ok {
			t.Errorf("search %+v: got fields %v, want %q", tc.q, ce.Fields, tc.field)
		}
	}
	// One day is a valid range: from and to the same day.
	if _, err := e.Svc.Search(ctx, e.U["clerk1"], docket.SearchQuery{From: "2026-03-01", To: "2026-03-01"}); err != nil {
		t.Errorf("one-day range: got %v, want no error", err)
	}
}

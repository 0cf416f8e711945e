package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/hearing"
)

func init() {
	pageMatrix = append(pageMatrix,
		pageMatrixRoute{"POST", "/cases/:id/hearings/:hid/witness", "served/soon", url.Values{"name": {"李证人"}}, judgeOnlyWith(409)})
	otherRoutes = append(otherRoutes,
		routeCheck{"GET", "/hearing/witness/:code", "/hearing/witness/no-such-link", nil, map[string]int{"anon": 404, "*": 404}},
		routeCheck{"POST", "/hearing/witness/:code/token", "/hearing/witness/no-such-link/token", formBody(url.Values{}), map[string]int{"anon": 404, "*": 404}},
	)
}

// TestWitnessLink: the assigned judge makes a one-time link for a witness
// (a party cannot); the first browser to open it sees the hearing's time
// and the room but nothing of the case, and gets join tokens (again, for a
// reconnection); another browser is refused. In the room the witness is a
// witness, waiting for the judge, with no judge controls.
func TestWitnessLink(t *testing.T) {
	ts, _, _ := roomServer(t)
	a := newCaseAPI(t, ts)
	cs := judgeCase(a)
	slot := hearingAt("", "10:00", 60)
	h := a.mustHearing("judge1", "POST", casePath(cs.ID, "/hearings"), slot, http.StatusCreated)
	clockAt(ts, startOf(t, slot).Add(-5*time.Minute))
	room := fmt.Sprintf("/cases/%d/hearings/%d/room", cs.ID, h.ID)
	linkPath := fmt.Sprintf("/cases/%d/hearings/%d/witness", cs.ID, h.ID)

	post := func(c *client, page, path string, form url.Values) *response {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", c.csrf(page))
		return c.do(req)
	}
	party := ts.client(t)
	party.login("claimant1")
	if res := post(party, room, linkPath, url.Values{"name": {"李证人"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a party makes a witness link: got %d, want 403", res.StatusCode)
	}
	judge := ts.client(t)
	judge.login("judge1")
	if res := post(judge, room, linkPath, url.Values{"name": {""}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("no name: got %d, want 400", res.StatusCode)
	}
	res := post(judge, room, linkPath, url.Values{"name": {"李证人"}})
	var out struct{ Link string }
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil || res.StatusCode != 200 || !strings.HasPrefix(out.Link, "/hearing/witness/") {
		t.Fatalf("witness link: got %d %s", res.StatusCode, res.Body)
	}

	w := ts.client(t) // the witness: no account
	page := w.get(out.Link)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "李证人") || !strings.Contains(page.Body, "/static/room.js") {
		t.Fatalf("witness page: got %d, want the room for 李证人", page.StatusCode)
	}
	if strings.Contains(page.Body, cs.DocketNo) || strings.Contains(page.Body, fmt.Sprintf("/cases/%d", cs.ID)) {
		t.Errorf("the witness page shows the case (docket number or link)")
	}
	token := func() string {
		t.Helper()
		res := post(w, out.Link, out.Link+"/token", url.Values{})
		var tok struct{ Token string }
		if json.Unmarshal([]byte(res.Body), &tok); res.StatusCode != 200 || tok.Token == "" {
			t.Fatalf("witness token: got %d %s", res.StatusCode, res.Body)
		}
		return tok.Token
	}
	token()
	tok := token() // again: a reconnection needs a fresh one

	other := ts.client(t)
	if res := other.get(out.Link); res.StatusCode != http.StatusConflict {
		t.Errorf("the link in another browser: got %d, want 409", res.StatusCode)
	}
	if res := other.get("/hearing/witness/" + strings.Repeat("x", 43)); res.StatusCode != http.StatusNotFound {
		t.Errorf("a made-up link: got %d, want 404", res.StatusCode)
	}
	// The witness has no access to the case.
	if res := w.get(fmt.Sprintf("/cases/%d", cs.ID)); res.StatusCode == 200 {
		t.Errorf("the witness opens the case page: got 200")
	}

	c, _, err := wsDial(t, ts, http.Header{"Origin": {ts.URL}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.WriteJSON(hearing.Message{Type: hearing.TypeJoin, Token: tok})
	m := wsRead(t, c)
	if m.Type != hearing.TypeJoined || m.You == nil || m.You.Role != hearing.RoleWitness || m.You.Admitted ||
		m.You.Name != "李证人" || m.You.ID <= hearings.WitnessIDBase {
		t.Fatalf("witness joins: got %+v, want a waiting witness", m.You)
	}
	c.WriteJSON(hearing.Message{Type: hearing.TypeEnd})
	if m := wsRead(t, c); m.Type != hearing.TypeError {
		t.Errorf("a witness ends the hearing: got %+v, want an error", m)
	}
	entries, err := ts.DB.Docket(t.Context(), cs.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Kind == hearings.EntryWitnessLink
	}
	if !found {
		t.Errorf("docket: no %s entry", hearings.EntryWitnessLink)
	}
	if got, _ := ts.DB.HearingByID(t.Context(), h.ID); got.Status != court.HearingScheduled {
		t.Errorf("hearing: got %s, want still scheduled", got.Status)
	}
}

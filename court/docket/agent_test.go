package docket_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/docket"
)

// villagerID is a valid resident identity number no demo account has.
var villagerID = func() string {
	first := "33012219560708002"
	return first + string(court.ResidentIDCheck(first))
}()

func villager(id string) court.Villager {
	return court.Villager{Name: "王阿婆", ResidentID: id, Mobile: "13905710001", Method: court.ConsentThumbprint, Present: true}
}

func TestFileForVillager(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	agent := e.U["agent1"]

	c, err := e.Svc.FileForVillager(ctx, agent, villager(villagerID), e.Acc, filing("V-1"), true)
	if err != nil {
		t.Fatal(err)
	}
	if c.FiledByID != agent.ID || c.ClaimantID == agent.ID || c.Status != court.CaseSubmitted {
		t.Fatalf("case: got filer %d claimant %d status %s, want filer %d (the agent), the villager as claimant, submitted",
			c.FiledByID, c.ClaimantID, c.Status, agent.ID)
	}
	v, err := e.DB.UserByID(ctx, c.ClaimantID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Role != court.RoleClaimant || v.DisplayName != "王阿婆" || v.ResidentMasked != court.MaskResidentID(villagerID) {
		t.Errorf("villager record: got %+v, want a claimant 王阿婆 with the masked number", v)
	}
	// The number is stored encrypted and MACed, never readable.
	var enc []byte
	var mac string
	var consent bool
	if err := e.DB.Writer().QueryRow(`SELECT resident_id_enc, resident_id_mac FROM users WHERE id = ?`, v.ID).Scan(&enc, &mac); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc, []byte(villagerID)) || mac != e.Acc.Keys.ResidentMAC(villagerID) {
		t.Errorf("stored resident ID: want it encrypted and its MAC the lookup key")
	}
	if got, err := e.Acc.Keys.OpenResidentID(enc); err != nil || got != villagerID {
		t.Errorf("OpenResidentID: got %q, %v; want the number back", got, err)
	}
	if err := e.DB.Writer().QueryRow(`SELECT villager_consent FROM cases WHERE id = ?`, c.ID).Scan(&consent); err != nil || !consent {
		t.Errorf("cases.villager_consent: got %v, %v; want true", consent, err)
	}
	// How and when the villager consented is on the docket.
	entries, err := e.Svc.Docket(ctx, agent, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Kind != docket.EntryVillagerConsent || entries[0].Data["Method"] != "thumbprint" ||
		entries[0].Data["At"] != "2026-03-02 09:30" || entries[1].Kind != docket.EntryFiled {
		t.Errorf("docket: got %+v, want the consent (thumbprint, 2026-03-02 09:30) then the filing", entries)
	}
	// The villager has no password anyone knows.
	if _, err := e.Acc.Login(ctx, v.Username, ""); court.ErrorCode(err) != court.EUNAUTHORIZED {
		t.Errorf("villager login: got %v, want unauthorized", err)
	}

	// The agent sees and acts on the case; other claimants and agents do not see it.
	if _, err := e.Svc.Get(ctx, agent, c.ID); err != nil {
		t.Errorf("agent Get: %v", err)
	}
	other, err := e.Acc.CreateStaff(ctx, court.StaffAccount{Username: "agent2", Password: demo.Password, Name: "李站长", Role: court.RoleStationAgent})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*court.User{other, e.U["claimant1"], e.U["claimant2"]} {
		if _, err := e.Svc.Get(ctx, u, c.ID); court.ErrorCode(err) != court.ENOTFOUND {
			t.Errorf("Get as %s: got %v, want not found", u.Username, err)
		}
		if l, _ := e.Svc.List(ctx, u, nil, 0, 10); len(l) != 0 {
			t.Errorf("List as %s: got %d cases, want 0", u.Username, len(l))
		}
	}
	if l, _ := e.Svc.List(ctx, agent, nil, 0, 10); len(l) != 1 || l[0].ID != c.ID {
		t.Errorf("agent's list: got %v, want the case it filed", l)
	}
	if _, err := e.Svc.Withdraw(ctx, agent, c.ID, "村民与商家和解"); err != nil {
		t.Errorf("agent withdraws: %v", err)
	}

	// The same villager again: the same claimant record, found by the number.
	c2, err := e.Svc.FileForVillager(ctx, agent, villager(" "+strings.ToLower(villagerID)+" "), e.Acc, filing("V-2"), false)
	if err != nil {
		t.Fatal(err)
	}
	if c2.ClaimantID != c.ClaimantID || c2.Status != court.CaseDraft {
		t.Errorf("second filing: got claimant %d %s, want %d (the same villager) as a draft", c2.ClaimantID, c2.Status, c.ClaimantID)
	}
	// A villager who registered as a consumer gets the claim in their account.
	c3, err := e.Svc.FileForVillager(ctx, agent, villager(demo.ResidentID2), e.Acc, filing("V-3"), true)
	if err != nil {
		t.Fatal(err)
	}
	if c3.ClaimantID != e.U["claimant2"].ID {
		t.Errorf("registered villager: got claimant %d, want claimant2 (%d)", c3.ClaimantID, e.U["claimant2"].ID)
	}
	if _, err := e.Svc.Get(ctx, e.U["claimant2"], c3.ID); err != nil {
		t.Errorf("claimant2 sees the claim filed for them: %v", err)
	}
}

func TestFileForVillagerRefused(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()

	// Every error at once, of the villager and of the claim.
	wrong := "1"
	if villagerID[17] == '1' {
		wrong = "2"
	}
	v := villager(villagerID[:17] + wrong)
	v.Present, v.Mobile, v.Method = false, "12345", "waved"
	f := filing("V-9")
	f.Facts = "太短"
	_, err := e.Svc.FileForVillager(ctx, e.U["agent1"], v, e.Acc, f, true)
	ce := MustCourtError(t, err, court.EINVALID)
	for _, field := range []string{"villager_resident_id", "villager_mobile", "villager_consent_method", "villager_consent", "facts"} {
		if _, ok := ce.Fields[field]; !ok {
			t.Errorf("fields: got %v, want an error on %s", ce.Fields, field)
		}
	}
	if n := countRows(t, e, "cases"); n != 0 {
		t.Errorf("cases after a refused filing: got %d, want 0", n)
	}
	// Only station agents file for villagers; an agent cannot file as a claimant.
	for _, u := range []string{"claimant1", "clerk1", "merchant1"} {
		_, err := e.Svc.FileForVillager(ctx, e.U[u], villager(villagerID), e.Acc, filing("V-10"), true)
		MustCourtError(t, err, court.EFORBIDDEN)
	}
	_, err = e.Svc.File(ctx, e.U["agent1"], filing("V-11"), true)
	MustCourtError(t, err, court.EFORBIDDEN)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/demo"
	"github.com/shangcheng-court/courtd/court/storage"
)

// TestCrashDurability files claims and accepts them through the API while
// the server is killed with SIGKILL at random moments, 20 times. After each
// kill: every filing answered 201 and every acceptance answered 200 is in the
// database, docket numbers run 1..n without gap or duplicate, and SQLite's
// integrity check passes.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: not in -short")
	}
	bin := filepath.Join(t.TempDir(), "courtd")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(t.TempDir(), "data")
	filed := map[int64]bool{}      // case id -> acknowledged
	docketed := map[int64]string{} // case id -> docket number acknowledged
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		ackFiled, ackDocketed := crashRound(t, bin, dir, round == 0, time.Duration(150+rng.IntN(600))*time.Millisecond)
		for _, id := range ackFiled {
			filed[id] = true
		}
		for id, no := range ackDocketed {
			docketed[id] = no
		}
		checkAfterCrash(t, dir, filed, docketed)
	}
	if len(filed) < 100 || len(docketed) < 20 {
		t.Fatalf("the load did too little to mean anything: %d filings, %d acceptances acknowledged", len(filed), len(docketed))
	}
	t.Logf("20 kills: %d filings and %d acceptances acknowledged, all found", len(filed), len(docketed))
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// crashRound starts courtd, loads it, kills it after d, and returns what it
// acknowledged.
func crashRound(t *testing.T, bin, dir string, first bool, d time.Duration) ([]int64, map[int64]string) {
	addr := freePort(t)
	args := []string{"serve", "-addr", addr, "-data", dir, "-auth-rate", "1000000", "-log-level", "error"}
	if first {
		args = append(args, "-demo")
	}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := "http://" + addr
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := hc.Get(url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("courtd not ready: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	claimant := apiToken(t, hc, url, "claimant1")
	clerk := apiToken(t, hc, url, "clerk1")

	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var ackFiled []int64
	ackDocketed := map[int64]string{}
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf(`{"credit_code":%q,"merchant_name":"杭州西湖龙井茶业有限公司","order_ref":"K%d-%d-%d",`+
					`"category":"counterfeit","facts":"直播间买到假龙井茶，商家拒绝退款。","refund":12800,"compensation":50000,`+
					`"costs":0,"service_consent":true,"submit":true}`, demo.CreditCode1, time.Now().UnixNano(), w, i)
				var c court.Case
				if apiCall(ctx, hc, "POST", url+"/api/v1/cases", claimant, body, 201, &c) {
					mu.Lock()
					ackFiled = append(ackFiled, c.ID)
					mu.Unlock()
				}
			}
		}(w)
	}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				var list struct{ Cases []court.Case }
				if !apiCall(ctx, hc, "GET", url+"/api/v1/cases?status=submitted&limit=20", clerk, "", 200, &list) {
					continue
				}
				for _, c := range list.Cases {
					var got court.Case
					if apiCall(ctx, hc, "POST", fmt.Sprintf("%s/api/v1/cases/%d/review", url, c.ID), clerk, `{"decision":"accept"}`, 200, &got) {
						mu.Lock()
						ackDocketed[got.ID] = got.DocketNo
						mu.Unlock()
					}
				}
			}
		}()
	}
	time.Sleep(d)
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return ackFiled, ackDocketed
}

func apiToken(t *testing.T, hc *http.Client, url, user string) string {
	var tok struct{ Token string }
	if !apiCall(context.Background(), hc, "POST", url+"/api/v1/tokens", "",
		`{"username":"`+user+`","password":"`+demo.Password+`"}`, 201, &tok) {
		t.Fatalf("token for %s", user)
	}
	return tok.Token
}

// apiCall reports whether the call got the wanted status, decoding the body
// into out. Only a complete answer with that status counts as acknowledged.
func apiCall(ctx context.Context, hc *http.Client, method, url, token, body string, want int, out any) bool {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return false
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := hc.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != want {
		return false
	}
	return json.Unmarshal(b, out) == nil
}

func checkAfterCrash(t *testing.T, dir string, filed map[int64]bool, docketed map[int64]string) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(dir, DBFile), nil)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	if res, err := db.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check after kill: %q, %v", res, err)
	}
	for id := range filed {
		if _, err := db.CaseByID(ctx, id); err != nil {
			t.Fatalf("acknowledged filing %d lost: %v", id, err)
		}
	}
	for id, no := range docketed {
		c, err := db.CaseByID(ctx, id)
		if err != nil || c.DocketNo != no {
			t.Fatalf("acknowledged acceptance of case %d as %q lost: got %+v, %v", id, no, c, err)
		}
	}
	seqs, err := db.DocketSeqs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for year, s := range seqs {
		for i, v := range s {
			if v != i+1 {
				t.Fatalf("docket numbers of %d: position %d holds %d, want %d (gap or duplicate)", year, i, v, i+1)
			}
		}
	}
}

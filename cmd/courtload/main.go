// Command courtload measures courtd from outside, as a user's machine would:
// it starts the real binary on a fresh data dir and sends it real HTTP
// requests on loopback. Every run is bounded in requests and time.
//
//	courtload startup -bin ./courtd [-n 20]
//	courtload logins  -bin ./courtd [-c 8] [-d 10s]
//	courtload filings -bin ./courtd [-c 200] [-d 10s]
//	courtload uploads -bin ./courtd [-size 1073741824] [-c 100] [-n 10000000]
//
// startup: time from exec to the first 200 from /readyz on an empty data dir,
// and the resident memory once idle.
// logins: API logins per second (each an argon2id hash) with c concurrent
// clients, and the latency of a cheap authenticated request (GET
// /api/v1/me) measured alone and then during the login load: the ratio shows
// whether logins block other requests.
// filings: durable filings per second through POST /api/v1/cases with c
// concurrent clients, first with one transaction per filing (the baseline,
// -filing-batch 1), then with concurrent filings grouped into one commit,
// in the same run; latency percentiles and the server's peak memory.
// uploads: one big exhibit upload against sha256sum of the same file, with
// the server's memory growth, then c concurrent uploads (see uploads.go).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: courtload startup|logins -bin PATH [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "startup":
		err = startup(os.Args[2:])
	case "logins":
		err = logins(os.Args[2:])
	case "filings":
		err = filings(os.Args[2:])
	case "uploads":
		err = uploads(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "courtload:", err)
		os.Exit(1)
	}
}

// server is a courtd process started for a measurement.
type server struct {
	cmd *exec.Cmd
	url string
	dir string
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs bin on a new data dir and returns once /readyz answers 200,
// with the time that took from exec.
func start(bin string, extra ...string) (*server, time.Duration, error) {
	dir, err := os.MkdirTemp("", "courtload-")
	if err != nil {
		return nil, 0, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	args := append([]string{"serve", "-addr", addr, "-data", filepath.Join(dir, "data"), "-log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	s := &server{cmd: cmd, url: "http://" + addr, dir: dir}
	hc := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 30*time.Second {
		res, err := hc.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, time.Since(t0), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.stop()
	return nil, 0, errors.New("courtd not ready within 30 s")
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(s.dir)
}

// rssKB reads a process's resident set size from /proc.
func rssKB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			return strconv.Atoi(f[1])
		}
	}
	return 0, errors.New("no VmRSS")
}

func startup(args []string) error {
	fs := flag.NewFlagSet("startup", flag.ExitOnError)
	bin := fs.String("bin", "./courtd", "courtd binary")
	n := fs.Int("n", 20, "number of starts")
	fs.Parse(args)
	var ready []time.Duration
	var rss []int
	for i := 0; i < *n; i++ {
		s, d, err := start(*bin)
		if err != nil {
			return err
		}
		ready = append(ready, d)
		time.Sleep(2 * time.Second) // idle
		kb, err := rssKB(s.cmd.Process.Pid)
		s.stop()
		if err != nil {
			return err
		}
		rss = append(rss, kb)
	}
	slices.Sort(ready)
	slices.Sort(rss)
	fmt.Printf("startup to ready on an empty data dir, %d runs: min %v, median %v, max %v\n",
		*n, ready[0].Round(time.Millisecond), ready[len(ready)/2].Round(time.Millisecond), ready[len(ready)-1].Round(time.Millisecond))
	fmt.Printf("resident memory idle after start: min %d KiB, median %d KiB, max %d KiB\n", rss[0], rss[len(rss)/2], rss[len(rss)-1])
	return nil
}

func logins(args []string) error {
	fs := flag.NewFlagSet("logins", flag.ExitOnError)
	bin := fs.String("bin", "./courtd", "courtd binary")
	conc := fs.Int("c", 8, "concurrent login clients")
	dur := fs.Duration("d", 10*time.Second, "duration of each phase")
	fs.Parse(args)
	s, _, err := start(*bin, "-demo", "-auth-rate", "100000000")
	if err != nil {
		return err
	}
	defer s.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc + 4}, Timeout: 30 * time.Second}
	token, err := login(hc, s.url, "claimant1")
	if err != nil {
		return err
	}

	// Phase 1: the probe alone.
	base := probe(context.Background(), hc, s.url, token, *dur)
	// Phase 2: the probe while c clients log in as fast as they can.
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var n, failed atomic.Int64
	var wg sync.WaitGroup
	users := []string{"claimant2", "merchant1", "merchant2", "clerk1", "judge1", "mediator1", "agent1", "admin1"}
	t0 := time.Now()
	for i := 0; i < *conc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := login(hc, s.url, users[i%len(users)]); err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				n.Add(1)
			}
		}(i)
	}
	loaded := probe(ctx, hc, s.url, token, *dur)
	wg.Wait()
	el := time.Since(t0)
	kb, _ := rssKB(s.cmd.Process.Pid)
	fmt.Printf("machine: %d CPUs (GOMAXPROCS of the server is the same)\n", runtime.NumCPU())
	fmt.Printf("logins: %d in %v with %d clients = %.1f/s (%d failed); server RSS after: %d KiB\n",
		n.Load(), el.Round(time.Millisecond), *conc, float64(n.Load())/el.Seconds(), failed.Load(), kb)
	fmt.Printf("GET /api/v1/me alone:         %s\n", base)
	fmt.Printf("GET /api/v1/me during logins: %s\n", loaded)
	fmt.Printf("p50 ratio loaded/alone: %.2f, p99 ratio: %.2f\n",
		float64(loaded.p50)/float64(base.p50), float64(loaded.p99)/float64(base.p99))
	return nil
}

func login(hc *http.Client, url, user string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": user, "password": "demo-pass-2026"})
	res, err := hc.Post(url+"/api/v1/tokens", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 201 {
		return "", fmt.Errorf("login %s: status %d", user, res.StatusCode)
	}
	return out.Token, nil
}

type latency struct {
	n             int
	p50, p99, max time.Duration
}

func (l latency) String() string {
	return fmt.Sprintf("%d requests, p50 %v, p99 %v, max %v", l.n, l.p50, l.p99, l.max)
}

// probe sends one request at a time, with a short pause between, for d or
// until ctx ends.
func probe(ctx context.Context, hc *http.Client, url, token string, d time.Duration) latency {
	var lat []time.Duration
	end := time.Now().Add(d)
	for time.Now().Before(end) && ctx.Err() == nil {
		req, _ := http.NewRequest("GET", url+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		t0 := time.Now()
		res, err := hc.Do(req)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		lat = append(lat, time.Since(t0))
		time.Sleep(5 * time.Millisecond)
	}
	if len(lat) == 0 {
		return latency{}
	}
	slices.Sort(lat)
	return latency{n: len(lat), p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], max: lat[len(lat)-1]}
}

// rssPeak samples a process's resident memory until stop is closed and
// returns the highest value seen, in KiB.
func rssPeak(pid int, stop <-chan struct{}) <-chan int {
	out := make(chan int, 1)
	go func() {
		peak := 0
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := rssKB(pid); err == nil && kb > peak {
				peak = kb
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// creditCode is a valid unified social credit code for the load's merchant.
const creditCodeFirst17 = "91330102MA2H3K7Q1"

func creditCode() string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(alphabet, creditCodeFirst17[i]) * weights[i]
	}
	return creditCodeFirst17 + string(alphabet[(31-sum%31)%31])
}

type filingResult struct {
	n, failed int64
	elapsed   time.Duration
	lat       latency
	peakKB    int
	serverCPU time.Duration // CPU time the server used during the run
}

func (r filingResult) String() string {
	perFiling := time.Duration(0)
	if r.n > 0 {
		perFiling = r.serverCPU / time.Duration(r.n)
	}
	return fmt.Sprintf("%d filings in %v = %.0f/s, %d failed; %s; peak RSS %d KiB; server CPU %v = %v per filing",
		r.n, r.elapsed.Round(time.Millisecond), float64(r.n)/r.elapsed.Seconds(), r.failed, r.lat, r.peakKB,
		r.serverCPU.Round(time.Millisecond), perFiling.Round(time.Microsecond))
}

// cpuTime reads the user and system CPU time a process has used from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms). On a shared
// machine the time per request holds better than the rate.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count after its ')'.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad /proc stat")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

func filings(args []string) error {
	fs := flag.NewFlagSet("filings", flag.ExitOnError)
	bin := fs.String("bin", "./courtd", "courtd binary")
	conc := fs.Int("c", 200, "concurrent clients")
	dur := fs.Duration("d", 10*time.Second, "duration of each run")
	batch := fs.Int("batch", 0, "only this -filing-batch (0: the baseline 1, then the default)")
	fs.Parse(args)
	runs := []string{"1", ""}
	if *batch > 0 {
		runs = []string{strconv.Itoa(*batch)}
	}
	var results []filingResult
	for _, b := range runs {
		extra := []string{"-demo", "-auth-rate", "100000000"}
		label := "default batching"
		if b != "" {
			extra = append(extra, "-filing-batch", b)
			label = "-filing-batch " + b
		}
		r, err := fileLoad(*bin, extra, *conc, *dur)
		if err != nil {
			return err
		}
		fmt.Printf("%-22s %s\n", label+":", r)
		results = append(results, r)
	}
	fmt.Printf("machine: %d CPUs; %d clients\n", runtime.NumCPU(), *conc)
	if len(results) == 2 {
		a, b := results[0], results[1]
		fmt.Printf("throughput ratio batched/baseline: %.1fx\n",
			(float64(b.n)/b.elapsed.Seconds())/(float64(a.n)/a.elapsed.Seconds()))
	}
	return nil
}

func fileLoad(bin string, extra []string, conc int, dur time.Duration) (filingResult, error) {
	s, _, err := start(bin, extra...)
	if err != nil {
		return filingResult{}, err
	}
	defer s.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc + 8, MaxConnsPerHost: conc + 8}, Timeout: 30 * time.Second}
	token, err := login(hc, s.url, "claimant1")
	if err != nil {
		return filingResult{}, err
	}
	code := creditCode()
	stopRSS := make(chan struct{})
	peak := rssPeak(s.cmd.Process.Pid, stopRSS)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	cpu0, err := cpuTime(s.cmd.Process.Pid)
	if err != nil {
		return filingResult{}, err
	}
	var n, failed atomic.Int64
	lats := make([][]time.Duration, conc)
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf(`{"credit_code":%q,"merchant_name":"杭州西湖龙井茶业有限公司","platform":"直播间","order_ref":"L%d-%d",`+
					`"category":"counterfeit","facts":"直播间购买的龙井茶是假货，商家拒绝退款。","refund":12800,"compensation":50000,"costs":0,`+
					`"service_consent":true,"submit":true}`, code, w, i)
				req, _ := http.NewRequest("POST", s.url+"/api/v1/cases", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				t := time.Now()
				res, err := hc.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						failed.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 201 {
					failed.Add(1)
					continue
				}
				lats[w] = append(lats[w], time.Since(t))
				n.Add(1)
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(t0)
	close(stopRSS)
	cpu1, err := cpuTime(s.cmd.Process.Pid)
	if err != nil {
		return filingResult{}, err
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	r := filingResult{n: n.Load(), failed: failed.Load(), elapsed: el, peakKB: <-peak, serverCPU: cpu1 - cpu0}
	if len(all) > 0 {
		slices.Sort(all)
		r.lat = latency{n: len(all), p50: all[len(all)/2], p99: all[len(all)*99/100], max: all[len(all)-1]}
	}
	return r, nil
}

// Command sfuload measures the capacity of the hearing SFU (hearing/) with
// pion clients, against a plain UDP relay as the machine's baseline.
//
//	sfuload [-rooms 5,10,20,30] [-modes relay,sfu,sfu-batched] [-window 10s] [-warmup 3s]
//	        [-sfu-cpu 0] [-profile FILE -profile-rooms N] [-json FILE]
//	        [-max-participants N]
//
// For each room count and each mode, in turn (so the baseline and the SFU
// are measured back to back, under the same load of the machine), it starts
// the server in a child process (this binary again), pinned with taskset to
// core -sfu-cpu, connects rooms of four participants from this process
// (run it pinned to the other core: taskset -c 1 sfuload ...), each
// publishing synthetic video (1.5 Mbps, 150 packets/s in frame bursts) and
// audio (50 packets/s) and receiving the other three, then measures for
// -window:
//   - forwarded packets/s (packets the receivers got) and the server's CPU
//     time (from /proc), hence packets/s per core and CPU per packet;
//   - loss (every packet sent in the window should arrive three times);
//   - added latency p50 and p99 (each payload carries its send time);
//   - the server's resident memory, and CPU and memory per participant;
//   - how long the server's threads waited, runnable, for a CPU (from
//     /proc schedstat): on a shared machine, starvation by others;
//   - this process's own CPU, so a saturated load generator is visible.
//
// With -max-participants the SFU runs with that admission cap
// (hearing.Config.MaxParticipants, courtd's -hearing-max-participants): a
// room any of whose participants is refused (err.hearing_full) leaves
// again, as a hearing that cannot be held, and the table counts its people
// as refused; the measurement covers the rooms that got in.
//
// A step "breaks" when loss exceeds 0.1% or p99 exceeds 5 ms. With -profile,
// a CPU profile of the SFU child is taken during the window of the step
// with -profile-rooms rooms.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

func main() {
	if mode := os.Getenv(childEnv); mode != "" {
		if err := childMain(mode); err != nil {
			fmt.Fprintln(os.Stderr, "sfuload child:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sfuload:", err)
		os.Exit(1)
	}
}

// options of a run.
type options struct {
	rooms        []int
	modes        []string
	window       time.Duration
	warmup       time.Duration
	sfuCPU       int
	profile      string
	profileRooms int
	maxParts     int // the SFU's admission cap; 0: none
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("sfuload", flag.ContinueOnError)
	rooms := fs.String("rooms", "5,10,20,30", "room counts to measure, in order")
	modes := fs.String("modes", "relay,sfu", "servers to measure at each room count: relay (the baseline), sfu, sfu-batched (the SFU with Config.BatchSends)")
	var o options
	fs.DurationVar(&o.window, "window", 10*time.Second, "measured time per step")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "time between all media flowing and the window")
	fs.IntVar(&o.sfuCPU, "sfu-cpu", 0, "core the server child is pinned to (taskset); -1: not pinned")
	fs.StringVar(&o.profile, "profile", "", "write a CPU profile of the SFU child to this file")
	fs.IntVar(&o.profileRooms, "profile-rooms", 20, "the room count of the step profiled")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	fs.IntVar(&o.maxParts, "max-participants", 0, "the SFU's admission cap (hearing.Config.MaxParticipants); 0: no cap")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, f := range strings.Split(*rooms, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 500 {
			return fmt.Errorf("bad room count %q (1-500)", f)
		}
		o.rooms = append(o.rooms, n)
	}
	for _, m := range strings.Split(*modes, ",") {
		if m != "relay" && m != "sfu" && m != "sfu-batched" {
			return fmt.Errorf("bad mode %q (relay, sfu, sfu-batched)", m)
		}
		o.modes = append(o.modes, m)
	}
	if o.window < time.Second || o.warmup < 0 {
		return errors.New("the window must be at least 1s and the warm-up not negative")
	}

	pinned := "not pinned"
	if o.sfuCPU >= 0 {
		pinned = "pinned to cpu " + strconv.Itoa(o.sfuCPU)
	}
	fmt.Fprintf(out, "sfuload: load %s at start; server %s; this process on cpus %s\n", loadAvg(), pinned, allowedCPUs())
	var results []result
	writeHeader(out)
	for _, n := range o.rooms {
		for _, m := range o.modes {
			r, err := step(m, n, o)
			if err != nil {
				return fmt.Errorf("%s, %d rooms: %w", m, n, err)
			}
			results = append(results, r)
			writeRow(out, r)
		}
	}
	fmt.Fprintf(out, "sfuload: load %s at end\n", loadAvg())
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// result is one step: one server at one room count.
type result struct {
	Mode         string  `json:"mode"`
	Rooms        int     `json:"rooms"`
	Participants int     `json:"participants"`
	Connected    int     `json:"connected"` // participants receiving all three others, audio and video
	Refused      int     `json:"refused"`   // participants of rooms turned away by the admission cap
	Seconds      float64 `json:"seconds"`
	Sent         int64   `json:"sent"`     // measured packets sent
	Received     int64   `json:"received"` // measured packets received (sent x 3 without loss)
	Loss         float64 `json:"loss"`     // fraction
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
	Forwarded    float64 `json:"forwarded_per_s"`
	ServerCPU    float64 `json:"server_cpu"`     // cores in use
	PerCore      float64 `json:"per_core_per_s"` // forwarded packets/s per full core
	CPUPerPacket float64 `json:"cpu_per_packet_us"`
	RSSMiB       float64 `json:"rss_mib"`
	PeakRSSMiB   float64 `json:"peak_rss_mib"`            // the server's most resident memory during the step (VmHWM)
	RSSPerPart   float64 `json:"rss_per_participant_kib"` // above the idle server
	CPUPerPart   float64 `json:"cpu_per_participant"`     // % of a core
	ServerWait   float64 `json:"server_wait"`             // thread-seconds per second the server waited, runnable, for a CPU
	LoadGenCPU   float64 `json:"loadgen_cpu"`             // cores used by this process
	Load         string  `json:"load"`                    // 1-minute load average after the step
	OK           bool    `json:"ok"`
}

// step measures one server at one room count.
func step(mode string, rooms int, o options) (result, error) {
	r := result{Mode: mode, Rooms: rooms, Participants: rooms * roomSize}
	c, err := startChild(mode, o.sfuCPU, o.maxParts)
	if err != nil {
		return r, err
	}
	defer c.stop()
	idle, err := rss(c.pid)
	if err != nil {
		return r, err
	}
	t := &tally{}
	peers, refused, err := connect(mode, c.addr, rooms, t)
	r.Refused = refused
	defer func() {
		var wg sync.WaitGroup
		for _, p := range peers {
			wg.Add(1)
			go func() { defer wg.Done(); p.close() }()
		}
		wg.Wait()
	}()
	if err != nil {
		return r, err
	}
	// Wait until every participant hears the other three (audio and
	// video), or give up after a while and report how many did.
	want := 2 * (roomSize - 1)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if connected(peers, want) == len(peers) {
			break
		}
	}
	r.Connected = connected(peers, want)
	time.Sleep(o.warmup)

	var prof chan error
	if mode != "relay" && o.profile != "" && rooms == o.profileRooms {
		prof = make(chan error, 1)
		go func() { prof <- fetchProfile(c.addr, o.window, o.profile) }()
	}
	cpu0, err0 := cpuTime(c.pid)
	wait0 := runWait(c.pid)
	self0, _ := cpuTime(os.Getpid())
	start := time.Now()
	t.measuring.Store(true)
	time.Sleep(o.window)
	t.measuring.Store(false)
	wall := time.Since(start)
	cpu1, err1 := cpuTime(c.pid)
	wait1 := runWait(c.pid)
	self1, _ := cpuTime(os.Getpid())
	if err := errors.Join(err0, err1); err != nil {
		return r, err
	}
	time.Sleep(time.Second) // the last measured packets arrive
	mem, err := rss(c.pid)
	if err != nil {
		return r, err
	}
	if prof != nil {
		if err := <-prof; err != nil {
			return r, fmt.Errorf("profile: %w", err)
		}
	}

	r.Seconds = wall.Seconds()
	r.Sent, r.Received = t.sent.Load(), t.recv.Load()
	if expected := r.Sent * (roomSize - 1); expected > 0 {
		r.Loss = 1 - float64(r.Received)/float64(expected)
		if r.Loss < 0 {
			r.Loss = 0 // a duplicate (retransmission) can outnumber a loss
		}
	}
	r.P50ms, r.P99ms = ms(t.percentile(0.50)), ms(t.percentile(0.99))
	r.Forwarded = float64(r.Received) / r.Seconds
	r.ServerCPU = (cpu1 - cpu0).Seconds() / r.Seconds
	if r.ServerCPU > 0 {
		r.PerCore = r.Forwarded / r.ServerCPU
	}
	if r.Received > 0 {
		r.CPUPerPacket = float64((cpu1 - cpu0).Microseconds()) / float64(r.Received)
	}
	r.RSSMiB = float64(mem) / (1 << 20)
	if peak, err := peakRSS(c.pid); err == nil {
		r.PeakRSSMiB = float64(peak) / (1 << 20)
	}
	r.RSSPerPart = float64(mem-idle) / 1024 / float64(r.Participants)
	r.CPUPerPart = 100 * r.ServerCPU / float64(r.Participants)
	r.LoadGenCPU = (self1 - self0).Seconds() / r.Seconds
	r.ServerWait = (wait1 - wait0).Seconds() / r.Seconds
	r.Load = loadAvg()
	r.OK = r.Connected == r.Participants-r.Refused && r.Sent > 0 && r.Loss <= 0.001 && r.P99ms <= 5
	return r, nil
}

func connected(peers []peer, want int) int {
	n := 0
	for _, p := range peers {
		if p.heard() >= want {
			n++
		}
	}
	return n
}

// connect joins rooms x roomSize participants to the server at addr. The
// rooms join a few at a time (signalling and DTLS handshakes are bursts of
// CPU that the measurement does not need to include).
func connect(mode, addr string, rooms int, t *tally) ([]peer, int, error) {
	var (
		mu      sync.Mutex
		peers   []peer
		errs    []error
		refused int
		wg      sync.WaitGroup
		slots   = make(chan struct{}, 4)
	)
	add := func(p peer, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
		} else {
			peers = append(peers, p)
		}
	}
	for room := 1; room <= rooms; room++ {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			if mode == "relay" {
				for m := range roomSize {
					add(joinRelay(t, addr, uint32(room), m))
				}
				return
			}
			api, err := clientAPI()
			if err != nil {
				add(nil, err)
				return
			}
			// The judge first (admitted at once); the others wait until the
			// judge admits them.
			roles := []court.Role{court.RoleJudge, court.RoleClaimant, court.RoleMerchant, court.RoleClaimant}
			var own []*sfuPeer
			for i, role := range roles {
				p, err := joinSFU(api, t, addr, int64(room), int64(room*10+i), role)
				add(p, err)
				if err == nil {
					own = append(own, p)
				}
			}
			defer func() {
				// A room the server turned anyone away from leaves.
				turnedAway := false
				for _, p := range own {
					turnedAway = turnedAway || p.full.Load()
				}
				if !turnedAway {
					return
				}
				mu.Lock()
				refused += len(own)
				for _, p := range own {
					peers = slices.DeleteFunc(peers, func(q peer) bool { return q == p })
				}
				mu.Unlock()
				for _, p := range own {
					p.close()
				}
			}()
			// Wait for the room's media to flow before the next room joins,
			// and report a negotiation failure.
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				done := 0
				for _, p := range own {
					if p.full.Load() {
						return
					}
					select {
					case err := <-p.errs:
						if !p.full.Load() {
							add(nil, err)
						}
					default:
					}
					if p.heard() >= 2*(roomSize-1) {
						done++
					}
				}
				if done == len(own) {
					return
				}
			}
		}()
	}
	wg.Wait()
	return peers, refused, errors.Join(errs...)
}

// fetchProfile saves a CPU profile of the SFU child taken over d.
func fetchProfile(addr string, d time.Duration, file string) error {
	secs := max(1, int(d.Seconds())-1)
	resp, err := http.Get("http://" + addr + "/debug/pprof/profile?seconds=" + strconv.Itoa(secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// allowedCPUs is the Cpus_allowed_list of this process (where taskset put it).
func allowedCPUs() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func writeHeader(w io.Writer) {
	fmt.Fprintln(w, "| server | rooms | connected | forwarded pkt/s | server CPU (cores) | pkt/s per core | CPU us/pkt | loss | p50 ms | p99 ms | RSS MiB | KiB/participant | CPU %/participant | server wait | load-gen CPU | load | refused | peak RSS MiB | ok |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
}

func writeRow(w io.Writer, r result) {
	verdict := "yes"
	if !r.OK {
		verdict = "**no**"
	}
	fmt.Fprintf(w, "| %s | %d | %d/%d | %.0f | %.2f | %.0f | %.1f | %.3f%% | %.2f | %.2f | %.1f | %.0f | %.2f | %.2f | %.2f | %s | %d | %.1f | %s |\n",
		r.Mode, r.Rooms, r.Connected, r.Participants, r.Forwarded, r.ServerCPU, r.PerCore, r.CPUPerPacket,
		100*r.Loss, r.P50ms, r.P99ms, r.RSSMiB, r.RSSPerPart, r.CPUPerPart, r.ServerWait, r.LoadGenCPU, r.Load, r.Refused, r.PeakRSSMiB, verdict)
}

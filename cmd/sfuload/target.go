package main

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // the SFU child serves /debug/pprof for -profile
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/hearing"
)

// The measured server runs in a child process of its own (the same binary,
// told what to be by childEnv), so its CPU time and memory are its own and
// it can be pinned to a core with taskset. The child prints one line,
// "ready ADDR", and runs until its stdin closes (the parent exits or stops
// it): a crashed parent leaves no server behind.
const childEnv = "SFULOAD_CHILD"

// maxPartsEnv passes -max-participants to the SFU child.
const maxPartsEnv = "SFULOAD_MAX_PARTICIPANTS"

// childMain runs the child named by mode ("sfu", "sfu-batched" or "relay").
func childMain(mode string) error {
	switch mode {
	case "sfu":
		return sfuChild(false)
	case "sfu-batched":
		return sfuChild(true)
	case "relay":
		return relayChild()
	}
	return fmt.Errorf("unknown child %q", mode)
}

// sfuChild runs the hearing SFU on loopback exactly as courtd configures it
// (one UDP port for every room), with its signalling WebSocket at /ws, a
// token endpoint at /token for the load generator (the court's role in
// production) and pprof at /debug/pprof. It listens on loopback only.
func sfuChild(batched bool) error {
	key := make([]byte, 32)
	rand.Read(key)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	maxParts, _ := strconv.Atoi(os.Getenv(maxPartsEnv))
	srv, err := hearing.New(hearing.Config{TokenKey: key, ListenIP: "127.0.0.1", Loopback: true, TCPPort: -1,
		BatchSends: batched, Logger: log, MaxParticipants: maxParts}, hearing.Hooks{})
	if err != nil {
		return err
	}
	defer srv.Close()
	up := websocket.Upgrader{}
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		srv.Serve(c, nil)
	})
	http.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		h, err1 := strconv.ParseInt(r.FormValue("h"), 10, 64)
		u, err2 := strconv.ParseInt(r.FormValue("u"), 10, 64)
		role := court.Role(r.FormValue("r"))
		if err1 != nil || err2 != nil || (role != court.RoleJudge && role != court.RoleClaimant && role != court.RoleMerchant) {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		tok, err := srv.IssueToken(h, u, role, string(role)+" "+strconv.FormatInt(u, 10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, tok)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, nil)
	fmt.Printf("ready %s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin) // until the parent lets go
	if st := srv.SendStats(); st.Batches > 0 {
		fmt.Fprintf(os.Stderr, "sfu child: sent %d datagrams in %d sendmmsg calls (%.1f per call), %d dropped (queue full), %d failed\n",
			st.Sent, st.Batches, float64(st.Sent)/float64(st.Batches), st.Dropped, st.Failed)
	}
	return nil
}

// relayChild is the baseline: a plain UDP relay with the same fan-out as
// the SFU and none of its work (no ICE, DTLS, SRTP, RTCP or interceptors).
// Each datagram starts with relayHeader: the room and the member index;
// the relay learns each member's address from what it sends and copies
// every datagram to the other members of its room, one WriteTo each (as
// the SFU sends one datagram per subscriber).
func relayChild() error {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	_ = conn.SetReadBuffer(4 << 20) // as the SFU's media socket
	_ = conn.SetWriteBuffer(4 << 20)
	fmt.Printf("ready %s\n", conn.LocalAddr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		conn.Close()
	}()
	rooms := map[uint32][]*net.UDPAddr{}
	buf := make([]byte, 1500)
	for {
		n, from, err := conn.ReadFromUDP(buf)
		if err != nil {
			return nil
		}
		if n < relayHeader {
			continue
		}
		room, member := binary.BigEndian.Uint32(buf), int(buf[4])
		members := rooms[room]
		for len(members) <= member && member < 16 {
			members = append(members, nil)
		}
		if member >= len(members) {
			continue
		}
		if members[member] == nil {
			members[member] = from
			rooms[room] = members
		}
		for i, to := range members {
			if i != member && to != nil {
				_, _ = conn.WriteToUDP(buf[:n], to)
			}
		}
	}
}

// relayHeader is the size of the relay's own header, the size of an RTP
// header, so datagrams are as large as the SFU's.
const relayHeader = 12

// child is a running server child process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string // from its ready line
	pid   int
}

// startChild starts this program as the server mode, pinned to cpu (with
// taskset) when cpu >= 0, and waits for its ready line.
func startChild(mode string, cpu, maxParts int) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var cmd *exec.Cmd
	if cpu >= 0 {
		// taskset execs the program, so the pid is the server's.
		cmd = exec.Command("taskset", "-c", strconv.Itoa(cpu), exe)
	} else {
		cmd = exec.Command(exe)
	}
	cmd.Env = append(os.Environ(), childEnv+"="+mode, maxPartsEnv+"="+strconv.Itoa(maxParts))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin, pid: cmd.Process.Pid}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-line:
		addr, found := strings.CutPrefix(l, "ready ")
		if !ok || !found {
			c.stop()
			return nil, fmt.Errorf("%s child did not start (%q)", mode, l)
		}
		c.addr = addr
	case <-time.After(20 * time.Second):
		c.stop()
		return nil, fmt.Errorf("%s child: no ready line in 20 s", mode)
	}
	return c, nil
}

// stop ends the child (closing its stdin) and waits for it.
func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// cpuTime returns the CPU time (user + system) process pid has used, from
// /proc (clock ticks of 10 ms: windows of seconds make this precise enough).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after it are
	// counted from its closing parenthesis.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat for %d", pid)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(utime+stime) * tick, nil
}

// runWait returns how long the threads of process pid have waited,
// runnable, for a CPU (the second field of each thread's schedstat): on a
// shared machine it tells a server that was starved by other processes
// from one that was slow by itself.
func runWait(pid int) time.Duration {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, _ := os.ReadDir(dir)
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			ns, _ := strconv.ParseInt(f[1], 10, 64)
			total += time.Duration(ns)
		}
	}
	return total
}

// rss returns the resident memory of process pid in bytes.
func rss(pid int) (int64, error) { return procStatus(pid, "VmRSS:") }

// peakRSS returns the most resident memory process pid has had, in bytes.
func peakRSS(pid int) (int64, error) { return procStatus(pid, "VmHWM:") }

// procStatus returns a kB field of /proc/PID/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s for %d", field, pid)
}

// loadAvg returns the first field of /proc/loadavg (1-minute load).
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

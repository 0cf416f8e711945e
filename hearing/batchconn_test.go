package hearing

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// udpPair opens a batchConn (queue bound limit) and a plain receiving
// socket on loopback, both closed when the test ends.
func udpPair(t *testing.T, limit int) (*batchConn, *net.UDPConn) {
	t.Helper()
	c := newBatchConn(mustUDP(t), limit)
	t.Cleanup(func() { c.Close() })
	return c, mustUDP(t)
}

func mustUDP(t *testing.T) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadBuffer(4 << 20)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// receive reads n datagrams (or fails after a few seconds) and returns
// their first 8 bytes as numbers, in the order they arrived.
func receive(t *testing.T, conn *net.UDPConn, n int) []uint64 {
	t.Helper()
	got := make([]uint64, 0, n)
	buf := make([]byte, 2000)
	for len(got) < n {
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("after %d datagrams of %d: %v", len(got), n, err)
		}
		if k < 8 {
			t.Fatalf("datagram of %d bytes", k)
		}
		got = append(got, binary.BigEndian.Uint64(buf))
	}
	return got
}

// expectNothing fails if conn receives a datagram within a short while.
func expectNothing(t *testing.T, conn *net.UDPConn) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 2000)
	if n, _, err := conn.ReadFromUDP(buf); err == nil {
		t.Fatalf("got an extra datagram of %d bytes, want none", n)
	}
}

// settled returns c's counters once done says they are final, or after a
// few seconds: they are updated after sendmmsg returns, which may be after
// the receiver has the datagrams.
func settled(c *batchConn, done func(SendStats) bool) SendStats {
	deadline := time.Now().Add(5 * time.Second)
	for !done(c.stats()) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return c.stats()
}

func datagramOf(seq uint64, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, seq)
	return b
}

// One writer: every datagram arrives, in the order written, whole, and
// the writer's buffer may be reused as soon as WriteTo returns.
func TestBatchConnOrder(t *testing.T) {
	const n = 3000
	c, rx := udpPair(t, n)
	to := rx.LocalAddr().(*net.UDPAddr)
	buf := make([]byte, 1200)
	for i := range uint64(n) {
		binary.BigEndian.PutUint64(buf, i)
		var err error
		if i%2 == 0 {
			_, err = c.WriteTo(buf, to)
		} else {
			_, err = c.WriteToAddrPort(buf, to.AddrPort())
		}
		if err != nil {
			t.Fatal(err)
		}
		clear(buf) // the queued copy must not change
	}
	got := receive(t, rx, n)
	for i, v := range got {
		if v != uint64(i) {
			t.Fatalf("datagram %d carries %d, want %d", i, v, i)
		}
	}
	expectNothing(t, rx)
	s := settled(c, func(s SendStats) bool { return s.Sent >= n })
	if s.Sent != n || s.Dropped != 0 || s.Failed != 0 {
		t.Fatalf("stats %+v, want %d sent, none dropped or failed", s, n)
	}
	if s.Batches == 0 || s.Batches > s.Sent {
		t.Fatalf("%d batches for %d datagrams", s.Batches, s.Sent)
	}
	t.Logf("%d datagrams in %d sendmmsg calls", s.Sent, s.Batches)
}

// Datagrams of every size up to the receive MTU are sent as they are.
func TestBatchConnSizes(t *testing.T) {
	c, rx := udpPair(t, 0)
	to := rx.LocalAddr().(*net.UDPAddr)
	sizes := []int{8, 100, 1200, 1500, 1501, 4000, 8192}
	for i, size := range sizes {
		if _, err := c.WriteTo(datagramOf(uint64(i), size), to); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 10000)
	for i, size := range sizes {
		_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, _, err := rx.ReadFromUDP(buf)
		if err != nil {
			t.Fatal(err)
		}
		if k != size || binary.BigEndian.Uint64(buf) != uint64(i) {
			t.Fatalf("datagram %d: %d bytes carrying %d, want %d bytes carrying %d", i, k, binary.BigEndian.Uint64(buf), size, i)
		}
	}
}

// Many writers at once (run with -race): nothing lost, nothing duplicated,
// and each writer's datagrams arrive in its own order.
func TestBatchConnConcurrent(t *testing.T) {
	const writers, each = 8, 400
	c, rx := udpPair(t, writers*each)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	var wg sync.WaitGroup
	for w := range uint64(writers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1000)
			for i := range uint64(each) {
				binary.BigEndian.PutUint64(buf, w<<32|i)
				if _, err := c.WriteToAddrPort(buf, to); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	got := receive(t, rx, writers*each)
	wg.Wait()
	next := make([]uint64, writers)
	for _, v := range got {
		w, i := v>>32, v&0xffffffff
		if w >= writers || i != next[w] {
			t.Fatalf("writer %d's datagram %d arrived, want its %d", w, i, next[w])
		}
		next[w]++
	}
	expectNothing(t, rx)
	if s := settled(c, func(s SendStats) bool { return s.Sent >= writers*each }); s.Sent != writers*each || s.Dropped != 0 {
		t.Fatalf("stats %+v, want %d sent and none dropped", s, writers*each)
	}
}

// stallingBatchWriter holds the sender in its first sendmmsg until released, then
// sends through the real socket.
type stallingBatchWriter struct {
	w       batchWriter
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *stallingBatchWriter) WriteBatch(ms []ipv4.Message, flags int) (int, error) {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	return g.w.WriteBatch(ms, flags)
}

// A sender that falls behind makes the queue hold at most its bound: what
// is written beyond is dropped and counted, not kept, and WriteTo does not
// block meanwhile.
func TestBatchConnQueueBound(t *testing.T) {
	const limit = 16
	tx, rx := mustUDP(t), mustUDP(t)
	g := &stallingBatchWriter{w: ipv4.NewPacketConn(tx), entered: make(chan struct{}), release: make(chan struct{})}
	c := startBatchConn(tx, g, true, limit)
	defer c.Close()
	to := rx.LocalAddr().(*net.UDPAddr)

	if _, err := c.WriteTo(datagramOf(0, 100), to); err != nil {
		t.Fatal(err)
	}
	<-g.entered // the sender holds datagram 0 and is stuck
	start := time.Now()
	for i := range uint64(limit + 10) {
		if n, err := c.WriteTo(datagramOf(1+i, 100), to); err != nil || n != 100 {
			t.Fatalf("write %d: %d, %v; want 100, nil", 1+i, n, err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("writes to a full queue took %v: they must not wait", d)
	}
	c.mu.Lock()
	queued := len(c.queue)
	c.mu.Unlock()
	if queued != limit {
		t.Fatalf("%d datagrams queued, want the bound %d", queued, limit)
	}
	if s := c.stats(); s.Dropped != 10 {
		t.Fatalf("%d dropped, want 10", s.Dropped)
	}
	close(g.release)
	got := receive(t, rx, 1+limit)
	for i, v := range got {
		if v != uint64(i) {
			t.Fatalf("datagram %d carries %d, want %d (the first ones are kept, the last dropped)", i, v, i)
		}
	}
	expectNothing(t, rx)
}

// Close sends what was queued, ends the sender, closes the socket, and
// later writes fail with net.ErrClosed. A second Close is harmless.
func TestBatchConnClose(t *testing.T) {
	tx, rx := mustUDP(t), mustUDP(t)
	g := &stallingBatchWriter{w: ipv4.NewPacketConn(tx), entered: make(chan struct{}), release: make(chan struct{})}
	c := startBatchConn(tx, g, true, 0+defaultSendQueue)
	to := rx.LocalAddr().(*net.UDPAddr)
	for i := range uint64(50) {
		if _, err := c.WriteTo(datagramOf(i, 500), to); err != nil {
			t.Fatal(err)
		}
	}
	<-g.entered
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while the sender was still sending")
	case <-time.After(100 * time.Millisecond):
	}
	close(g.release)
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	select {
	case <-c.done:
	default:
		t.Fatal("the sender goroutine is still running after Close")
	}
	if got := receive(t, rx, 50); got[49] != 49 {
		t.Fatalf("last datagram carries %d, want 49", got[49])
	}
	if _, err := c.WriteTo(datagramOf(99, 10), to); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v, want net.ErrClosed", err)
	}
	if _, err := c.WriteToAddrPort(datagramOf(99, 10), netip.MustParseAddrPort("127.0.0.1:9")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write after Close: %v, want net.ErrClosed", err)
	}
	if _, _, err := tx.ReadFromUDP(make([]byte, 10)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("the socket is still open after Close: read gave %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	expectNothing(t, rx)
}

// A datagram the kernel refuses (here: to port 0) is counted and skipped;
// the ones around it are sent.
func TestBatchConnFailedDatagram(t *testing.T) {
	c, rx := udpPair(t, 0)
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	bad := netip.MustParseAddrPort("127.0.0.1:0")
	for i := range uint64(20) {
		addr := to
		if i == 10 {
			addr = bad
		}
		if _, err := c.WriteToAddrPort(datagramOf(i, 200), addr); err != nil {
			t.Fatal(err)
		}
	}
	got := receive(t, rx, 19)
	for i, v := range got {
		want := uint64(i)
		if i >= 10 {
			want++
		}
		if v != want {
			t.Fatalf("datagram %d carries %d, want %d", i, v, want)
		}
	}
	if s := settled(c, func(s SendStats) bool { return s.Sent+s.Failed >= 20 }); s.Failed != 1 || s.Sent != 19 {
		t.Fatalf("stats %+v, want 19 sent and 1 failed", s)
	}
}

// Reads go to the socket: what the receiving side sends back is read
// through the batchConn, with its source address.
func TestBatchConnRead(t *testing.T) {
	c, peer := udpPair(t, 0)
	if _, err := peer.WriteToUDP(datagramOf(7, 40), c.LocalAddr().(*net.UDPAddr)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, from, err := c.ReadFromAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != 40 || binary.BigEndian.Uint64(buf) != 7 || from != peer.LocalAddr().(*net.UDPAddr).AddrPort() {
		t.Fatalf("read %d bytes carrying %d from %v, want 40 carrying 7 from %v", n, binary.BigEndian.Uint64(buf), from, peer.LocalAddr())
	}
}

// An idle server adds no latency: a lone datagram leaves at once, without
// waiting for a batch to fill.
func TestBatchConnNoWait(t *testing.T) {
	c, rx := udpPair(t, 0)
	to := rx.LocalAddr().(*net.UDPAddr)
	buf := make([]byte, 100)
	var worst time.Duration
	for i := range uint64(20) {
		start := time.Now()
		if _, err := c.WriteTo(datagramOf(i, 100), to); err != nil {
			t.Fatal(err)
		}
		_ = rx.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := rx.ReadFromUDP(buf); err != nil {
			t.Fatal(err)
		}
		worst = max(worst, time.Since(start))
		time.Sleep(5 * time.Millisecond)
	}
	// Generous for a shared machine: a timer-based flush would show as
	// its period on every datagram, not as scheduling noise.
	if worst > 50*time.Millisecond {
		t.Fatalf("a lone datagram took up to %v to arrive", worst)
	}
	t.Logf("worst of 20 lone datagrams: %v", worst)
}

// recordingWriter notes the size of each batch it sends.
type recordingWriter struct {
	w     batchWriter
	mu    sync.Mutex
	sizes []int
}

func (r *recordingWriter) WriteBatch(ms []ipv4.Message, flags int) (int, error) {
	r.mu.Lock()
	r.sizes = append(r.sizes, len(ms))
	r.mu.Unlock()
	return r.w.WriteBatch(ms, flags)
}

// A writer that finds a full batch queued and nobody sending sends it
// itself, in one sendmmsg, rather than wait for the sender goroutine's
// turn (with one P, the sender cannot run until the writer yields).
func TestBatchConnWriterFlushes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tx, rx := mustUDP(t), mustUDP(t)
	rec := &recordingWriter{w: ipv4.NewPacketConn(tx)}
	c := startBatchConn(tx, rec, true, 0+defaultSendQueue)
	defer c.Close()
	to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
	for i := range uint64(maxBatch) {
		if _, err := c.WriteToAddrPort(datagramOf(i, 100), to); err != nil {
			t.Fatal(err)
		}
	}
	rec.mu.Lock()
	sizes := append([]int(nil), rec.sizes...)
	rec.mu.Unlock()
	if len(sizes) != 1 || sizes[0] != maxBatch {
		t.Fatalf("batches sent before the writer yielded: %v, want one of %d", sizes, maxBatch)
	}
	got := receive(t, rx, maxBatch)
	for i, v := range got {
		if v != uint64(i) {
			t.Fatalf("datagram %d carries %d, want %d", i, v, i)
		}
	}
}

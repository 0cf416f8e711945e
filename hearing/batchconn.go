package hearing

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// batchConn is the media UDP socket as the ICE mux sees it. Forwarding
// sends each packet once per subscriber, and one sendto system call per
// datagram was about half the SFU's CPU. So WriteTo does not send: it
// copies the datagram into a pooled buffer and queues it, and the queue is
// sent with sendmmsg, up to maxBatch datagrams a call. (Measured on
// loopback, that saves only about 7% of a send: the kernel's work per
// datagram, not the system call, is most of it; docs/benchmarks.md. The
// bounded queue is the other gain.)
//
// Who sends: a sender goroutine, woken when the queue becomes non-empty;
// it never waits for a batch to fill, so an idle server adds no latency,
// and batches form by themselves under load (what is queued while one
// sendmmsg runs goes in the next). But under load Go's scheduler gives one
// goroutine among many runnable forwarders only its turn: so a writer that
// finds a full batch queued and nobody sending sends it itself. That keeps
// the cost with the forwarders that make the traffic (they slow down
// instead of doing work that is then thrown away) and the batches full.
// One flusher at a time (flushing), each taking the whole queue, keeps the
// datagrams in order.
//
// The queue is bounded: when it is full (writers on other cores, or given
// the core while a flusher is inside a long sendmmsg, faster than the
// kernel takes them), datagrams are dropped and counted, as a full socket
// buffer would drop them, instead of memory growing with the backlog.
//
// Reads go straight to the socket. batchConn implements pion's
// transport.UDPConn (the multi-address mux listens through a transport.Net)
// and ice.AddrPortReaderWriter (the mux's allocation-free path).
type batchConn struct {
	conn  *net.UDPConn
	batch batchWriter
	v4    bool // an IPv4 socket: addresses are sent unmapped
	limit int  // most datagrams queued

	mu       sync.Mutex
	queue    []*datagram
	flushing bool // someone is sending: only they use spare and ms
	closed   bool

	spare []*datagram    // the queue's other buffer, swapped in by a flush
	ms    []ipv4.Message // sendmmsg's arguments

	wake      chan struct{} // a token: the queue became non-empty, a flush ended, or Close
	done      chan struct{} // closed when the sender goroutine has returned
	closeOnce sync.Once
	closeErr  error

	sent    atomic.Uint64 // datagrams the kernel took
	batches atomic.Uint64 // sendmmsg calls
	dropped atomic.Uint64 // datagrams refused because the queue was full
	failed  atomic.Uint64 // datagrams the kernel refused
}

// batchWriter sends several datagrams in one system call: ipv4.PacketConn
// or ipv6.PacketConn (sendmmsg on Linux; their Message is the same type).
type batchWriter interface {
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

// datagram is one queued datagram. addr is the destination as x/net wants
// it; its IP points into ip, so queuing allocates nothing once the pool is
// warm.
type datagram struct {
	buf  []byte
	addr net.UDPAddr
	ip   [16]byte
}

var datagramPool = sync.Pool{New: func() any { return &datagram{buf: make([]byte, 0, 1500)} }}

const (
	// maxBatch is the most datagrams given to one sendmmsg.
	maxBatch = 64
	// defaultSendQueue bounds the datagrams waiting to be sent: about 80 ms
	// of the forwarding rate one core reaches (50,000 packets/s), at most
	// 6 MB of buffers. It absorbs the stalls of a busy host (with 1,024,
	// sfuload on a loaded machine lost 5% at this queue where the server
	// without the queue lost 1% in the same minutes); a backlog longer than
	// that is latency no participant wants.
	defaultSendQueue = 4096
)

// newBatchConn wraps conn; limit is the queue bound (defaultSendQueue when
// not positive). Close closes conn.
func newBatchConn(conn *net.UDPConn, limit int) *batchConn {
	if limit <= 0 {
		limit = defaultSendQueue
	}
	a, ok := conn.LocalAddr().(*net.UDPAddr)
	v4 := ok && a.IP.To4() != nil
	var w batchWriter = ipv6.NewPacketConn(conn)
	if v4 {
		w = ipv4.NewPacketConn(conn)
	}
	return startBatchConn(conn, w, v4, limit)
}

// startBatchConn starts the sender of a batchConn that sends through w
// (tests put a gate in front of the socket's).
func startBatchConn(conn *net.UDPConn, w batchWriter, v4 bool, limit int) *batchConn {
	c := &batchConn{conn: conn, batch: w, v4: v4, limit: limit, wake: make(chan struct{}, 1),
		done: make(chan struct{}), queue: make([]*datagram, 0, limit), spare: make([]*datagram, 0, limit),
		ms: make([]ipv4.Message, maxBatch)}
	for i := range c.ms {
		c.ms[i].Buffers = make([][]byte, 1)
	}
	go c.sendLoop()
	return c
}

// WriteToAddrPort queues b for addr. It does not block; a full queue drops
// the datagram (counted), as the network may.
func (c *batchConn) WriteToAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	d := datagramPool.Get().(*datagram)
	d.buf = append(d.buf[:0], b...)
	ip := addr.Addr()
	if c.v4 {
		ip = ip.Unmap()
	}
	if ip.Is4() {
		a := ip.As4()
		copy(d.ip[:], a[:])
		d.addr.IP = d.ip[:4]
	} else {
		d.ip = ip.As16()
		d.addr.IP = d.ip[:]
	}
	d.addr.Port = int(addr.Port())
	d.addr.Zone = ip.Zone()

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		datagramPool.Put(d)
		return 0, net.ErrClosed
	}
	if len(c.queue) >= c.limit {
		c.mu.Unlock()
		datagramPool.Put(d)
		c.dropped.Add(1)
		return len(b), nil
	}
	c.queue = append(c.queue, d)
	if len(c.queue) >= maxBatch && !c.flushing {
		c.flushLocked() // a full batch and nobody sending: send it now
		c.mu.Unlock()
		return len(b), nil
	}
	first := len(c.queue) == 1
	c.mu.Unlock()
	if first {
		c.poke() // the sender may be asleep
	}
	return len(b), nil
}

// poke wakes the sender goroutine. While the queue is not empty, a token
// is pending, or a flush is running (and pokes when it ends), or the
// sender has yet to look at the queue.
func (c *batchConn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// flushLocked sends the whole queue. Called with mu held and nobody
// flushing; mu is released during the system calls and held again on
// return.
func (c *batchConn) flushLocked() {
	c.flushing = true
	taken := c.queue
	c.queue = c.spare[:0]
	c.mu.Unlock()
	c.send(taken)
	for i, d := range taken {
		datagramPool.Put(d)
		taken[i] = nil
	}
	c.mu.Lock()
	c.spare = taken[:0]
	c.flushing = false
	c.poke() // for what was queued meanwhile, or for Close
}

// WriteTo queues b for addr (a *net.UDPAddr).
func (c *batchConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	a, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, &net.OpError{Op: "write", Net: "udp", Addr: addr, Err: errors.New("not a UDP address")}
	}
	return c.WriteToAddrPort(b, a.AddrPort())
}

// WriteToUDP queues b for addr.
func (c *batchConn) WriteToUDP(b []byte, addr *net.UDPAddr) (int, error) {
	return c.WriteToAddrPort(b, addr.AddrPort())
}

var errBatchUnsupported = errors.New("hearing: not supported on the batched media socket")

// Write and WriteMsgUDP would bypass the queue and reorder datagrams: the
// ICE mux uses neither (the socket is not connected, and it sends no
// control messages).
func (c *batchConn) Write([]byte) (int, error) { return 0, errBatchUnsupported }

func (c *batchConn) WriteMsgUDP(b, oob []byte, addr *net.UDPAddr) (int, int, error) {
	if len(oob) > 0 || addr == nil {
		return 0, 0, errBatchUnsupported
	}
	n, err := c.WriteToUDP(b, addr)
	return n, 0, err
}

// sendLoop is the sender goroutine: it sends the queue whenever it is not
// empty and nobody else is sending, until Close; what was queued before
// Close is sent before it returns.
func (c *batchConn) sendLoop() {
	defer close(c.done)
	for {
		c.mu.Lock()
		if len(c.queue) > 0 && !c.flushing {
			c.flushLocked()
			c.mu.Unlock()
			continue
		}
		exit := c.closed && len(c.queue) == 0 && !c.flushing
		c.mu.Unlock()
		if exit {
			return
		}
		<-c.wake
	}
}

// send sends ds in batches of at most maxBatch. A datagram the kernel
// refuses (sendmmsg reports the error of the first one it could not send)
// is counted and skipped: the others are not held up by it.
func (c *batchConn) send(ds []*datagram) {
	ms := c.ms
	for len(ds) > 0 {
		n := min(len(ds), len(ms))
		for i := range n {
			ms[i].Buffers[0] = ds[i].buf
			ms[i].Addr = &ds[i].addr
		}
		k, err := c.batch.WriteBatch(ms[:n], 0)
		c.batches.Add(1)
		k = max(k, 0)
		c.sent.Add(uint64(k))
		if err != nil || k == 0 {
			if errors.Is(err, net.ErrClosed) {
				c.failed.Add(uint64(len(ds) - k))
				return
			}
			c.failed.Add(1)
			k++
		}
		ds = ds[k:]
	}
}

// Close stops taking datagrams, lets the sender send what is queued, waits
// for it to return and closes the socket.
func (c *batchConn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		c.poke()
		<-c.done
		c.closeErr = c.conn.Close()
	})
	return c.closeErr
}

// SendStats count what the media sockets' senders did: datagrams the
// kernel took, sendmmsg calls (Sent/Batches is the mean batch), datagrams
// dropped because the send queue was full (the server could not keep up)
// and datagrams the kernel refused.
type SendStats struct {
	Sent, Batches, Dropped, Failed uint64
}

func (c *batchConn) stats() SendStats {
	return SendStats{Sent: c.sent.Load(), Batches: c.batches.Load(), Dropped: c.dropped.Load(), Failed: c.failed.Load()}
}

// SendStats sums the counters of every media UDP socket since New.
func (s *Server) SendStats() SendStats {
	return s.media.sockets.stats()
}

// batchSockets lists the media UDP sockets, for their counters.
type batchSockets struct {
	mu    sync.Mutex
	conns []*batchConn
}

func (b *batchSockets) add(c *batchConn) *batchConn {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conns = append(b.conns, c)
	return c
}

func (b *batchSockets) stats() SendStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	var t SendStats
	for _, c := range b.conns {
		s := c.stats()
		t.Sent += s.Sent
		t.Batches += s.Batches
		t.Dropped += s.Dropped
		t.Failed += s.Failed
	}
	return t
}

// Reads and the rest go to the socket.

func (c *batchConn) ReadFromAddrPort(b []byte) (int, netip.AddrPort, error) {
	return c.conn.ReadFromUDPAddrPort(b)
}
func (c *batchConn) ReadFrom(b []byte) (int, net.Addr, error)        { return c.conn.ReadFrom(b) }
func (c *batchConn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) { return c.conn.ReadFromUDP(b) }
func (c *batchConn) Read(b []byte) (int, error)                      { return c.conn.Read(b) }
func (c *batchConn) LocalAddr() net.Addr                             { return c.conn.LocalAddr() }
func (c *batchConn) RemoteAddr() net.Addr                            { return c.conn.RemoteAddr() }
func (c *batchConn) SetReadDeadline(t time.Time) error               { return c.conn.SetReadDeadline(t) }
func (c *batchConn) SetReadBuffer(n int) error                       { return c.conn.SetReadBuffer(n) }
func (c *batchConn) SetWriteBuffer(n int) error                      { return c.conn.SetWriteBuffer(n) }
func (c *batchConn) ReadMsgUDP(b, oob []byte) (int, int, int, *net.UDPAddr, error) {
	return c.conn.ReadMsgUDP(b, oob)
}

// SetDeadline sets the read deadline only, and SetWriteDeadline does
// nothing: writes never block (they queue), and a write deadline on the
// socket would make the sender fail every datagram queued meanwhile, not
// just the caller's (the ICE mux sets one to abort a blocked write).
func (c *batchConn) SetDeadline(t time.Time) error    { return c.conn.SetReadDeadline(t) }
func (c *batchConn) SetWriteDeadline(time.Time) error { return nil }

// batchNet is the network the multi-address UDP mux listens through (one
// socket per local address): pion's own, except that each UDP socket it
// opens is a batchConn.
type batchNet struct {
	*stdnet.Net
	limit   int
	sockets *batchSockets
}

func newBatchNet(limit int, sockets *batchSockets) (*batchNet, error) {
	n, err := stdnet.NewNet()
	if err != nil {
		return nil, err
	}
	return &batchNet{Net: n, limit: limit, sockets: sockets}, nil
}

func (n *batchNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	conn, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	return n.sockets.add(newBatchConn(conn, n.limit)), nil
}

var (
	_ transport.UDPConn = (*batchConn)(nil)
	_ transport.Net     = (*batchNet)(nil)
)

var _ ice.AddrPortReaderWriter = (*batchConn)(nil)

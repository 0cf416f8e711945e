package hearing

import (
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSend compares sending 1,250-byte datagrams (a video packet) to
// a loopback receiver one sendto at a time with sending them through a
// batchConn (sendmmsg). cpu-us/op is the CPU time of the whole process
// (sender and the receiving goroutine) per datagram, which a busy machine
// does not inflate as it does the wall time.
//
//	go test ./hearing -run XXX -bench Send -benchtime 200000x
func BenchmarkSend(b *testing.B) {
	for _, mode := range []string{"sendto", "batched"} {
		b.Run(mode, func(b *testing.B) {
			rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			_ = rx.SetReadBuffer(4 << 20)
			defer rx.Close()
			go func() { // drain, as a client does
				buf := make([]byte, 2000)
				for {
					if _, _, err := rx.ReadFromUDP(buf); err != nil {
						return
					}
				}
			}()
			tx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
			if err != nil {
				b.Fatal(err)
			}
			var w net.PacketConn = tx
			var bc *batchConn
			if mode == "batched" {
				bc = newBatchConn(tx, 0)
				w = bc
			}
			defer w.Close()
			to := rx.LocalAddr()
			pkt := make([]byte, 1250)
			cpu0 := cpuNow()
			b.ResetTimer()
			for i := range b.N {
				if _, err := w.WriteTo(pkt, to); err != nil {
					b.Fatal(err)
				}
				if i%3 == 2 {
					time.Sleep(0) // a forwarder sends 3 copies, then reads again
				}
				// Never faster than the kernel takes them (a drop would cost
				// less than a send and flatter the figure): the SFU's
				// producers are bounded by what they receive.
				for bc != nil && i%64 == 63 && bc.queued() > 256 {
					runtime.Gosched()
				}
			}
			if bc != nil {
				for s := bc.stats(); s.Sent+s.Dropped+s.Failed < uint64(b.N); s = bc.stats() {
					time.Sleep(time.Millisecond)
				}
				s := bc.stats()
				b.ReportMetric(float64(s.Sent)/float64(max(s.Batches, 1)), "datagrams/call")
				b.ReportMetric(float64(s.Dropped)/float64(b.N), "dropped/op")
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuNow()-cpu0).Microseconds())/float64(b.N), "cpu-us/op")
		})
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (c *batchConn) queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

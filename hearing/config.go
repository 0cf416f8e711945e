package hearing

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/logging"
	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"
)

// Config is the media side of the hearings: where media arrives and how
// clients behind NAT reach it. The zero value (plus a token key) serves
// media on free UDP and TCP ports of every interface with no TURN; courtd
// asks for DefaultMediaPort.
type Config struct {
	// TokenKey signs join tokens (at least 32 bytes); TokenTTL is their life.
	TokenKey []byte
	TokenTTL time.Duration

	// ListenIP, when set, binds the media sockets to that address only
	// (tests use 127.0.0.1); otherwise every interface is used.
	ListenIP string
	// UDPPort is the one UDP port all rooms share (ICE UDP mux); 0 picks a
	// free port (tests), -1 turns UDP off.
	UDPPort int
	// TCPPort is the ICE-TCP fallback port for networks that block UDP; 0
	// picks a free port, -1 turns it off.
	TCPPort int
	// PublicIPs are the addresses clients reach this host at when it sits
	// behind a 1:1 NAT (a cloud VM's public IP): host candidates carry them
	// instead of the private address.
	PublicIPs []string
	// Loopback adds loopback candidates: needed when the only interface is
	// lo (tests, a single-host demo).
	Loopback bool

	// TURNPort, when positive, starts an embedded TURN server on that UDP
	// port for clients whose NAT or firewall defeats direct ICE. TURNSecret is
	// the shared secret of its time-limited credentials (TURN REST style) and
	// TURNRealm its realm; TURNRelayIP the address relays are given (the
	// public IP).
	TURNPort    int
	TURNSecret  string
	TURNRealm   string
	TURNRelayIP string

	// Rejoin is how long a participant who left keeps its admission (60 s
	// when zero): a dropped connection returns without the waiting room.
	Rejoin time.Duration

	// MaxParticipants caps the people in all rooms together (waiting,
	// admitted, or admitted and within Rejoin) and MaxRooms the running
	// hearings; a join past either is refused with err.hearing_full. Zero
	// means no limit. See admission.go.
	MaxParticipants int
	MaxRooms        int
	// SlotsPerHearing is how many of MaxParticipants a hearing reserves
	// when its room opens, so that hearings are taken in whole (see
	// admission.go). Zero or one: each person takes a slot as they come.
	SlotsPerHearing int

	// Recording says the hearings are recorded (hearing/record, wired by
	// the caller to Hooks.OnTrack): the joined message tells every
	// participant so (`recording: true`), and the room page shows it.
	Recording bool

	// BatchSends queues media datagrams and sends them with sendmmsg
	// (hearing/batchconn.go) instead of one system call each, as pion does.
	// It costs about the same CPU per packet, but on a quiet 2-core machine
	// it halved the median added latency at 10 four-party hearings and cut
	// the p99 by half or more (docs/benchmarks.md, "quiet machine");
	// courtd turns it on (-media-batch-sends). At saturation its bounded
	// queue drops where pion's sends would queue: admission control
	// (MaxParticipants) keeps a server short of that.
	BatchSends bool

	Logger *slog.Logger
}

// DefaultMediaPort is the default UDP and TCP media port.
const DefaultMediaPort = 7882

// media holds the sockets shared by every room and the WebRTC API built on
// them. close releases all of them.
type media struct {
	api     *webrtc.API
	udp     ice.UDPMux
	tcp     ice.TCPMux
	turn    *turn.Server
	udpPort int
	tcpPort int
	sockets batchSockets // the UDP sockets, batching their sends
}

func newMedia(cfg *Config) (*media, error) {
	m := &media{}
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError // pion warns on every ordinary close
	var se webrtc.SettingEngine
	se.LoggerFactory = lf
	se.SetIncludeLoopbackCandidate(cfg.Loopback)
	// The server never needs mDNS names: its candidates are its addresses.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// A dropped client is noticed within seconds, so its peer connections
	// are closed and it may rejoin at once.
	se.SetICETimeouts(5*time.Second, 10*time.Second, 2*time.Second)
	networks := []webrtc.NetworkType{}

	if cfg.UDPPort >= 0 {
		var err error
		if cfg.ListenIP != "" {
			var conn *net.UDPConn
			conn, err = net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(cfg.ListenIP), Port: cfg.UDPPort})
			if err == nil {
				// A large receive buffer keeps bursts of video from being
				// dropped by the kernel before the mux reads them.
				_ = conn.SetReadBuffer(4 << 20)
				_ = conn.SetWriteBuffer(4 << 20)
				m.udpPort = conn.LocalAddr().(*net.UDPAddr).Port
				// Sends queued and batched, if asked (hearing/batchconn.go).
				var pc net.PacketConn = conn
				if cfg.BatchSends {
					pc = m.sockets.add(newBatchConn(conn, 0))
				}
				m.udp = webrtc.NewICEUDPMux(lf.NewLogger("udpmux"), pc)
			}
		} else {
			var mux *ice.MultiUDPMuxDefault
			opts := []ice.UDPMuxFromPortOption{
				ice.UDPMuxFromPortWithReadBufferSize(4 << 20), ice.UDPMuxFromPortWithWriteBufferSize(4 << 20),
			}
			if cfg.BatchSends {
				// Each socket's sends batched (hearing/batchconn.go).
				bn, err := newBatchNet(0, &m.sockets)
				if err != nil {
					return nil, fmt.Errorf("hearing: media UDP port: %w", err)
				}
				opts = append(opts, ice.UDPMuxFromPortWithNet(bn))
			}
			if cfg.Loopback {
				opts = append(opts, ice.UDPMuxFromPortWithLoopback())
			}
			mux, err = ice.NewMultiUDPMuxFromPort(cfg.UDPPort, opts...)
			if err == nil {
				m.udp = mux
				m.udpPort = cfg.UDPPort
				if addrs := mux.GetListenAddresses(); len(addrs) > 0 {
					m.udpPort = addrs[0].(*net.UDPAddr).Port
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("hearing: media UDP port: %w", err)
		}
		se.SetICEUDPMux(m.udp)
		networks = append(networks, webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6)
	}
	if cfg.TCPPort >= 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort(cfg.ListenIP, strconv.Itoa(cfg.TCPPort)))
		if err != nil {
			m.close()
			return nil, fmt.Errorf("hearing: media TCP port: %w", err)
		}
		m.tcpPort = ln.Addr().(*net.TCPAddr).Port
		m.tcp = webrtc.NewICETCPMux(lf.NewLogger("tcpmux"), ln, 8)
		se.SetICETCPMux(m.tcp)
		networks = append(networks, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6)
	}
	if len(networks) == 0 {
		return nil, errors.New("hearing: neither UDP nor TCP media is enabled")
	}
	se.SetNetworkTypes(networks)
	if len(cfg.PublicIPs) > 0 {
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External: cfg.PublicIPs, AsCandidateType: webrtc.ICECandidateTypeHost, Mode: webrtc.ICEAddressRewriteReplace,
		}); err != nil {
			m.close()
			return nil, fmt.Errorf("hearing: public IPs: %w", err)
		}
	}

	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		m.close()
		return nil, err
	}
	// Browsers put the speaker's level in every audio packet: presence reads
	// it to show who is speaking without decoding audio.
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: audioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		m.close()
		return nil, err
	}
	// A lean interceptor chain: NACK (ask publishers to resend what was
	// lost, resend to subscribers what they lost) and RTCP sender/receiver
	// reports. No TWCC, no stats: they cost CPU per packet and this SFU does
	// no bandwidth estimation.
	ir := &interceptor.Registry{}
	// The NACK responder keeps a copy of the last packets of every stream
	// sent to every subscriber, each in a full-MTU buffer. pion's default
	// of 1024 packets costs about 1.5 MB per stream, 9 MB per participant
	// of a room of four; 256 packets (1.7 s of video, 5 s of audio) still
	// cover many round trips of a weak connection (docs/benchmarks.md).
	if err := webrtc.ConfigureNackWithOptions(me, ir, nil, nack.ResponderSize(nackHistory)); err != nil {
		m.close()
		return nil, err
	}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		m.close()
		return nil, err
	}
	m.api = webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir))

	if cfg.TURNPort > 0 {
		if err := m.startTURN(cfg, lf); err != nil {
			m.close()
			return nil, err
		}
	}
	return m, nil
}

const audioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

// nackHistory is how many sent packets per stream the NACK responder keeps
// for retransmission (a power of two, as pion requires).
const nackHistory = 256

func (m *media) startTURN(cfg *Config, lf logging.LoggerFactory) error {
	if cfg.TURNSecret == "" || cfg.TURNRelayIP == "" {
		return errors.New("hearing: TURN needs a secret and a relay IP")
	}
	relayIP := net.ParseIP(cfg.TURNRelayIP)
	if relayIP == nil {
		return fmt.Errorf("hearing: TURN relay IP %q is not an IP address", cfg.TURNRelayIP)
	}
	conn, err := net.ListenPacket("udp", net.JoinHostPort(cfg.ListenIP, strconv.Itoa(cfg.TURNPort)))
	if err != nil {
		return fmt.Errorf("hearing: TURN port: %w", err)
	}
	realm := cfg.TURNRealm
	if realm == "" {
		realm = "courtd"
	}
	bind := cfg.ListenIP
	if bind == "" {
		bind = "0.0.0.0"
	}
	// Relays may only reach this host's own media addresses: the TURN
	// server is a way into the hearings, not an open proxy into the
	// court's network.
	own := map[string]bool{relayIP.String(): true}
	for _, ip := range cfg.PublicIPs {
		own[net.ParseIP(ip).String()] = true
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				own[n.IP.String()] = true
			}
		}
	}
	m.turn, err = turn.NewServer(turn.ServerConfig{
		Realm:         realm,
		LoggerFactory: lf,
		AuthHandler:   turn.NewLongTermAuthHandler(cfg.TURNSecret, lf.NewLogger("turn")),
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: relayIP, Address: bind},
			PermissionHandler:     func(_ net.Addr, peer net.IP) bool { return own[peer.String()] },
		}},
	})
	if err != nil {
		conn.Close()
		return fmt.Errorf("hearing: TURN: %w", err)
	}
	return nil
}

func (m *media) close() {
	if m.udp != nil {
		m.udp.Close()
	}
	if m.tcp != nil {
		m.tcp.Close()
	}
	if m.turn != nil {
		m.turn.Close()
	}
}

package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"log/slog"
	"net"

	"github.com/shangcheng-court/courtd/hearing"
)

// mediaFlags configure the remote hearings' media (docs/operations.md,
// "Hearings: media ports").
type mediaFlags struct {
	On          bool
	ListenIP    string
	UDPPort     int
	TCPPort     int
	PublicIPs   string
	Loopback    bool
	TURNPort    int
	TURNSecret  string
	TURNRealm   string
	TURNRelayIP string

	MaxParticipants int
	MaxRooms        int
	SlotsPerHearing int
	BatchSends      bool
}

// DefaultMaxParticipants is the default cap on the people in all hearings
// together. On a quiet 2-core machine one core forwards 20 four-party
// hearings (80 people) with no loss at about 54,000 packets/s
// (docs/benchmarks.md), the 20 concurrent hearings; 80 leaves the
// other core to the rest of the court, and stops well short of the
// overload cliff (about 25 hearings on one core).
const DefaultMaxParticipants = 80

func (f *mediaFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.On, "hearings", false, "serve remote hearings: signalling at /hearing/ws and media on the ports below")
	fs.StringVar(&f.ListenIP, "media-listen-ip", "", "address the media ports bind to (default: every interface)")
	fs.IntVar(&f.UDPPort, "media-udp-port", hearing.DefaultMediaPort, "the one UDP port every hearing's media uses (-1: no UDP)")
	fs.IntVar(&f.TCPPort, "media-tcp-port", hearing.DefaultMediaPort, "TCP port for media when UDP is blocked (-1: no TCP)")
	fs.StringVar(&f.PublicIPs, "media-public-ip", "", "comma-separated public addresses of this host behind a 1:1 NAT, announced to clients instead of the private one")
	fs.BoolVar(&f.Loopback, "media-loopback", false, "announce loopback addresses too (a host whose only interface is lo)")
	fs.IntVar(&f.TURNPort, "turn-port", 0, "UDP port of the embedded TURN server (0: no TURN)")
	fs.StringVar(&f.TURNSecret, "turn-secret", "", "shared secret of the TURN server's time-limited credentials")
	fs.StringVar(&f.TURNRealm, "turn-realm", "courtd", "realm of the TURN server")
	fs.StringVar(&f.TURNRelayIP, "turn-relay-ip", "", "public address of the TURN relays (default: the first -media-public-ip)")
	fs.IntVar(&f.MaxParticipants, "hearing-max-participants", DefaultMaxParticipants,
		"most people in all hearings together; a join past it is refused as 'server full' (0: no limit)")
	fs.IntVar(&f.MaxRooms, "hearing-max-rooms", 0, "most hearings running at once (0: no limit but the participants')")
	fs.IntVar(&f.SlotsPerHearing, "hearing-slots-per-hearing", 3,
		"participant slots a hearing reserves when it opens (the judge and two parties), so hearings are admitted whole")
	fs.BoolVar(&f.BatchSends, "media-batch-sends", true, "send media datagrams in batches (sendmmsg): lower latency under load; false: one system call each")
}

func (f *mediaFlags) check() error {
	for _, ip := range append(splitList(f.PublicIPs), f.ListenIP, f.TURNRelayIP) {
		if ip != "" && net.ParseIP(ip) == nil {
			return errors.New("-media-public-ip, -media-listen-ip and -turn-relay-ip take IP addresses")
		}
	}
	if f.UDPPort > 65535 || f.TCPPort > 65535 || f.TURNPort < 0 || f.TURNPort > 65535 {
		return errors.New("-media-udp-port, -media-tcp-port and -turn-port take port numbers")
	}
	if f.MaxParticipants < 0 || f.MaxRooms < 0 {
		return errors.New("-hearing-max-participants and -hearing-max-rooms take 0 (no limit) or more")
	}
	if f.SlotsPerHearing < 1 || f.SlotsPerHearing > 50 {
		return errors.New("-hearing-slots-per-hearing takes 1 to 50")
	}
	if f.TURNPort > 0 && f.TURNSecret == "" {
		return errors.New("-turn-port needs -turn-secret")
	}
	return nil
}

// open starts the hearing server. Join tokens live two minutes, so a key
// made at start is enough: a restart ends the running hearings anyway.
func (f *mediaFlags) open(log *slog.Logger, hooks hearing.Hooks, recording bool) (*hearing.Server, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	relay := f.TURNRelayIP
	public := splitList(f.PublicIPs)
	if relay == "" && len(public) > 0 {
		relay = public[0]
	}
	return hearing.New(hearing.Config{
		TokenKey: key, ListenIP: f.ListenIP, UDPPort: f.UDPPort, TCPPort: f.TCPPort, PublicIPs: public,
		Loopback: f.Loopback, TURNPort: f.TURNPort, TURNSecret: f.TURNSecret, TURNRealm: f.TURNRealm,
		TURNRelayIP: relay, Logger: log, Recording: recording,
		MaxParticipants: f.MaxParticipants, MaxRooms: f.MaxRooms, SlotsPerHearing: f.SlotsPerHearing,
		BatchSends: f.BatchSends,
	}, hooks)
}

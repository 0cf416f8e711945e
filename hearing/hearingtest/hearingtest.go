// Package hearingtest holds what the tests of the hearing server and of
// the recorder share to act as in-process participants: a loopback-only
// WebRTC stack and waiting for a signalling message.
package hearingtest

import (
	"net"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"

	"github.com/shangcheng-court/courtd/hearing"
)

// Loopback is the setting engine of a test participant: loopback
// candidates only, no mDNS, pion's logs at error level, UDP over IPv4
// unless other network types are given.
func Loopback(networks ...webrtc.NetworkType) webrtc.SettingEngine {
	if len(networks) == 0 {
		networks = []webrtc.NetworkType{webrtc.NetworkTypeUDP4}
	}
	var se webrtc.SettingEngine
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelError
	se.LoggerFactory = lf
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes(networks)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return se
}

// WaitFor returns the first message from msgs satisfying ok, failing tb
// when msgs is closed (the socket closed) or after 10 seconds.
func WaitFor(tb testing.TB, msgs <-chan hearing.Message, ok func(hearing.Message) bool) hearing.Message {
	tb.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m, open := <-msgs:
			if !open {
				tb.Fatal("connection closed while waiting for a message")
			}
			if ok(m) {
				return m
			}
		case <-timeout:
			tb.Fatal("timed out waiting for a message")
		}
	}
}

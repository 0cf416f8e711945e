package web

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shangcheng-court/courtd/hearing"
)

// hearingCollector exposes the media server's load against its admission
// caps (hearing/admission.go): the figures an operator watches to see the
// server fill up, and the refusals that say it was too small.
type hearingCollector struct {
	srv                                         *hearing.Server
	participants, rooms, max, maxRooms, refused *prometheus.Desc
}

func newHearingCollector(srv *hearing.Server) *hearingCollector {
	return &hearingCollector{
		srv: srv,
		participants: prometheus.NewDesc("courtd_hearing_participants",
			"People holding a place in the hearings: waiting, admitted, or admitted and within the rejoin period.", nil, nil),
		rooms: prometheus.NewDesc("courtd_hearing_rooms", "Hearings running.", nil, nil),
		max: prometheus.NewDesc("courtd_hearing_max_participants",
			"The cap on participants (-hearing-max-participants; 0: no limit).", nil, nil),
		maxRooms: prometheus.NewDesc("courtd_hearing_max_rooms",
			"The cap on hearings running (-hearing-max-rooms; 0: no limit).", nil, nil),
		refused: prometheus.NewDesc("courtd_hearing_refused_total",
			"Joins refused because the media server was full.", nil, nil),
	}
}

func (h *hearingCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- h.participants
	ch <- h.rooms
	ch <- h.max
	ch <- h.maxRooms
	ch <- h.refused
}

func (h *hearingCollector) Collect(ch chan<- prometheus.Metric) {
	l := h.srv.Load()
	ch <- prometheus.MustNewConstMetric(h.participants, prometheus.GaugeValue, float64(l.Participants))
	ch <- prometheus.MustNewConstMetric(h.rooms, prometheus.GaugeValue, float64(l.Rooms))
	ch <- prometheus.MustNewConstMetric(h.max, prometheus.GaugeValue, float64(l.MaxParticipants))
	ch <- prometheus.MustNewConstMetric(h.maxRooms, prometheus.GaugeValue, float64(l.MaxRooms))
	ch <- prometheus.MustNewConstMetric(h.refused, prometheus.CounterValue, float64(l.Refused))
}

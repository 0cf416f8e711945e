package hearing

// RequestKeyframe asks a participant of a running hearing for a keyframe
// on each of its video tracks (throttled like subscribers' requests, at
// most one a second per track). The recorder calls it when a recording
// starts and after it lost packets.
func (s *Server) RequestKeyframe(hearingID, userID int64) {
	r := s.running(hearingID)
	if r == nil {
		return
	}
	r.mu.Lock()
	var ts []*pubTrack
	if p := r.parts[userID]; p != nil {
		ts = append(ts, p.pubs...)
	}
	r.mu.Unlock()
	for _, t := range ts {
		t.requestKeyframe()
	}
}

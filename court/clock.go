package court

import (
	"time"
	_ "time/tzdata" // the court's zone must load on machines without zoneinfo
)

// Zone is the court's time zone: times are stored in UTC and shown in it.
var Zone = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Clock is the clock the services use; tests may replace it. It returns UTC
// truncated to microseconds, the precision every store keeps.
type Clock func() time.Time

// SystemClock is the real clock.
func SystemClock() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

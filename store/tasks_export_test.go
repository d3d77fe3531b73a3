package store

import "time"

// SetTaskClock fixes the store's clock, for tests of time-dependent task
// metrics.
func SetTaskClock(s *Store, now time.Time) { s.now = func() time.Time { return now } }

package emulator

import (
	"container/heap"
	"sync/atomic"
	"time"
)

// clock is the emulator's time: a base source plus what Advance added.
type clock struct {
	base   func() time.Time
	offset atomic.Int64 // nanoseconds
}

func (c *clock) now() time.Time { return c.base().Add(time.Duration(c.offset.Load())) }

func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// job is something that happens at a simulated time: a scan, a member
// confirming a mass message, a transfer taking effect.
type job struct {
	at  time.Time
	seq uint64 // breaks ties so that equal times run in scheduling order
	run func(at time.Time)
}

// schedule is a min-heap of jobs by (at, seq). Jobs run in a deterministic
// order whatever the wall clock does.
type schedule struct {
	jobs []*job
	seq  uint64
}

func (s *schedule) Len() int { return len(s.jobs) }
func (s *schedule) Less(i, j int) bool {
	a, b := s.jobs[i], s.jobs[j]
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.seq < b.seq
}
func (s *schedule) Swap(i, j int) { s.jobs[i], s.jobs[j] = s.jobs[j], s.jobs[i] }
func (s *schedule) Push(x any)    { s.jobs = append(s.jobs, x.(*job)) }
func (s *schedule) Pop() any {
	n := len(s.jobs) - 1
	j := s.jobs[n]
	s.jobs[n] = nil
	s.jobs = s.jobs[:n]
	return j
}

func (s *schedule) add(at time.Time, run func(at time.Time)) {
	s.seq++
	heap.Push(s, &job{at: at, seq: s.seq, run: run})
}

// next pops the earliest job due at or before now.
func (s *schedule) next(now time.Time) (*job, bool) {
	if len(s.jobs) == 0 || s.jobs[0].at.After(now) {
		return nil, false
	}
	return heap.Pop(s).(*job), true
}

package main

import (
	"math"
	"slices"
	"time"
)

// latencies keeps every request's latency. A bounded run makes at most a
// few hundred thousand requests per scenario (a few MB), so percentiles are
// exact rather than bucketed.
type latencies struct {
	samples []time.Duration
	sorted  bool
}

func (l *latencies) add(d time.Duration) {
	l.samples = append(l.samples, d)
	l.sorted = false
}

func (l *latencies) merge(o *latencies) {
	l.samples = append(l.samples, o.samples...)
	l.sorted = false
}

func (l *latencies) count() int { return len(l.samples) }

// percentile is the nearest-rank percentile: the smallest sample that at
// least p% of the samples do not exceed. 0 when there are none.
func (l *latencies) percentile(p float64) time.Duration {
	n := len(l.samples)
	if n == 0 {
		return 0
	}
	if !l.sorted {
		slices.Sort(l.samples)
		l.sorted = true
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	return l.samples[min(max(rank, 1), n)-1]
}

func (l *latencies) max() time.Duration { return l.percentile(100) }

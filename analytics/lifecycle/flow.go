package lifecycle

import (
	"fmt"
	"iter"
	"time"

	"siyu.dev/siyu/analytics/rfm"
)

// Period is the length of the buckets of a Flow.
type Period int

// Periods. Weeks start on Monday; months are calendar months. The first and
// last buckets are cut to the range.
const (
	Daily Period = iota
	Weekly
	Monthly
)

func (p Period) String() string {
	switch p {
	case Daily:
		return "day"
	case Weekly:
		return "week"
	case Monthly:
		return "month"
	}
	return fmt.Sprintf("Period(%d)", int(p))
}

// MarshalText writes the name.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Range is the days a Flow covers, From to To inclusive, cut into periods.
type Range struct {
	From, To rfm.Day
	Period   Period
}

// Bucket is one period of a Flow.
type Bucket struct {
	Start rfm.Day `json:"start"`
	End   rfm.Day `json:"end"` // inclusive
	// Open counts the customers per stage at the end of the day before
	// Start, Close at the end of End. None counts the customers not known
	// yet, so every column adds up to all customers.
	Open  Counts `json:"open"`
	Close Counts `json:"close"`
	// Flow[a][b] counts the customers in stage a at open and b at close;
	// the diagonal holds those who ended where they started (a sankey from
	// Open to Close).
	Flow [NumStages][NumStages]int `json:"flow"`
	// Moves[a][b] counts the day-by-day changes from a to b inside the
	// period. It equals Flow off the diagonal for a daily period; over a
	// week a customer may move twice (first_order, then repeat).
	Moves [NumStages][NumStages]int `json:"moves"`
}

// Link is one edge of a flow chart.
type Link struct {
	From      Stage `json:"from"`
	To        Stage `json:"to"`
	Customers int   `json:"customers"`
}

// Links lists the non-empty cells of Flow, stays included, for a sankey of
// the period.
func (b *Bucket) Links() []Link {
	var out []Link
	for _, from := range Stages {
		for _, to := range Stages {
			if n := b.Flow[from][to]; n > 0 {
				out = append(out, Link{From: from, To: to, Customers: n})
			}
		}
	}
	return out
}

// Flow is how customers moved between stages over a range of days.
type Flow struct {
	Range     Range    `json:"range"`
	Customers int      `json:"customers"`
	Buckets   []Bucket `json:"buckets"`
}

// Transition is a number of stage changes in one period.
type Transition struct {
	Start rfm.Day `json:"start"` // first day of the period
	From  Stage   `json:"from"`
	To    Stage   `json:"to"`
	Count int     `json:"count"`
}

// Transitions lists the non-empty Moves of every bucket, by period, then
// from, then to. With a daily range these are the day's transitions.
func (f *Flow) Transitions() []Transition {
	var out []Transition
	for i := range f.Buckets {
		b := &f.Buckets[i]
		for _, from := range Stages {
			for _, to := range Stages {
				if n := b.Moves[from][to]; n > 0 {
					out = append(out, Transition{Start: b.Start, From: from, To: to, Count: n})
				}
			}
		}
	}
	return out
}

// Flows follows the customers, sorted by id (as Join yields them), through
// the range. Each customer's timeline (AppendChanges) is walked once: the
// cost is the number of customers plus their stage changes, not customers
// times days.
func Flows(customers iter.Seq2[Customer, error], r Range, cfg Config) (*Flow, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	buckets, bucketOf, err := cut(r)
	if err != nil {
		return nil, err
	}
	flow := &Flow{Range: r, Buckets: buckets}
	var open Counts
	var changes []Change
	var prev int64
	for c, err := range customers {
		if err != nil {
			return nil, err
		}
		if flow.Customers > 0 && c.ID <= prev {
			return nil, fmt.Errorf("lifecycle: customer %d comes after %d: customers must be sorted by id, each once", c.ID, prev)
		}
		prev = c.ID
		if err := c.check(); err != nil {
			return nil, err
		}
		flow.Customers++
		changes = AppendChanges(changes[:0], c, cfg)
		stage, i := None, 0
		for ; i < len(changes) && changes[i].Day < r.From; i++ {
			stage = changes[i].To
		}
		open[stage]++
		current, startStage := -1, stage
		for ; i < len(changes) && changes[i].Day <= r.To; i++ {
			ch := changes[i]
			b := int(bucketOf[ch.Day-r.From])
			if b != current {
				if current >= 0 && startStage != stage {
					buckets[current].Flow[startStage][stage]++
				}
				current, startStage = b, stage
			}
			buckets[b].Moves[ch.From][ch.To]++
			stage = ch.To
		}
		if current >= 0 && startStage != stage {
			buckets[current].Flow[startStage][stage]++
		}
	}
	for i := range buckets {
		b := &buckets[i]
		b.Open, b.Close = open, open
		for from := range NumStages {
			for to := range NumStages {
				n := b.Moves[from][to]
				b.Close[from] -= n
				b.Close[to] += n
			}
		}
		for from := range NumStages {
			stay := b.Open[from]
			for to := range NumStages {
				if to != from {
					stay -= b.Flow[from][to]
				}
			}
			b.Flow[from][from] = stay
		}
		open = b.Close
	}
	return flow, nil
}

// cut splits the range into buckets and maps each day (from r.From) to its
// bucket.
func cut(r Range) ([]Bucket, []int32, error) {
	if r.To < r.From {
		return nil, nil, fmt.Errorf("lifecycle: range ends on %s, before it starts on %s", r.To, r.From)
	}
	if int(r.To-r.From) >= maxDays {
		return nil, nil, fmt.Errorf("lifecycle: range %s to %s is longer than %d days", r.From, r.To, maxDays)
	}
	if r.Period < Daily || r.Period > Monthly {
		return nil, nil, fmt.Errorf("lifecycle: unknown period %d", int(r.Period))
	}
	var buckets []Bucket
	bucketOf := make([]int32, r.To-r.From+1)
	for d := r.From; d <= r.To; d++ {
		starts := d == r.From
		switch r.Period {
		case Daily:
			starts = true
		case Weekly:
			starts = starts || d.Weekday() == time.Monday
		case Monthly:
			_, _, dom := d.Date()
			starts = starts || dom == 1
		}
		if starts {
			buckets = append(buckets, Bucket{Start: d})
		}
		buckets[len(buckets)-1].End = d
		bucketOf[d-r.From] = int32(len(buckets) - 1)
	}
	return buckets, bucketOf, nil
}

// Snapshot counts the customers per stage at the end of day. None counts
// the customers not known yet.
func Snapshot(customers iter.Seq2[Customer, error], day rfm.Day, cfg Config) (Counts, error) {
	var counts Counts
	if _, err := cfg.resolve(); err != nil {
		return counts, err
	}
	for c, err := range customers {
		if err != nil {
			return counts, err
		}
		if err := c.check(); err != nil {
			return counts, err
		}
		counts[StageAt(c, day, cfg)]++
	}
	return counts, nil
}

// UnmarshalText reads the name MarshalText writes.
func (p *Period) UnmarshalText(b []byte) error {
	for _, x := range []Period{Daily, Weekly, Monthly} {
		if x.String() == string(b) {
			*p = x
			return nil
		}
	}
	return fmt.Errorf("lifecycle: unknown period %q", b)
}

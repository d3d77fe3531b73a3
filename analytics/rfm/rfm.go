package rfm

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"sync"

	"siyu.dev/siyu"
)

// Result is one customer's RFM values, scores and segment.
type Result struct {
	Customer  int64    `json:"customer_id"`
	LastOrder Day      `json:"last_order"`
	Recency   int      `json:"recency_days"` // days from the last order's day to the as-of day, ≥ 1
	Frequency int      `json:"frequency"`    // orders
	Monetary  siyu.Fen `json:"monetary_fen"` // total net
	R         uint8    `json:"r"`
	F         uint8    `json:"f"`
	M         uint8    `json:"m"`
	Segment   Segment  `json:"segment"`
}

// Score is R + F + M, 3..15.
func (r Result) Score() int { return int(r.R) + int(r.F) + int(r.M) }

// Code is the three scores written together, e.g. "545".
func (r Result) Code() string {
	return string([]byte{'0' + r.R, '0' + r.F, '0' + r.M})
}

// Cell is one cell of the R×F grid.
type Cell struct {
	Customers int      `json:"customers"`
	Monetary  siyu.Fen `json:"monetary_fen"`
}

// SegmentSize is the size of one segment.
type SegmentSize struct {
	Segment   Segment  `json:"segment"`
	Customers int      `json:"customers"`
	Monetary  siyu.Fen `json:"monetary_fen"`
}

// Report is the outcome of an RFM run.
type Report struct {
	AsOf      Day      `json:"as_of"`
	Scoring   Scoring  `json:"scoring"`
	Customers int      `json:"customers"`
	Monetary  siyu.Fen `json:"monetary_fen"` // total of all customers
	// Results has one entry per customer with an order before the as-of
	// day, by customer id. It is left out of JSON: a million rows are paged,
	// not sent with the summary.
	Results []Result `json:"-"`
	// Grid[r-1][f-1] counts the customers scored R=r, F=f (a heatmap).
	Grid [5][5]Cell `json:"grid"`
	// Segments has every segment in the order of Segments, empty ones too.
	Segments []SegmentSize `json:"segments"`
}

// FromOrders runs RFM on a stream of orders sorted by customer (see
// Summarize).
func FromOrders(orders iter.Seq[Order], cfg Config) (*Report, error) {
	return Compute(Summarize(orders), cfg)
}

// Compute runs RFM on per-customer summaries, in any customer order. Each
// customer must appear once. A summary without Purchases is used as it
// stands, unless its last order is on or after an explicit as-of day: that
// needs the purchases to leave the later orders out, and is an error.
func Compute(summaries iter.Seq2[Summary, error], cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	explicit := !cfg.AsOf.IsZero()
	var asOf Day
	if explicit {
		asOf = DayOf(cfg.AsOf)
	}
	var results []Result
	var lastDay Day
	sorted := true
	for s, err := range summaries {
		if err != nil {
			return nil, err
		}
		r, ok, err := resultOf(s, explicit, asOf)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(results) == 0 || r.LastOrder > lastDay {
			lastDay = r.LastOrder
		}
		if k := len(results); k > 0 && r.Customer <= results[k-1].Customer {
			sorted = false
		}
		results = append(results, r)
	}
	if !sorted {
		slices.SortFunc(results, func(a, b Result) int { return cmp.Compare(a.Customer, b.Customer) })
	}
	for i := 1; i < len(results); i++ {
		if results[i].Customer == results[i-1].Customer {
			return nil, fmt.Errorf("rfm: customer %d appears more than once", results[i].Customer)
		}
	}
	if !explicit && len(results) > 0 {
		asOf = lastDay + 1
	}
	for i := range results {
		results[i].Recency = int(asOf - results[i].LastOrder)
	}
	score(results, cfg)
	return newReport(asOf, cfg.Scoring, results), nil
}

// resultOf reduces a summary to the orders before the as-of day. ok is false
// when none is left.
func resultOf(s Summary, explicit bool, asOf Day) (r Result, ok bool, err error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("rfm: customer %d: %s", s.Customer, fmt.Sprintf(format, args...))
	}
	switch {
	case s.Orders < 1:
		return r, false, bad("order count %d, want at least 1", s.Orders)
	case s.Net < 0:
		return r, false, bad("negative total %s", s.Net)
	case len(s.Purchases) > 0 && len(s.Purchases) != s.Orders:
		return r, false, bad("%d purchases listed for %d orders", len(s.Purchases), s.Orders)
	}
	r = Result{Customer: s.Customer, LastOrder: s.Last, Frequency: s.Orders, Monetary: s.Net}
	if !explicit || s.Last < asOf {
		return r, true, nil
	}
	if len(s.Purchases) == 0 {
		return r, false, bad("last order on %s is not before the as-of day %s, and the orders are not listed", s.Last, asOf)
	}
	r.Frequency, r.Monetary = 0, 0
	for _, p := range s.Purchases {
		if p.Day < asOf {
			if r.Frequency == 0 || p.Day > r.LastOrder {
				r.LastOrder = p.Day
			}
			r.Frequency++
			r.Monetary += p.Net
		}
	}
	return r, r.Frequency > 0, nil
}

func score(results []Result, cfg Config) {
	if cfg.Scoring == Fixed {
		t := cfg.thresholds()
		for i := range results {
			r := &results[i]
			r.R = fixedScore(r.Recency, t.RecencyDays, false)
			r.F = fixedScore(r.Frequency, t.Orders, true)
			r.M = fixedScore(r.Monetary, t.Monetary, true)
		}
		return
	}
	// The three rankings are independent: run them side by side.
	metric := func(get func(*Result) int64, higherIsBetter bool, set func(*Result, uint8)) {
		values := make([]int64, len(results))
		for i := range results {
			values[i] = get(&results[i])
		}
		scores := make([]uint8, len(results))
		quintiles(values, higherIsBetter, scores)
		for i, s := range scores {
			set(&results[i], s)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		metric(func(r *Result) int64 { return int64(r.Recency) }, false, func(r *Result, s uint8) { r.R = s })
	})
	wg.Go(func() {
		metric(func(r *Result) int64 { return int64(r.Frequency) }, true, func(r *Result, s uint8) { r.F = s })
	})
	metric(func(r *Result) int64 { return int64(r.Monetary) }, true, func(r *Result, s uint8) { r.M = s })
	wg.Wait()
}

func newReport(asOf Day, scoring Scoring, results []Result) *Report {
	rep := &Report{AsOf: asOf, Scoring: scoring, Customers: len(results), Results: results}
	var bySegment [len(segmentNames)]SegmentSize
	for i := range results {
		r := &results[i]
		r.Segment = SegmentOf(int(r.R), int(r.F))
		c := &rep.Grid[r.R-1][r.F-1]
		c.Customers++
		c.Monetary += r.Monetary
		bySegment[r.Segment].Customers++
		bySegment[r.Segment].Monetary += r.Monetary
		rep.Monetary += r.Monetary
	}
	for _, s := range Segments {
		size := bySegment[s]
		size.Segment = s
		rep.Segments = append(rep.Segments, size)
	}
	return rep
}

// Find returns the result of one customer.
func (rep *Report) Find(customer int64) (Result, bool) {
	i, ok := slices.BinarySearchFunc(rep.Results, customer, func(r Result, id int64) int { return cmp.Compare(r.Customer, id) })
	if !ok {
		return Result{}, false
	}
	return rep.Results[i], true
}

package clv

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// Customer is one customer's purchase history summarised for the models.
// X, Tx and T share one time unit (weeks in the papers); the fitted
// parameter α (and so every prediction horizon) is in that unit too.
type Customer struct {
	ID string
	// X is the number of repeat purchases: distinct purchase days − 1.
	X float64
	// Tx is the time of the last purchase, measured from the first (0 when X is 0).
	Tx float64
	// T is the customer's age: time from the first purchase to the end of
	// the observation period.
	T float64
	// Monetary is the mean spend of the repeat purchases (the first is left
	// out), in whatever money unit predictions should come back in; it only
	// matters to the Gamma-Gamma model and is 0 when X is 0.
	Monetary float64
}

// Validate reports whether c is a history the BG/NBD model can describe:
// X a whole number ≥ 0, 0 ≤ Tx ≤ T, Tx = 0 when X = 0, all finite.
func (c Customer) Validate() error {
	switch {
	case !isFinite(c.X) || c.X < 0 || c.X != math.Trunc(c.X):
		return fmt.Errorf("X = %v: want a whole number of repeat purchases ≥ 0", c.X)
	case !isFinite(c.T) || c.T < 0:
		return fmt.Errorf("T = %v: want a finite age ≥ 0", c.T)
	case !isFinite(c.Tx) || c.Tx < 0 || c.Tx > c.T:
		return fmt.Errorf("Tx = %v: want 0 ≤ Tx ≤ T (T = %v)", c.Tx, c.T)
	case c.X == 0 && c.Tx != 0:
		return fmt.Errorf("Tx = %v with X = 0: a customer without repeat purchases has Tx = 0", c.Tx)
	}
	return nil
}

// histories is a set of customers folded into distinct (x, t_x, T) triples,
// with the distinct values of each coordinate pulled out so the likelihood
// can compute everything that depends on one coordinate once per value
// rather than once per triple.
type histories struct {
	xs, txs, ts []float64 // distinct values, ascending
	rows        []historyRow
	weight      float64 // total number of customers
}

type historyRow struct {
	x, tx, t int32 // indexes into xs, txs, ts
	weight   float64
}

type triple struct{ x, tx, t float64 }

// aggregate validates cs and folds identical histories together. Real data
// whose times are whole days has far fewer distinct triples than customers
// (CDNOW: 2,357 customers, 1,016 triples; a simulated million over one
// year of daily data: about 186,000), and the likelihood's cost is per
// triple.
func aggregate(cs []Customer) (*histories, error) {
	if len(cs) == 0 {
		return nil, fmt.Errorf("clv: no customers to fit")
	}
	// Sorting a copy (two halves at once, then merged) and counting runs
	// takes half the time of counting in a map for a million
	// customers, and leaves the triples in the fixed order that keeps the
	// floating-point sums, and so the fit, independent of anything but the
	// data.
	all := make([]triple, len(cs))
	for i, c := range cs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("clv: customer %d (%q): %w", i, c.ID, err)
		}
		all[i] = triple{c.X, c.Tx, c.T}
	}
	all = sortTriples(all)
	var keys []triple
	var counts []float64
	for i, k := range all {
		if i > 0 && k == all[i-1] {
			counts[len(counts)-1]++
			continue
		}
		keys = append(keys, k)
		counts = append(counts, 1)
	}
	h := &histories{rows: make([]historyRow, len(keys)), weight: float64(len(cs))}
	xIndex := indexValues(keys, func(k triple) float64 { return k.x }, &h.xs)
	txIndex := indexValues(keys, func(k triple) float64 { return k.tx }, &h.txs)
	tIndex := indexValues(keys, func(k triple) float64 { return k.t }, &h.ts)
	for i, k := range keys {
		h.rows[i] = historyRow{x: xIndex[k.x], tx: txIndex[k.tx], t: tIndex[k.t], weight: counts[i]}
	}
	return h, nil
}

func compareTriples(a, b triple) int {
	return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.t, b.t), cmp.Compare(a.tx, b.tx))
}

// sortTriples sorts ts, in two halves on two goroutines when there are
// many, and returns the sorted slice (not always ts).
func sortTriples(ts []triple) []triple {
	if len(ts) < parallelRows {
		slices.SortFunc(ts, compareTriples)
		return ts
	}
	lo, hi := ts[:len(ts)/2], ts[len(ts)/2:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(lo, compareTriples) })
	slices.SortFunc(hi, compareTriples)
	wg.Wait()
	out := make([]triple, 0, len(ts))
	for len(lo) > 0 && len(hi) > 0 {
		if compareTriples(hi[0], lo[0]) < 0 {
			out, hi = append(out, hi[0]), hi[1:]
		} else {
			out, lo = append(out, lo[0]), lo[1:]
		}
	}
	return append(append(out, lo...), hi...)
}

// indexValues collects the distinct values of one coordinate into *values
// (ascending) and returns each value's index.
func indexValues(keys []triple, coord func(triple) float64, values *[]float64) map[float64]int32 {
	index := make(map[float64]int32)
	for _, k := range keys {
		index[coord(k)] = 0
	}
	*values = make([]float64, 0, len(index))
	for v := range index {
		*values = append(*values, v)
	}
	sort.Float64s(*values)
	for i, v := range *values {
		index[v] = int32(i)
	}
	return index
}

// rowSums is a log-likelihood and its partial derivatives summed over some
// histories.
type rowSums struct{ ll, r, alpha, a, b float64 }

func (s *rowSums) add(o rowSums) {
	s.ll, s.r, s.alpha, s.a, s.b = s.ll+o.ll, s.r+o.r, s.alpha+o.alpha, s.a+o.a, s.b+o.b
}

// sumParts is how many parts sumRows splits many histories into: a
// constant, so that the floating-point sums, and so the fit, are the same
// on any number of cores.
const sumParts = 8

// parallelRows is the number of distinct histories from which sumRows
// splits the work: below it, starting goroutines costs more than it saves.
const parallelRows = 20000

// sumRows sums f over rows: a fit evaluates its likelihood a hundred times
// over up to a million distinct histories, and the refresh has a core to
// spare while it waits for the fit.
func sumRows(rows []historyRow, f func([]historyRow) rowSums) rowSums {
	if len(rows) < parallelRows {
		return f(rows)
	}
	var parts [sumParts]rowSums
	var wg sync.WaitGroup
	size := (len(rows) + sumParts - 1) / sumParts
	for i := range sumParts {
		lo, hi := min(i*size, len(rows)), min((i+1)*size, len(rows))
		wg.Go(func() { parts[i] = f(rows[lo:hi]) })
	}
	wg.Wait()
	var total rowSums
	for _, p := range parts {
		total.add(p)
	}
	return total
}

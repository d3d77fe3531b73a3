package clv

import (
	"slices"
	"testing"
)

// aggregate must count every distinct history once, with its number of
// customers, in (x, T, t_x) order: checked against a map, on enough
// customers to take the two-goroutine sort.
func TestAggregateCountsEveryHistory(t *testing.T) {
	cs := simulateBGNBD(truth, 3*parallelRows, 104, true, 11)
	h, err := aggregate(cs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[triple]float64{}
	for _, c := range cs {
		want[triple{c.X, c.Tx, c.T}]++
	}
	if len(h.rows) != len(want) {
		t.Fatalf("%d distinct histories, want %d", len(h.rows), len(want))
	}
	var prev triple
	for i, r := range h.rows {
		k := triple{h.xs[r.x], h.txs[r.tx], h.ts[r.t]}
		if r.weight != want[k] {
			t.Fatalf("history %+v: %v customers, want %v", k, r.weight, want[k])
		}
		if i > 0 && compareTriples(prev, k) >= 0 {
			t.Fatalf("history %d %+v not after %+v", i, k, prev)
		}
		prev = k
	}
	if !slices.IsSorted(h.xs) || !slices.IsSorted(h.ts) || !slices.IsSorted(h.txs) || h.weight != float64(len(cs)) {
		t.Fatalf("values not sorted or weight %v != %d", h.weight, len(cs))
	}
}

// BenchmarkAggregateMillion folds a million two-year daily histories, the
// first step of every fit in a refresh.
func BenchmarkAggregateMillion(b *testing.B) {
	cs := simulateBGNBD(truth, 1_000_000, 104, true, 3)
	b.ResetTimer()
	for range b.N {
		if _, err := aggregate(cs); err != nil {
			b.Fatal(err)
		}
	}
}

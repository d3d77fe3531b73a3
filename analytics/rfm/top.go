package rfm

import (
	"cmp"
	"container/heap"
	"slices"
)

// Ranking compares two results for Top: negative when a ranks before
// (better than) b. Top breaks remaining ties by customer id, lowest first, so
// the same data always gives the same list.
type Ranking func(a, b *Result) int

// ByScore ranks by R+F+M (higher first), then monetary (higher first), then
// recency (more recent first), then frequency (more orders first). It is
// the default of Top.
func ByScore(a, b *Result) int {
	if c := cmp.Compare(b.Score(), a.Score()); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Monetary, a.Monetary); c != 0 {
		return c
	}
	return byRecencyThenFrequency(a, b)
}

// ByMonetary ranks by monetary (higher first), then R+F+M (higher first),
// then recency, then frequency.
func ByMonetary(a, b *Result) int {
	if c := cmp.Compare(b.Monetary, a.Monetary); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Score(), a.Score()); c != 0 {
		return c
	}
	return byRecencyThenFrequency(a, b)
}

func byRecencyThenFrequency(a, b *Result) int {
	if c := cmp.Compare(a.Recency, b.Recency); c != 0 {
		return c
	}
	return cmp.Compare(b.Frequency, a.Frequency)
}

// Top returns the n best results under rank (nil: ByScore), best first. It
// keeps only n results at a time, O(N log n). Filter results first to pick
// within a segment.
func Top(results []Result, n int, rank Ranking) []Result {
	if rank == nil {
		rank = ByScore
	}
	if n <= 0 || len(results) == 0 {
		return nil
	}
	before := func(a, b *Result) bool {
		if c := rank(a, b); c != 0 {
			return c < 0
		}
		return a.Customer < b.Customer
	}
	h := &worstFirst{before: before}
	for i := range results {
		r := &results[i]
		if len(h.items) < n {
			heap.Push(h, r)
			continue
		}
		if before(r, h.items[0]) {
			h.items[0] = r
			heap.Fix(h, 0)
		}
	}
	slices.SortFunc(h.items, func(a, b *Result) int {
		if before(a, b) {
			return -1
		}
		if before(b, a) {
			return 1
		}
		return 0
	})
	out := make([]Result, len(h.items))
	for i, r := range h.items {
		out[i] = *r
	}
	return out
}

// worstFirst is a heap whose root is the worst result kept.
type worstFirst struct {
	items  []*Result
	before func(a, b *Result) bool
}

func (h *worstFirst) Len() int           { return len(h.items) }
func (h *worstFirst) Less(i, j int) bool { return h.before(h.items[j], h.items[i]) }
func (h *worstFirst) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *worstFirst) Push(x any)         { h.items = append(h.items, x.(*Result)) }
func (h *worstFirst) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

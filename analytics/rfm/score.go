package rfm

import (
	"cmp"
	"slices"
)

// QuintileScore is the tie-respecting quintile score of a value that has
// worse customers strictly worse than it among n: 1 + floor(5 × worse / n).
func QuintileScore(worse, n int) uint8 {
	if n <= 0 {
		return 0
	}
	return uint8(1 + 5*int64(worse)/int64(n))
}

// quintiles writes the quintile score of every value into scores. With
// higherIsBetter a value's worse customers are those with a smaller value,
// otherwise those with a larger one. Values must not be negative.
//
// Counting the strictly worse values is a sort, O(N log N); when the values
// span a small range (frequency, recency in days) a counting pass over that
// range does it in O(N + range) instead.
func quintiles(values []int64, higherIsBetter bool, scores []uint8) {
	n := len(values)
	if n == 0 {
		return
	}
	lo, hi := slices.Min(values), slices.Max(values)
	if span := hi - lo; span >= 0 && span <= int64(2*n+1024) {
		quintilesByCounting(values, lo, int(span)+1, higherIsBetter, scores)
		return
	}
	quintilesBySorting(values, higherIsBetter, scores)
}

func quintilesByCounting(values []int64, lo int64, span int, higherIsBetter bool, scores []uint8) {
	n := len(values)
	// below[i] is the number of values smaller than lo+i.
	below := make([]int, span+1)
	for _, v := range values {
		below[v-lo+1]++
	}
	for i := 1; i <= span; i++ {
		below[i] += below[i-1]
	}
	for i, v := range values {
		k := int(v - lo)
		worse := below[k]
		if !higherIsBetter {
			worse = n - below[k+1]
		}
		scores[i] = QuintileScore(worse, n)
	}
}

func quintilesBySorting(values []int64, higherIsBetter bool, scores []uint8) {
	type entry struct {
		value int64
		index int32
	}
	n := len(values)
	sorted := make([]entry, n)
	for i, v := range values {
		sorted[i] = entry{v, int32(i)}
	}
	slices.SortFunc(sorted, func(a, b entry) int { return cmp.Compare(a.value, b.value) })
	for start := 0; start < n; {
		end := start + 1
		for end < n && sorted[end].value == sorted[start].value {
			end++
		}
		worse := start // values below the tie group
		if !higherIsBetter {
			worse = n - end // values above it
		}
		s := QuintileScore(worse, n)
		for _, e := range sorted[start:end] {
			scores[e.index] = s
		}
		start = end
	}
}

// fixedScore is 1 plus the number of bounds v meets.
func fixedScore[T cmp.Ordered](v T, bounds [4]T, higherIsBetter bool) uint8 {
	s := uint8(1)
	for _, b := range bounds {
		if higherIsBetter && v >= b || !higherIsBetter && v <= b {
			s++
		}
	}
	return s
}

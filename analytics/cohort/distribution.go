package cohort

import (
	"math"
	"strconv"
)

// Distribution is a distribution of whole days (gaps between orders).
type Distribution struct {
	Count   int      `json:"count"`
	Mean    float64  `json:"mean_days"`
	Median  float64  `json:"median_days"` // mean of the two middle values when Count is even
	Buckets []Bucket `json:"buckets"`

	perDay []int // perDay[d]: values equal to d
}

// Bucket is one bar of a histogram: the values from Min to Max days
// inclusive; Max is -1 for the last, open bucket.
type Bucket struct {
	Min   int `json:"min_days"`
	Max   int `json:"max_days"`
	Count int `json:"count"`
}

// Label names the bucket: "0", "1-7", "366+".
func (b Bucket) Label() string {
	switch {
	case b.Max < 0:
		return strconv.Itoa(b.Min) + "+"
	case b.Min == b.Max:
		return strconv.Itoa(b.Min)
	}
	return strconv.Itoa(b.Min) + "-" + strconv.Itoa(b.Max)
}

// add counts one value.
func (d *Distribution) add(days int) {
	if days >= len(d.perDay) {
		d.perDay = append(d.perDay, make([]int, days+1-len(d.perDay))...)
	}
	d.perDay[days]++
}

// finish computes the summary fields from the counts.
func (d *Distribution) finish(bounds []int) {
	d.Count, d.Mean, d.Median = 0, 0, 0
	var sum int64
	for v, n := range d.perDay {
		d.Count += n
		sum += int64(v) * int64(n)
	}
	d.Buckets = d.Buckets[:0]
	lo := 0
	for _, hi := range bounds {
		d.Buckets = append(d.Buckets, Bucket{Min: lo, Max: hi})
		lo = hi + 1
	}
	d.Buckets = append(d.Buckets, Bucket{Min: lo, Max: -1})
	b := 0
	for v, n := range d.perDay {
		for d.Buckets[b].Max >= 0 && v > d.Buckets[b].Max {
			b++
		}
		d.Buckets[b].Count += n
	}
	if d.Count == 0 {
		return
	}
	d.Mean = float64(sum) / float64(d.Count)
	lower, upper := d.nth((d.Count+1)/2), d.nth(d.Count/2+1)
	d.Median = float64(lower+upper) / 2
}

// nth returns the k-th smallest value, 1-based.
func (d *Distribution) nth(k int) int {
	seen := 0
	for v, n := range d.perDay {
		seen += n
		if seen >= k {
			return v
		}
	}
	return len(d.perDay) - 1
}

// Percentile returns the smallest value that at least p percent of the
// values do not exceed (nearest rank), or -1 without values.
func (d *Distribution) Percentile(p float64) int {
	if d.Count == 0 {
		return -1
	}
	k := int(math.Ceil(float64(d.Count) * p / 100))
	k = max(1, min(k, d.Count))
	return d.nth(k)
}

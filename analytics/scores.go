package analytics

import (
	"iter"
	"math"
	"slices"

	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
	"siyu.dev/siyu/store"
)

// scores yields every known customer's model outputs, in customer order:
// the lifecycle stage today, the RFM result and the CLV predictions. sums
// and clvs are aligned (clvs may be nil: no model); results are sorted by
// customer and may leave out buyers after a configured as-of day. When
// ready is not nil, clvs is still being filled: ready says how far
// (clvFit.predict), and scores waits for the entries it needs.
func scores(known []lifecycle.Known, sums []rfm.Summary, results []rfm.Result, clvs []customerCLV, ready <-chan int, today rfm.Day, cfg lifecycle.Config) iter.Seq[store.CustomerScore] {
	return func(yield func(store.CustomerScore) bool) {
		si, ri := 0, 0
		avail := len(clvs)
		if ready != nil {
			avail = 0
		}
		for c, err := range lifecycle.Join(slices.Values(known), summaries(sums)) {
			if err != nil {
				return // Join already succeeded over the same input for the snapshot
			}
			sc := store.CustomerScore{CustomerID: c.ID, Stage: lifecycle.StageAt(c, today, cfg).String()}
			for si < len(sums) && sums[si].Customer < c.ID {
				si++
			}
			if si < len(sums) && sums[si].Customer == c.ID && clvs != nil {
				for avail <= si {
					n, ok := <-ready
					if !ok {
						n = len(clvs)
					}
					avail = n
				}
				v := clvs[si]
				sc.HasCLV = !math.IsNaN(v.alive) && !math.IsNaN(v.purchases)
				sc.PAlive, sc.ExpectedPurchases = v.alive, v.purchases
				sc.HasValue, sc.CLV = v.valued, v.value
			}
			for ri < len(results) && results[ri].Customer < c.ID {
				ri++
			}
			if ri < len(results) && results[ri].Customer == c.ID {
				r := results[ri]
				sc.Buyer = true
				sc.RecencyDays, sc.Frequency, sc.Monetary = r.Recency, r.Frequency, r.Monetary
				sc.R, sc.F, sc.M, sc.RFMSegment = int(r.R), int(r.F), int(r.M), r.Segment.String()
			}
			if !yield(sc) {
				return
			}
		}
	}
}

package lifecycle

import (
	"fmt"
	"iter"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/rfm"
)

// syntheticOrders streams orders of customers 1..customers, ten per customer
// on average, over about three years, without holding them in memory.
func syntheticOrders(customers int) (iter.Seq[rfm.Order], int) {
	rng := &testRand{state: 42}
	counts := make([]uint8, customers)
	total := 0
	for i := range counts {
		counts[i] = uint8(1 + rng.intn(19))
		total += int(counts[i])
	}
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	seq := func(yield func(rfm.Order) bool) {
		rng := &testRand{state: 43}
		for c, k := range counts {
			at := start + int64(rng.intn(700*86400))
			for range k {
				if !yield(rfm.Order{Customer: int64(c + 1), PaidAt: time.Unix(at, 0), Net: siyu.Fen(rng.intn(200_000))}) {
					return
				}
				at += int64(rng.intn(40 * 86400))
			}
		}
	}
	return seq, total
}

func BenchmarkFlows(b *testing.B) {
	for _, customers := range []int{100_000, 1_000_000} {
		orders, total := syntheticOrders(customers)
		for _, period := range []Period{Daily, Monthly} {
			r := Range{From: day("2023-01-01"), To: day("2023-12-31"), Period: period}
			b.Run(fmt.Sprintf("customers=%d/period=%s", customers, period), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					f, err := Flows(Join(nil, rfm.Summarize(orders)), r, Config{})
					if err != nil {
						b.Fatal(err)
					}
					if f.Customers != customers {
						b.Fatalf("%d customers", f.Customers)
					}
				}
				perOp := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(perOp*1e9/float64(total), "ns/order")
				b.ReportMetric(float64(customers)/perOp/1e6, "Mcustomers/s")
			})
		}
	}
}

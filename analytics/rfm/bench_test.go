package rfm

import (
	"fmt"
	"iter"
	"testing"
	"time"

	"siyu.dev/siyu"
)

// syntheticOrders streams orders of customers 1..customers, ten per customer
// on average, without holding them in memory, so that the benchmarks measure
// the analysis and not the test data.
func syntheticOrders(customers int) (iter.Seq[Order], int) {
	rng := newRand(42)
	counts := make([]uint8, customers)
	total := 0
	for i := range counts {
		counts[i] = uint8(1 + rng.intn(19))
		total += int(counts[i])
	}
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	seq := func(yield func(Order) bool) {
		rng := newRand(43)
		for c, k := range counts {
			at := start + rng.int63n(700*86400)
			for range k {
				if !yield(Order{Customer: int64(c + 1), PaidAt: time.Unix(at, 0), Net: siyu.Fen(rng.intn(200_000))}) {
					return
				}
				at += rng.int63n(40 * 86400)
			}
		}
	}
	return seq, total
}

var benchSizes = []int{100_000, 1_000_000}

func BenchmarkSummarize(b *testing.B) {
	for _, customers := range benchSizes {
		orders, total := syntheticOrders(customers)
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, err := range Summarize(orders) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != customers {
					b.Fatalf("%d summaries", n)
				}
			}
			reportRates(b, total, customers)
		})
	}
}

func BenchmarkFromOrders(b *testing.B) {
	for _, customers := range benchSizes {
		orders, total := syntheticOrders(customers)
		b.Run(fmt.Sprintf("customers=%d", customers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep, err := FromOrders(orders, Config{})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Customers != customers {
					b.Fatalf("%d customers", rep.Customers)
				}
			}
			reportRates(b, total, customers)
		})
	}
}

func BenchmarkTop(b *testing.B) {
	orders, _ := syntheticOrders(1_000_000)
	rep, err := FromOrders(orders, Config{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if top := Top(rep.Results, 500, nil); len(top) != 500 {
			b.Fatal(len(top))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(rep.Results)), "ns/customer")
}

func reportRates(b *testing.B, orders, customers int) {
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perOp*1e9/float64(orders), "ns/order")
	b.ReportMetric(float64(orders)/perOp/1e6, "Morders/s")
	b.ReportMetric(float64(customers)/perOp/1e6, "Mcustomers/s")
}

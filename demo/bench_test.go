package demo

import (
	"testing"

	"siyu.dev/siyu"
)

// BenchmarkStream1M streams the orders of a million customers.
func BenchmarkStream1M(b *testing.B) {
	cfg := Config{Seed: 1, Customers: 1_000_000, Now: testNow}
	orders := 0
	for b.Loop() {
		if err := Stream(cfg, func(siyu.OrderInput) error { orders++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(orders)/b.Elapsed().Seconds(), "orders/s")
}

func BenchmarkGenerate3000(b *testing.B) {
	cfg := Config{Seed: 1, Customers: 3000, Now: testNow}
	for b.Loop() {
		Generate(cfg)
	}
}

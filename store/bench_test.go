package store_test

import (
	"fmt"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store/storetest"
)

// benchRows makes n orders of n/3 people, with about one order in ten
// linking a second channel's identifier, so resolution has merges to do.
func benchRows(offset, n int) []siyu.OrderInput {
	rows := make([]siyu.OrderInput, n)
	for i := range n {
		k := offset + i
		p := k / 3
		ids := []siyu.Identifier{phone(fmt.Sprintf("13%09d", p)), nick(fmt.Sprintf("tb_%d", p))}
		if k%10 == 0 {
			ids = append(ids, union(fmt.Sprintf("u%d", p/2)))
		}
		rows[i] = order(siyu.ChannelTmall, fmt.Sprintf("%019d", k), int64(5000+k%30000), ids...)
	}
	return rows
}

// BenchmarkImportOrders measures resolution + insert per row; compare with
// BenchmarkInsertOrdersRaw in the same run (benchstat) for the overhead.
func BenchmarkImportOrders(b *testing.B) {
	s := storetest.Open(b)
	w, _ := s.CreateWorkspace(ctx, "bench", "bench")
	const batch = 5000
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.ImportOrders(ctx, w.ID, benchRows(i*batch, batch), "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkInsertOrdersRaw(b *testing.B) {
	s := storetest.Open(b)
	w, _ := s.CreateWorkspace(ctx, "bench", "bench")
	c, _ := s.CreateCustomer(ctx, w.ID, "baseline")
	const batch = 5000
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := s.InsertOrdersRaw(ctx, w.ID, c, benchRows(i*batch, batch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkReimportUnchanged is the idempotent path: every order known.
func BenchmarkReimportUnchanged(b *testing.B) {
	s := storetest.Open(b)
	w, _ := s.CreateWorkspace(ctx, "bench", "bench")
	rows := benchRows(0, 5000)
	if _, err := s.ImportOrders(ctx, w.ID, rows, "bench"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.ImportOrders(ctx, w.ID, rows, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*5000)/b.Elapsed().Seconds(), "rows/s")
}

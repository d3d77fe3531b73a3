package cohort

import (
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/rfm"
)

// testRand is a small deterministic generator (splitmix64).
type testRand struct{ state uint64 }

func (r *testRand) next() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *testRand) intn(n int) int { return int(r.next() % uint64(n)) }

func randomOrders(rng *testRand, customers int) []rfm.Order {
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	var out []rfm.Order
	for c := 1; c <= customers; c++ {
		at := start + int64(rng.intn(500*86400))
		n := 1 + rng.intn(3)*rng.intn(4)
		for range n {
			out = append(out, rfm.Order{Customer: int64(c), PaidAt: time.Unix(at, 0).UTC(), Net: siyu.Fen(rng.intn(50_000))})
			if rng.intn(5) > 0 {
				at += int64(rng.intn(200 * 86400))
			} else {
				at += int64(rng.intn(3600))
			}
		}
	}
	return out
}

// brute computes the report from raw orders by the definitions, with maps
// and sorting, sharing nothing with Analyze but DayOf and MonthOf.
type bruteCell struct {
	active  map[int64]bool
	orders  int
	revenue siyu.Fen
}

func TestAnalyzeMatchesBruteForce(t *testing.T) {
	rng := &testRand{state: 77}
	for round := range 6 {
		orders := randomOrders(rng, 300)
		cfg := Config{}
		through := rfm.Day(0)
		for _, o := range orders {
			through = max(through, rfm.DayOf(o.PaidAt))
		}
		if round%2 == 1 {
			through -= rfm.Day(rng.intn(200))
			cfg.Through = through.Time().Add(20 * time.Hour)
		}
		rep := analyze(t, orders, cfg)
		if rep.Through != through {
			t.Fatalf("through %s, want %s", rep.Through, through)
		}

		byCustomer := map[int64][]rfm.Purchase{}
		for _, o := range orders {
			d := rfm.DayOf(o.PaidAt)
			if d <= through {
				byCustomer[o.Customer] = append(byCustomer[o.Customer], rfm.Purchase{Day: d, Net: o.Net})
			}
		}
		cells := map[[2]Month]*bruteCell{} // (cohort, month of order)
		sizes := map[Month]int{}
		var gaps, firstGaps []int
		repeaters := 0
		windows := make([]Window, len(DefaultWindows))
		for id, ps := range byCustomer {
			slices.SortStableFunc(ps, func(a, b rfm.Purchase) int { return int(a.Day - b.Day) })
			cohort := MonthOf(ps[0].Day)
			sizes[cohort]++
			for i, p := range ps {
				key := [2]Month{cohort, MonthOf(p.Day)}
				if cells[key] == nil {
					cells[key] = &bruteCell{active: map[int64]bool{}}
				}
				cells[key].active[id] = true
				cells[key].orders++
				cells[key].revenue += p.Net
				if i > 0 {
					gaps = append(gaps, int(p.Day-ps[i-1].Day))
				}
			}
			if len(ps) > 1 {
				repeaters++
				firstGaps = append(firstGaps, int(ps[1].Day-ps[0].Day))
			}
			for i, w := range DefaultWindows {
				windows[i].Days = w
				if ps[0].Day+rfm.Day(w) <= through {
					windows[i].Eligible++
					if len(ps) > 1 && ps[1].Day-ps[0].Day <= rfm.Day(w) {
						windows[i].Repeated++
					}
				}
			}
		}
		if rep.Customers != len(byCustomer) || rep.Repurchase.Repeaters != repeaters || !slices.Equal(rep.Repurchase.Windows, windows) {
			t.Fatalf("round %d: %d customers, %d repeaters, windows %v; want %d, %d, %v",
				round, rep.Customers, rep.Repurchase.Repeaters, rep.Repurchase.Windows, len(byCustomer), repeaters, windows)
		}
		for _, c := range rep.Cohorts {
			if c.Customers != sizes[c.Month] {
				t.Fatalf("cohort %s has %d customers, want %d", c.Month, c.Customers, sizes[c.Month])
			}
			if len(c.Active) != int(MonthOf(through)-c.Month)+1 {
				t.Fatalf("cohort %s has %d months", c.Month, len(c.Active))
			}
			for k := range c.Active {
				cell := cells[[2]Month{c.Month, c.Month + Month(k)}]
				if cell == nil {
					cell = &bruteCell{}
				}
				if c.Active[k] != len(cell.active) || c.Orders[k] != cell.orders || c.Revenue[k] != cell.revenue {
					t.Fatalf("cohort %s month %d: %d/%d/%s, want %d/%d/%s", c.Month, k, c.Active[k], c.Orders[k], c.Revenue[k], len(cell.active), cell.orders, cell.revenue)
				}
			}
		}
		checkDistribution(t, "gaps", rep.Gaps, gaps)
		checkDistribution(t, "first gaps", rep.FirstGaps, firstGaps)
	}
}

func checkDistribution(t *testing.T, name string, d Distribution, values []int) {
	t.Helper()
	slices.Sort(values)
	n := len(values)
	if d.Count != n {
		t.Fatalf("%s: count %d, want %d", name, d.Count, n)
	}
	sum := 0
	for _, v := range values {
		sum += v
	}
	median := float64(values[(n-1)/2]+values[n/2]) / 2
	if d.Median != median || d.Mean != float64(sum)/float64(n) {
		t.Fatalf("%s: median %v mean %v, want %v %v", name, d.Median, d.Mean, median, float64(sum)/float64(n))
	}
	for _, b := range d.Buckets {
		want := 0
		for _, v := range values {
			if v >= b.Min && (b.Max < 0 || v <= b.Max) {
				want++
			}
		}
		if b.Count != want {
			t.Fatalf("%s: bucket %s has %d, want %d", name, b.Label(), b.Count, want)
		}
	}
	for _, p := range []float64{10, 25, 50, 75, 90, 99, 100} {
		// Nearest rank: the smallest value with at least p% at or below it.
		want := -1
		for _, v := range values {
			below := 0
			for _, w := range values {
				if w <= v {
					below++
				}
			}
			if float64(below)*100 >= p*float64(n) {
				want = v
				break
			}
		}
		if got := d.Percentile(p); got != want {
			t.Fatalf("%s: percentile %v = %d, want %d", name, p, got, want)
		}
	}
}

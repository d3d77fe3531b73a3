package lifecycle

import (
	"testing"

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

// randomCustomers makes customers 1..n around base: some only known, some
// known before their first order, orders in bursts with long pauses.
func randomCustomers(rng *testRand, n int, base rfm.Day) []Customer {
	var out []Customer
	for id := 1; id <= n; id++ {
		c := Customer{ID: int64(id)}
		start := base + rfm.Day(rng.intn(400))
		if rng.intn(3) > 0 {
			c.Since = start
		}
		orders := rng.intn(6)
		if c.Since == 0 && orders == 0 {
			orders = 1
		}
		d := start + rfm.Day(rng.intn(60))
		for range orders {
			c.Orders = append(c.Orders, d)
			if rng.intn(4) == 0 {
				continue // same day again
			}
			d += rfm.Day(rng.intn(150))
		}
		out = append(out, c)
	}
	return out
}

// naiveStage is the definition written out directly.
func naiveStage(c Customer, d rfm.Day, cfg Config) Stage {
	known := c.Since != 0 && c.Since <= d
	count, last := 0, rfm.Day(0)
	for _, o := range c.Orders {
		if o <= d {
			count++
			last = o
		}
	}
	switch {
	case count == 0 && known:
		return New
	case count == 0:
		return None
	case int(d-last) > cfg.ChurnedAfter:
		return Churned
	case int(d-last) > cfg.SilentAfter:
		return Silent
	case count == 1:
		return FirstOrder
	}
	return Repeat
}

func TestFlowsMatchDailyRecomputation(t *testing.T) {
	rng := &testRand{state: 99}
	base := day("2023-01-01")
	for round := range 12 {
		cfg := Config{SilentAfter: 1 + rng.intn(60)}
		cfg.ChurnedAfter = cfg.SilentAfter + 1 + rng.intn(90)
		if round == 0 {
			cfg = Config{SilentAfter: DefaultSilentAfter, ChurnedAfter: DefaultChurnedAfter}
		}
		customers := randomCustomers(rng, 150, base)
		from := base + rfm.Day(rng.intn(300))
		r := Range{From: from, To: from + rfm.Day(rng.intn(400)), Period: Period(round % 3)}
		got, err := Flows(seq(customers), r, cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Recompute every customer on every day.
		for bi, b := range got.Buckets {
			var open, close Counts
			var flow, moves [NumStages][NumStages]int
			for _, c := range customers {
				a, z := naiveStage(c, b.Start-1, cfg), naiveStage(c, b.End, cfg)
				open[a]++
				close[z]++
				flow[a][z]++
				for d := b.Start; d <= b.End; d++ {
					if x, y := naiveStage(c, d-1, cfg), naiveStage(c, d, cfg); x != y {
						moves[x][y]++
					}
				}
			}
			if b.Open != open || b.Close != close || b.Flow != flow || b.Moves != moves {
				t.Fatalf("round %d (%+v, %s..%s %s) bucket %d %s..%s:\n open %v want %v\nclose %v want %v\n flow %v\n want %v\nmoves %v\n want %v",
					round, cfg, r.From, r.To, r.Period, bi, b.Start, b.End, b.Open, open, b.Close, close, b.Flow, flow, b.Moves, moves)
			}
		}
		for _, c := range customers {
			for d := from - 5; d <= r.To; d += 3 {
				if got, want := StageAt(c, d, cfg), naiveStage(c, d, cfg); got != want {
					t.Fatalf("StageAt(%+v, %s) = %s, want %s", c, d, got, want)
				}
			}
		}
	}
}

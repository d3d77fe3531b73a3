package rfm

import (
	"time"

	"siyu.dev/siyu"
)

// testRand is a small deterministic generator (splitmix64), so that test
// data and golden files do not depend on the math/rand stream.
type testRand struct{ state uint64 }

func newRand(seed uint64) *testRand { return &testRand{state: seed} }

func (r *testRand) next() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *testRand) int63n(n int64) int64 { return int64(r.next() % uint64(n)) }
func (r *testRand) intn(n int) int       { return int(r.next() % uint64(n)) }

// randomOrders makes orders of customers 1..customers, sorted the way
// Summarize wants them: a skewed number of orders per customer, paid times
// spread over about two years, amounts from ¥0 to ¥2,000 with many repeats.
func randomOrders(rng *testRand, customers int) []Order {
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	var orders []Order
	for c := 1; c <= customers; c++ {
		n := 1
		for n < 12 && rng.intn(3) == 0 {
			n++
		}
		at := start + rng.int63n(600*86400)
		for range n {
			orders = append(orders, Order{
				Customer: int64(c),
				PaidAt:   time.Unix(at, 0).UTC(),
				Net:      siyu.Fen(rng.intn(40) * 50_00),
			})
			at += rng.int63n(120 * 86400)
		}
	}
	return orders
}

package demo

import (
	"math"
	"math/rand/v2"
)

// Streams of randomness drawn for one customer. Each part of a customer's
// life has its own stream so that changing how, say, moments are simulated
// does not change anybody's orders.
const (
	streamOrders uint64 = 0x6f72646572730000 + iota
	streamSocial
)

// newRand returns a generator reseeded per customer; reseeding one PCG is
// much cheaper than allocating one per customer.
func newRand() (*rand.Rand, *rand.PCG) {
	pcg := rand.NewPCG(0, 0)
	return rand.New(pcg), pcg
}

// splitmix is the SplitMix64 finaliser: a fast, well-mixed hash of x.
func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// unit turns a hash into a float in [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// weighted picks among items with fixed weights.
type weighted[T any] struct {
	items []T
	cum   []float64
}

func newWeighted[T any](items []T, weight func(T) float64) weighted[T] {
	w := weighted[T]{items: items, cum: make([]float64, len(items))}
	total := 0.0
	for i, it := range items {
		total += weight(it)
		w.cum[i] = total
	}
	return w
}

func (w *weighted[T]) pick(r *rand.Rand) T { return w.at(r.Float64()) }

// at picks the item for u in [0, 1).
func (w *weighted[T]) at(u float64) T { return w.items[searchCum(w.cum, u*w.cum[len(w.cum)-1])] }

// searchCum returns the first index whose cumulative weight exceeds x.
func searchCum(cum []float64, x float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// gamma draws from Gamma(shape, 1) (Marsaglia and Tsang).
func gamma(r *rand.Rand, shape float64) float64 {
	if shape < 1 {
		// Boost: Gamma(a) = Gamma(a+1) * U^(1/a).
		return gamma(r, shape+1) * math.Pow(r.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// poisson draws a Poisson count; means here are small.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	limit := math.Exp(-mean)
	n, p := 0, r.Float64()
	for p > limit {
		n++
		p *= r.Float64()
	}
	return n
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// oneOf picks uniformly.
func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

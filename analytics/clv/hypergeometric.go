package clv

import (
	"errors"
	"fmt"
	"math"
)

// maxSeriesTerms bounds the work of one hypergeometric sum. The terms shrink
// roughly like z^n, so the count needed grows like 1/(1−z): this allows z up
// to about 1 − 1e-5, i.e. a prediction horizon up to ~1e5 times the
// customer's α+T, far beyond any real horizon.
const maxSeriesTerms = 1 << 22

var errSeriesDiverges = errors.New("clv: hypergeometric series did not converge")

// hypergeometric sums the generalised hypergeometric series
//
//	pFq(num; den; z) = Σ_{n≥0} Π_i (num_i)_n / Π_j (den_j)_n · z^n / n!
//
// for len(num) == len(den)+1 (so 2F1 is hypergeometric([]float64{a, b},
// []float64{c}, z)) and |z| < 1, where the series converges. (x)_n is the
// rising factorial.
//
// The sum stops once the next term cannot change it by more than a relative
// 1e-16 even counting the whole remaining tail: past the point where every
// (param + n) has its final sign the term ratio tends to z, so the tail is
// at most |term|·ρ/(1−ρ) with ρ the larger of the current ratio and |z|.
//
// Near z = 1 the series converges slowly (and at z = 1 only when
// Σden − Σnum > 0). Callers that need z close to 1 should first apply a
// transformation that makes the parameters favourable; ExpectedPurchases
// uses Euler's transformation for that reason.
func hypergeometric(num, den []float64, z float64) (float64, error) {
	sum, logScale, err := scaledHypergeometric(num, den, z)
	if err != nil {
		return math.NaN(), err
	}
	v := sum * math.Exp(logScale)
	if math.IsInf(v, 0) {
		return math.NaN(), fmt.Errorf("clv: hypergeometric series overflows")
	}
	return v, nil
}

// rescale is how far terms may grow before the running sum is scaled down.
const rescale = 1e200

// scaledHypergeometric is hypergeometric as sum·e^logScale, so that a series
// whose terms first grow past the float64 range (large parameters: e.g.
// terms like (a z)^n/n! for a ≈ 1000) can still be combined with a tiny
// prefactor by the caller in logarithms.
func scaledHypergeometric(num, den []float64, z float64) (sum, logScale float64, err error) {
	if len(num) != len(den)+1 {
		return math.NaN(), 0, fmt.Errorf("clv: hypergeometric series needs p = q+1, got %d and %d", len(num), len(den))
	}
	if math.IsNaN(z) || math.Abs(z) >= 1 {
		return math.NaN(), 0, fmt.Errorf("clv: hypergeometric series needs |z| < 1, got %g", z)
	}
	turn := 0.0 // after this many terms every factor has its final sign
	for _, c := range den {
		if c <= 0 && c == math.Trunc(c) {
			return math.NaN(), 0, fmt.Errorf("clv: hypergeometric denominator parameter %g is a pole", c)
		}
		turn = math.Max(turn, -c)
	}
	for _, a := range num {
		turn = math.Max(turn, -a)
	}
	term := 1.0
	sum = 1
	for n := 0; n < maxSeriesTerms; n++ {
		fn := float64(n)
		ratio := z / (fn + 1)
		for _, a := range num {
			ratio *= a + fn
		}
		for _, c := range den {
			ratio /= c + fn
		}
		term *= ratio
		sum += term
		if term == 0 {
			return sum, logScale, nil // a non-positive integer numerator parameter: a polynomial
		}
		if math.Abs(term) > rescale {
			term /= rescale
			sum /= rescale
			logScale += math.Log(rescale)
		}
		if math.IsInf(sum, 0) || math.IsNaN(sum) {
			return math.NaN(), 0, errSeriesDiverges
		}
		if fn+1 <= turn {
			continue
		}
		rho := math.Max(math.Abs(ratio), math.Abs(z))
		if rho < 1 && math.Abs(term)*rho/(1-rho) <= 1e-16*math.Abs(sum) {
			return sum, logScale, nil
		}
	}
	return math.NaN(), 0, errSeriesDiverges
}

// hyp2f1 is the Gaussian hypergeometric function 2F1(a, b; c; z), |z| < 1.
func hyp2f1(a, b, c, z float64) (float64, error) {
	return hypergeometric([]float64{a, b}, []float64{c}, z)
}

package clv

import "math"

// lgamma is math.Lgamma without the sign: every argument here is positive.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// lbeta is the logarithm of the beta function B(a, b) for a, b > 0.
func lbeta(a, b float64) float64 {
	return lgamma(a) + lgamma(b) - lgamma(a+b)
}

// digamma is ψ(x) = d/dx ln Γ(x) for x > 0, needed for the analytic gradients
// (the standard library has no digamma). The recurrence ψ(x) = ψ(x+1) − 1/x
// moves the argument to x ≥ 10, where the asymptotic series below is accurate
// to about 1e-14.
func digamma(x float64) float64 {
	if math.IsNaN(x) || x <= 0 {
		return math.NaN()
	}
	if math.IsInf(x, 1) {
		return x
	}
	var shift float64
	for x < 10 {
		shift -= 1 / x
		x++
	}
	inv2 := 1 / (x * x)
	// Bernoulli-number coefficients B2k/(2k) for k = 1..6.
	series := inv2 * (1.0/12 - inv2*(1.0/120-inv2*(1.0/252-inv2*(1.0/240-inv2*(1.0/132-inv2*691.0/32760)))))
	return shift + math.Log(x) - 0.5/x - series
}

package clv

import (
	"math"
	"testing"
)

func TestHypergeometricIdentities(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b, c, z float64
		want       float64
	}{
		{"log", 1, 1, 2, 0.5, -math.Log(0.5) / 0.5},
		{"log near 1", 1, 1, 2, 0.9999, -math.Log(1e-4) / 0.9999},
		{"log negative z", 1, 1, 2, -0.7, math.Log(1.7) / 0.7},
		{"binomial", 2.5, 3, 3, 0.3, math.Pow(0.7, -2.5)},
		{"binomial near 1", 0.5, 7, 7, 0.999, math.Pow(0.001, -0.5)},
		{"arctan", 0.5, 1, 1.5, -0.25, math.Atan(0.5) / 0.5},
		{"arcsin", 0.5, 0.5, 1.5, 0.36, math.Asin(0.6) / 0.6},
		{"polynomial", -2, 3, 4, 0.5, 1 - 2*3.0/4*0.5 + 3*4.0/(4*5)*0.25},
		{"z zero", 3, 4, 5, 0, 1},
		// Gauss's theorem at z → 1 when c−a−b > 0: 2F1(a,b;c;1) = Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)).
		{"gauss", 0.3, 0.4, 2.5, 0.9999, math.Exp(lgamma(2.5) + lgamma(1.8) - lgamma(2.2) - lgamma(2.1))},
	} {
		got, err := hyp2f1(tc.a, tc.b, tc.c, tc.z)
		tol := 1e-12
		if tc.name == "gauss" {
			tol = 1e-4 // z is 1e-4 short of 1; the function's slope there is finite and small
		}
		if err != nil || !withinRel(got, tc.want, tol) {
			t.Errorf("%s: 2F1(%v, %v; %v; %v) = %.15g, %v; want %.15g", tc.name, tc.a, tc.b, tc.c, tc.z, got, err, tc.want)
		}
	}
}

func TestHypergeometricRefusesOutsideDomain(t *testing.T) {
	for _, tc := range []struct {
		name       string
		a, b, c, z float64
	}{
		{"z = 1", 1, 1, 2, 1},
		{"z > 1", 1, 1, 2, 1.5},
		{"z = -1", 1, 1, 2, -1},
		{"NaN", 1, 1, 2, math.NaN()},
		{"pole", 1, 1, -2, 0.5},
		{"too slow", 1, 1, 1, 1 - 1e-9},
	} {
		if got, err := hyp2f1(tc.a, tc.b, tc.c, tc.z); err == nil || !math.IsNaN(got) {
			t.Errorf("%s: got %v, %v; want NaN and an error", tc.name, got, err)
		}
	}
	if _, err := hypergeometric([]float64{1}, []float64{1}, 0.5); err == nil {
		t.Error("1F1 accepted; only p = q+1 converges on |z| < 1")
	}
}

func TestDigamma(t *testing.T) {
	const euler = 0.57721566490153286
	for _, tc := range []struct{ x, want float64 }{
		{1, -euler},
		{0.5, -euler - 2*math.Ln2},
		{2, 1 - euler},
		{10, 2.251752589066721},
		{1e-8, -1e8 - euler},
	} {
		if got := digamma(tc.x); !withinRel(got, tc.want, 1e-13) {
			t.Errorf("digamma(%v) = %.16g, want %.16g", tc.x, got, tc.want)
		}
	}
	// ψ is the derivative of ln Γ.
	for _, x := range []float64{0.05, 0.3, 1.7, 6.5, 9.99, 10.01, 42, 1e5} {
		h := 1e-6 * x
		numeric := (lgamma(x+h) - lgamma(x-h)) / (2 * h)
		if got := digamma(x); !within(got, numeric, 1e-6*math.Max(1, math.Abs(got))) {
			t.Errorf("digamma(%v) = %.12g, numeric derivative of lgamma %.12g", x, got, numeric)
		}
	}
	if !math.IsNaN(digamma(0)) || !math.IsNaN(digamma(-1)) {
		t.Error("digamma of a non-positive argument should be NaN")
	}
}

package clv

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var cdnowFit = BGNBD{R: 0.2425945, Alpha: 4.4136019, A: 0.7929199, B: 2.4258881}

// edgeCustomers are histories at the corners of the valid range.
var edgeCustomers = []Customer{
	{X: 0, Tx: 0, T: 0},         // just arrived
	{X: 0, Tx: 0, T: 39},        // never came back
	{X: 5, Tx: 39, T: 39},       // bought on the last day
	{X: 1, Tx: 0, T: 10},        // repeat purchase at time 0
	{X: 1e6, Tx: 10, T: 10},     // huge frequency
	{X: 3, Tx: 2, T: 1e6},       // very old customer
	{X: 2, Tx: 1e-12, T: 1e-12}, // tiny times
}

// edgeModels are parameter sets at the corners of the optimiser's box and
// beyond any realistic fit.
var edgeModels = []BGNBD{
	cdnowFit,
	{R: 1e-9, Alpha: 1e-9, A: 1e-9, B: 1e-9},
	{R: 1e9, Alpha: 1e9, A: 1e9, B: 1e9},
	{R: 1e-9, Alpha: 1e9, A: 1e9, B: 1e-9},
	{R: 5, Alpha: 0.1, A: 1, B: 0.5},
}

func logParams(m BGNBD) []float64 {
	return []float64{math.Log(m.R), math.Log(m.Alpha), math.Log(m.A), math.Log(m.B)}
}

func TestBGNBDLikelihoodFiniteAtEdges(t *testing.T) {
	for _, m := range edgeModels {
		for _, c := range edgeCustomers {
			ll, err := m.LogLikelihood([]Customer{c})
			// Finite, though not necessarily ≤ 0: t_x and T enter as densities.
			if err != nil || !isFinite(ll) {
				t.Errorf("%+v %+v: LL = %v, %v; want finite", m, c, ll, err)
			}
			if p := m.PAlive(c); !(p >= 0 && p <= 1) {
				t.Errorf("%+v %+v: PAlive = %v", m, c, p)
			}
			// With α+T ≈ 0, z = 39/(α+T+39) is within 1e-5 of 1, past the
			// series budget: NaN is the documented answer there.
			e := m.ExpectedPurchases(39, c)
			if 39/(m.Alpha+c.T+39) > 1-1e-5 && math.IsNaN(e) {
				continue
			}
			if !(e >= 0) || math.IsInf(e, 0) {
				t.Errorf("%+v %+v: ExpectedPurchases(39) = %v", m, c, e)
			}
		}
	}
	// A customer who has just arrived has had no chance to do anything:
	// the likelihood of that history is exactly 1.
	if ll, _ := cdnowFit.LogLikelihood([]Customer{{}}); !within(ll, 0, 1e-12) {
		t.Errorf("LL of (0, 0, 0) = %v, want 0", ll)
	}
}

func TestBGNBDGradientMatchesFiniteDifferences(t *testing.T) {
	cs := append(cdnowCustomers(t), edgeCustomers...)
	h, err := aggregate(cs)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []BGNBD{cdnowFit, {R: 2, Alpha: 0.5, A: 3, B: 0.7}, {R: 0.05, Alpha: 40, A: 0.2, B: 9}} {
		checkGradient(t, h.bgnbdObjective, logParams(m))
	}
}

// checkGradient compares an objective's analytic gradient with central
// differences.
func checkGradient(t *testing.T, f objective, x []float64) {
	t.Helper()
	grad := make([]float64, len(x))
	f(x, grad)
	for i := range x {
		const h = 1e-6
		plus, minus := append([]float64(nil), x...), append([]float64(nil), x...)
		plus[i] += h
		minus[i] -= h
		numeric := (f(plus, nil) - f(minus, nil)) / (2 * h)
		if !within(grad[i], numeric, 1e-6*math.Max(1, math.Abs(numeric))) {
			t.Errorf("at %v: gradient[%d] = %.10g, central difference %.10g", x, i, grad[i], numeric)
		}
	}
}

// paperExpectedPurchases is eq. 10 of the paper as printed, with the
// direct hypergeometric series; fine for moderate x and z.
func paperExpectedPurchases(t *testing.T, m BGNBD, horizon float64, c Customer) float64 {
	t.Helper()
	r, alpha, a, b, x := m.R, m.Alpha, m.A, m.B, c.X
	z := horizon / (alpha + c.T + horizon)
	f, err := hyp2f1(r+x, b+x, a+b+x-1, z)
	if err != nil {
		t.Fatal(err)
	}
	body := (a + b + x - 1) / (a - 1) * (1 - math.Pow((alpha+c.T)/(alpha+c.T+horizon), r+x)*f)
	den := 1.0
	if x > 0 {
		den += a / (b + x - 1) * math.Pow((alpha+c.T)/(alpha+c.Tx), r+x)
	}
	return body / den
}

func TestExpectedPurchasesMatchesPaperFormula(t *testing.T) {
	models := []BGNBD{cdnowFit, {R: 1.5, Alpha: 10, A: 2.5, B: 4}, {R: 0.5, Alpha: 2, A: 0.3, B: 0.4}, {R: 3, Alpha: 1, A: 1.2, B: 0.9}}
	customers := []Customer{{}, {X: 1, Tx: 1.71, T: 38.86}, {X: 2, Tx: 30.43, T: 38.86}, {X: 7, Tx: 35, T: 36}, {X: 4, Tx: 3, T: 60}}
	for _, m := range models {
		for _, c := range customers {
			for _, horizon := range []float64{0.5, 13, 39, 104} {
				want := paperExpectedPurchases(t, m, horizon, c)
				if got := m.ExpectedPurchases(horizon, c); !withinRel(got, want, 1e-9) {
					t.Errorf("%+v %+v t=%v: %.12g, paper's formula %.12g", m, c, horizon, got, want)
				}
			}
		}
	}
}

func TestExpectedPurchasesContinuousAtAEqualsOne(t *testing.T) {
	c := Customer{X: 2, Tx: 30.43, T: 38.86}
	at := BGNBD{R: 0.24, Alpha: 4.4, A: 1, B: 2.4}.ExpectedPurchases(39, c)
	for _, a := range []float64{1 - 1e-7, 1 + 1e-7} {
		near := BGNBD{R: 0.24, Alpha: 4.4, A: a, B: 2.4}.ExpectedPurchases(39, c)
		if !withinRel(at, near, 1e-6) || !isFinite(at) {
			t.Errorf("E at a=1 is %v, at a=%v it is %v", at, a, near)
		}
	}
}

func TestExpectedPurchasesBasicProperties(t *testing.T) {
	c := Customer{X: 2, Tx: 30.43, T: 38.86}
	if got := cdnowFit.ExpectedPurchases(0, c); got != 0 {
		t.Errorf("E[Y(0)] = %v, want 0", got)
	}
	prev := 0.0
	for _, horizon := range []float64{1, 10, 39, 100, 1000, 1e4} {
		got := cdnowFit.ExpectedPurchases(horizon, c)
		if !(got > prev) || math.IsInf(got, 0) {
			t.Errorf("E[Y(%v)] = %v, not above E at the shorter horizon %v", horizon, got, prev)
		}
		prev = got
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if got := cdnowFit.ExpectedPurchases(bad, c); !math.IsNaN(got) {
			t.Errorf("E[Y(%v)] = %v, want NaN", bad, got)
		}
	}
	if got := cdnowFit.ExpectedPurchases(39, Customer{X: 1.5, Tx: 1, T: 2}); !math.IsNaN(got) {
		t.Errorf("fractional X: %v, want NaN", got)
	}
}

// A customer who bought 10,000 times in 100 weeks, the last time just now,
// buys at about (r+x)/(α+T) a week and is almost surely alive; over the
// next 10 weeks the expected count is that rate times 10 less a little
// dropout. The paper's direct series overflows here.
func TestExpectedPurchasesHugeFrequency(t *testing.T) {
	c := Customer{X: 10000, Tx: 100, T: 100}
	rate := (cdnowFit.R + c.X) / (cdnowFit.Alpha + c.T)
	got := cdnowFit.ExpectedPurchases(10, c)
	if !(got > 0.9*rate*10 && got < rate*10) {
		t.Errorf("E[Y(10)] = %v, want just under %v", got, rate*10)
	}
}

// The expectation of the new-customer count distribution (eq. 8) must be
// the unconditional expectation (eq. 7), which ExpectedPurchases gives for
// the zero Customer: two different formulas of the paper checked against
// each other.
func TestNewCustomerDistributionAgreesWithExpectation(t *testing.T) {
	for _, m := range []BGNBD{cdnowFit, {R: 2, Alpha: 3, A: 1.5, B: 4}} {
		for _, horizon := range []float64{2, 39, 78} {
			var total, mean float64
			for n := 0; n < 1000; n++ {
				p := m.ProbPurchases(horizon, n)
				if !(p >= 0 && p <= 1) {
					t.Fatalf("P(X(%v)=%d) = %v", horizon, n, p)
				}
				total += p
				mean += float64(n) * p
			}
			if !within(total, 1, 1e-9) {
				t.Errorf("%+v t=%v: probabilities sum to %.12f", m, horizon, total)
			}
			if want := m.ExpectedPurchases(horizon, Customer{}); !withinRel(mean, want, 1e-8) {
				t.Errorf("%+v t=%v: mean of the distribution %.10f, E[X(t)] %.10f", m, horizon, mean, want)
			}
		}
	}
	if got := cdnowFit.ProbPurchases(0, 0); got != 1 {
		t.Errorf("P(X(0)=0) = %v, want 1", got)
	}
	if got := cdnowFit.ProbPurchases(0, 3); got != 0 {
		t.Errorf("P(X(0)=3) = %v, want 0", got)
	}
	if !math.IsNaN(cdnowFit.ProbPurchases(1, -1)) || !math.IsNaN(cdnowFit.ProbPurchases(-1, 0)) {
		t.Error("negative n or t should give NaN")
	}
}

func TestPAlive(t *testing.T) {
	if got := cdnowFit.PAlive(Customer{T: 39}); got != 1 {
		t.Errorf("P(alive) without repeat purchases = %v, want 1 (BG/NBD drops out only after a purchase)", got)
	}
	if got := cdnowFit.PAlive(Customer{X: 3, Tx: 20, T: 20}); !within(got, 1/(1+cdnowFit.A/(cdnowFit.B+2)), 1e-15) {
		t.Errorf("P(alive) right after a purchase = %v, want 1/(1 + a/(b+x−1))", got)
	}
	// The longer the silence since the last purchase, the likelier the
	// customer has left, the more so the more often they used to buy.
	prev := 1.0
	for _, tx := range []float64{38, 30, 20, 10, 1} {
		got := cdnowFit.PAlive(Customer{X: 5, Tx: tx, T: 39})
		if !(got < prev) {
			t.Errorf("P(alive | x=5, t_x=%v) = %v, not below %v", tx, got, prev)
		}
		prev = got
	}
}

func TestFitBGNBDRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cs      []Customer
		wantErr string
	}{
		{"empty", nil, "no customers"},
		{"negative X", []Customer{{X: 1, Tx: 1, T: 2}, {ID: "c2", X: -1, T: 3}}, `customer 1 ("c2"): X = -1`},
		{"fractional X", []Customer{{ID: "c1", X: 0.5, Tx: 1, T: 2}}, "whole number"},
		{"Tx after T", []Customer{{ID: "c1", X: 1, Tx: 3, T: 2}}, "Tx = 3"},
		{"Tx without X", []Customer{{ID: "c1", X: 0, Tx: 1, T: 2}}, "X = 0"},
		{"NaN T", []Customer{{ID: "c1", T: math.NaN()}}, "T = NaN"},
		{"no repeat purchases", []Customer{{T: 3}, {T: 5}}, "no customer made a repeat purchase"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitBGNBD(tc.cs)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// Customers who never drop out put the maximum on the boundary a → 0: the
// fit must say so rather than hang or return garbage.
func TestFitBGNBDWithoutDropout(t *testing.T) {
	cs := simulateBGNBD(BGNBD{R: 2, Alpha: 4, A: 1e-9, B: 1}, 5000, 52, false, 5)
	m, err := FitBGNBD(cs)
	if err != nil && !errors.Is(err, ErrNotConverged) {
		t.Fatal(err)
	}
	if !isFinite(m.LL) || m.A/(m.A+m.B) > 1e-3 {
		t.Errorf("%+v (%v): want a finite fit with a negligible dropout probability", m, err)
	}
	t.Logf("%+v, %v", m, err)
}

// FuzzBGNBD checks that the likelihood, its gradient and the predictions
// stay finite for any valid history and any parameters in the optimiser's
// box.
func FuzzBGNBD(f *testing.F) {
	f.Add(uint32(2), 30.43, 38.86, -1.4, 1.5, -0.2, 0.9, 39.0)
	f.Add(uint32(0), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
	f.Add(uint32(1e6), 10.0, 10.0, 20.0, -20.0, 20.0, -20.0, 1e3)
	f.Fuzz(func(t *testing.T, x uint32, tx, age, lr, lalpha, la, lb, horizon float64) {
		for _, v := range []float64{tx, age, lr, lalpha, la, lb, horizon} {
			if !isFinite(v) {
				return
			}
		}
		age = math.Mod(math.Abs(age), 1e6)
		tx = math.Mod(math.Abs(tx), age+1)
		if tx > age || x == 0 {
			tx = math.Min(tx, age)
		}
		if x == 0 {
			tx = 0
		}
		logp := []float64{math.Mod(lr, 20), math.Mod(lalpha, 20), math.Mod(la, 20), math.Mod(lb, 20)}
		c := Customer{X: float64(x), Tx: tx, T: age}
		h, err := aggregate([]Customer{c})
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		grad := make([]float64, 4)
		if v := h.bgnbdObjective(logp, grad); !isFinite(v) || !isFinite(maxAbs(grad)) {
			t.Fatalf("%+v at %v: objective %v, gradient %v", c, logp, v, grad)
		}
		m := BGNBD{R: math.Exp(logp[0]), Alpha: math.Exp(logp[1]), A: math.Exp(logp[2]), B: math.Exp(logp[3])}
		if p := m.PAlive(c); !(p >= 0 && p <= 1) {
			t.Fatalf("%+v %+v: PAlive %v", m, c, p)
		}
		horizon = math.Mod(math.Abs(horizon), 1e4)
		// Horizons so long that z is within 1e-4 of 1, or over which the
		// customer would be expected to buy more than 1e5 times, may exceed
		// the series budget; NaN is the documented answer there.
		if horizon/(m.Alpha+c.T+horizon) < 1-1e-4 && (m.R+c.X)*horizon/(m.Alpha+c.T) < 1e5 {
			if e := m.ExpectedPurchases(horizon, c); !(e >= 0) || math.IsInf(e, 0) {
				t.Fatalf("%+v %+v: E[Y(%v)] = %v", m, c, horizon, e)
			}
		}
		if p := m.ProbPurchases(horizon, int(x%50)); !(p >= 0 && p <= 1) {
			t.Fatalf("%+v: P(X(%v)=%d) = %v", m, horizon, x%50, p)
		}
	})
}

// betaExpectation is E[g(p)] for p ~ Beta(a, b) by tanh-sinh quadrature,
// which copes with the density's singularities at 0 and 1.
func betaExpectation(g func(p float64) float64, a, b float64) float64 {
	const h = 1.0 / 64
	logSigmoid := func(s float64) float64 { // ln(1/(1+e^−s)) without overflow
		if s > 0 {
			return -math.Log1p(math.Exp(-s))
		}
		return s - math.Log1p(math.Exp(s))
	}
	lnB := lbeta(a, b)
	var sum float64
	for k := -7 * 64; k <= 7*64; k++ {
		tau := float64(k) * h
		s := math.Pi / 2 * math.Sinh(tau)
		lnP, lnQ := logSigmoid(2*s), logSigmoid(-2*s) // p = (1+tanh s)/2, q = 1−p
		w := math.Exp(a*lnP+b*lnQ-lnB) * math.Pi * math.Cosh(tau) * h
		if w == 0 {
			continue
		}
		sum += w * g(math.Exp(lnP))
	}
	return sum
}

// integralExpectedPurchases is E[Y(t) | x, t_x, T] from the model's
// definition rather than from eq. 10: an alive customer with rate λ and
// dropout p buys (1 − e^{−λpt})/p times in expectation over t; given the
// history and being alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x)
// independently, and averaging over λ gives (1 − (1 + p t/(α+T))^−(r+x))/p.
func integralExpectedPurchases(m BGNBD, horizon float64, c Customer) float64 {
	s, u := m.R+c.X, horizon/(m.Alpha+c.T)
	g := func(p float64) float64 {
		if p == 0 {
			return s * u
		}
		return -math.Expm1(-s*math.Log1p(p*u)) / p
	}
	return m.PAlive(c) * betaExpectation(g, m.A, m.B+c.X)
}

// TestExpectedPurchasesMatchesModelIntegral checks ExpectedPurchases against
// an independent computation, including parameters where one of its two
// series forms would lose all precision: no rate heterogeneity (large r and
// α), near-certain dropout (large a), no dropout (large b), tiny a and b,
// and huge frequencies.
func TestExpectedPurchasesMatchesModelIntegral(t *testing.T) {
	models := []BGNBD{
		cdnowFit,
		{R: 200, Alpha: 200, A: 0.8, B: 2.5},
		{R: 5e4, Alpha: 1e5, A: 2, B: 3},
		{R: 0.5, Alpha: 3, A: 5e3, B: 2},
		{R: 0.5, Alpha: 3, A: 0.9, B: 1e4},
		{R: 1.2, Alpha: 8, A: 0.05, B: 0.3},
		{R: 3, Alpha: 1, A: 1, B: 0.2},
		{R: 30, Alpha: 10, A: 1, B: 0.2},
		{R: 30, Alpha: 10, A: 1 + 3e-6, B: 0.2},
	}
	customers := []Customer{{}, {T: 52}, {X: 2, Tx: 30.43, T: 38.86}, {X: 40, Tx: 50, T: 52}, {X: 5000, Tx: 51, T: 52}}
	for _, m := range models {
		for _, c := range customers {
			for _, horizon := range []float64{1, 39, 260} {
				want := integralExpectedPurchases(m, horizon, c)
				got := m.ExpectedPurchases(horizon, c)
				if !within(got, want, 1e-8*math.Max(1e-3, want)) {
					t.Errorf("%+v x=%v t_x=%v T=%v t=%v: %.12g, integral %.12g", m, c.X, c.Tx, c.T, horizon, got, want)
				}
			}
		}
	}
}

// TestBGNBDObjectiveOverManyHistories covers the split sum used for large
// fits: its value is the sum of the values of its parts, each computed in
// one pass, and its gradient matches central differences.
func TestBGNBDObjectiveOverManyHistories(t *testing.T) {
	cs := simulateBGNBD(truth, 60_000, 104, false, 7)
	h, err := aggregate(cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.rows) < 2*parallelRows {
		t.Fatalf("%d distinct histories: too few to split", len(h.rows))
	}
	for _, m := range []BGNBD{truth, {R: 2, Alpha: 0.5, A: 3, B: 0.7}} {
		p := logParams(m)
		whole := -h.bgnbdObjective(p, nil) * h.weight
		var parts float64
		for lo := 0; lo < len(h.rows); lo += parallelRows / 2 {
			part := *h
			part.rows = h.rows[lo:min(lo+parallelRows/2, len(h.rows))]
			part.weight = 0
			for _, r := range part.rows {
				part.weight += r.weight
			}
			parts += -part.bgnbdObjective(p, nil) * part.weight
		}
		if !withinRel(whole, parts, 1e-12) {
			t.Errorf("%+v: log-likelihood %.12g split, %.12g in one-pass parts", m, whole, parts)
		}
		checkGradient(t, h.bgnbdObjective, p)
	}
}

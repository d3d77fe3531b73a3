package clv

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// gammaVariate draws from Gamma(shape, 1) by Marsaglia & Tsang's method,
// boosting shapes below 1 with U^(1/shape).
func gammaVariate(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaVariate(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

func betaVariate(rng *rand.Rand, a, b float64) float64 {
	x := gammaVariate(rng, a)
	return x / (x + gammaVariate(rng, b))
}

// simulateBGNBD draws n customers from the BG/NBD generative process with
// parameters m, in weeks, each observed for an age T uniform on
// (0, maxWeeks]. With wholeDays the histories are then recorded the way
// Summarize records real ones: purchase days counted once and times in whole
// days (/7), which is what makes aggregation pay off.
func simulateBGNBD(m BGNBD, n int, maxWeeks float64, wholeDays bool, seed uint64) []Customer {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	cs := make([]Customer, n)
	for i := range cs {
		lambda := gammaVariate(rng, m.R) / m.Alpha
		p := betaVariate(rng, m.A, m.B)
		age := maxWeeks * (1 - rng.Float64())
		// The first purchase falls at a random moment of its day, so later
		// days are counted from that day's start.
		startOfDay := rng.Float64()
		var x, tx, lastDay float64
		for t := 0.0; ; {
			t += rng.ExpFloat64() / lambda
			if t > age {
				break
			}
			if wholeDays {
				day := math.Floor(t*7 + startOfDay)
				if day == lastDay {
					continue // same day as the previous purchase: one purchase day
				}
				lastDay = day
				x, tx = x+1, day/7
			} else {
				x, tx = x+1, t
			}
			if rng.Float64() < p {
				break
			}
		}
		if wholeDays {
			age = math.Floor(age*7+startOfDay) / 7
		}
		cs[i] = Customer{X: x, Tx: tx, T: age}
	}
	return cs
}

// simulateSpend gives every repeat customer a Monetary value drawn from the
// Gamma-Gamma process with parameters g.
func simulateSpend(g GammaGamma, cs []Customer, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x5e4d))
	for i := range cs {
		if cs[i].X == 0 {
			continue
		}
		nu := gammaVariate(rng, g.Q) / g.V
		var sum float64
		for j := 0; j < int(cs[i].X); j++ {
			sum += gammaVariate(rng, g.P) / nu
		}
		cs[i].Monetary = sum / cs[i].X
	}
}

// standardErrors returns the asymptotic standard errors of the
// log-parameters: the square roots of the diagonal of the inverse observed
// information, the Hessian of the summed negative log-likelihood, here by
// central differences of the analytic gradient.
func standardErrors(t *testing.T, f objective, logp []float64, customers float64) []float64 {
	t.Helper()
	n := len(logp)
	hess := make([][]float64, n)
	const h = 1e-5
	for j := range hess {
		plus, minus := append([]float64(nil), logp...), append([]float64(nil), logp...)
		plus[j] += h
		minus[j] -= h
		gp, gm := make([]float64, n), make([]float64, n)
		f(plus, gp)
		f(minus, gm)
		hess[j] = make([]float64, n)
		for i := range gp {
			hess[j][i] = (gp[i] - gm[i]) / (2 * h) * customers
		}
	}
	inv := invert(t, hess)
	se := make([]float64, n)
	for i := range se {
		se[i] = math.Sqrt(inv[i][i])
	}
	return se
}

// invert inverts a small symmetric positive-definite matrix by Gauss-Jordan
// elimination with partial pivoting.
func invert(t *testing.T, m [][]float64) [][]float64 {
	t.Helper()
	n := len(m)
	a := make([][]float64, n)
	for i := range a {
		a[i] = make([]float64, 2*n)
		copy(a[i], m[i])
		a[i][n+i] = 1
	}
	for col := 0; col < n; col++ {
		pivot := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[pivot][col]) {
				pivot = r
			}
		}
		a[col], a[pivot] = a[pivot], a[col]
		if a[col][col] == 0 {
			t.Fatal("singular information matrix")
		}
		for r := 0; r < n; r++ {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for k := range a[r] {
				a[r][k] -= f * a[col][k]
			}
		}
	}
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, n)
		for k := range out[i] {
			out[i][k] = a[i][n+k] / a[i][i]
		}
	}
	return out
}

// truth is close to the CDNOW estimates, so the synthetic data looks like a
// real retailer's: most customers never come back, a few buy weekly.
var truth = BGNBD{R: 0.25, Alpha: 4, A: 0.8, B: 2.5}

// TestFitBGNBDRecoversSimulatedParameters fits 200,000 simulated customers
// and requires every estimate to lie within 4 standard errors of the truth
// (log scale). The standard errors come from the observed information, so
// the test checks the estimator, not a hand-picked tolerance.
func TestFitBGNBDRecoversSimulatedParameters(t *testing.T) {
	cs := simulateBGNBD(truth, 200_000, 52, false, 1)
	m, err := FitBGNBD(cs)
	if err != nil {
		t.Fatal(err)
	}
	h, err := aggregate(cs)
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{math.Log(m.R), math.Log(m.Alpha), math.Log(m.A), math.Log(m.B)}
	want := []float64{math.Log(truth.R), math.Log(truth.Alpha), math.Log(truth.A), math.Log(truth.B)}
	se := standardErrors(t, h.bgnbdObjective, got, h.weight)
	for i, name := range []string{"r", "alpha", "a", "b"} {
		z := (got[i] - want[i]) / se[i]
		t.Logf("%-5s fitted %.4f true %.4f  (%.1f standard errors)", name, math.Exp(got[i]), math.Exp(want[i]), z)
		if math.Abs(z) > 4 {
			t.Errorf("%s = %.4f, true %.4f: %.1f standard errors away", name, math.Exp(got[i]), math.Exp(want[i]), z)
		}
	}
}

func TestFitGammaGammaRecoversSimulatedParameters(t *testing.T) {
	want := GammaGamma{P: 6, Q: 4, V: 15}
	cs := simulateBGNBD(truth, 100_000, 52, false, 2)
	simulateSpend(want, cs, 3)
	g, err := FitGammaGamma(cs)
	if err != nil {
		t.Fatal(err)
	}
	rows, total, err := spendRows(cs)
	if err != nil {
		t.Fatal(err)
	}
	f := func(logp, grad []float64) float64 { return gammaGammaObjective(rows, total, logp, grad) }
	got := []float64{math.Log(g.P), math.Log(g.Q), math.Log(g.V)}
	se := standardErrors(t, f, got, total)
	for i, pair := range [][2]float64{{g.P, want.P}, {g.Q, want.Q}, {g.V, want.V}} {
		z := (math.Log(pair[0]) - math.Log(pair[1])) / se[i]
		t.Logf("%s fitted %.4f true %.4f  (%.1f standard errors)", []string{"p", "q", "v"}[i], pair[0], pair[1], z)
		if math.Abs(z) > 4 {
			t.Errorf("parameter %d = %.4f, true %.4f: %.1f standard errors away", i, pair[0], pair[1], z)
		}
	}
}

var (
	millionOnce sync.Once
	million     []Customer
)

// BenchmarkFitBGNBD1M fits one million simulated customers recorded in
// whole days over one year (the shape of real order data), including the
// aggregation into distinct histories. It reports the number of distinct
// histories and the fitted parameters.
func BenchmarkFitBGNBD1M(b *testing.B) {
	millionOnce.Do(func() { million = simulateBGNBD(truth, 1_000_000, 52, true, 4) })
	h, err := aggregate(million)
	if err != nil {
		b.Fatal(err)
	}
	var m BGNBD
	start := time.Now()
	for b.Loop() {
		if m, err = FitBGNBD(million); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/fit")
	b.ReportMetric(float64(len(h.rows)), "histories")
	b.ReportMetric(m.R, "r")
	b.ReportMetric(m.Alpha, "alpha")
	b.ReportMetric(m.A, "a")
	b.ReportMetric(m.B, "b")
}

package clv

import (
	"math"
	"strings"
	"testing"
)

var cdnowSpend = GammaGamma{P: 6.25, Q: 3.74, V: 15.44}

func TestGammaGammaGradientMatchesFiniteDifferences(t *testing.T) {
	rows, total, err := spendRows(cdnowCustomers(t))
	if err != nil {
		t.Fatal(err)
	}
	f := func(logp, grad []float64) float64 { return gammaGammaObjective(rows, total, logp, grad) }
	for _, g := range []GammaGamma{cdnowSpend, {P: 0.5, Q: 1.5, V: 100}, {P: 30, Q: 0.8, V: 0.2}} {
		checkGradient(t, f, []float64{math.Log(g.P), math.Log(g.Q), math.Log(g.V)})
	}
}

func TestExpectedSpend(t *testing.T) {
	g := cdnowSpend
	populationMean := g.P * g.V / (g.Q - 1)
	if got := g.ExpectedSpend(Customer{T: 10}); !withinRel(got, populationMean, 1e-15) {
		t.Errorf("new customer: %v, want the population mean p·v/(q−1) = %v", got, populationMean)
	}
	// The estimate is a weighted average of the population mean and the
	// customer's own mean, with a weight that grows with x.
	prevGap := math.Inf(1)
	for _, x := range []float64{1, 2, 5, 20, 100, 1e4} {
		c := Customer{X: x, Tx: 1, T: 2, Monetary: 100}
		got := g.ExpectedSpend(c)
		if !(got > populationMean && got < 100) {
			t.Errorf("x=%v: %v, want between %v and 100", x, got, populationMean)
		}
		if gap := 100 - got; !(gap < prevGap) {
			t.Errorf("x=%v: %v is not closer to the customer's own mean than with fewer purchases", x, got)
		} else {
			prevGap = gap
		}
	}
	if got := (GammaGamma{P: 2, Q: 0.5, V: 3}).ExpectedSpend(Customer{}); !math.IsInf(got, 1) {
		t.Errorf("q ≤ 1: population mean %v, want +Inf", got)
	}
	for _, c := range []Customer{{X: 2, Tx: 1, T: 2}, {X: 2, Tx: 1, T: 2, Monetary: -3}, {X: -1}} {
		if got := g.ExpectedSpend(c); !math.IsNaN(got) {
			t.Errorf("%+v: %v, want NaN", c, got)
		}
	}
}

func TestFitGammaGammaRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cs      []Customer
		wantErr string
	}{
		{"no repeaters", []Customer{{T: 2}}, "no customer made a repeat purchase"},
		{"zero spend", []Customer{{X: 1, Tx: 1, T: 2, Monetary: 5}, {ID: "c2", X: 2, Tx: 1, T: 2}}, `customer 1 ("c2"): Monetary = 0`},
		{"NaN spend", []Customer{{ID: "c1", X: 2, Tx: 1, T: 2, Monetary: math.NaN()}}, "Monetary = NaN"},
		{"invalid history", []Customer{{ID: "c1", X: 2, Tx: 3, T: 2, Monetary: 1}}, "Tx = 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitGammaGamma(tc.cs)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// FuzzGammaGammaLikelihood checks the likelihood and its gradient stay
// finite for any repeat customer and any parameters in the optimiser's box.
func FuzzGammaGammaLikelihood(f *testing.F) {
	f.Add(uint32(2), 22.35, 1.83, 1.32, 2.74)
	f.Add(uint32(1e6), 1e-9, -20.0, 20.0, -20.0)
	f.Fuzz(func(t *testing.T, x uint32, m, lp, lq, lv float64) {
		if x == 0 || !isFinite(m) || !isFinite(lp) || !isFinite(lq) || !isFinite(lv) {
			return
		}
		m = math.Abs(m)
		if m == 0 || m > 1e12 {
			return
		}
		rows := []spendRow{{x: float64(x), m: m, weight: 1}}
		logp := []float64{math.Mod(lp, 20), math.Mod(lq, 20), math.Mod(lv, 20)}
		grad := make([]float64, 3)
		if v := gammaGammaObjective(rows, 1, logp, grad); !isFinite(v) || !isFinite(maxAbs(grad)) {
			t.Fatalf("x=%d m=%v at %v: objective %v, gradient %v", x, m, logp, v, grad)
		}
	})
}

package clv

import (
	"fmt"
	"math"
	"sort"
)

// GammaGamma is a fitted Gamma-Gamma spend model (Fader & Hardie, "The
// Gamma-Gamma model of monetary value", 2013). Each purchase of a customer
// is worth z ~ Gamma(shape P, rate ν), and ν ~ Gamma(shape Q, rate V)
// across customers (V is γ in the note, v in the lifetimes library). V is
// in the money unit of the fitted Monetary values; P and Q are unitless.
// The model assumes spend is independent of purchase frequency.
type GammaGamma struct {
	P, Q, V float64
	// LL is the log-likelihood of the fitted customers at these parameters.
	LL float64
}

// spendRow is a distinct (x, m_x) pair with the number of customers sharing it.
type spendRow struct {
	x, m, weight float64
}

// FitGammaGamma fits the Gamma-Gamma model by maximum likelihood to the
// customers with at least one repeat purchase, using X and Monetary (the
// mean of the X repeat purchases); customers with X = 0 carry no spend
// information and are skipped. A repeat customer whose Monetary is not
// positive is an error: the model has no zero-value purchases, so callers
// should drop them (or the free orders) first.
//
// starts are tried first, as in FitBGNBD.
func FitGammaGamma(cs []Customer, starts ...GammaGamma) (GammaGamma, error) {
	rows, total, err := spendRows(cs)
	if err != nil {
		return GammaGamma{}, err
	}
	var spend float64
	for _, row := range rows {
		spend += row.weight * row.m
	}
	mean := spend / total
	f := func(logp, grad []float64) float64 { return gammaGammaObjective(rows, total, logp, grad) }
	// Starts in (p, q, v); with q = 2 the population mean spend p·v/(q−1)
	// equals the sample mean.
	var points [][]float64
	for _, g := range starts {
		points = append(points, []float64{g.P, g.Q, g.V})
	}
	best, err := fitLogParams(f, append(usable(points),
		[]float64{1, 2, mean},
		[]float64{5, 4, 3 * mean / 5},
		[]float64{1, 1, 1},
	))
	g := GammaGamma{P: math.Exp(best.x[0]), Q: math.Exp(best.x[1]), V: math.Exp(best.x[2]), LL: -best.f * total}
	return g, err
}

// LogLikelihood is the Gamma-Gamma log-likelihood of the repeat customers
// among cs under g, the quantity FitGammaGamma maximises.
func (g GammaGamma) LogLikelihood(cs []Customer) (float64, error) {
	rows, total, err := spendRows(cs)
	if err != nil {
		return math.NaN(), err
	}
	logp := []float64{math.Log(g.P), math.Log(g.Q), math.Log(g.V)}
	return -gammaGammaObjective(rows, total, logp, nil) * total, nil
}

func spendRows(cs []Customer) ([]spendRow, float64, error) {
	counts := make(map[[2]float64]float64)
	var total float64
	for i, c := range cs {
		if err := c.Validate(); err != nil {
			return nil, 0, fmt.Errorf("clv: customer %d (%q): %w", i, c.ID, err)
		}
		if c.X == 0 {
			continue
		}
		if !isFinite(c.Monetary) || c.Monetary <= 0 {
			return nil, 0, fmt.Errorf("clv: customer %d (%q): Monetary = %v: a repeat customer needs a mean spend > 0", i, c.ID, c.Monetary)
		}
		counts[[2]float64{c.X, c.Monetary}]++
		total++
	}
	if total == 0 {
		return nil, 0, fmt.Errorf("clv: no customer made a repeat purchase; the Gamma-Gamma model cannot be fitted")
	}
	rows := make([]spendRow, 0, len(counts))
	for k, n := range counts {
		rows = append(rows, spendRow{x: k[0], m: k[1], weight: n})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].x != rows[j].x {
			return rows[i].x < rows[j].x
		}
		return rows[i].m < rows[j].m
	})
	return rows, total, nil
}

// gammaGammaObjective is the negative mean log-likelihood at
// logp = (ln p, ln q, ln v), gradient into grad when not nil. Per customer
// (the density of the mean m of x purchases):
//
//	ℓ = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m + px ln x − (px+q) ln(v + x m)
func gammaGammaObjective(rows []spendRow, total float64, logp, grad []float64) float64 {
	if !inBox(logp) {
		return math.Inf(1)
	}
	p, q, v := math.Exp(logp[0]), math.Exp(logp[1]), math.Exp(logp[2])
	lgQ, lnV := lgamma(q), math.Log(v)
	psiQ := digamma(q)
	var ll, gp, gq, gv float64
	for _, row := range rows {
		x, m := row.x, row.m
		px := p * x
		lnM, lnX, lnVXM := math.Log(m), math.Log(x), math.Log(v+x*m)
		ll += row.weight * (lgamma(px+q) - lgamma(px) - lgQ + q*lnV + (px-1)*lnM + px*lnX - (px+q)*lnVXM)
		if grad == nil {
			continue
		}
		psiPXQ := digamma(px + q)
		gp += row.weight * x * (psiPXQ - digamma(px) + lnM + lnX - lnVXM)
		gq += row.weight * (psiPXQ - psiQ + lnV - lnVXM)
		gv += row.weight * (q/v - (px+q)/(v+x*m))
	}
	if grad != nil {
		grad[0] = -gp * p / total
		grad[1] = -gq * q / total
		grad[2] = -gv * v / total
	}
	return -ll / total
}

// ExpectedSpend is the expected mean spend of the customer's future
// purchases given X repeat purchases averaging Monetary (the note's eq. 5):
//
//	E[M | p, q, v, m_x, x] = p (v + x m_x) / (p x + q − 1),
//
// a weighted average of the population mean p v/(q−1) and the customer's
// own mean that leans on the latter as x grows. For X = 0 it is the
// population mean, +Inf when q ≤ 1 (the mean does not exist). NaN for an
// invalid customer.
func (g GammaGamma) ExpectedSpend(c Customer) float64 {
	if c.Validate() != nil || (c.X > 0 && !(c.Monetary > 0 && isFinite(c.Monetary))) {
		return math.NaN()
	}
	den := g.P*c.X + g.Q - 1
	if den <= 0 {
		return math.Inf(1)
	}
	return g.P * (g.V + c.X*c.Monetary) / den
}

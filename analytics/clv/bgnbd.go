package clv

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// BGNBD is a fitted BG/NBD model (Fader, Hardie & Lee 2005, "Counting your
// customers the easy way"). While alive a customer buys at Poisson rate λ,
// λ ~ Gamma(shape R, rate Alpha) across customers; after each repeat
// purchase the customer drops out for good with probability p,
// p ~ Beta(A, B). Alpha is in the time unit of the fitted histories.
type BGNBD struct {
	R, Alpha, A, B float64
	// LL is the log-likelihood of the fitted customers at these parameters.
	LL float64
}

// ErrNotConverged is returned (together with the best model found) when the
// optimiser stopped before the gradient vanished, typically because the
// maximum lies on a boundary: nobody drops out (A → 0 or B → ∞), or every
// customer buys at the same rate (R, Alpha → ∞).
var ErrNotConverged = errors.New("clv: maximum likelihood fit did not converge")

// gradTolerance is the stopping rule of every fit: each component of the
// gradient of the mean per-customer log-likelihood with respect to the
// log-parameters must be below it. On CDNOW this pins the parameters to
// about 1e-7 relative.
const gradTolerance = 1e-9

// FitBGNBD fits the BG/NBD model to the customers' (X, Tx, T) histories by
// maximum likelihood. It fails when a history is invalid (see
// Customer.Validate) or when no customer made a repeat purchase, which
// leaves the purchase rate unidentified.
//
// The search starts from each of starts (typically the previous fit of
// the same, slightly older population: a refresh then needs a fifth of the
// iterations) before its own starting points; the result is the same
// maximum either way, to the optimiser's tolerance. Starts with a
// parameter that is not positive and finite are ignored.
func FitBGNBD(cs []Customer, starts ...BGNBD) (BGNBD, error) {
	h, err := aggregate(cs)
	if err != nil {
		return BGNBD{}, err
	}
	var repeats, age float64
	for _, row := range h.rows {
		repeats += row.weight * h.xs[row.x]
		age += row.weight * h.ts[row.t]
	}
	if repeats == 0 {
		return BGNBD{}, fmt.Errorf("clv: no customer made a repeat purchase; the BG/NBD model cannot be fitted")
	}
	// Starting points in (r, α, a, b); α from the mean repeat rate so the
	// start does not depend on the time unit. The first start usually
	// converges; the others are there for unusual data.
	rate := repeats / age
	var points [][]float64
	for _, m := range starts {
		points = append(points, []float64{m.R, m.Alpha, m.A, m.B})
	}
	best, err := fitLogParams(h.bgnbdObjective, append(usable(points),
		[]float64{1, 1 / rate, 1, 3},
		[]float64{0.25, 0.25 / rate, 0.5, 5},
		[]float64{1, 1, 1, 1},
	))
	m := BGNBD{R: math.Exp(best.x[0]), Alpha: math.Exp(best.x[1]), A: math.Exp(best.x[2]), B: math.Exp(best.x[3])}
	m.LL = -best.f * h.weight
	return m, err
}

// usable keeps the starting points whose parameters are all positive and
// finite.
func usable(points [][]float64) [][]float64 {
	var out [][]float64
	for _, p := range points {
		if !slices.ContainsFunc(p, func(v float64) bool { return !(v > 0) || math.IsInf(v, 1) }) {
			out = append(out, p)
		}
	}
	return out
}

// fitLogParams runs BFGS from each start (given as parameters, not logs)
// until one converges, then once more from the best point with a fresh
// Hessian approximation to confirm it.
func fitLogParams(f objective, starts [][]float64) (optimum, error) {
	best := optimum{f: math.Inf(1)}
	for _, start := range starts {
		x0 := make([]float64, len(start))
		for i, v := range start {
			x0[i] = math.Log(v)
		}
		opt := minimizeBFGS(f, x0, gradTolerance, 500)
		if opt.f < best.f || math.IsInf(best.f, 1) {
			best = opt
		}
		if best.converged {
			break
		}
	}
	if isFinite(best.f) {
		if polished := minimizeBFGS(f, best.x, gradTolerance, 500); polished.f <= best.f {
			best = polished
		}
	}
	if !isFinite(best.f) {
		return best, fmt.Errorf("clv: the log-likelihood is not finite at any start")
	}
	if !best.converged {
		return best, fmt.Errorf("%w (largest gradient component %.3g after %d iterations)", ErrNotConverged, best.gradNorm, best.iterations)
	}
	return best, nil
}

// LogLikelihood is the BG/NBD log-likelihood of the customers' histories
// under m, the quantity FitBGNBD maximises (eq. 6 of the paper, summed).
func (m BGNBD) LogLikelihood(cs []Customer) (float64, error) {
	h, err := aggregate(cs)
	if err != nil {
		return math.NaN(), err
	}
	logp := []float64{math.Log(m.R), math.Log(m.Alpha), math.Log(m.A), math.Log(m.B)}
	return -h.bgnbdObjective(logp, nil) * h.weight, nil
}

// bgnbdObjective is the negative mean log-likelihood at log-parameters
// logp = (ln r, ln α, ln a, ln b), with its gradient written into grad when
// grad is not nil. Per customer (paper eq. 6, in logs):
//
//	ℓ = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
//	    + ln( (α+T)^−(r+x) + [x>0] a/(b+x−1) (α+t_x)^−(r+x) )
//
// The last logarithm is a log-sum-exp of A3 = −(r+x) ln(α+T) and
// A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x), taken around the larger one so
// neither exponential under- or overflows for large x or T.
func (h *histories) bgnbdObjective(logp, grad []float64) float64 {
	if !inBox(logp) {
		return math.Inf(1)
	}
	r, alpha, a, b := math.Exp(logp[0]), math.Exp(logp[1]), math.Exp(logp[2]), math.Exp(logp[3])
	lnAlpha := math.Log(alpha)

	// Everything that depends on x alone.
	nx := len(h.xs)
	base := make([]float64, nx)
	lnB1 := make([]float64, nx) // ln(b+x−1), x > 0
	var dBaseR, dBaseA, dBaseB []float64
	if grad != nil {
		dBaseR, dBaseA, dBaseB = make([]float64, nx), make([]float64, nx), make([]float64, nx)
	}
	lgR, lgB, lgAB := lgamma(r), lgamma(b), lgamma(a+b)
	psiR, psiB, psiAB := digamma(r), digamma(b), digamma(a+b)
	for i, x := range h.xs {
		base[i] = lgamma(r+x) - lgR + r*lnAlpha + lgAB + lgamma(b+x) - lgB - lgamma(a+b+x)
		if x > 0 {
			lnB1[i] = math.Log(b + x - 1)
		}
		if grad != nil {
			psiABX := digamma(a + b + x)
			dBaseR[i] = digamma(r+x) - psiR + lnAlpha
			dBaseA[i] = psiAB - psiABX
			dBaseB[i] = psiAB + digamma(b+x) - psiB - psiABX
		}
	}
	// ln(α+T) and ln(α+t_x), once per distinct value.
	lnT, invT := logShift(alpha, h.ts)
	lnTx, invTx := logShift(alpha, h.txs)

	t := bgnbdTerms{r: r, lnA: math.Log(a), invA: 1 / a, b: b, xs: h.xs, base: base, lnB1: lnB1,
		lnT: lnT, invT: invT, lnTx: lnTx, invTx: invTx, grad: grad != nil}
	if grad != nil {
		t.dBaseR, t.dBaseA, t.dBaseB = dBaseR, dBaseA, dBaseB
	}
	sum := sumRows(h.rows, t.sum)
	ll, gr, ga, gb := sum.ll, sum.r, sum.a, sum.b
	gAlpha := r/alpha*h.weight - sum.alpha
	if grad != nil {
		// Chain rule to log-parameters, sign and scale of the objective.
		grad[0] = -gr * r / h.weight
		grad[1] = -gAlpha * alpha / h.weight
		grad[2] = -ga * a / h.weight
		grad[3] = -gb * b / h.weight
	}
	return -ll / h.weight
}

// bgnbdTerms is what the per-history terms of the BG/NBD log-likelihood
// need at one point: the parameters and everything precomputed per
// distinct x, T and t_x.
type bgnbdTerms struct {
	r, lnA, invA, b        float64
	xs, base, lnB1         []float64
	dBaseR, dBaseA, dBaseB []float64
	lnT, invT, lnTx, invTx []float64
	grad                   bool
}

// sum adds up the log-likelihood of rows and, when t.grad, its partial
// derivatives (alpha holds Σ w (r+x) ∂ ln(α+·) only: the r/α part is
// added once by the caller).
func (t *bgnbdTerms) sum(rows []historyRow) rowSums {
	var s rowSums
	for _, row := range rows {
		x := t.xs[row.x]
		rx := t.r + x
		a3 := -rx * t.lnT[row.t]
		lse, w := a3, 0.0 // w: share of the A4 term in the sum
		if x > 0 {
			a4 := t.lnA - t.lnB1[row.x] - rx*t.lnTx[row.tx]
			if a4 > a3 {
				e := math.Exp(a3 - a4)
				lse, w = a4+math.Log1p(e), 1/(1+e)
			} else {
				e := math.Exp(a4 - a3)
				lse, w = a3+math.Log1p(e), e/(1+e)
			}
		}
		s.ll += row.weight * (t.base[row.x] + lse)
		if !t.grad {
			continue
		}
		s.r += row.weight * (t.dBaseR[row.x] - (1-w)*t.lnT[row.t] - w*t.lnTx[row.tx])
		s.alpha += row.weight * rx * ((1-w)*t.invT[row.t] + w*t.invTx[row.tx])
		s.a += row.weight * (t.dBaseA[row.x] + w*t.invA)
		if x > 0 {
			s.b += row.weight * (t.dBaseB[row.x] - w/(t.b+x-1))
		} else {
			s.b += row.weight * t.dBaseB[row.x]
		}
	}
	return s
}

// logShift returns ln(α+v) and 1/(α+v) for each v.
func logShift(alpha float64, vs []float64) (logs, invs []float64) {
	logs, invs = make([]float64, len(vs)), make([]float64, len(vs))
	for i, v := range vs {
		logs[i] = math.Log(alpha + v)
		invs[i] = 1 / (alpha + v)
	}
	return logs, invs
}

// PAlive is the probability that the customer is still alive at the end of
// the observation period (paper eq. 11):
//
//	P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x))
//
// computed as a logistic function of the log-odds so that it neither
// overflows nor loses precision for large x. It is NaN for an invalid
// history.
func (m BGNBD) PAlive(c Customer) float64 {
	if c.Validate() != nil {
		return math.NaN()
	}
	if c.X == 0 {
		return 1
	}
	logOdds := math.Log(m.A) - math.Log(m.B+c.X-1) + (m.R+c.X)*math.Log1p((c.T-c.Tx)/(m.Alpha+c.Tx))
	return 1 / (1 + math.Exp(logOdds))
}

// ExpectedPurchases is the expected number of purchases in the next t time
// units by a customer with history c (paper eq. 10):
//
//	E[Y(t) | x, t_x, T] = P(alive) · (a+b+x−1)/(a−1)
//	    · [1 − (1−z)^(r+x) 2F1(r+x, b+x; a+b+x−1; z)],  z = t/(α+T+t).
//
// The zero Customer gives the expectation for a new customer, E[X(t)]
// (paper eq. 7). It is NaN for an invalid history, a negative t, or a
// horizon so long (z within ~1e-5 of 1) that the series does not converge.
//
// The series for 2F1 as printed has terms that grow like ((r+x) z)^n/n!
// before they shrink, so for large x it overflows and the bracket cancels.
// Euler's transformation, (1−z)^(r+x) 2F1(r+x, b+x; a+b+x−1; z) =
// (1−z)^(a−1) 2F1(a+b−1−r, a−1; a+b+x−1; z), gives parameters that do not
// grow with x, and splitting off its first term removes the 0/0 at a = 1:
//
//	E = P(alive) · [ (a+b+x−1) (1 − (1−z)^(a−1))/(a−1)
//	                 − (1−z)^(a−1) (a+b−1−r) z 3F2(a+b−r, a, 1; a+b+x, 2; z) ]
//
// That form is used unless its terms alternate and grow (r much larger than
// a+b+x: almost no heterogeneity in purchase rates) or grow much faster than
// the printed form's (a huge a), in which case the printed form is summed
// instead. Either way large terms are combined with their tiny prefactors
// in logarithms.
func (m BGNBD) ExpectedPurchases(t float64, c Customer) float64 {
	e := m.ExpectedPurchasesIfAlive(t, c)
	if math.IsNaN(e) {
		return e
	}
	// The result is ≥ 0 in exact arithmetic; clamp rounding noise.
	return math.Max(0, m.PAlive(c)*e)
}

// ExpectedPurchasesIfAlive is E[Y(t) | x, t_x, T] / P(alive): the bracket
// of ExpectedPurchases, without the clamp. It depends on c.X and c.T only
// (t_x enters through P(alive)), so customers who differ only in t_x can
// share it. NaN where ExpectedPurchases is.
func (m BGNBD) ExpectedPurchasesIfAlive(t float64, c Customer) float64 {
	if c.Validate() != nil || !(t >= 0) || math.IsInf(t, 1) {
		return math.NaN()
	}
	if t == 0 {
		return 0
	}
	a, b, x := m.A, m.B, c.X
	z := t / (m.Alpha + c.T + t)
	lnOneMinusZ := -math.Log1p(t / (m.Alpha + c.T))
	// Initial term ratios over z of the two series.
	growthEuler := math.Abs(a+b-m.R) * a / (a + b + x)
	growthPrinted := (m.R + x) * (b + x) / math.Abs(a+b+x-1)
	// When a+b−r < 0 the transformed terms alternate in sign; once they can
	// grow by more than a factor ~4 per step, cancellation costs digits.
	alternates := m.R-a-b > 4*(a+b+x)
	if a+b+x-1 != 0 && (alternates || growthPrinted < growthEuler) {
		return m.expectedIfAlivePrinted(z, lnOneMinusZ, x)
	}
	return m.expectedIfAliveEuler(z, lnOneMinusZ, x)
}

// expectedIfAliveEuler is E[Y(t)]/P(alive) by the transformed series.
func (m BGNBD) expectedIfAliveEuler(z, lnOneMinusZ, x float64) float64 {
	r, a, b := m.R, m.A, m.B
	growth := -lnOneMinusZ // (1 − (1−z)^(a−1))/(a−1) at a = 1
	if a != 1 {
		growth = -math.Expm1((a-1)*lnOneMinusZ) / (a - 1)
	}
	tail := 0.0
	if ap := a + b - 1 - r; ap != 0 {
		f, logScale, err := scaledHypergeometric([]float64{ap + 1, a, 1}, []float64{a + b + x, 2}, z)
		if err != nil {
			return math.NaN()
		}
		tail = math.Copysign(math.Exp((a-1)*lnOneMinusZ+math.Log(math.Abs(ap*z*f))+logScale), ap*f)
	}
	return (a+b+x-1)*growth - tail
}

// expectedIfAlivePrinted is E[Y(t)]/P(alive) by the series as printed. It
// needs a+b+x−1 ≠ 0 (a pole of 2F1). At a = 1 its bracket is 0/0 and near
// it cancels, so within 1e-5 of 1 it interpolates linearly between
// a = 1 ± 1e-5 (error ~1e-10).
func (m BGNBD) expectedIfAlivePrinted(z, lnOneMinusZ, x float64) float64 {
	const near = 1e-5
	if d := m.A - 1; math.Abs(d) < near {
		lo := m.printedSeries(1-near, z, lnOneMinusZ, x)
		hi := m.printedSeries(1+near, z, lnOneMinusZ, x)
		return lo + (d+near)/(2*near)*(hi-lo)
	}
	return m.printedSeries(m.A, z, lnOneMinusZ, x)
}

func (m BGNBD) printedSeries(a, z, lnOneMinusZ, x float64) float64 {
	r, b := m.R, m.B
	f, logScale, err := scaledHypergeometric([]float64{r + x, b + x}, []float64{a + b + x - 1}, z)
	if err != nil {
		return math.NaN()
	}
	// f < 0 is possible when a+b+x−1 < 0 (x = 0, a+b < 1).
	rest := math.Copysign(math.Exp((r+x)*lnOneMinusZ+math.Log(math.Abs(f))+logScale), f)
	return (a + b + x - 1) / (a - 1) * (1 - rest)
}

// ProbPurchases is the probability that a new customer makes exactly n
// repeat purchases in a period of length t after the first (paper eq. 8):
//
//	P(X(t)=n) = B(a, b+n)/B(a, b) · NB(n)
//	          + [n>0] B(a+1, b+n−1)/B(a, b) · (1 − Σ_{j<n} NB(j)),
//	NB(j) = Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j.
//
// It is NaN for n < 0 or t < 0.
func (m BGNBD) ProbPurchases(t float64, n int) float64 {
	if n < 0 || !(t >= 0) || math.IsInf(t, 1) {
		return math.NaN()
	}
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	lnBuy := math.Log(t / (alpha + t))
	// Products rather than differences of ln Γ, which lose digits when a
	// parameter is large: ln NB(j) by its recurrence, and
	// ln B(a, b+j)/B(a, b) = Σ_{k<j} ln((b+k)/(a+b+k)).
	logNB := r * math.Log(alpha/(alpha+t))
	var logBetaRatio, cdf, logBetaRatioBefore float64
	for j := 0; j < n; j++ {
		cdf += math.Exp(logNB)
		logNB += math.Log(r+float64(j)) - math.Log(float64(j)+1) + lnBuy
		logBetaRatioBefore = logBetaRatio
		logBetaRatio += math.Log(b+float64(j)) - math.Log(a+b+float64(j))
	}
	p := math.Exp(logBetaRatio + logNB)
	if n > 0 {
		// B(a+1, b+n−1)/B(a, b) = a/(a+b+n−1) · B(a, b+n−1)/B(a, b)
		stay := math.Exp(math.Log(a) - math.Log(a+b+float64(n)-1) + logBetaRatioBefore)
		p += stay * math.Max(0, 1-cdf)
	}
	return math.Min(1, p)
}

// ProbNoPurchase is the probability that a new customer makes no repeat
// purchase within t of the first: ProbPurchases(t, 0) = (α/(α+t))^r.
func (m BGNBD) ProbNoPurchase(t float64) float64 {
	return m.ProbPurchases(t, 0)
}

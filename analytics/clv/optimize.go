package clv

import "math"

// objective returns the value to minimise at x and writes its gradient into
// grad. It returns +Inf (or NaN) where x is not acceptable; the line search
// then steps back.
type objective func(x, grad []float64) float64

type optimum struct {
	x          []float64
	f          float64
	gradNorm   float64 // largest absolute gradient component at x
	iterations int
	converged  bool
}

const (
	// maxLogStep caps how far one line search may move any log-parameter:
	// a factor e^2 per iteration keeps the first steps from a poor start
	// out of regions where the likelihood underflows.
	maxLogStep = 2.0
	// stallGradTolerance is the gradient size below which a search that can
	// no longer decrease the objective is taken as converged: near the
	// optimum of a flat likelihood the possible decrease g·H⁻¹·g is below the
	// rounding error of the objective itself, so gtol may be out of reach.
	stallGradTolerance = 1e-6
	// stallIterations is how many iterations in a row without a decrease
	// above rounding level count as a stall.
	stallIterations = 3
	// logParamBound keeps log-parameters in a box; beyond e^±30 a model is
	// degenerate (a parameter has gone to 0 or ∞) and the objective is +Inf.
	logParamBound = 30.0
)

// minimizeBFGS minimises f from x0 with the BFGS quasi-Newton method (inverse
// Hessian update, Nocedal & Wright, Numerical Optimization, §6.1) and a
// backtracking Armijo line search. The update is skipped when the curvature
// condition yᵀs > 0 fails, and the inverse Hessian is reset to the identity
// when the search direction stops being a descent direction or the line
// search stalls, so a bad approximation cannot stop the progress. It
// converges when every gradient component is at most gtol, or when the
// objective has stopped decreasing above its rounding error while every
// gradient component is at most stallGradTolerance.
func minimizeBFGS(f objective, x0 []float64, gtol float64, maxIter int) optimum {
	n := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	fx := f(x, g)
	h := identity(n)
	fresh := true // h is the identity: a stalled search cannot be blamed on it

	xNew := make([]float64, n)
	gNew := make([]float64, n)
	dir := make([]float64, n)
	s := make([]float64, n)
	y := make([]float64, n)
	hy := make([]float64, n)

	res := optimum{x: x, f: fx, gradNorm: maxAbs(g)}
	if !isFinite(fx) {
		return res
	}
	stalled, flat := false, 0
	for iter := 1; iter <= maxIter; iter++ {
		res.iterations = iter
		if maxAbs(g) <= gtol {
			break
		}
		slope := 0.0
		for i := range dir {
			dir[i] = 0
			for j := range g {
				dir[i] -= h[i][j] * g[j]
			}
			slope += dir[i] * g[i]
		}
		if !(slope < 0) {
			h, fresh = identity(n), true
			for i := range dir {
				dir[i] = -g[i]
			}
			slope = -dot(g, g)
		}
		step := math.Min(1, maxLogStep/maxAbs(dir))
		fNew := math.Inf(1)
		for tries := 0; tries < 60; tries++ {
			for i := range x {
				xNew[i] = x[i] + step*dir[i]
			}
			fNew = f(xNew, gNew)
			if isFinite(fNew) && fNew <= fx+1e-4*step*slope {
				break
			}
			// Quadratic interpolation of the step, kept within [0.1, 0.5]
			// of the last one; a non-finite value just halves it.
			next := 0.5 * step
			if isFinite(fNew) {
				q := -slope * step * step / (2 * (fNew - fx - slope*step))
				next = math.Min(math.Max(q, 0.1*step), 0.5*step)
			}
			step = next
			fNew = math.Inf(1)
		}
		if !isFinite(fNew) || fNew > fx {
			if fresh {
				stalled = true // even steepest descent cannot improve
				break
			}
			h, fresh = identity(n), true
			continue
		}
		if fx-fNew <= 1e-14*math.Abs(fx) && maxAbs(gNew) <= stallGradTolerance {
			if flat++; flat >= stallIterations {
				stalled = true
			}
		} else {
			flat = 0
		}
		for i := range x {
			s[i] = xNew[i] - x[i]
			y[i] = gNew[i] - g[i]
		}
		copy(x, xNew)
		copy(g, gNew)
		fx = fNew
		ys := dot(y, s)
		if ys > 1e-12*math.Sqrt(dot(y, y)*dot(s, s)) {
			if fresh {
				// Scale the first approximation to the observed curvature
				// (Nocedal & Wright eq. 6.20) before updating it.
				scale := ys / dot(y, y)
				for i := range h {
					h[i][i] = scale
				}
			}
			bfgsUpdate(h, s, y, hy, ys)
			fresh = false
		}
		if stalled {
			break
		}
	}
	res.x, res.f, res.gradNorm = x, fx, maxAbs(g)
	res.converged = res.gradNorm <= gtol || (stalled && res.gradNorm <= stallGradTolerance)
	return res
}

// bfgsUpdate applies H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, ρ = 1/yᵀs.
func bfgsUpdate(h [][]float64, s, y, hy []float64, ys float64) {
	rho := 1 / ys
	for i := range hy {
		hy[i] = 0
		for j := range y {
			hy[i] += h[i][j] * y[j]
		}
	}
	yhy := dot(y, hy)
	for i := range h {
		for j := range h[i] {
			h[i][j] += -rho*(hy[i]*s[j]+s[i]*hy[j]) + (rho*rho*yhy+rho)*s[i]*s[j]
		}
	}
}

func identity(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
		m[i][i] = 1
	}
	return m
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		if a := math.Abs(x); a > m || math.IsNaN(x) {
			m = a
		}
	}
	return m
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func inBox(logParams []float64) bool {
	for _, v := range logParams {
		if !(math.Abs(v) <= logParamBound) {
			return false
		}
	}
	return true
}

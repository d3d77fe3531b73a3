package clv

import "math"

// CLV is the customer's expected discounted spend over the next periods
// periods of periodLen time units each (e.g. 12 months of 4.345 weeks with a
// model fitted in weeks), at discount rate discount per period:
//
//	CLV = Σ_{i=1..periods} E[M] · (E[Y(i·L)] − E[Y((i−1)·L)]) / (1+discount)^i
//
// E[Y(t)] is m.ExpectedPurchases and E[M] is g.ExpectedSpend, so the result
// is in the money unit of the Gamma-Gamma fit. Each period's expected
// purchases are discounted at the end of that period, as in the lifetimes
// library's customer_lifetime_value. It is NaN for an invalid customer,
// negative periods or periodLen, or discount ≤ −1.
func CLV(m BGNBD, g GammaGamma, c Customer, periods int, periodLen, discount float64) float64 {
	if periods < 0 || !(periodLen >= 0) || !(discount > -1) || math.IsInf(periodLen, 1) || math.IsInf(discount, 1) {
		return math.NaN()
	}
	spend := g.ExpectedSpend(c)
	if math.IsNaN(spend) {
		return math.NaN()
	}
	var value, before float64
	for i := 1; i <= periods; i++ {
		upTo := m.ExpectedPurchases(float64(i)*periodLen, c)
		value += spend * (upTo - before) / math.Pow(1+discount, float64(i))
		before = upTo
	}
	return value
}

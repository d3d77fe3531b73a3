package clv

import (
	"math"
	"testing"
)

func TestCLVWithoutDiscountIsSpendTimesPurchases(t *testing.T) {
	c := Customer{X: 2, Tx: 30.43, T: 38.86, Monetary: 22.35}
	spend := cdnowSpend.ExpectedSpend(c)
	// With no discount the per-period differences telescope.
	want := spend * cdnowFit.ExpectedPurchases(52, c)
	if got := CLV(cdnowFit, cdnowSpend, c, 12, 52.0/12, 0); !withinRel(got, want, 1e-12) {
		t.Errorf("CLV = %v, want E[M]·E[Y(52)] = %v", got, want)
	}
}

func TestCLVDiscountsEachPeriod(t *testing.T) {
	c := Customer{X: 5, Tx: 30, T: 38, Monetary: 40}
	spend := cdnowSpend.ExpectedSpend(c)
	var want, before float64
	for i := 1; i <= 3; i++ {
		upTo := cdnowFit.ExpectedPurchases(float64(i)*4.345, c)
		want += spend * (upTo - before) / math.Pow(1.01, float64(i))
		before = upTo
	}
	if got := CLV(cdnowFit, cdnowSpend, c, 3, 4.345, 0.01); !withinRel(got, want, 1e-12) {
		t.Errorf("CLV = %v, want %v", got, want)
	}
	prev := math.Inf(1)
	for _, d := range []float64{0, 0.01, 0.1, 1} {
		got := CLV(cdnowFit, cdnowSpend, c, 24, 4.345, d)
		if !(got < prev && got > 0) {
			t.Errorf("discount %v: CLV %v, not below %v", d, got, prev)
		}
		prev = got
	}
}

func TestCLVEdges(t *testing.T) {
	c := Customer{X: 2, Tx: 30.43, T: 38.86, Monetary: 22.35}
	if got := CLV(cdnowFit, cdnowSpend, c, 0, 4.345, 0.01); got != 0 {
		t.Errorf("no periods: %v, want 0", got)
	}
	if got := CLV(cdnowFit, cdnowSpend, Customer{T: 10}, 12, 4.345, 0.01); !(got > 0) {
		t.Errorf("customer without repeat purchases: %v, want > 0 (population mean spend)", got)
	}
	for _, tc := range []struct {
		name      string
		c         Customer
		periods   int
		periodLen float64
		discount  float64
	}{
		{"negative periods", c, -1, 4, 0.01},
		{"negative period length", c, 12, -4, 0.01},
		{"NaN period length", c, 12, math.NaN(), 0.01},
		{"discount -100%", c, 12, 4, -1},
		{"invalid customer", Customer{X: 1, Tx: 5, T: 4, Monetary: 1}, 12, 4, 0.01},
		{"repeat customer without spend", Customer{X: 1, Tx: 3, T: 4}, 12, 4, 0.01},
	} {
		if got := CLV(cdnowFit, cdnowSpend, tc.c, tc.periods, tc.periodLen, tc.discount); !math.IsNaN(got) {
			t.Errorf("%s: %v, want NaN", tc.name, got)
		}
	}
}

// BenchmarkCLV12Months is one customer's 12-month CLV from a weekly model:
// twelve conditional expectations, each a hypergeometric series.
func BenchmarkCLV12Months(b *testing.B) {
	c := Customer{X: 2, Tx: 30.43, T: 38.86, Monetary: 22.35}
	for b.Loop() {
		CLV(cdnowFit, cdnowSpend, c, 12, 52.0/12, 0.01)
	}
}

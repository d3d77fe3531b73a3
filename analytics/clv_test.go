package analytics

import (
	"math"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/clv"
	"siyu.dev/siyu/analytics/rfm"
)

// The per-history shortcut must give what clv.CLV gives customer by customer.
func TestCLVShortcutEqualsCLV(t *testing.T) {
	var sums []rfm.Summary
	for i := range 400 {
		first := rfm.Day(20000 + i%97)
		s := rfm.Summary{Customer: int64(i + 1), First: first, Last: first}
		s.Purchases = append(s.Purchases, rfm.Purchase{Day: first, Net: 10000})
		for k := 1; k <= i%5; k++ {
			d := first + rfm.Day(k*(7+i%11))
			s.Purchases = append(s.Purchases, rfm.Purchase{Day: d, Net: siyu.Fen(5000 + 137*(i*k%300))})
			s.Last = d
		}
		s.Orders = len(s.Purchases)
		sums = append(sums, s)
	}
	asOf := rfm.Day(20400)
	got, each, err := computeCLV(sums, asOf)
	if err != nil || got == nil || got.GammaGamma == nil {
		t.Fatalf("%+v %v", got, err)
	}
	var want float64
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for i, s := range sums {
		c := clvCustomer(s, asOf)
		v := clv.CLV(got.BGNBD, *got.GammaGamma, c, CLVMonths, weeksPerMonth, CLVDiscount)
		want += v
		e := each[i]
		if !close(e.exact, v) || !close(e.alive, got.BGNBD.PAlive(c)) || !close(e.purchases, got.BGNBD.ExpectedPurchases(PurchaseHorizonDays/7.0, c)) {
			t.Fatalf("customer %d: shortcut %+v, direct CLV %v P(alive) %v purchases %v", s.Customer, e, v,
				got.BGNBD.PAlive(c), got.BGNBD.ExpectedPurchases(PurchaseHorizonDays/7.0, c))
		}
	}
	if d := math.Abs(float64(got.TotalCLV)/100 - want); d > 0.01 {
		t.Fatalf("total CLV %.2f, customer by customer %.2f", float64(got.TotalCLV)/100, want)
	}
}

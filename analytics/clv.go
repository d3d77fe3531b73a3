package analytics

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/clv"
	"siyu.dev/siyu/analytics/rfm"
)

// CLV settings: the models are fitted in weeks; value is projected over
// CLVMonths months at CLVDiscount per month; expected purchases are over
// the next PurchaseHorizonDays.
const (
	CLVMonths           = 12
	CLVDiscount         = 0.01
	PurchaseHorizonDays = 90
	weeksPerMonth       = 365.25 / 12 / 7
)

// CLVSummary is the fitted customer-lifetime-value model of a workspace and
// what it predicts.
type CLVSummary struct {
	BGNBD      clv.BGNBD       `json:"bgnbd"`
	GammaGamma *clv.GammaGamma `json:"gamma_gamma,omitempty"` // nil when too few repeat buyers to fit
	Customers  int             `json:"customers"`
	Repeaters  int             `json:"repeaters"`
	Converged  bool            `json:"converged"`
	// Expected purchases by everyone over the next PurchaseHorizonDays, and
	// how many customers are probably still alive (P(alive) ≥ 0.5).
	ExpectedPurchases float64 `json:"expected_purchases"`
	ProbablyAlive     int     `json:"probably_alive"`
	// TotalCLV and MeanCLV are over CLVMonths, discounted.
	TotalCLV  siyu.Fen    `json:"total_clv_fen"`
	MeanCLV   siyu.Fen    `json:"mean_clv_fen"`
	Histogram []CLVBucket `json:"histogram"`
}

// CLVBucket counts customers whose CLV falls in [From, To) yuan.
type CLVBucket struct {
	Label     string `json:"label"`
	From      int    `json:"from_yuan"`
	To        int    `json:"to_yuan,omitempty"` // 0: open
	Customers int    `json:"customers"`
}

var clvBounds = []int{0, 50, 100, 200, 500, 1000, 2000, 5000}

// computeCLV summarises each buyer the way the BG/NBD and Gamma-Gamma
// papers do (purchases counted by distinct day, weeks as the unit, repeat
// spend only), fits both models and predicts every buyer's value. Buyers
// with the same history share one prediction, so the work grows with the
// number of distinct histories, not of customers.
func computeCLV(sums []rfm.Summary, asOf rfm.Day) (*CLVSummary, []customerCLV, error) {
	if len(sums) == 0 {
		return nil, nil, nil
	}
	cs := make([]clv.Customer, len(sums))
	repeaters := 0
	for i, s := range sums {
		cs[i] = clvCustomer(s, asOf)
		if cs[i].X > 0 {
			repeaters++
		}
	}
	out := &CLVSummary{Customers: len(cs), Repeaters: repeaters, Converged: true}
	if repeaters == 0 {
		return nil, nil, nil // nothing to fit: nobody came back yet
	}
	m, err := clv.FitBGNBD(cs)
	if errors.Is(err, clv.ErrNotConverged) {
		out.Converged = false
	} else if err != nil {
		return nil, nil, fmt.Errorf("bg/nbd: %w", err)
	}
	out.BGNBD = m
	var spenders []clv.Customer
	for _, c := range cs {
		if c.X > 0 && c.Monetary > 0 {
			spenders = append(spenders, c)
		}
	}
	if len(spenders) >= 20 {
		g, err := clv.FitGammaGamma(spenders)
		if err == nil || errors.Is(err, clv.ErrNotConverged) {
			if err != nil {
				out.Converged = false
			}
			out.GammaGamma = &g
		}
	}

	for i := range clvBounds {
		b := CLVBucket{From: clvBounds[i]}
		if i+1 < len(clvBounds) {
			b.To = clvBounds[i+1]
			b.Label = fmt.Sprintf("¥%d–%d", b.From, b.To)
		} else {
			b.Label = fmt.Sprintf("¥%d+", b.From)
		}
		out.Histogram = append(out.Histogram, b)
	}
	// Purchases, P(alive) and the discounted purchase curve depend only on
	// the history (x, t_x, T); the spend only scales the value. So the
	// expensive part is computed once per distinct history, on every core,
	// and CLV = E[spend] · Σ_i (E[Y(i·L)] − E[Y((i−1)·L)]) / (1+d)^i is
	// assembled per customer (the same sum as clv.CLV).
	type history struct{ x, tx, t float64 }
	type prediction struct {
		purchases, alive, discounted float64
	}
	index := map[history]int{}
	var keys []clv.Customer
	of := make([]int, len(cs))
	for i, c := range cs {
		h := history{c.X, c.Tx, c.T}
		k, ok := index[h]
		if !ok {
			k = len(keys)
			index[h] = k
			keys = append(keys, clv.Customer{X: c.X, Tx: c.Tx, T: c.T})
		}
		of[i] = k
	}
	preds := make([]prediction, len(keys))
	workers := max(runtime.GOMAXPROCS(0), 1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(keys); k += workers {
				c := keys[k]
				p := prediction{purchases: m.ExpectedPurchases(PurchaseHorizonDays/7.0, c), alive: m.PAlive(c)}
				var before float64
				for i := 1; i <= CLVMonths; i++ {
					upTo := m.ExpectedPurchases(float64(i)*weeksPerMonth, c)
					p.discounted += (upTo - before) / math.Pow(1+CLVDiscount, float64(i))
					before = upTo
				}
				preds[k] = p
			}
		}()
	}
	wg.Wait()
	var total float64
	each := make([]customerCLV, len(cs))
	for i, k := range of {
		p := preds[k]
		each[i] = customerCLV{alive: p.alive, purchases: p.purchases}
		if !math.IsNaN(p.purchases) {
			out.ExpectedPurchases += p.purchases
		}
		if p.alive >= 0.5 {
			out.ProbablyAlive++
		}
		if out.GammaGamma == nil {
			continue
		}
		value := out.GammaGamma.ExpectedSpend(cs[i]) * p.discounted
		if math.IsNaN(value) {
			continue
		}
		each[i].value, each[i].valued = siyu.Fen(math.Round(value*100)), true
		total += value
		b, _ := slices.BinarySearch(clvBounds, int(value)+1)
		out.Histogram[max(b-1, 0)].Customers++
	}
	out.TotalCLV = siyu.Fen(math.Round(total * 100))
	out.MeanCLV = out.TotalCLV / siyu.Fen(len(cs))
	return out, each, nil
}

// customerCLV is one buyer's predictions: P(alive), expected purchases
// over PurchaseHorizonDays and, when Gamma-Gamma was fitted, CLV.
type customerCLV struct {
	alive, purchases float64
	value            siyu.Fen
	valued           bool
}

// clvCustomer turns one buyer's orders into the models' history, in weeks
// and yuan: purchases on one day count as one transaction.
func clvCustomer(s rfm.Summary, asOf rfm.Day) clv.Customer {
	days := 0
	var repeatSpend siyu.Fen
	var last rfm.Day = -1
	for _, p := range s.Purchases {
		if p.Day != last {
			days++
			last = p.Day
		}
		if p.Day != s.First {
			repeatSpend += p.Net
		}
	}
	c := clv.Customer{X: float64(days - 1), T: float64(asOf-s.First) / 7}
	if days > 1 {
		c.Tx = float64(s.Last-s.First) / 7
		c.Monetary = float64(repeatSpend) / 100 / float64(days-1)
	}
	if c.T < c.Tx {
		c.T = c.Tx
	}
	return c
}

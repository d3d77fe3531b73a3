package analytics

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

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
// spend only), fits both models and predicts every buyer's value.
func computeCLV(sums []rfm.Summary, asOf rfm.Day) (*CLVSummary, []customerCLV, error) {
	f, err := fitCLV(sums, asOf, nil)
	if err != nil || f == nil {
		return nil, nil, err
	}
	each := make([]customerCLV, len(f.cs))
	f.predict(each, nil)
	return f.summary, each, nil
}

// clvFit is a workspace's fitted CLV models and the buyers' histories,
// ready to predict.
type clvFit struct {
	summary *CLVSummary // the parameters; predict adds the totals
	cs      []clv.Customer
}

// fitCLV fits BG/NBD and, with enough repeat buyers, Gamma-Gamma, starting
// the search from the previous fit when there is one. It returns nil when
// nobody has come back yet: there is nothing to fit.
func fitCLV(sums []rfm.Summary, asOf rfm.Day, prev *CLVSummary) (*clvFit, error) {
	if len(sums) == 0 {
		return nil, nil
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
		return nil, nil
	}
	var fromBG []clv.BGNBD
	var fromGG []clv.GammaGamma
	if prev != nil {
		fromBG = append(fromBG, prev.BGNBD)
		if prev.GammaGamma != nil {
			fromGG = append(fromGG, *prev.GammaGamma)
		}
	}
	m, err := clv.FitBGNBD(cs, fromBG...)
	if errors.Is(err, clv.ErrNotConverged) {
		out.Converged = false
	} else if err != nil {
		return nil, fmt.Errorf("bg/nbd: %w", err)
	}
	out.BGNBD = m
	spenders := make([]clv.Customer, 0, repeaters)
	for _, c := range cs {
		if c.X > 0 && c.Monetary > 0 {
			spenders = append(spenders, c)
		}
	}
	if len(spenders) >= 20 {
		g, err := clv.FitGammaGamma(spenders, fromGG...)
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
	return &clvFit{summary: out, cs: cs}, nil
}

// predictChunk is the unit of work of predict, and of its reports.
const predictChunk = 4096

// history is what a BG/NBD prediction depends on besides P(alive): the
// repeat purchases x and the age T (t_x only enters through P(alive)).
type history struct{ x, t float64 }

// curve is one history's expected purchases if alive: over the purchase
// horizon (index 0) and up to the end of each of the next CLVMonths.
type curve [CLVMonths + 1]float64

// predictionMemo shares the curves of the histories seen so far between
// the workers: buyers with the same x and T share one.
type predictionMemo struct {
	mu sync.Mutex
	m  map[history]*curve
}

func (pm *predictionMemo) get(h history) *curve {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	return pm.m[h]
}

func (pm *predictionMemo) put(h history, c *curve) {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	pm.m[h] = c
}

// discounts[i] is (1+d)^i.
var discounts = func() (d [CLVMonths + 1]float64) {
	for i := range d {
		d[i] = math.Pow(1+CLVDiscount, float64(i))
	}
	return d
}()

// predict fills each (one entry per buyer, in the order of the summaries)
// on every core, a chunk of buyers at a time, and then the summary's
// totals and histogram in buyer order. Purchases, P(alive) and the
// discounted purchase curve depend only on the history (x, t_x, T), and
// the spend only scales the value, so the expensive part is computed once
// per distinct history and CLV = E[spend] · Σ_i (E[Y(i·L)] − E[Y((i−1)·L)])
// / (1+d)^i is assembled per buyer (the same sum as clv.CLV). When ready
// is not nil, predict sends on it how many buyers from the start are done
// whenever that grows, and closes it at the end, so that a consumer (the
// scores writer) can run alongside; ready must have room for
// len(each)/predictChunk+2 reports.
func (f *clvFit) predict(each []customerCLV, ready chan<- int) {
	memo := &predictionMemo{m: map[history]*curve{}}
	chunks := (len(f.cs) + predictChunk - 1) / predictChunk
	done := make(chan int, chunks)
	var next atomic.Int64
	for range max(runtime.GOMAXPROCS(0), 1) {
		go func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				f.predictRange(each, c*predictChunk, min((c+1)*predictChunk, len(f.cs)), memo)
				done <- c
			}
		}()
	}
	finished := make([]bool, chunks)
	prefix := 0
	for range chunks {
		finished[<-done] = true
		grew := false
		for prefix < chunks && finished[prefix] {
			prefix++
			grew = true
		}
		if grew && ready != nil {
			ready <- min(prefix*predictChunk, len(f.cs))
		}
	}

	out := f.summary
	var total float64
	for _, v := range each {
		if !math.IsNaN(v.purchases) {
			out.ExpectedPurchases += v.purchases
		}
		if v.alive >= 0.5 {
			out.ProbablyAlive++
		}
		if v.valued {
			total += v.exact
			b, _ := slices.BinarySearch(clvBounds, int(v.exact)+1)
			out.Histogram[max(b-1, 0)].Customers++
		}
	}
	out.TotalCLV = siyu.Fen(math.Round(total * 100))
	out.MeanCLV = out.TotalCLV / siyu.Fen(len(f.cs))
	if ready != nil {
		close(ready)
	}
}

// predictRange predicts buyers [from, to): each one's P(alive) times the
// shared curve of its history, clamped at 0 point by point as
// clv.BGNBD.ExpectedPurchases does.
func (f *clvFit) predictRange(each []customerCLV, from, to int, memo *predictionMemo) {
	m, gg := f.summary.BGNBD, f.summary.GammaGamma
	for i := from; i < to; i++ {
		c := f.cs[i]
		h := history{c.X, c.T}
		cv := memo.get(h)
		if cv == nil {
			cv = new(curve)
			k := clv.Customer{X: c.X, Tx: c.Tx, T: c.T}
			cv[0] = m.ExpectedPurchasesIfAlive(PurchaseHorizonDays/7.0, k)
			for j := 1; j <= CLVMonths; j++ {
				cv[j] = m.ExpectedPurchasesIfAlive(float64(j)*weeksPerMonth, k)
			}
			memo.put(h, cv)
		}
		alive := m.PAlive(c)
		scale := func(e float64) float64 {
			if math.IsNaN(e) {
				return e
			}
			return math.Max(0, alive*e)
		}
		var discounted, before float64
		for j := 1; j <= CLVMonths; j++ {
			upTo := scale(cv[j])
			discounted += (upTo - before) / discounts[j]
			before = upTo
		}
		each[i] = customerCLV{alive: alive, purchases: scale(cv[0])}
		if gg != nil {
			if value := gg.ExpectedSpend(c) * discounted; !math.IsNaN(value) {
				each[i].exact, each[i].value, each[i].valued = value, siyu.Fen(math.Round(value*100)), true
			}
		}
	}
}

// customerCLV is one buyer's predictions: P(alive), expected purchases
// over PurchaseHorizonDays and, when Gamma-Gamma was fitted, CLV.
type customerCLV struct {
	alive, purchases float64
	exact            float64 // yuan, unrounded: the totals add these
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

package cohort

import (
	"fmt"
	"iter"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/rfm"
)

// Report is the outcome of a cohort analysis.
type Report struct {
	Through   rfm.Day `json:"through"`
	Customers int     `json:"customers"`
	// Cohorts has one row per month from the first cohort to the month of
	// Through, months without new customers included.
	Cohorts []Cohort `json:"cohorts"`
	// Repurchase is over all customers.
	Repurchase Repurchase `json:"repurchase"`
	// Gaps are the days between consecutive orders of the same customer;
	// FirstGaps only those from the first to the second order.
	Gaps      Distribution `json:"gaps"`
	FirstGaps Distribution `json:"first_gaps"`
}

// Cohort is the customers whose first order was in Month. Index k of the
// slices is the k-th month after Month (0: Month itself), up to the month of
// Through: a triangle over the cohorts.
type Cohort struct {
	Month     Month `json:"month"`
	Customers int   `json:"customers"`
	// Active[k] counts the customers who ordered in month k;
	// Active[0] == Customers.
	Active []int `json:"active"`
	// Orders[k] and Revenue[k] are the cohort's orders and net revenue in
	// month k.
	Orders     []int      `json:"orders"`
	Revenue    []siyu.Fen `json:"revenue_fen"`
	Repurchase Repurchase `json:"repurchase"`
}

// Retention is the share of the cohort that ordered in month k (0 to 1).
func (c *Cohort) Retention(k int) float64 {
	if c.Customers == 0 || k < 0 || k >= len(c.Active) {
		return 0
	}
	return float64(c.Active[k]) / float64(c.Customers)
}

// CumulativeRevenue is the cohort's net revenue in months 0 to k.
func (c *Cohort) CumulativeRevenue(k int) siyu.Fen {
	var sum siyu.Fen
	for i := 0; i <= k && i < len(c.Revenue); i++ {
		sum += c.Revenue[i]
	}
	return sum
}

// RevenuePerCustomer is CumulativeRevenue(k) divided by the cohort size,
// rounded to the nearest fen (halves up).
func (c *Cohort) RevenuePerCustomer(k int) siyu.Fen {
	if c.Customers == 0 {
		return 0
	}
	n := siyu.Fen(c.Customers)
	return (2*c.CumulativeRevenue(k) + n) / (2 * n)
}

// Repurchase counts repeat buyers (复购).
type Repurchase struct {
	Customers int `json:"customers"`
	// Repeaters have two or more orders up to Through.
	Repeaters int      `json:"repeaters"`
	Windows   []Window `json:"windows"`
}

// Rate is Repeaters / Customers (0 to 1).
func (r Repurchase) Rate() float64 { return ratio(r.Repeaters, r.Customers) }

// Window is the repurchase within Days of the first order. Only customers
// whose first order is at least Days before Through are eligible (their
// whole window is in the data); Repeated counts those of them whose second
// order came at most Days after the first (the same day counts).
type Window struct {
	Days     int `json:"days"`
	Eligible int `json:"eligible"`
	Repeated int `json:"repeated"`
}

// Rate is Repeated / Eligible (0 to 1).
func (w Window) Rate() float64 { return ratio(w.Repeated, w.Eligible) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// cohortAcc collects one cohort.
type cohortAcc struct {
	customers int
	active    []int
	orders    []int
	revenue   []siyu.Fen
}

func (a *cohortAcc) grow(k int) {
	for len(a.active) <= k {
		a.active = append(a.active, 0)
		a.orders = append(a.orders, 0)
		a.revenue = append(a.revenue, 0)
	}
}

// firstOrders is what the repurchase windows need of one customer.
type firstOrders struct {
	first    rfm.Day
	toSecond int32 // days from the first to the second order, -1 without one
}

// Analyze computes monthly first-order cohorts from per-customer summaries
// with their purchases (rfm.Summarize), sorted by customer id.
func Analyze(summaries iter.Seq2[rfm.Summary, error], cfg Config) (*Report, error) {
	cfg, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	explicit := !cfg.Through.IsZero()
	var through rfm.Day
	if explicit {
		through = rfm.DayOf(cfg.Through)
	}
	var (
		cohorts   = map[Month]*cohortAcc{}
		firsts    []firstOrders
		gaps      Distribution
		firstGaps Distribution
		months    monthCache
		lastDay   rfm.Day
		prev      int64
		seen      bool
	)
	for s, err := range summaries {
		if err != nil {
			return nil, err
		}
		if seen && s.Customer <= prev {
			return nil, fmt.Errorf("cohort: customer %d comes after %d: summaries must be sorted by customer id, each once", s.Customer, prev)
		}
		prev, seen = s.Customer, true
		if len(s.Purchases) != s.Orders {
			return nil, fmt.Errorf("cohort: customer %d: summary lists %d purchases for %d orders (cohorts need every order)", s.Customer, len(s.Purchases), s.Orders)
		}
		ps := s.Purchases
		if explicit {
			n := 0
			for n < len(ps) && ps[n].Day <= through {
				n++
			}
			ps = ps[:n]
		}
		if len(ps) == 0 {
			continue
		}
		first := ps[0].Day
		start := months.of(first)
		acc := cohorts[start]
		if acc == nil {
			acc = &cohortAcc{}
			cohorts[start] = acc
		}
		acc.customers++
		lastK := -1
		for i, p := range ps {
			if i > 0 {
				if p.Day < ps[i-1].Day {
					return nil, fmt.Errorf("cohort: customer %d: purchases out of order (%s after %s)", s.Customer, p.Day, ps[i-1].Day)
				}
				gaps.add(int(p.Day - ps[i-1].Day))
			}
			k := int(months.of(p.Day) - start)
			acc.grow(k)
			if k != lastK {
				acc.active[k]++
				lastK = k
			}
			acc.orders[k]++
			acc.revenue[k] += p.Net
		}
		f := firstOrders{first: first, toSecond: -1}
		if len(ps) > 1 {
			f.toSecond = int32(ps[1].Day - first)
			firstGaps.add(int(f.toSecond))
		}
		firsts = append(firsts, f)
		lastDay = max(lastDay, ps[len(ps)-1].Day)
	}
	if !explicit {
		through = lastDay
	}
	rep := &Report{Through: through, Customers: len(firsts), Gaps: gaps, FirstGaps: firstGaps}
	rep.Gaps.finish(cfg.GapBounds)
	rep.FirstGaps.finish(cfg.GapBounds)
	rep.Repurchase.Windows = newWindows(cfg.Windows)
	if len(firsts) == 0 {
		return rep, nil
	}
	lastMonth := MonthOf(through)
	firstMonth := lastMonth
	for m := range cohorts {
		firstMonth = min(firstMonth, m)
	}
	for m := firstMonth; m <= lastMonth; m++ {
		c := Cohort{Month: m, Repurchase: Repurchase{Windows: newWindows(cfg.Windows)}}
		acc := cohorts[m]
		if acc == nil {
			acc = &cohortAcc{}
		}
		acc.grow(int(lastMonth - m))
		c.Customers, c.Active, c.Orders, c.Revenue = acc.customers, acc.active, acc.orders, acc.revenue
		c.Repurchase.Customers = acc.customers
		rep.Cohorts = append(rep.Cohorts, c)
	}
	rep.Repurchase.Customers = len(firsts)
	for _, f := range firsts {
		c := &rep.Cohorts[months.of(f.first)-firstMonth]
		if f.toSecond >= 0 {
			c.Repurchase.Repeaters++
			rep.Repurchase.Repeaters++
		}
		for i, w := range cfg.Windows {
			if int(through-f.first) < w {
				break // windows increase: the later ones are not covered either
			}
			repeated := f.toSecond >= 0 && int(f.toSecond) <= w
			c.Repurchase.count(i, repeated)
			rep.Repurchase.count(i, repeated)
		}
	}
	return rep, nil
}

func (r *Repurchase) count(window int, repeated bool) {
	r.Windows[window].Eligible++
	if repeated {
		r.Windows[window].Repeated++
	}
}

func newWindows(days []int) []Window {
	ws := make([]Window, len(days))
	for i, d := range days {
		ws[i].Days = d
	}
	return ws
}

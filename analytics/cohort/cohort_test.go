package cohort

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/rfm"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) rfm.Day {
	d, err := rfm.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

// handOrders is the worked example of the documentation.
var handOrders = []rfm.Order{
	{Customer: 1, PaidAt: utc("2024-01-05T02:00:00Z"), Net: 100_00},
	{Customer: 1, PaidAt: utc("2024-01-20T02:00:00Z"), Net: 50_00},
	{Customer: 1, PaidAt: utc("2024-03-02T02:00:00Z"), Net: 30_00},
	{Customer: 2, PaidAt: utc("2024-01-31T02:00:00Z"), Net: 200_00},
	{Customer: 2, PaidAt: utc("2024-02-01T02:00:00Z"), Net: 100_00},
	{Customer: 3, PaidAt: utc("2024-02-10T02:00:00Z"), Net: 80_00},
	{Customer: 4, PaidAt: utc("2024-02-29T02:00:00Z"), Net: 60_00},
	{Customer: 4, PaidAt: utc("2024-02-29T03:00:00Z"), Net: 40_00},
	{Customer: 4, PaidAt: utc("2024-04-15T02:00:00Z"), Net: 10_00},
	{Customer: 5, PaidAt: utc("2024-04-30T16:30:00Z"), Net: 500_00}, // 05-01 in Shanghai
}

func analyze(t *testing.T, orders []rfm.Order, cfg Config) *Report {
	t.Helper()
	rep, err := Analyze(rfm.Summarize(slices.Values(orders)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAnalyzeByHand(t *testing.T) {
	rep := analyze(t, handOrders, Config{})
	if rep.Through != day("2024-05-01") || rep.Customers != 5 {
		t.Errorf("through %s, %d customers", rep.Through, rep.Customers)
	}
	type row struct {
		month   string
		size    int
		active  []int
		orders  []int
		revenue []siyu.Fen
	}
	want := []row{
		{"2024-01", 2, []int{2, 1, 1, 0, 0}, []int{3, 1, 1, 0, 0}, []siyu.Fen{350_00, 100_00, 30_00, 0, 0}},
		{"2024-02", 2, []int{2, 0, 1, 0}, []int{3, 0, 1, 0}, []siyu.Fen{180_00, 0, 10_00, 0}},
		{"2024-03", 0, []int{0, 0, 0}, []int{0, 0, 0}, []siyu.Fen{0, 0, 0}},
		{"2024-04", 0, []int{0, 0}, []int{0, 0}, []siyu.Fen{0, 0}},
		{"2024-05", 1, []int{1}, []int{1}, []siyu.Fen{500_00}},
	}
	if len(rep.Cohorts) != len(want) {
		t.Fatalf("%d cohorts, want %d", len(rep.Cohorts), len(want))
	}
	for i, w := range want {
		c := rep.Cohorts[i]
		if c.Month.String() != w.month || c.Customers != w.size || !slices.Equal(c.Active, w.active) || !slices.Equal(c.Orders, w.orders) || !slices.Equal(c.Revenue, w.revenue) {
			t.Errorf("cohort %d: %+v, want %+v", i, c, w)
		}
	}
	jan, feb := &rep.Cohorts[0], &rep.Cohorts[1]
	if jan.Retention(1) != 0.5 || jan.Retention(0) != 1 || jan.Retention(9) != 0 {
		t.Errorf("January retention %v %v", jan.Retention(0), jan.Retention(1))
	}
	if jan.CumulativeRevenue(2) != 480_00 || jan.RevenuePerCustomer(2) != 240_00 || feb.RevenuePerCustomer(3) != 95_00 {
		t.Errorf("cumulative revenue %s, per customer %s and %s", jan.CumulativeRevenue(2), jan.RevenuePerCustomer(2), feb.RevenuePerCustomer(3))
	}

	r := rep.Repurchase
	if r.Customers != 5 || r.Repeaters != 3 || r.Rate() != 0.6 {
		t.Errorf("repurchase %+v", r)
	}
	wantWindows := []Window{{30, 4, 3}, {60, 4, 3}, {90, 2, 2}, {180, 0, 0}, {365, 0, 0}}
	if !slices.Equal(r.Windows, wantWindows) {
		t.Errorf("windows %v, want %v", r.Windows, wantWindows)
	}
	if want := []Window{{30, 2, 1}, {60, 2, 1}, {90, 0, 0}, {180, 0, 0}, {365, 0, 0}}; !slices.Equal(feb.Repurchase.Windows, want) {
		t.Errorf("February windows %v, want %v", feb.Repurchase.Windows, want)
	}
	if jan.Repurchase.Repeaters != 2 || feb.Repurchase.Repeaters != 1 || rep.Cohorts[4].Repurchase.Repeaters != 0 {
		t.Errorf("repeaters per cohort %d %d", jan.Repurchase.Repeaters, feb.Repurchase.Repeaters)
	}

	// Gaps: customer 1: 15, 42; customer 2: 1; customer 4: 0, 46.
	g := rep.Gaps
	if g.Count != 5 || g.Mean != 20.8 || g.Median != 15 {
		t.Errorf("gaps: count %d, mean %v, median %v", g.Count, g.Mean, g.Median)
	}
	var counts []int
	var labels []string
	for _, b := range g.Buckets {
		counts = append(counts, b.Count)
		labels = append(labels, b.Label())
	}
	if !slices.Equal(counts, []int{1, 1, 0, 1, 2, 0, 0, 0, 0}) {
		t.Errorf("gap histogram %v", counts)
	}
	if want := []string{"0", "1-7", "8-14", "15-30", "31-60", "61-90", "91-180", "181-365", "366+"}; !slices.Equal(labels, want) {
		t.Errorf("bucket labels %v", labels)
	}
	if g.Percentile(50) != 15 || g.Percentile(100) != 46 || g.Percentile(0) != 0 || g.Percentile(41) != 15 || g.Percentile(40) != 1 {
		t.Errorf("percentiles %d %d %d", g.Percentile(50), g.Percentile(100), g.Percentile(40))
	}
	fg := rep.FirstGaps
	if fg.Count != 3 || fg.Median != 1 || fmt.Sprintf("%.4f", fg.Mean) != "5.3333" {
		t.Errorf("first gaps %+v", fg)
	}
}

func TestAnalyzeThrough(t *testing.T) {
	rep := analyze(t, handOrders, Config{Through: utc("2024-02-29T15:00:00Z")}) // 23:00 in Shanghai
	if rep.Through != day("2024-02-29") || rep.Customers != 4 || len(rep.Cohorts) != 2 {
		t.Fatalf("through %s, %d customers, %d cohorts", rep.Through, rep.Customers, len(rep.Cohorts))
	}
	jan, feb := rep.Cohorts[0], rep.Cohorts[1]
	if !slices.Equal(jan.Active, []int{2, 1}) || !slices.Equal(jan.Revenue, []siyu.Fen{350_00, 100_00}) || !slices.Equal(feb.Revenue, []siyu.Fen{180_00}) {
		t.Errorf("cohorts %+v", rep.Cohorts)
	}
	// Only customer 1 (first order 55 days before) has a whole 30-day window.
	if w := rep.Repurchase.Windows[0]; w != (Window{30, 1, 1}) {
		t.Errorf("30-day window %+v", w)
	}
	if rep.Gaps.Count != 3 { // 15, 1, 0
		t.Errorf("gaps %+v", rep.Gaps)
	}
}

func TestAnalyzeCustomWindows(t *testing.T) {
	rep := analyze(t, handOrders, Config{Windows: []int{1, 14}, GapBounds: []int{1, 30}})
	if want := []Window{{1, 4, 2}, {14, 4, 2}}; !slices.Equal(rep.Repurchase.Windows, want) {
		t.Errorf("windows %v, want %v", rep.Repurchase.Windows, want)
	}
	var counts []int
	for _, b := range rep.Gaps.Buckets {
		counts = append(counts, b.Count)
	}
	if !slices.Equal(counts, []int{2, 1, 2}) {
		t.Errorf("buckets %v", rep.Gaps.Buckets)
	}
}

func TestAnalyzeErrors(t *testing.T) {
	tests := []struct {
		cfg  Config
		in   []rfm.Summary
		want string
	}{
		{Config{Windows: []int{30, 30}}, nil, "windows must increase"},
		{Config{Windows: []int{0}}, nil, "window 0 days"},
		{Config{GapBounds: []int{7, 3}}, nil, "gap bounds must increase"},
		{Config{GapBounds: []int{-1}}, nil, "gap bound -1 days"},
		{Config{}, []rfm.Summary{{Customer: 2, Orders: 1, Purchases: []rfm.Purchase{{Day: 1}}}, {Customer: 1, Orders: 1, Purchases: []rfm.Purchase{{Day: 1}}}}, "customer 1 comes after 2"},
		{Config{}, []rfm.Summary{{Customer: 2, Orders: 3}}, "customer 2: summary lists 0 purchases for 3 orders"},
		{Config{}, []rfm.Summary{{Customer: 2, Orders: 2, Purchases: []rfm.Purchase{{Day: 5}, {Day: 4}}}}, "customer 2: purchases out of order"},
	}
	for _, tt := range tests {
		seq := func(yield func(rfm.Summary, error) bool) {
			for _, s := range tt.in {
				if !yield(s, nil) {
					return
				}
			}
		}
		_, err := Analyze(seq, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Analyze(%+v) error %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

func TestAnalyzeEmpty(t *testing.T) {
	rep := analyze(t, nil, Config{})
	if rep.Customers != 0 || len(rep.Cohorts) != 0 || rep.Gaps.Count != 0 || rep.Gaps.Percentile(50) != -1 || len(rep.Repurchase.Windows) != len(DefaultWindows) {
		t.Errorf("empty report %+v", rep)
	}
}

func TestRevenuePerCustomerRounds(t *testing.T) {
	tests := []struct {
		customers int
		revenue   siyu.Fen
		want      siyu.Fen
	}{{3, 100, 33}, {3, 200, 67}, {2, 3, 2}, {4, 2, 1}, {4, 1, 0}, {0, 5, 0}}
	for _, tt := range tests {
		c := Cohort{Customers: tt.customers, Revenue: []siyu.Fen{tt.revenue}}
		if got := c.RevenuePerCustomer(0); got != tt.want {
			t.Errorf("%d fen over %d customers = %d, want %d", tt.revenue, tt.customers, got, tt.want)
		}
	}
}

func TestMonth(t *testing.T) {
	for _, tt := range []struct {
		day, month string
	}{{"2024-01-01", "2024-01"}, {"2024-02-29", "2024-02"}, {"1999-12-31", "1999-12"}, {"2000-03-01", "2000-03"}} {
		m := MonthOf(day(tt.day))
		if m.String() != tt.month {
			t.Errorf("MonthOf(%s) = %s, want %s", tt.day, m, tt.month)
		}
		if got := m.FirstDay().String(); got != tt.month+"-01" {
			t.Errorf("%s.FirstDay() = %s", m, got)
		}
	}
	if MonthFor(2024, time.December)+1 != MonthFor(2025, time.January) {
		t.Error("December + 1 is not January")
	}
	var mc monthCache
	for d := day("2023-12-01"); d < day("2024-04-01"); d++ {
		if mc.of(d) != MonthOf(d) {
			t.Fatalf("cached month of %s = %s", d, mc.of(d))
		}
	}
}

func TestWindowBoundaries(t *testing.T) {
	// First orders 117, 91, 81, 62 and 0 days before Through; second orders
	// 15, 1, none, 0 days after the first.
	rep := analyze(t, handOrders, Config{Windows: []int{1, 15, 62, 81, 82}})
	want := []Window{
		{1, 4, 2},  // customer 2's second order on day 1 counts
		{15, 4, 3}, // customer 1's on day 15 too
		{62, 4, 3}, // customer 4's window ends on Through: eligible
		{81, 3, 2}, // so does customer 3's
		{82, 2, 2},
	}
	if !slices.Equal(rep.Repurchase.Windows, want) {
		t.Errorf("windows %v, want %v", rep.Repurchase.Windows, want)
	}
}

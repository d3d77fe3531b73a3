package rfm

import (
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

// handOrders is the worked example of the documentation.
var handOrders = []Order{
	{1, at("2024-06-01T02:00:00Z"), 100_00},
	{1, at("2024-06-20T02:00:00Z"), 50_00},
	{2, at("2024-06-30T02:00:00Z"), 300_00},
	{3, at("2024-05-01T02:00:00Z"), 20_00},
	{3, at("2024-05-02T02:00:00Z"), 20_00},
	{3, at("2024-05-03T02:00:00Z"), 20_00},
	{4, at("2024-01-15T02:00:00Z"), 100_00},
	{5, at("2024-06-30T01:00:00Z"), 100_00},
	{5, at("2024-06-30T15:59:59Z"), 100_00}, // 23:59:59 in Shanghai: still 06-30
	{6, at("2024-06-30T16:30:00Z"), 50_00},  // 00:30 on 07-01 in Shanghai
}

func TestComputeByHand(t *testing.T) {
	rep, err := FromOrders(slices.Values(handOrders), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.AsOf != day("2024-07-02") {
		t.Errorf("as of %s, want 2024-07-02 (the day after the last order, 07-01 in Shanghai)", rep.AsOf)
	}
	want := []Result{
		{1, day("2024-06-20"), 12, 2, 150_00, 2, 3, 3, AtRisk},
		{2, day("2024-06-30"), 2, 1, 300_00, 3, 1, 5, AboutToSleep},
		{3, day("2024-05-03"), 60, 3, 60_00, 1, 5, 1, CantLose},
		{4, day("2024-01-15"), 169, 1, 100_00, 1, 1, 2, Hibernating},
		{5, day("2024-06-30"), 2, 2, 200_00, 3, 3, 4, NeedAttention},
		{6, day("2024-07-01"), 1, 1, 50_00, 5, 1, 1, NewCustomers},
	}
	if !slices.Equal(rep.Results, want) {
		t.Errorf("results:\n got %+v\nwant %+v", rep.Results, want)
	}
	if rep.Customers != 6 || rep.Monetary != 860_00 {
		t.Errorf("customers %d, monetary %s", rep.Customers, rep.Monetary)
	}
	wantGrid := map[[2]int]Cell{
		{2, 3}: {1, 150_00}, {3, 1}: {1, 300_00}, {1, 5}: {1, 60_00},
		{1, 1}: {1, 100_00}, {3, 3}: {1, 200_00}, {5, 1}: {1, 50_00},
	}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			if got := rep.Grid[r-1][f-1]; got != wantGrid[[2]int{r, f}] {
				t.Errorf("grid R%d F%d = %+v, want %+v", r, f, got, wantGrid[[2]int{r, f}])
			}
		}
	}
	sizes := map[Segment]int{}
	for _, s := range rep.Segments {
		sizes[s.Segment] = s.Customers
	}
	if len(rep.Segments) != len(Segments) || sizes[AtRisk] != 1 || sizes[Champions] != 0 || sizes[NewCustomers] != 1 {
		t.Errorf("segments %+v", rep.Segments)
	}
	if r, ok := rep.Find(5); !ok || r.Code() != "334" || r.Score() != 10 {
		t.Errorf("Find(5) = %+v, %v", r, ok)
	}
	if _, ok := rep.Find(99); ok {
		t.Error("Find(99) found a customer")
	}

	top := Top(rep.Results, 4, nil)
	var ids []int64
	for _, r := range top {
		ids = append(ids, r.Customer)
	}
	// Scores 10, 9, 8, then 3 and 6 tie at 7: customer 3 spent more.
	if !slices.Equal(ids, []int64{5, 2, 1, 3}) {
		t.Errorf("Top 4 = %v, want [5 2 1 3]", ids)
	}
}

func TestComputeAsOf(t *testing.T) {
	tests := []struct {
		asOf string
		want []Result // R, F, M and segment left out
	}{
		// Orders on the as-of day itself are left out.
		{"2024-06-30", []Result{
			{Customer: 1, LastOrder: day("2024-06-20"), Recency: 10, Frequency: 2, Monetary: 150_00},
			{Customer: 3, LastOrder: day("2024-05-03"), Recency: 58, Frequency: 3, Monetary: 60_00},
			{Customer: 4, LastOrder: day("2024-01-15"), Recency: 167, Frequency: 1, Monetary: 100_00},
		}},
		{"2024-06-10", []Result{
			{Customer: 1, LastOrder: day("2024-06-01"), Recency: 9, Frequency: 1, Monetary: 100_00},
			{Customer: 3, LastOrder: day("2024-05-03"), Recency: 38, Frequency: 3, Monetary: 60_00},
			{Customer: 4, LastOrder: day("2024-01-15"), Recency: 147, Frequency: 1, Monetary: 100_00},
		}},
		{"2024-05-02", []Result{
			{Customer: 3, LastOrder: day("2024-05-01"), Recency: 1, Frequency: 1, Monetary: 20_00},
			{Customer: 4, LastOrder: day("2024-01-15"), Recency: 108, Frequency: 1, Monetary: 100_00},
		}},
		{"2024-01-15", nil},
	}
	for _, tt := range tests {
		asOf := day(tt.asOf).Time().Add(13 * time.Hour) // any time of the day
		rep, err := FromOrders(slices.Values(handOrders), Config{AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		if rep.AsOf != day(tt.asOf) {
			t.Errorf("as of %s, want %s", rep.AsOf, tt.asOf)
		}
		var got []Result
		for _, r := range rep.Results {
			got = append(got, Result{Customer: r.Customer, LastOrder: r.LastOrder, Recency: r.Recency, Frequency: r.Frequency, Monetary: r.Monetary})
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("as of %s:\n got %+v\nwant %+v", tt.asOf, got, tt.want)
		}
	}
}

func TestComputeFixed(t *testing.T) {
	rep, err := FromOrders(slices.Values(handOrders), Config{Scoring: Fixed})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{
		1: "522", // 12 days, 2 orders, ¥150
		2: "513", // 2 days, 1 order, ¥300
		3: "431", // 60 days, 3 orders, ¥60
		4: "312", // 169 days, 1 order, ¥100
		5: "522", // 2 days, 2 orders, ¥200
		6: "511", // 1 day, 1 order, ¥50
	}
	for _, r := range rep.Results {
		if r.Code() != want[r.Customer] {
			t.Errorf("customer %d scored %s, want %s", r.Customer, r.Code(), want[r.Customer])
		}
	}
	custom := Config{Scoring: Fixed, Thresholds: Thresholds{
		RecencyDays: [4]int{100, 50, 10, 1},
		Orders:      [4]int{2, 3, 4, 5},
		Monetary:    [4]siyu.Fen{1, 2, 3, 300_00},
	}}
	rep, err = FromOrders(slices.Values(handOrders), custom)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := rep.Find(2); r.Code() != "415" {
		t.Errorf("customer 2 scored %s with custom thresholds, want 415", r.Code())
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []struct {
		cfg  Config
		want string
	}{
		{Config{Scoring: 7}, "unknown scoring"},
		{Config{Scoring: Fixed, Thresholds: Thresholds{RecencyDays: [4]int{30, 90, 180, 365}, Orders: [4]int{2, 3, 4, 5}, Monetary: [4]siyu.Fen{1, 2, 3, 4}}}, "recency thresholds must decrease"},
		{Config{Scoring: Fixed, Thresholds: Thresholds{RecencyDays: [4]int{4, 3, 2, 1}, Orders: [4]int{2, 2, 4, 5}, Monetary: [4]siyu.Fen{1, 2, 3, 4}}}, "order thresholds must increase"},
		{Config{Scoring: Fixed, Thresholds: Thresholds{RecencyDays: [4]int{4, 3, 2, 1}, Orders: [4]int{2, 3, 4, 5}, Monetary: [4]siyu.Fen{1, 2, 3, 3}}}, "monetary thresholds must increase"},
		{Config{Scoring: Fixed, Thresholds: Thresholds{RecencyDays: [4]int{4, 3, 2, 1}, Orders: [4]int{0, 3, 4, 5}, Monetary: [4]siyu.Fen{1, 2, 3, 4}}}, "must not be negative"},
	}
	for _, tt := range bad {
		err := tt.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
		if _, err := FromOrders(slices.Values(handOrders), tt.cfg); err == nil {
			t.Errorf("FromOrders accepted %+v", tt.cfg)
		}
	}
	if err := (Config{Scoring: Fixed}).Validate(); err != nil {
		t.Errorf("default thresholds: %v", err)
	}
}

func TestComputeSummaries(t *testing.T) {
	summaries := func(ss ...Summary) func(func(Summary, error) bool) {
		return func(yield func(Summary, error) bool) {
			for _, s := range ss {
				if !yield(s, nil) {
					return
				}
			}
		}
	}
	// Any customer order is fine; the results come back by customer id.
	rep, err := Compute(summaries(
		Summary{Customer: 9, Last: day("2024-03-01"), Orders: 2, Net: 10},
		Summary{Customer: 3, Last: day("2024-03-05"), Orders: 1, Net: 5},
	), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.AsOf != day("2024-03-06") || rep.Results[0].Customer != 3 || rep.Results[1].Recency != 5 {
		t.Errorf("report %+v", rep)
	}
	errs := []struct {
		in   []Summary
		cfg  Config
		want string
	}{
		{[]Summary{{Customer: 1, Last: 10, Orders: 1}, {Customer: 1, Last: 12, Orders: 1}}, Config{}, "customer 1 appears more than once"},
		{[]Summary{{Customer: 1, Last: 10, Orders: 0}}, Config{}, "customer 1: order count 0"},
		{[]Summary{{Customer: 2, Last: 10, Orders: 1, Net: -5}}, Config{}, "customer 2: negative total"},
		{[]Summary{{Customer: 2, Last: 10, Orders: 2, Purchases: []Purchase{{10, 0}}}}, Config{}, "1 purchases listed for 2 orders"},
		{[]Summary{{Customer: 4, Last: day("2024-03-05"), Orders: 1}}, Config{AsOf: day("2024-03-05").Time()}, "customer 4: last order on 2024-03-05 is not before the as-of day"},
	}
	for _, tt := range errs {
		_, err := Compute(summaries(tt.in...), tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Compute(%+v) error %v, want %q", tt.in, err, tt.want)
		}
	}
	_, err = FromOrders(slices.Values([]Order{{2, at("2024-01-01T00:00:00Z"), 1}, {1, at("2024-01-01T00:00:00Z"), 1}}), Config{})
	if err == nil || !strings.Contains(err.Error(), "sorted") {
		t.Errorf("unsorted orders: %v", err)
	}
}

func TestComputeEmpty(t *testing.T) {
	rep, err := FromOrders(slices.Values([]Order(nil)), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Customers != 0 || len(rep.Results) != 0 || len(rep.Segments) != len(Segments) {
		t.Errorf("empty report %+v", rep)
	}
}

// bruteRFM computes RFM from the raw orders by the definitions, pair by
// pair, with none of the package's machinery except DayOf.
func bruteRFM(orders []Order) map[int64]Result {
	type acc struct {
		last   Day
		orders int
		net    siyu.Fen
	}
	per := map[int64]*acc{}
	var maxDay Day
	for i, o := range orders {
		d := DayOf(o.PaidAt)
		if i == 0 || d > maxDay {
			maxDay = d
		}
		a := per[o.Customer]
		if a == nil {
			a = &acc{last: d}
			per[o.Customer] = a
		}
		a.last = max(a.last, d)
		a.orders++
		a.net += o.Net
	}
	asOf := maxDay + 1
	out := map[int64]Result{}
	n := len(per)
	for id, a := range per {
		var wr, wf, wm int
		for _, b := range per {
			if asOf-b.last > asOf-a.last {
				wr++
			}
			if b.orders < a.orders {
				wf++
			}
			if b.net < a.net {
				wm++
			}
		}
		r := Result{Customer: id, LastOrder: a.last, Recency: int(asOf - a.last), Frequency: a.orders, Monetary: a.net,
			R: uint8(1 + 5*wr/n), F: uint8(1 + 5*wf/n), M: uint8(1 + 5*wm/n)}
		r.Segment = SegmentOf(int(r.R), int(r.F))
		out[id] = r
	}
	return out
}

func TestComputeMatchesBruteForce(t *testing.T) {
	for seed := range uint64(5) {
		orders := randomOrders(newRand(100+seed), 300+int(seed)*200)
		rep, err := FromOrders(slices.Values(orders), Config{})
		if err != nil {
			t.Fatal(err)
		}
		want := bruteRFM(orders)
		if len(rep.Results) != len(want) {
			t.Fatalf("%d results, want %d", len(rep.Results), len(want))
		}
		var grid [5][5]int
		for _, r := range rep.Results {
			if r != want[r.Customer] {
				t.Fatalf("seed %d customer %d:\n got %+v\nwant %+v", seed, r.Customer, r, want[r.Customer])
			}
			grid[r.R-1][r.F-1]++
		}
		for r := range 5 {
			for f := range 5 {
				if grid[r][f] != rep.Grid[r][f].Customers {
					t.Errorf("grid R%d F%d = %d, counted %d", r+1, f+1, rep.Grid[r][f].Customers, grid[r][f])
				}
			}
		}
	}
}

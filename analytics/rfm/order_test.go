package rfm

import (
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) Day {
	d, err := ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

func collect(t *testing.T, orders []Order) ([]Summary, error) {
	t.Helper()
	var out []Summary
	for s, err := range Summarize(slices.Values(orders)) {
		if err != nil {
			return out, err
		}
		s.Purchases = slices.Clone(s.Purchases)
		out = append(out, s)
	}
	return out, nil
}

func TestSummarize(t *testing.T) {
	orders := []Order{
		{1, at("2024-06-01T02:00:00Z"), 100_00},
		{1, at("2024-06-20T16:30:00Z"), 50_00}, // 06-21 in Shanghai
		{2, at("2024-05-03T10:00:00Z"), 20_00},
		{2, at("2024-05-01T10:00:00Z"), 30_00}, // out of time order: sorted
		{2, at("2024-05-03T09:00:00Z"), 0},
		{7, at("2024-01-01T00:00:00Z"), 1},
	}
	got, err := collect(t, orders)
	if err != nil {
		t.Fatal(err)
	}
	want := []Summary{
		{Customer: 1, First: day("2024-06-01"), Last: day("2024-06-21"), Orders: 2, Net: 150_00,
			Purchases: []Purchase{{day("2024-06-01"), 100_00}, {day("2024-06-21"), 50_00}}},
		{Customer: 2, First: day("2024-05-01"), Last: day("2024-05-03"), Orders: 3, Net: 50_00,
			Purchases: []Purchase{{day("2024-05-01"), 30_00}, {day("2024-05-03"), 20_00}, {day("2024-05-03"), 0}}},
		{Customer: 7, First: day("2024-01-01"), Last: day("2024-01-01"), Orders: 1, Net: 1,
			Purchases: []Purchase{{day("2024-01-01"), 1}}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d summaries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Customer != w.Customer || g.First != w.First || g.Last != w.Last || g.Orders != w.Orders || g.Net != w.Net || !slices.Equal(g.Purchases, w.Purchases) {
			t.Errorf("summary %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestSummarizeErrors(t *testing.T) {
	tests := []struct {
		name   string
		orders []Order
		want   string
	}{
		{"customer goes back", []Order{{2, at("2024-01-01T00:00:00Z"), 1}, {1, at("2024-01-01T00:00:00Z"), 1}}, "order 2: customer 1 comes after customer 2"},
		{"no paid time", []Order{{1, at("2024-01-01T00:00:00Z"), 1}, {1, time.Time{}, 1}}, "order 2 (customer 1): paid time missing"},
		{"negative", []Order{{5, at("2024-01-01T00:00:00Z"), -1}}, "order 1 (customer 5): negative net amount"},
		{"too large", []Order{{5, at("2024-01-01T00:00:00Z"), siyu.MaxAmount + 1}}, "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := collect(t, tt.orders)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSummarizeStopsEarly(t *testing.T) {
	orders := randomOrders(newRand(3), 50)
	n := 0
	for _, err := range Summarize(slices.Values(orders)) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 10 {
			break
		}
	}
	if n != 10 {
		t.Fatalf("got %d summaries", n)
	}
}

func TestSummarizeMatchesGrouping(t *testing.T) {
	orders := randomOrders(newRand(4), 500)
	got, err := collect(t, orders)
	if err != nil {
		t.Fatal(err)
	}
	byCustomer := map[int64][]Order{}
	for _, o := range orders {
		byCustomer[o.Customer] = append(byCustomer[o.Customer], o)
	}
	if len(got) != len(byCustomer) {
		t.Fatalf("%d summaries for %d customers", len(got), len(byCustomer))
	}
	for _, s := range got {
		os := byCustomer[s.Customer]
		var net siyu.Fen
		first, last := DayOf(os[0].PaidAt), DayOf(os[0].PaidAt)
		for _, o := range os {
			net += o.Net
			first = min(first, DayOf(o.PaidAt))
			last = max(last, DayOf(o.PaidAt))
		}
		if s.Orders != len(os) || s.Net != net || s.First != first || s.Last != last {
			t.Errorf("customer %d: %+v, want %d orders, net %s, %s..%s", s.Customer, s, len(os), net, first, last)
		}
	}
}

func TestCustomerSummary(t *testing.T) {
	first, last := at("2024-01-01T20:00:00Z"), at("2024-03-01T01:00:00Z")
	s, ok := CustomerSummary(siyu.Customer{ID: 9, OrderCount: 3, TotalPaid: 123, FirstOrderAt: &first, LastOrderAt: &last})
	if !ok || s.Customer != 9 || s.Orders != 3 || s.Net != 123 || s.First != day("2024-01-02") || s.Last != day("2024-03-01") {
		t.Errorf("CustomerSummary = %+v, %v", s, ok)
	}
	if _, ok := CustomerSummary(siyu.Customer{ID: 9}); ok {
		t.Error("customer without orders has a summary")
	}
}

func TestSortOrders(t *testing.T) {
	orders := randomOrders(newRand(5), 100)
	shuffled := slices.Clone(orders)
	rng := newRand(6)
	for i := len(shuffled) - 1; i > 0; i-- {
		j := rng.intn(i + 1)
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	}
	SortOrders(shuffled)
	a, err := collect(t, orders)
	if err != nil {
		t.Fatal(err)
	}
	b, err := collect(t, shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d vs %d summaries", len(a), len(b))
	}
	for i := range a {
		if a[i].Customer != b[i].Customer || a[i].Net != b[i].Net || a[i].Last != b[i].Last {
			t.Errorf("summary %d differs: %+v vs %+v", i, a[i], b[i])
		}
	}
}

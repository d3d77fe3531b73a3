package lifecycle

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

func joined(known []Known, orders []rfm.Order) ([]Customer, error) {
	var ks func(func(Known) bool)
	if known != nil {
		ks = slices.Values(known)
	}
	var out []Customer
	for c, err := range Join(ks, rfm.Summarize(slices.Values(orders))) {
		if err != nil {
			return out, err
		}
		c.Orders = slices.Clone(c.Orders)
		out = append(out, c)
	}
	return out, nil
}

func TestJoin(t *testing.T) {
	orders := []rfm.Order{
		{Customer: 2, PaidAt: utc("2024-03-01T02:00:00Z"), Net: 100},
		{Customer: 2, PaidAt: utc("2024-03-05T17:00:00Z"), Net: 100}, // 03-06 in Shanghai
		{Customer: 4, PaidAt: utc("2024-04-01T02:00:00Z"), Net: 100},
		{Customer: 6, PaidAt: utc("2024-05-01T02:00:00Z"), Net: 100},
	}
	known := []Known{
		{1, utc("2024-01-01T00:00:00Z")},
		{2, utc("2024-02-01T00:00:00Z")},
		{3, utc("2024-02-15T00:00:00Z")},
		{4, time.Time{}}, // known, time not recorded: from the first order
		{7, utc("2024-06-30T16:00:00Z")},
	}
	got, err := joined(known, orders)
	if err != nil {
		t.Fatal(err)
	}
	want := []Customer{
		{ID: 1, Since: day("2024-01-01")},
		{ID: 2, Since: day("2024-02-01"), Orders: days("2024-03-01", "2024-03-06")},
		{ID: 3, Since: day("2024-02-15")},
		{ID: 4, Orders: days("2024-04-01")},
		{ID: 6, Orders: days("2024-05-01")},
		{ID: 7, Since: day("2024-07-01")},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Join:\n got %v\nwant %v", got, want)
	}
	onlyOrders, err := joined(nil, orders)
	if err != nil {
		t.Fatal(err)
	}
	if len(onlyOrders) != 3 || onlyOrders[0].ID != 2 || onlyOrders[0].Since != 0 {
		t.Errorf("Join without known customers: %v", onlyOrders)
	}
}

func TestJoinErrors(t *testing.T) {
	order := func(id int64) rfm.Order { return rfm.Order{Customer: id, PaidAt: utc("2024-03-01T02:00:00Z"), Net: 1} }
	tests := []struct {
		known  []Known
		orders []rfm.Order
		want   string
	}{
		{[]Known{{2, utc("2024-01-01T00:00:00Z")}, {1, utc("2024-01-01T00:00:00Z")}}, nil, "known customer 1 comes after 2"},
		{[]Known{{2, utc("2024-01-01T00:00:00Z")}, {2, utc("2024-01-01T00:00:00Z")}}, []rfm.Order{order(2)}, "known customer 2 comes after 2"},
		{[]Known{{5, time.Time{}}}, []rfm.Order{order(6)}, "customer 5 has neither orders nor a known-since time"},
		{[]Known{{5, time.Time{}}}, nil, "customer 5 has neither"},
		{nil, []rfm.Order{order(3), order(2)}, "must be sorted by customer"},
	}
	for _, tt := range tests {
		_, err := joined(tt.known, tt.orders)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Join(%v, %v) error %v, want %q", tt.known, tt.orders, err, tt.want)
		}
	}
	noPurchases := func(yield func(rfm.Summary, error) bool) {
		yield(rfm.Summary{Customer: 1, Orders: 2, Net: siyu.Fen(5)}, nil)
	}
	for _, err := range Join(nil, noPurchases) {
		if err == nil || !strings.Contains(err.Error(), "needs every order day") {
			t.Errorf("summary without purchases: %v", err)
		}
	}
}

func TestJoinStopsEarly(t *testing.T) {
	known := []Known{{1, utc("2024-01-01T00:00:00Z")}, {2, utc("2024-01-01T00:00:00Z")}, {3, utc("2024-01-01T00:00:00Z")}}
	n := 0
	for _, err := range Join(slices.Values(known), rfm.Summarize(slices.Values([]rfm.Order(nil)))) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("got %d customers", n)
	}
}

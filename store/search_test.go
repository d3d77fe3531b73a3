package store_test

import (
	"fmt"
	"testing"

	"siyu.dev/siyu"
)

// Search finds people by any identifier, by id and by part of the name;
// a name shared by more people than a search collects says so; the list
// puts the latest buyers first and people without an order after them.
func TestSearchCustomers(t *testing.T) {
	s := openWithWorkspace(t)
	var rows []siyu.OrderInput
	for i := range 1005 {
		o := order(siyu.ChannelTaobao, fmt.Sprintf("T%d", i), 1000, phone(fmt.Sprintf("139%08d", i)))
		o.BuyerName = fmt.Sprintf("李雷%d", i)
		rows = append(rows, o)
	}
	o := order(siyu.ChannelJD, "J1", 500, siyu.Identifier{Kind: siyu.KindEmail, Value: "Mei@Example.com"}, nick("小梅的店"))
	o.BuyerName = "韩梅梅"
	rows = append(rows, o)
	mustImport(t, s.Store, s.ws, rows...)
	late := order(siyu.ChannelJD, "J2", 900, nick("小梅的店"))
	paid := t0.AddDate(0, 1, 0)
	late.PlacedAt, late.PaidAt = paid, &paid
	mustImport(t, s.Store, s.ws, late)
	mei := findOne(t, s.Store, s.ws, "韩梅")
	for _, q := range []string{"mei@example.com", "小梅的店", fmt.Sprint(mei.ID)} {
		if got := findOne(t, s.Store, s.ws, q); got.ID != mei.ID {
			t.Errorf("search %q found %d, want %d", q, got.ID, mei.ID)
		}
	}
	if got := findOne(t, s.Store, s.ws, "139 0000 0042"); got.Name != "李雷42" {
		t.Errorf("phone search found %q", got.Name)
	}
	page, err := s.SearchCustomers(ctx, s.ws, siyu.CustomerQuery{Query: "李雷"})
	if err != nil || page.Total != 1000 || !page.Capped || len(page.Customers) != 50 {
		t.Fatalf("a common name: total %d capped %v, %d on the page, %v", page.Total, page.Capped, len(page.Customers), err)
	}
	if page, _ := s.SearchCustomers(ctx, s.ws, siyu.CustomerQuery{Query: "李雷100"}); page.Total != 6 || page.Capped {
		t.Fatalf("李雷100: total %d capped %v", page.Total, page.Capped)
	}
	list, err := s.SearchCustomers(ctx, s.ws, siyu.CustomerQuery{Limit: 3})
	if err != nil || list.Total != 1006 || list.Customers[0].ID != mei.ID {
		t.Fatalf("the list: total %d, first %+v, %v", list.Total, list.Customers[0], err)
	}
}

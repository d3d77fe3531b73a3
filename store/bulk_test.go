package store_test

import (
	"fmt"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

func TestBulkLoad(t *testing.T) {
	s := openWithWorkspace(t)
	ids, err := s.NewCustomers(ctx, s.ws, 3, t0)
	if err != nil || len(ids) != 3 {
		t.Fatalf("%v %v", ids, err)
	}
	var orders []store.BulkOrder
	for i := range 10 {
		orders = append(orders, store.BulkOrder{Customer: ids[i%3], Channel: siyu.ChannelTmall, ExternalID: fmt.Sprint(i), PaidAt: t0.Add(time.Duration(i) * time.Hour), Amount: 100})
	}
	if err := s.BulkLoad(ctx, s.ws, orders); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := s.RFMBaseline(ctx, s.ws, t0.AddDate(0, 0, 2), func(r store.RFMBaselineRow) error { n += r.Frequency; return nil }); err != nil || n != 10 {
		t.Fatalf("%d orders seen, %v", n, err)
	}
	// Ids stay consistent with later normal inserts.
	mustImport(t, s.Store, s.ws, order(siyu.ChannelJD, "after", 100, phone("13800138000")))
}

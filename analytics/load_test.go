package analytics

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// sortByCustomer must give what sorting all orders by (customer, paid,
// read position) gives, with compact ids (counting sort) and with ids far
// apart (ranked through a map).
func TestSortByCustomerMatchesASort(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spread int64
	}{{"compact ids", 1}, {"sparse ids", 1 << 40}} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(tc.spread)))
			type row struct {
				customer, paid int64
				net            siyu.Fen
				ch             uint8
				pos            int
			}
			var all []row
			parts := make([]readPart, 3)
			for i := range parts {
				for range 500 {
					o := row{customer: 10 + r.Int64N(60)*tc.spread, paid: r.Int64N(20), net: siyu.Fen(r.Int64N(1000)), ch: uint8(r.IntN(len(siyu.Channels))), pos: len(all)}
					all = append(all, o)
					p := &parts[i]
					p.customer = append(p.customer, o.customer)
					p.paidMS = append(p.paidMS, o.paid)
					p.net = append(p.net, o.net)
					p.channel = append(p.channel, o.ch)
				}
			}
			slices.SortFunc(all, func(a, b row) int {
				return cmp.Or(cmp.Compare(a.customer, b.customer), cmp.Compare(a.paid, b.paid), cmp.Compare(a.pos, b.pos))
			})
			b := sortByCustomer(parts)
			if b.start[len(b.ids)] != len(all) {
				t.Fatalf("%d orders placed, want %d", b.start[len(b.ids)], len(all))
			}
			k := 0
			for i, c := range b.ids {
				for j := b.start[i]; j < b.start[i+1]; j++ {
					w := all[k]
					if c != w.customer || b.paidMS[j] != w.paid || b.net[j] != w.net || b.channel[j] != w.ch {
						t.Fatalf("order %d: got customer %d paid %d net %d ch %d, want %+v", k, c, b.paidMS[j], b.net[j], b.channel[j], w)
					}
					k++
				}
			}
		})
	}
}

// readOrders must bring back every paid order once, across several blocks
// and both id ranges, whatever the database: checked against the SQL
// baseline's per-customer count and sum.
func TestReadOrdersAcrossBlocks(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "big", "big")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids, err := st.NewCustomers(ctx, w.ID, 5000, at)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	orders := make([]store.BulkOrder, 3*blockRows+17)
	for i := range orders {
		orders[i] = store.BulkOrder{Customer: ids[r.IntN(len(ids))], Channel: siyu.Channels[r.IntN(len(siyu.Channels))],
			ExternalID: fmt.Sprint(i), PaidAt: at.Add(time.Duration(r.IntN(300*24)) * time.Hour), Amount: siyu.Fen(1 + r.IntN(50000))}
	}
	if err := st.BulkLoad(ctx, w.ID, orders); err != nil {
		t.Fatal(err)
	}
	parts, err := readOrders(ctx, st, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 4 {
		t.Fatalf("%d blocks, want at least 4", len(parts))
	}
	type sum struct {
		n   int
		net siyu.Fen
	}
	got := map[int64]sum{}
	for _, p := range parts {
		for j, c := range p.customer {
			s := got[c]
			s.n++
			s.net += p.net[j]
			got[c] = s
		}
	}
	want := map[int64]sum{}
	err = st.RFMBaseline(ctx, w.ID, at, func(r store.RFMBaselineRow) error {
		want[r.Customer] = sum{r.Frequency, r.Monetary}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("read %d customers' orders, SQL has %d; they differ", len(got), len(want))
	}
}

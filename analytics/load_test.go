package analytics

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"siyu.dev/siyu"
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

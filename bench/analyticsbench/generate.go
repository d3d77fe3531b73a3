package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

type generation struct{ customers, orders int }

var gen generation

// generate bulk-loads a seeded workspace of many customers whose order
// counts are skewed the way retail is (most buy once or twice, a long tail
// buys dozens of times), over the two years before now, with log-normal
// amounts around ¥200 and the demo brand's channel mix. Identity
// resolution is skipped: this measures the analytics, not the import.
func generate(ctx context.Context, st *store.Store, ws int64, g generation) error {
	start := time.Now()
	r := rand.New(rand.NewPCG(20261123, 1))
	now := time.Now()
	span := 2 * 365 * 24 * time.Hour
	ids, err := st.NewCustomers(ctx, ws, g.customers, now.Add(-span))
	if err != nil {
		return err
	}
	extra := float64(g.orders)/float64(g.customers) - 1 // mean repeat orders per customer
	channels := []siyu.Channel{siyu.ChannelTmall, siyu.ChannelTmall, siyu.ChannelTmall, siyu.ChannelDouyin, siyu.ChannelDouyin, siyu.ChannelTaobao, siyu.ChannelWeChat, siyu.ChannelJD, siyu.ChannelOffline, siyu.ChannelYouzan}
	const lnMean = 2.054 // E[exp(N(0, 1.2²))]
	batch := make([]store.BulkOrder, 0, 50000)
	total, seq := 0, 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.BulkLoad(ctx, ws, batch)
		total += len(batch)
		batch = batch[:0]
		fmt.Fprintf(os.Stderr, "\rgenerated %d orders (%.0f/s)   ", total, float64(total)/time.Since(start).Seconds())
		return err
	}
	for _, id := range ids {
		w := math.Exp(r.NormFloat64() * 1.2)
		n := 1 + int(w*extra/lnMean+r.Float64())
		first := now.Add(-time.Duration(r.Int64N(int64(span))))
		left := now.Sub(first)
		ch := channels[r.IntN(len(channels))]
		for k := range n {
			at := first
			if k > 0 {
				at = first.Add(time.Duration(r.Int64N(int64(left))))
			}
			amount := siyu.Fen(math.Round(math.Exp(math.Log(20000)+r.NormFloat64()*0.6)/100) * 100)
			seq++
			batch = append(batch, store.BulkOrder{Customer: id, Channel: ch, ExternalID: strconv.Itoa(seq), PaidAt: at, Amount: amount})
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\ngenerated %d customers, %d orders in %.1fs\n", len(ids), total, time.Since(start).Seconds())
	return nil
}

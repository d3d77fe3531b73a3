package analytics

import (
	"context"
	"iter"
	"runtime"
	"slices"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/rfm"
	"siyu.dev/siyu/store"
)

// The orders are read the way the database reads fastest — front to back,
// in disjoint id ranges on as many connections as there are cores — and put
// in customer order here with a counting sort, instead of asking the
// database to sort ten million rows.

// readPart is a block of paid orders, column by column, as read: up to
// blockRows of them, allocated once (growing one slice per range to
// millions of rows spent more time copying than reading).
type readPart struct {
	customer []int64
	paidMS   []int64
	net      []siyu.Fen
	channel  []uint8
}

const blockRows = 1 << 16

func newReadPart() readPart {
	return readPart{
		customer: make([]int64, 0, blockRows),
		paidMS:   make([]int64, 0, blockRows),
		net:      make([]siyu.Fen, 0, blockRows),
		channel:  make([]uint8, 0, blockRows),
	}
}

// byCustomer is every paid order in customer order, then payment time, then
// id: customer i of ids has its orders at [start[i], start[i+1]).
type byCustomer struct {
	ids     []int64
	start   []int
	paidMS  []int64
	net     []siyu.Fen
	channel []uint8
}

// readOrders reads the workspace's paid orders in parallel id ranges and
// returns them in blocks, in id order.
func readOrders(ctx context.Context, st *store.Store, ws int64) ([]readPart, error) {
	lo, hi, err := st.OrderIDRange(ctx, ws)
	if err != nil {
		return nil, err
	}
	parts := max(runtime.GOMAXPROCS(0), 1)
	if hi <= lo {
		parts = 1
	}
	res := make([][]readPart, parts)
	errs := make([]error, parts)
	step := (hi - lo + int64(parts)) / int64(parts)
	var wg sync.WaitGroup
	for i := range parts {
		from, to := lo+int64(i)*step, lo+int64(i+1)*step
		if i == parts-1 {
			to = hi + 1
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newReadPart()
			errs[i] = st.ScanPaidOrders(ctx, ws, from, to, func(o store.PaidOrderRow) error {
				if len(p.customer) == blockRows {
					res[i] = append(res[i], p)
					p = newReadPart()
				}
				p.customer = append(p.customer, o.Customer)
				p.paidMS = append(p.paidMS, o.PaidMS)
				p.net = append(p.net, siyu.Fen(o.Net))
				p.channel = append(p.channel, o.Channel)
				return nil
			})
			if len(p.customer) > 0 {
				res[i] = append(res[i], p)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return slices.Concat(res...), nil
}

// sortByCustomer scatters the parts into customer order (a counting sort,
// stable, so orders of one customer stay in id order) and then orders each
// customer's few orders by payment time. It empties parts as it goes.
func sortByCustomer(parts []readPart) *byCustomer {
	n := 0
	for _, p := range parts {
		n += len(p.customer)
	}
	// A dense index per customer: the id's offset when the ids are
	// compact, else the rank of the id among the distinct ids.
	lo, hi := int64(0), int64(-1)
	for _, p := range parts {
		for _, c := range p.customer {
			if hi < lo {
				lo, hi = c, c
			}
			lo, hi = min(lo, c), max(hi, c)
		}
	}
	var ids []int64
	var slot func(c int64) int
	if span := hi - lo + 1; span > 0 && span <= int64(4*n+1024) {
		counts := make([]int32, span)
		for _, p := range parts {
			for _, c := range p.customer {
				counts[c-lo]++
			}
		}
		dense := make([]int32, span)
		for i, k := range counts {
			if k > 0 {
				dense[i] = int32(len(ids))
				ids = append(ids, lo+int64(i))
			}
		}
		slot = func(c int64) int { return int(dense[c-lo]) }
	} else {
		rank := map[int64]int{}
		for _, p := range parts {
			for _, c := range p.customer {
				rank[c] = 0
			}
		}
		for c := range rank {
			ids = append(ids, c)
		}
		slices.Sort(ids)
		for i, c := range ids {
			rank[c] = i
		}
		slot = func(c int64) int { return rank[c] }
	}

	out := &byCustomer{
		ids:     ids,
		start:   make([]int, len(ids)+1),
		paidMS:  make([]int64, n),
		net:     make([]siyu.Fen, n),
		channel: make([]uint8, n),
	}
	for _, p := range parts {
		for _, c := range p.customer {
			out.start[slot(c)+1]++
		}
	}
	for i := 1; i < len(out.start); i++ {
		out.start[i] += out.start[i-1]
	}
	next := slices.Clone(out.start[:len(ids)])
	for i, p := range parts {
		for j, c := range p.customer {
			k := slot(c)
			at := next[k]
			next[k]++
			out.paidMS[at], out.net[at], out.channel[at] = p.paidMS[j], p.net[j], p.channel[j]
		}
		parts[i] = readPart{} // let the collector have it before the next part is copied
	}
	for i := range ids {
		out.sortOrders(out.start[i], out.start[i+1])
	}
	return out
}

// sortOrders orders [from, to) by payment time with a stable insertion
// sort: a customer has a handful of orders.
func (b *byCustomer) sortOrders(from, to int) {
	for i := from + 1; i < to; i++ {
		for j := i; j > from && b.paidMS[j] < b.paidMS[j-1]; j-- {
			b.paidMS[j], b.paidMS[j-1] = b.paidMS[j-1], b.paidMS[j]
			b.net[j], b.net[j-1] = b.net[j-1], b.net[j]
			b.channel[j], b.channel[j-1] = b.channel[j-1], b.channel[j]
		}
	}
}

// orders yields the paid orders of customers [from, to) in order.
func (b *byCustomer) orders(from, to int) iter.Seq[store.PaidOrder] {
	return func(yield func(store.PaidOrder) bool) {
		for i := from; i < to; i++ {
			for k := b.start[i]; k < b.start[i+1]; k++ {
				o := store.PaidOrder{Customer: b.ids[i], PaidAt: time.UnixMilli(b.paidMS[k]).UTC(), Net: b.net[k], Channel: siyu.Channels[b.channel[k]]}
				if !yield(o) {
					return
				}
			}
		}
	}
}

// summarize turns customers [from, to) into RFM summaries (purchases kept),
// showing every order to also.
func (b *byCustomer) summarize(from, to int, also func(store.PaidOrder)) ([]rfm.Summary, error) {
	out := make([]rfm.Summary, 0, to-from)
	seq := func(yield func(rfm.Order) bool) {
		for o := range b.orders(from, to) {
			if also != nil {
				also(o)
			}
			if !yield(rfm.Order{Customer: o.Customer, PaidAt: o.PaidAt, Net: o.Net}) {
				return
			}
		}
	}
	for s, err := range rfm.Summarize(seq) {
		if err != nil {
			return nil, err
		}
		s.Purchases = slices.Clone(s.Purchases)
		out = append(out, s)
	}
	return out, nil
}

// loadSummaries reads every paid order once into one summary per customer,
// in customer order, and the funnel by first-order source.
func loadSummaries(ctx context.Context, st *store.Store, ws int64, contacts map[int64]store.ContactFacts) ([]rfm.Summary, int, []store.FunnelRow, error) {
	parts, err := readOrders(ctx, st, ws)
	if err != nil {
		return nil, 0, nil, err
	}
	b := sortByCustomer(parts)
	parts = nil
	orders := len(b.paidMS)

	// Summaries are built on every core, each over a run of customers
	// with about the same number of orders.
	workers := max(runtime.GOMAXPROCS(0), 1)
	bounds := []int{0}
	for w := 1; w < workers; w++ {
		target := orders * w / workers
		i, _ := slices.BinarySearch(b.start, target)
		bounds = append(bounds, max(min(i, len(b.ids)), bounds[len(bounds)-1]))
	}
	bounds = append(bounds, len(b.ids))
	type part struct {
		sums   []rfm.Summary
		funnel *sourceFunnel
		err    error
	}
	res := make([]part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &res[w]
			p.funnel = newSourceFunnel(contacts)
			p.sums, p.err = b.summarize(bounds[w], bounds[w+1], p.funnel.add)
		}()
	}
	wg.Wait()
	sums := make([]rfm.Summary, 0, len(b.ids))
	merged := newSourceFunnel(contacts)
	for _, p := range res {
		if p.err != nil {
			return nil, 0, nil, p.err
		}
		sums = append(sums, p.sums...)
		merged.merge(p.funnel)
	}
	return sums, orders, merged.result(), nil
}

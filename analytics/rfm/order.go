package rfm

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"time"

	"siyu.dev/siyu"
)

// Order is one paid order as the analytics packages see it. The caller
// filters: only paid orders, one Order per order, Net is the amount minus
// refunds (siyu.Order.Net).
type Order struct {
	Customer int64
	PaidAt   time.Time
	Net      siyu.Fen
}

// Purchase is one order of a customer, reduced to its Shanghai day and net
// amount.
type Purchase struct {
	Day Day
	Net siyu.Fen
}

// Summary is one customer's paid orders. Summarize fills every field; a
// caller holding per-customer totals (for example siyu.Customer, see
// CustomerSummary) may leave Purchases nil, which is enough for RFM as long
// as no as-of day cuts into the customer's orders.
type Summary struct {
	Customer int64
	First    Day      // day of the first order
	Last     Day      // day of the last order
	Orders   int      // number of orders
	Net      siyu.Fen // total net amount
	// Purchases lists the orders by day (orders of one day keep their input
	// order). Summarize reuses the slice for the next customer: copy it to
	// keep it.
	Purchases []Purchase
}

// Summarize groups a stream of orders into one Summary per customer. The
// orders must come sorted by customer id (ascending) and should be sorted by
// paid time within a customer, which is what
//
//	SELECT customer_id, paid_at, amount - refund FROM orders WHERE ... ORDER BY customer_id, paid_at
//
// gives; a customer's orders out of time order are sorted, a customer id
// that goes backwards is an error. Nothing is kept beyond one customer's
// orders, so ten million orders take no more memory than the largest
// customer. The sequence stops at the first error, which names the order by
// its position in the stream (1-based).
func Summarize(orders iter.Seq[Order]) iter.Seq2[Summary, error] {
	return func(yield func(Summary, error) bool) {
		var s Summary
		n := 0
		inOrder := true
		for o := range orders {
			n++
			if err := checkOrder(n, o); err != nil {
				yield(Summary{}, err)
				return
			}
			if len(s.Purchases) > 0 && o.Customer != s.Customer {
				if o.Customer < s.Customer {
					yield(Summary{}, fmt.Errorf("order %d: customer %d comes after customer %d: orders must be sorted by customer id", n, o.Customer, s.Customer))
					return
				}
				s.finish(inOrder)
				if !yield(s, nil) {
					return
				}
				s = Summary{Purchases: s.Purchases[:0]}
				inOrder = true
			}
			d := DayOf(o.PaidAt)
			if k := len(s.Purchases); k > 0 && d < s.Purchases[k-1].Day {
				inOrder = false
			}
			s.Customer = o.Customer
			s.Purchases = append(s.Purchases, Purchase{Day: d, Net: o.Net})
		}
		if len(s.Purchases) > 0 {
			s.finish(inOrder)
			yield(s, nil)
		}
	}
}

func checkOrder(n int, o Order) error {
	switch {
	case o.PaidAt.IsZero():
		return fmt.Errorf("order %d (customer %d): paid time missing", n, o.Customer)
	case o.Net < 0:
		return fmt.Errorf("order %d (customer %d): negative net amount %s", n, o.Customer, o.Net)
	case o.Net > siyu.MaxAmount:
		return fmt.Errorf("order %d (customer %d): net amount %s over the limit of %s", n, o.Customer, o.Net, siyu.MaxAmount)
	}
	return nil
}

func (s *Summary) finish(inOrder bool) {
	if !inOrder {
		slices.SortStableFunc(s.Purchases, func(a, b Purchase) int { return cmp.Compare(a.Day, b.Day) })
	}
	s.First = s.Purchases[0].Day
	s.Last = s.Purchases[len(s.Purchases)-1].Day
	s.Orders = len(s.Purchases)
	s.Net = 0
	for _, p := range s.Purchases {
		s.Net += p.Net
	}
}

// CustomerSummary turns the order summary the store keeps on a customer into
// a Summary without purchases. It reports false for a customer without paid
// orders.
func CustomerSummary(c siyu.Customer) (Summary, bool) {
	if c.OrderCount <= 0 || c.LastOrderAt == nil {
		return Summary{}, false
	}
	last := DayOf(*c.LastOrderAt)
	first := last
	if c.FirstOrderAt != nil {
		first = DayOf(*c.FirstOrderAt)
	}
	return Summary{Customer: c.ID, First: first, Last: last, Orders: c.OrderCount, Net: c.TotalPaid}, true
}

// SortOrders sorts orders the way Summarize wants them: by customer, then
// paid time. It is for callers that hold the orders in memory.
func SortOrders(orders []Order) {
	slices.SortFunc(orders, func(a, b Order) int {
		if c := cmp.Compare(a.Customer, b.Customer); c != 0 {
			return c
		}
		return a.PaidAt.Compare(b.PaidAt)
	})
}

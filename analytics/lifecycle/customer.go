package lifecycle

import (
	"fmt"
	"iter"
	"time"

	"siyu.dev/siyu/analytics/rfm"
)

// Customer is what the lifecycle needs to know of one customer.
type Customer struct {
	ID int64
	// Since is the first day the customer was known (for example the day
	// the customer was created or added on WeCom). Zero (1970-01-01) or a day
	// after the first order means the first order's day: a customer only
	// known through orders is never "new".
	Since rfm.Day
	// Orders are the days of the paid orders, ascending, one entry per
	// order (two orders on one day are two entries).
	Orders []rfm.Day
}

// entry is the first day the customer has a stage.
func (c *Customer) entry() rfm.Day {
	if len(c.Orders) == 0 || c.Since != 0 && c.Since < c.Orders[0] {
		return c.Since
	}
	return c.Orders[0]
}

func (c *Customer) check() error {
	for i := 1; i < len(c.Orders); i++ {
		if c.Orders[i] < c.Orders[i-1] {
			return fmt.Errorf("lifecycle: customer %d: order days out of order (%s after %s)", c.ID, c.Orders[i], c.Orders[i-1])
		}
	}
	return nil
}

// Known says since when a customer is known, whether or not the customer
// has ordered; typically the customer's CreatedAt.
type Known struct {
	Customer int64
	Since    time.Time
}

// Join merges known customers with the order summaries of those who
// ordered (rfm.Summarize), both sorted by customer id, into one Customer
// each, by customer id. known may be nil: then only customers with orders
// take part, each known from the first order. A known customer without
// orders takes part as "new" from Since. The Orders slice of a yielded
// Customer is reused for the next one.
func Join(known iter.Seq[Known], summaries iter.Seq2[rfm.Summary, error]) iter.Seq2[Customer, error] {
	return func(yield func(Customer, error) bool) {
		kc := &knownCursor{}
		if known != nil {
			next, stop := iter.Pull(known)
			defer stop()
			kc.next = next
		}
		if err := kc.advance(); err != nil {
			yield(Customer{}, err)
			return
		}
		// flushBefore yields the known customers without orders whose id is
		// below id.
		flushBefore := func(id int64, all bool) (ok bool) {
			for kc.ok && (all || kc.cur.Customer < id) {
				if kc.cur.Since.IsZero() {
					yield(Customer{}, fmt.Errorf("lifecycle: customer %d has neither orders nor a known-since time", kc.cur.Customer))
					return false
				}
				if !yield(Customer{ID: kc.cur.Customer, Since: rfm.DayOf(kc.cur.Since)}, nil) {
					return false
				}
				if err := kc.advance(); err != nil {
					yield(Customer{}, err)
					return false
				}
			}
			return true
		}
		var days []rfm.Day
		var prev int64
		first := true
		for s, err := range summaries {
			if err != nil {
				yield(Customer{}, err)
				return
			}
			if !first && s.Customer <= prev {
				yield(Customer{}, fmt.Errorf("lifecycle: customer %d comes after %d: summaries must be sorted by customer id, each once", s.Customer, prev))
				return
			}
			prev, first = s.Customer, false
			if len(s.Purchases) != s.Orders {
				yield(Customer{}, fmt.Errorf("lifecycle: customer %d: summary lists %d purchases for %d orders (the lifecycle needs every order day)", s.Customer, len(s.Purchases), s.Orders))
				return
			}
			if !flushBefore(s.Customer, false) {
				return
			}
			c := Customer{ID: s.Customer}
			if kc.ok && kc.cur.Customer == s.Customer {
				if !kc.cur.Since.IsZero() {
					c.Since = rfm.DayOf(kc.cur.Since)
				}
				if err := kc.advance(); err != nil {
					yield(Customer{}, err)
					return
				}
			}
			days = days[:0]
			for _, p := range s.Purchases {
				days = append(days, p.Day)
			}
			c.Orders = days
			if !yield(c, nil) {
				return
			}
		}
		flushBefore(0, true)
	}
}

// knownCursor walks the known customers, checking their order.
type knownCursor struct {
	next    func() (Known, bool)
	cur     Known
	ok      bool
	started bool
}

func (kc *knownCursor) advance() error {
	if kc.next == nil {
		return nil
	}
	prev, hadPrev := kc.cur.Customer, kc.started
	kc.cur, kc.ok = kc.next()
	kc.started = true
	if kc.ok && hadPrev && kc.cur.Customer <= prev {
		return fmt.Errorf("lifecycle: known customer %d comes after %d: known customers must be sorted by id, each once", kc.cur.Customer, prev)
	}
	return nil
}

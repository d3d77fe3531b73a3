package lifecycle

import (
	"sort"

	"siyu.dev/siyu/analytics/rfm"
)

// StageAt returns the customer's stage at the end of day: orders paid on day
// count. With d the days from the last order on or before day to day:
//
//	None        day is before the customer is known
//	New         known, no order yet
//	FirstOrder  one order, d ≤ SilentAfter
//	Repeat      two or more orders, d ≤ SilentAfter
//	Silent      SilentAfter < d ≤ ChurnedAfter
//	Churned     d > ChurnedAfter
//
// An invalid cfg gives None; check it with Config.Validate.
func StageAt(c Customer, day rfm.Day, cfg Config) Stage {
	cfg, err := cfg.resolve()
	if err != nil || day < c.entry() {
		return None
	}
	n := sort.Search(len(c.Orders), func(i int) bool { return c.Orders[i] > day })
	if n == 0 {
		return New
	}
	d := int(day - c.Orders[n-1])
	switch {
	case d > cfg.ChurnedAfter:
		return Churned
	case d > cfg.SilentAfter:
		return Silent
	case n == 1:
		return FirstOrder
	}
	return Repeat
}

// Change is a change of stage: from Day on, the customer is in To.
type Change struct {
	Day  rfm.Day `json:"day"`
	From Stage   `json:"from"`
	To   Stage   `json:"to"`
}

// AppendChanges appends the customer's stage timeline to dst and returns
// it: every change, by day, the first from None. A stage only changes on an
// order day and when a threshold elapses after the last order (day
// last+SilentAfter+1 to Silent, last+ChurnedAfter+1 to Churned), so the
// timeline costs at most three changes per order day, whatever the date
// range. Orders must be sorted; an invalid cfg appends nothing.
func AppendChanges(dst []Change, c Customer, cfg Config) []Change {
	cfg, err := cfg.resolve()
	if err != nil {
		return dst
	}
	cur := None
	to := func(day rfm.Day, s Stage) {
		if s != cur {
			dst = append(dst, Change{Day: day, From: cur, To: s})
			cur = s
		}
	}
	if entry := c.entry(); len(c.Orders) == 0 || entry < c.Orders[0] {
		to(entry, New)
	}
	silent, churned := int64(cfg.SilentAfter)+1, int64(cfg.ChurnedAfter)+1
	for i := 0; i < len(c.Orders); {
		day := c.Orders[i]
		for i < len(c.Orders) && c.Orders[i] == day {
			i++
		}
		if i == 1 {
			to(day, FirstOrder)
		} else {
			to(day, Repeat)
		}
		next := int64(1) << 40 // no next order
		if i < len(c.Orders) {
			next = int64(c.Orders[i])
		}
		if d := int64(day) + silent; d < next {
			to(rfm.Day(d), Silent)
		}
		if d := int64(day) + churned; d < next {
			to(rfm.Day(d), Churned)
		}
	}
	return dst
}

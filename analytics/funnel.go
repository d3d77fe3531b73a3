package analytics

import (
	"cmp"
	"slices"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// sourceFunnel builds the funnel by first-order source while the orders
// stream past (sorted by customer and time), so the refresh reads the
// orders once: a customer's first order names the source; the orders after
// the customer was added as a contact count as converted revenue.
type sourceFunnel struct {
	contacts map[int64]store.ContactFacts
	rows     map[siyu.Channel]*store.FunnelRow
	current  int64
	ordered  bool
	source   siyu.Channel
}

func newSourceFunnel(contacts map[int64]store.ContactFacts) *sourceFunnel {
	return &sourceFunnel{contacts: contacts, rows: map[siyu.Channel]*store.FunnelRow{}, current: -1}
}

func (f *sourceFunnel) add(o store.PaidOrder) {
	if o.Customer != f.current {
		f.current, f.ordered, f.source = o.Customer, false, o.Channel
		r := f.rows[o.Channel]
		if r == nil {
			r = &store.FunnelRow{Key: string(o.Channel), Name: string(o.Channel)}
			f.rows[o.Channel] = r
		}
		r.Touched++
		if c, ok := f.contacts[o.Customer]; ok {
			r.Retained++
			if !c.Live {
				r.Deleted++
			}
			if c.Engaged {
				r.Engaged++
			}
		}
	}
	c, ok := f.contacts[o.Customer]
	if !ok || o.PaidAt.Before(c.Added) {
		return
	}
	r := f.rows[f.source]
	if !f.ordered {
		f.ordered = true
		r.Ordered++
	}
	r.Revenue += o.Net
}

// merge adds another funnel's counts (of disjoint customers) to f.
func (f *sourceFunnel) merge(g *sourceFunnel) {
	for ch, r := range g.rows {
		m := f.rows[ch]
		if m == nil {
			m = &store.FunnelRow{Key: r.Key, Name: r.Name}
			f.rows[ch] = m
		}
		m.Touched += r.Touched
		m.Retained += r.Retained
		m.Deleted += r.Deleted
		m.Engaged += r.Engaged
		m.Ordered += r.Ordered
		m.Revenue += r.Revenue
	}
}

func (f *sourceFunnel) result() []store.FunnelRow {
	out := make([]store.FunnelRow, 0, len(f.rows))
	for _, r := range f.rows {
		out = append(out, store.FinishFunnel(*r))
	}
	slices.SortFunc(out, func(a, b store.FunnelRow) int {
		if c := cmp.Compare(b.Touched, a.Touched); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}

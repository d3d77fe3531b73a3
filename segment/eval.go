package segment

import (
	"slices"
	"time"

	"siyu.dev/siyu"
)

// Facts is what a rule can see of one person, as store.PersonFacts loads it.
type Facts struct {
	// At is the moment the rule is evaluated at: windows and ago() count
	// back from it. Zero means now.
	At time.Time

	Name, Province, City string
	CreatedAt            time.Time
	OrderCount           int64
	TotalPaid            siyu.Fen
	FirstOrderAt         *time.Time
	LastOrderAt          *time.Time

	// Scores is nil when the analytics refresh has not scored the person.
	Scores *Scores

	Tags     []string // tag names
	Groups   []string // names of the live groups the person is in
	Contacts []string // WeCom userids of the accounts with a live contact
	OptedOut bool
	Events   []Event
}

// Scores are a person's analytics values (table customer_scores). Pointers
// are values the refresh leaves empty.
type Scores struct {
	Stage             string
	RecencyDays       *int64
	Frequency         int64
	Monetary          siyu.Fen
	RScore            *int64
	FScore            *int64
	MScore            *int64
	RFMSegment        string
	PAlive            *float64
	ExpectedPurchases *float64
	CLV               *siyu.Fen
}

// Event is one event of the person.
type Event struct {
	Type  string
	At    time.Time
	Props map[string]any
}

// Eval reports whether the person matches the rule. It agrees with the SQL
// of Where on every person (a property the tests check on generated data).
// The error is reserved for rules this version cannot evaluate; a checked
// rule has none.
func (r *Rule) Eval(f Facts) (bool, error) {
	now := f.At
	if now.IsZero() {
		now = time.Now()
	}
	e := evaluator{f: &f, now: now.UnixMilli()}
	return e.cond(r.root), nil
}

type evaluator struct {
	f   *Facts
	now int64
}

func (e evaluator) cond(x cond) bool {
	switch x := x.(type) {
	case logicCond:
		if x.and {
			return e.cond(x.l) && e.cond(x.r)
		}
		return e.cond(x.l) || e.cond(x.r)
	case notCond:
		return !e.cond(x.x)
	case truthCond:
		return e.truth(x.t)
	case cmpCond:
		return e.compare(x)
	}
	return false
}

func (e evaluator) truth(t term) bool {
	switch t.kind {
	case termIsContact:
		return len(e.f.Contacts) > 0
	case termOptedOut:
		return e.f.OptedOut
	case termTag:
		return slices.Contains(e.f.Tags, t.arg)
	case termGroup:
		return slices.Contains(e.f.Groups, t.arg)
	case termContactOf:
		return slices.Contains(e.f.Contacts, t.arg)
	}
	return false
}

func (e evaluator) compare(x cmpCond) bool {
	if x.t.kind == termCount {
		return matchInt(e.count(x.t), x.op, x.vals)
	}
	f := e.f
	s := f.Scores
	switch x.t.field.Name {
	case "name":
		return matchText(f.Name, x.op, x.vals)
	case "province":
		return matchText(f.Province, x.op, x.vals)
	case "city":
		return matchText(f.City, x.op, x.vals)
	case "created_at":
		return e.matchTime(&f.CreatedAt, x)
	case "first_order_at":
		return e.matchTime(f.FirstOrderAt, x)
	case "last_order_at":
		return e.matchTime(f.LastOrderAt, x)
	case "order_count":
		return matchInt(f.OrderCount, x.op, x.vals)
	case "total_paid":
		return matchInt(int64(f.TotalPaid), x.op, x.vals)
	}
	if s == nil {
		return false // every score field is missing
	}
	switch x.t.field.Name {
	case "stage":
		return matchText(s.Stage, x.op, x.vals)
	case "rfm_segment":
		return matchText(s.RFMSegment, x.op, x.vals)
	case "frequency":
		return matchInt(s.Frequency, x.op, x.vals)
	case "monetary":
		return matchInt(int64(s.Monetary), x.op, x.vals)
	case "recency_days":
		return s.RecencyDays != nil && matchInt(*s.RecencyDays, x.op, x.vals)
	case "r_score":
		return s.RScore != nil && matchInt(*s.RScore, x.op, x.vals)
	case "f_score":
		return s.FScore != nil && matchInt(*s.FScore, x.op, x.vals)
	case "m_score":
		return s.MScore != nil && matchInt(*s.MScore, x.op, x.vals)
	case "clv":
		return s.CLV != nil && matchInt(int64(*s.CLV), x.op, x.vals)
	case "p_alive":
		return s.PAlive != nil && matchFloat(*s.PAlive, x.op, x.vals[0].f)
	case "expected_purchases":
		return s.ExpectedPurchases != nil && matchFloat(*s.ExpectedPurchases, x.op, x.vals[0].f)
	}
	return false
}

func (e evaluator) matchTime(t *time.Time, x cmpCond) bool {
	if t == nil {
		return false
	}
	v := x.vals[0]
	want := v.i
	if v.rel {
		want = e.now - v.ago.Milliseconds()
	}
	return matchInt(t.UnixMilli(), x.op, []value{{i: want}})
}

func (e evaluator) count(t term) int64 {
	var n int64
	from := e.now - t.window.Milliseconds()
	for _, ev := range e.f.Events {
		if ev.Type != t.arg || (t.window > 0 && ev.At.UnixMilli() < from) {
			continue
		}
		if t.propKey != "" {
			if s, ok := ev.Props[t.propKey].(string); !ok || s != t.propVal {
				continue
			}
		}
		n++
	}
	return n
}

func matchInt(v int64, op string, vals []value) bool {
	switch op {
	case "in", "not in":
		in := false
		for _, x := range vals {
			if x.i == v {
				in = true
				break
			}
		}
		return in == (op == "in")
	}
	return ordered(v, op, vals[0].i)
}

func matchFloat(v float64, op string, w float64) bool { return ordered(v, op, w) }

func ordered[T int64 | float64](v T, op string, w T) bool {
	switch op {
	case "==":
		return v == w
	case "!=":
		return v != w
	case "<":
		return v < w
	case "<=":
		return v <= w
	case ">":
		return v > w
	case ">=":
		return v >= w
	}
	return false
}

func matchText(v, op string, vals []value) bool {
	switch op {
	case "==":
		return v == vals[0].s
	case "!=":
		return v != vals[0].s
	}
	in := false
	for _, x := range vals {
		if x.s == v {
			in = true
			break
		}
	}
	return in == (op == "in")
}

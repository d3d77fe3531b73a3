package tasks

import (
	"math"
	"sort"
	"time"
)

// Record is what metrics need of one task.
type Record struct {
	Kind       string
	Status     string
	AssigneeID int64
	DoneBy     int64
	CreatedAt  time.Time
	DueAt      time.Time
	DoneAt     time.Time
}

// Stat is the completion of a group of tasks. Durations are from creation to
// completion of the done ones; WithinSLA is the share of done tasks finished
// by their due time (0 when none is done).
type Stat struct {
	Done      int           `json:"done"`
	Open      int           `json:"open"`
	Overdue   int           `json:"overdue"`
	Cancelled int           `json:"cancelled"`
	Median    time.Duration `json:"median_ns"`
	P90       time.Duration `json:"p90_ns"`
	WithinSLA float64       `json:"within_sla"`
}

// Report is the completion metrics of a workspace: all tasks, per operator
// (done ones under who did them, open ones under their assignee; 0 is the
// pool) and per kind.
type Report struct {
	Total      Stat            `json:"total"`
	ByOperator map[int64]Stat  `json:"by_operator"`
	ByKind     map[string]Stat `json:"by_kind"`
}

// Operators returns the operator ids of the report in a stable order: most
// done first, then by id.
func (r Report) Operators() []int64 {
	ids := make([]int64, 0, len(r.ByOperator))
	for id := range r.ByOperator {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := r.ByOperator[ids[i]], r.ByOperator[ids[j]]
		if a.Done != b.Done {
			return a.Done > b.Done
		}
		return ids[i] < ids[j]
	})
	return ids
}

// Kinds returns the kinds of the report sorted by name.
func (r Report) Kinds() []string {
	ks := make([]string, 0, len(r.ByKind))
	for k := range r.ByKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Summarize computes the metrics of records at now.
func Summarize(records []Record, now time.Time) Report {
	type acc struct {
		stat      Stat
		durations []time.Duration
		inSLA     int
	}
	total := &acc{}
	byOp := map[int64]*acc{}
	byKind := map[string]*acc{}
	get := func(m map[int64]*acc, k int64) *acc {
		if m[k] == nil {
			m[k] = &acc{}
		}
		return m[k]
	}
	for _, r := range records {
		kind := byKind[r.Kind]
		if kind == nil {
			kind = &acc{}
			byKind[r.Kind] = kind
		}
		var groups []*acc
		switch r.Status {
		case StatusDone:
			groups = []*acc{total, kind, get(byOp, r.DoneBy)}
			d := r.DoneAt.Sub(r.CreatedAt)
			if d < 0 {
				d = 0
			}
			inSLA := !r.DoneAt.After(r.DueAt)
			for _, g := range groups {
				g.stat.Done++
				g.durations = append(g.durations, d)
				if inSLA {
					g.inSLA++
				}
			}
		case StatusOpen:
			groups = []*acc{total, kind, get(byOp, r.AssigneeID)}
			overdue := now.After(r.DueAt)
			for _, g := range groups {
				g.stat.Open++
				if overdue {
					g.stat.Overdue++
				}
			}
		case StatusCancelled:
			for _, g := range []*acc{total, kind} {
				g.stat.Cancelled++
			}
		}
	}
	finish := func(a *acc) Stat {
		s := a.stat
		if len(a.durations) > 0 {
			sort.Slice(a.durations, func(i, j int) bool { return a.durations[i] < a.durations[j] })
			s.Median = Quantile(a.durations, 0.5)
			s.P90 = Quantile(a.durations, 0.9)
			s.WithinSLA = float64(a.inSLA) / float64(len(a.durations))
		}
		return s
	}
	rep := Report{Total: finish(total), ByOperator: map[int64]Stat{}, ByKind: map[string]Stat{}}
	for id, a := range byOp {
		rep.ByOperator[id] = finish(a)
	}
	for k, a := range byKind {
		rep.ByKind[k] = finish(a)
	}
	return rep
}

// Quantile returns the q-quantile (0..1) of sorted durations by the
// nearest-rank method: a duration that actually occurred, so a median of
// two tasks is the shorter one rather than a made-up mean.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return sorted[rank]
}

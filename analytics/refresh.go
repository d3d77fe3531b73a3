// Package analytics computes a workspace's models in one pass over its
// orders: RFM, lifecycle stages and flows, cohorts and repurchase, CLV, and
// the channel funnels, and keeps the result as the dashboard's snapshot.
// The models themselves live in the subpackages, one per model, and know
// nothing of the database.
package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"time"

	"siyu.dev/siyu/analytics/cohort"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
	"siyu.dev/siyu/store"
)

// Config configures a refresh; the zero Config is the documented default.
type Config struct {
	RFM       rfm.Config
	Lifecycle lifecycle.Config
	Cohort    cohort.Config
	// FlowMonths is how many months of lifecycle flows to keep (default 12).
	FlowMonths int
	// Now is the moment of the refresh (default time.Now).
	Now time.Time
	// ColdStart fits the CLV models from their built-in starting points
	// instead of from the last refresh's fit (same result, more
	// iterations): for benchmarks of a first refresh.
	ColdStart bool
}

// Snapshot is everything the dashboard shows, as of ComputedAt.
type Snapshot struct {
	WorkspaceID int64     `json:"workspace_id"`
	ComputedAt  time.Time `json:"computed_at"`
	Customers   int       `json:"customers"` // live customers, with or without orders
	Buyers      int       `json:"buyers"`
	Orders      int       `json:"orders"`

	RFM      *rfm.Report       `json:"rfm"`
	Stages   lifecycle.Counts  `json:"stages"` // today
	Flow     *lifecycle.Flow   `json:"flow"`   // monthly, over FlowMonths
	Cohorts  *cohort.Report    `json:"cohorts"`
	CLV      *CLVSummary       `json:"clv,omitempty"`
	ByCode   []store.FunnelRow `json:"funnel_by_code"`
	BySource []store.FunnelRow `json:"funnel_by_source"`

	Timings map[string]time.Duration `json:"timings_ns"`
}

// SnapshotKind is the kind under which the dashboard snapshot is stored.
const SnapshotKind = "dashboard"

// Refresh computes everything for a workspace and stores the snapshot.
func Refresh(ctx context.Context, st *store.Store, workspaceID int64, cfg Config) (*Snapshot, error) {
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	if cfg.FlowMonths <= 0 {
		cfg.FlowMonths = 12
	}
	snap := &Snapshot{WorkspaceID: workspaceID, ComputedAt: cfg.Now.UTC(), Timings: map[string]time.Duration{}}
	lap := time.Now()
	mark := func(name string) {
		snap.Timings[name] = time.Since(lap)
		lap = time.Now()
	}

	in, err := loadPeople(ctx, st, workspaceID)
	if err != nil {
		return nil, err
	}
	known, sums, orders, bySource := in.known, in.sums, in.orders, in.bySource
	snap.Orders, snap.BySource = orders, bySource
	snap.Buyers = len(sums)
	snap.Customers = len(known)
	mark("load")

	if snap.RFM, err = rfm.Compute(summaries(sums), cfg.RFM); err != nil {
		return nil, fmt.Errorf("rfm: %w", err)
	}
	mark("rfm")

	// The CLV models are fitted first, on every core; the predictions are
	// then made beside the writing of the scores, which consumes them as
	// they come, and beside lifecycle and cohorts (which only read the
	// summaries). Measured on two cores, this order is 0.5 s faster than
	// fitting beside lifecycle and cohorts.
	//
	// The last refresh's fit, if any, is where the search starts: hourly
	// refreshes of a slowly changing population then converge in a few
	// iterations. Without one (or with one that no longer reads) the
	// search starts from scratch.
	var prevCLV *CLVSummary
	if prev, err := Latest(ctx, st, workspaceID); err == nil && prev.CLV != nil && !cfg.ColdStart {
		prevCLV = prev.CLV
	}
	fit, err := fitCLV(sums, snap.RFM.AsOf, prevCLV)
	if err != nil {
		return nil, fmt.Errorf("clv: %w", err)
	}
	mark("clv_fit")
	today := rfm.DayOf(cfg.Now)

	// Lifecycle and cohorts are computed beside the writing of the scores.
	type modelsDone struct {
		err                error
		lifecycle, cohorts time.Duration
	}
	modelsc := make(chan modelsDone, 1)
	go func() {
		var err error
		start := time.Now()
		if snap.Stages, err = lifecycle.Snapshot(lifecycle.Join(slices.Values(known), summaries(sums)), today, cfg.Lifecycle); err != nil {
			modelsc <- modelsDone{err: fmt.Errorf("lifecycle: %w", err)}
			return
		}
		from := rfm.DayOf(cfg.Now.AddDate(0, -cfg.FlowMonths, 0))
		if snap.Flow, err = lifecycle.Flows(lifecycle.Join(slices.Values(known), summaries(sums)), lifecycle.Range{From: from, To: today, Period: lifecycle.Monthly}, cfg.Lifecycle); err != nil {
			modelsc <- modelsDone{err: fmt.Errorf("lifecycle flows: %w", err)}
			return
		}
		lifecycleTook := time.Since(start)
		if snap.Cohorts, err = cohort.Analyze(summaries(sums), cfg.Cohort); err != nil {
			modelsc <- modelsDone{err: fmt.Errorf("cohorts: %w", err)}
			return
		}
		modelsc <- modelsDone{lifecycle: lifecycleTook, cohorts: time.Since(start) - lifecycleTook}
	}()

	var clvs []customerCLV
	var ready chan int
	predicted := make(chan time.Duration, 1)
	if fit != nil {
		clvs = make([]customerCLV, len(fit.cs))
		ready = make(chan int, len(clvs)/predictChunk+2)
		go func() {
			start := time.Now()
			fit.predict(clvs, ready)
			predicted <- time.Since(start)
		}()
	} else {
		close(predicted)
	}
	err = st.SaveScores(ctx, workspaceID, snap.ComputedAt, scores(known, sums, snap.RFM.Results, clvs, ready, today, cfg.Lifecycle))
	if took, ok := <-predicted; ok {
		snap.Timings["clv_predict"] = took
	}
	models := <-modelsc
	if err != nil {
		return nil, fmt.Errorf("scores: %w", err)
	}
	if models.err != nil {
		return nil, models.err
	}
	snap.Timings["lifecycle"], snap.Timings["cohorts"] = models.lifecycle, models.cohorts
	if fit != nil {
		snap.CLV = fit.summary
	}
	mark("scores")

	if snap.ByCode, err = st.FunnelByCode(ctx, workspaceID); err != nil {
		return nil, err
	}
	mark("funnels")

	body, err := json.Marshal(snap)
	if err != nil {
		return nil, err
	}
	if err := st.SaveSnapshot(ctx, workspaceID, SnapshotKind, snap.ComputedAt, body); err != nil {
		return nil, err
	}
	return snap, nil
}

// people is what the models read of a workspace: its known customers and
// their paid orders, summarised.
type people struct {
	known    []lifecycle.Known
	sums     []rfm.Summary
	orders   int
	bySource []store.FunnelRow
}

// loadPeople reads the workspace's customers and orders: one read of the
// orders, with the customers read on another connection meanwhile.
func loadPeople(ctx context.Context, st *store.Store, workspaceID int64) (people, error) {
	contacts, err := st.ContactFactsByCustomer(ctx, workspaceID)
	if err != nil {
		return people{}, err
	}
	type knownDone struct {
		known []lifecycle.Known
		err   error
	}
	knownc := make(chan knownDone, 1)
	go func() {
		var known []lifecycle.Known
		err := st.CustomerIDs(ctx, workspaceID, func(id int64, created time.Time) error {
			// Known since they were first seen: their first WeCom add when
			// that came before the row was created (imported history); the
			// first order is taken care of by lifecycle.Join.
			since := created
			if c, ok := contacts[id]; ok && c.Added.Before(since) {
				since = c.Added
			}
			known = append(known, lifecycle.Known{Customer: id, Since: since})
			return nil
		})
		knownc <- knownDone{known, err}
	}()
	sums, orders, bySource, err := loadSummaries(ctx, st, workspaceID, contacts)
	kd := <-knownc
	if err != nil {
		return people{}, err
	}
	if kd.err != nil {
		return people{}, kd.err
	}
	return people{known: kd.known, sums: sums, orders: orders, bySource: bySource}, nil
}

// Latest returns the stored snapshot, or nil if none was computed yet.
func Latest(ctx context.Context, st *store.Store, workspaceID int64) (*Snapshot, error) {
	body, _, err := st.Snapshot(ctx, workspaceID, SnapshotKind)
	if err != nil {
		return nil, err
	}
	var snap Snapshot
	if err := json.Unmarshal(body, &snap); err != nil {
		return nil, err
	}
	return &snap, nil
}

func summaries(s []rfm.Summary) iter.Seq2[rfm.Summary, error] {
	return func(yield func(rfm.Summary, error) bool) {
		for _, x := range s {
			if !yield(x, nil) {
				return
			}
		}
	}
}

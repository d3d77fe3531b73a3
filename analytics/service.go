package analytics

import (
	"context"
	"errors"
	"slices"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
	"siyu.dev/siyu/store"
)

// Service is the analytics of every workspace: the stored snapshots, their
// refresh on demand and on a schedule.
type Service struct {
	st *store.Store
}

// NewService returns the service. Each workspace's refresh uses that
// workspace's Settings.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// Latest returns the stored snapshot, computing it first if there is none.
// When another refresh of the workspace is under way, it waits for that
// one's snapshot.
func (s *Service) Latest(ctx context.Context, workspaceID int64) (*Snapshot, error) {
	for {
		snap, err := Latest(ctx, s.st, workspaceID)
		if !errors.Is(err, siyu.ErrNotFound) {
			return snap, err
		}
		snap, err = s.Refresh(ctx, workspaceID)
		if !errors.Is(err, ErrRefreshRunning) {
			return snap, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ErrRefreshRunning is returned when the workspace's snapshot is being
// recomputed already (on this node or another).
var ErrRefreshRunning = errors.New("analytics are being recomputed already; try again in a moment")

// Refresh recomputes a workspace's snapshot now, one refresh per workspace
// at a time across nodes.
func (s *Service) Refresh(ctx context.Context, workspaceID int64) (*Snapshot, error) {
	unlock, ok, err := s.st.TryLock(ctx, store.LockAnalytics, workspaceID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrRefreshRunning
	}
	defer unlock()
	cfg, err := s.configFor(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	return Refresh(ctx, s.st, workspaceID, cfg)
}

// TopRFM ranks the workspace's customers by RFM and returns the n best:
// "run the orders through RFM and add the 500 best on WeChat".
func (s *Service) TopRFM(ctx context.Context, workspaceID int64, n int) ([]rfm.Result, error) {
	sums, _, _, err := loadSummaries(ctx, s.st, workspaceID, nil)
	if err != nil {
		return nil, err
	}
	cfg, err := s.configFor(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	rep, err := rfm.Compute(summaries(sums), cfg.RFM)
	if err != nil {
		return nil, err
	}
	return rfm.Top(rep.Results, n, rfm.ByScore), nil
}

// LifecycleFlows computes the workspace's lifecycle flows over any range
// and period, daily ones included, from the orders as they are now (the
// snapshot keeps the last 12 months by month). Stages are a function of
// the order history, so yesterday's transitions come out the same however
// often they are asked for, until the workspace's thresholds change.
func (s *Service) LifecycleFlows(ctx context.Context, workspaceID int64, r lifecycle.Range) (*lifecycle.Flow, error) {
	cfg, err := s.configFor(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	in, err := loadPeople(ctx, s.st, workspaceID)
	if err != nil {
		return nil, err
	}
	return lifecycle.Flows(lifecycle.Join(slices.Values(in.known), summaries(in.sums)), r, cfg.Lifecycle)
}

// Schedule refreshes every workspace every interval until ctx ends, one
// node at a time per workspace.
func (s *Service) Schedule(ctx context.Context, interval time.Duration, log func(msg string, args ...any)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		workspaces, err := s.st.Workspaces(ctx)
		if err != nil {
			log("analytics schedule", "err", err)
			continue
		}
		for _, w := range workspaces {
			snap, err := s.Refresh(ctx, w.ID)
			if errors.Is(err, ErrRefreshRunning) {
				continue
			}
			if err != nil {
				log("analytics refresh", "workspace", w.Slug, "err", err)
				continue
			}
			log("analytics refreshed", "workspace", w.Slug, "buyers", snap.Buyers, "orders", snap.Orders)
		}
	}
}

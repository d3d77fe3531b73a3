package server

import (
	"context"
	"time"

	"siyu.dev/siyu/store"
)

// Intervals of the tag workers. Inbound text is also processed right after
// every batch of events the API records, so the periodic pass only picks up
// events from other paths (imports, the demo) and failed attempts.
const (
	inboundInterval    = time.Minute
	tagPushInterval    = 10 * time.Second
	tagRefreshInterval = 24 * time.Hour
)

// runTagWorkers runs, until ctx ends: the keyword rules and opt-out
// keywords over new messages and comments, the daily refresh that expires
// keyword tags whose text left the rule's window, and the push of tag
// changes to WeCom. The push works a job queue, so nodes share it; the two
// periodic passes run on one node at a time per workspace (they are
// idempotent, but several nodes doing the same pass is wasted work).
func (s *Server) runTagWorkers(ctx context.Context) {
	go s.wecom.RunTagPush(ctx, tagPushInterval)
	go s.everyWorkspace(ctx, inboundInterval, "inbound text", s.exclusively(store.LockInbound, func(ctx context.Context, ws int64) error {
		_, err := s.cfg.Store.ProcessInbound(ctx, ws)
		return err
	}))
	go s.everyWorkspace(ctx, tagRefreshInterval, "tag rule refresh", s.exclusively(store.LockTagRules, func(ctx context.Context, ws int64) error {
		_, err := s.cfg.Store.RefreshTagRules(ctx, ws, 0)
		return err
	}))
}

// exclusively wraps a per-workspace pass so that it skips a workspace
// whose lock of the class another node (or an earlier pass still running
// here) holds.
func (s *Server) exclusively(class int32, fn func(context.Context, int64) error) func(context.Context, int64) error {
	return func(ctx context.Context, ws int64) error {
		unlock, ok, err := s.cfg.Store.TryLock(ctx, class, ws)
		if err != nil || !ok {
			return err
		}
		defer unlock()
		return fn(ctx, ws)
	}
}

// everyWorkspace runs fn for every workspace every interval until ctx
// ends, logging failures.
func (s *Server) everyWorkspace(ctx context.Context, interval time.Duration, what string, fn func(context.Context, int64) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		workspaces, err := s.cfg.Store.Workspaces(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error(what+": list workspaces", "err", err)
		}
		for _, w := range workspaces {
			if err := fn(ctx, w.ID); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Error(what, "workspace", w.ID, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

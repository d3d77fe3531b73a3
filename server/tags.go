package server

import (
	"context"
	"time"
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
// changes to WeCom.
func (s *Server) runTagWorkers(ctx context.Context) {
	go s.wecom.RunTagPush(ctx, tagPushInterval)
	go s.everyWorkspace(ctx, inboundInterval, "inbound text", func(ctx context.Context, ws int64) error {
		_, err := s.cfg.Store.ProcessInbound(ctx, ws)
		return err
	})
	go s.everyWorkspace(ctx, tagRefreshInterval, "tag rule refresh", func(ctx context.Context, ws int64) error {
		_, err := s.cfg.Store.RefreshTagRules(ctx, ws, 0)
		return err
	})
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

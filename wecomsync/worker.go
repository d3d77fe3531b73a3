package wecomsync

import (
	"context"
	"errors"
	"time"
)

// Reconcile runs a full sync of every workspace with a WeCom app every
// interval, until ctx ends. FullSync's lock makes one node do a workspace at
// a time; callbacks keep the data fresh in between, and this repairs whatever
// callbacks were missed.
func (s *Service) Reconcile(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.reconcileOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) reconcileOnce(ctx context.Context) {
	workspaces, err := s.st.WeComWorkspaces(ctx)
	if err != nil {
		s.log.Error("wecom reconcile: list workspaces", "err", err)
		return
	}
	for _, ws := range workspaces {
		res, err := s.FullSync(ctx, ws, nil)
		if errors.Is(err, ErrSyncRunning) {
			continue // another node (or a manual sync) is on it
		}
		if err != nil {
			s.log.Error("wecom reconcile", "workspace", ws, "err", err)
			continue
		}
		s.log.Info("wecom reconciled", "workspace", ws, "contacts", res.Contacts, "ended", res.Ended, "groups", res.Groups, "elapsed", res.Elapsed.Round(time.Millisecond))
	}
}

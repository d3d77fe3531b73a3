package server

import (
	"context"

	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/policy"
)

// runJourneys enrols people in the active journeys as their triggers happen
// and walks them through their steps until ctx ends. Steps are jobs in the
// store's queue (kinds journey.*), so every node may run it: a step is
// leased to one runner at a time, and a wait survives restarts. Sends go to
// the dispatch queue, which the dispatch worker (runDispatch) works.
func (s *Server) runJourneys(ctx context.Context) {
	r := runner.New(s.cfg.Store, runner.Options{
		Dispatch: dispatch.New(s.cfg.Store, s.wecom, s.dispatchOptions()),
		Policy:   policy.New(s.cfg.Store),
		Codes:    s.wecom,
		Logger:   s.cfg.Logger,
	})
	r.Run(ctx)
}

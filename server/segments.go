package server

import (
	"context"
	"os"
	"time"

	"siyu.dev/siyu/segment"
)

// runSegmentWorker keeps every saved segment fresh until ctx ends: each is
// recomputed every segment.DefaultInterval (15 min), or every
// SIYU_SEGMENT_INTERVAL (a Go duration such as "5m") when set.
func (s *Server) runSegmentWorker(ctx context.Context) {
	interval := segment.DefaultInterval
	if v := os.Getenv("SIYU_SEGMENT_INTERVAL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			interval = d
		} else {
			s.cfg.Logger.Warn("ignoring SIYU_SEGMENT_INTERVAL", "value", v)
		}
	}
	w := &segment.Worker{Store: s.cfg.Store, Logger: s.cfg.Logger}
	w.Run(ctx, interval)
}

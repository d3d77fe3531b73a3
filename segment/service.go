package segment

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Ref names a saved segment.
type Ref struct {
	WorkspaceID int64
	ID          int64
}

// Refresh is the outcome of recomputing a saved segment's members.
type Refresh struct {
	WorkspaceID int64         `json:"workspace_id"`
	SegmentID   int64         `json:"segment_id"`
	Members     int           `json:"members"`
	Entered     int           `json:"entered"`
	Exited      int           `json:"exited"`
	Took        time.Duration `json:"took_ns"`
}

// Store is what the worker needs; *store.Store has it.
type Store interface {
	SegmentRefs(ctx context.Context) ([]Ref, error)
	RefreshSegment(ctx context.Context, workspaceID, segmentID int64) (Refresh, error)
}

// DefaultInterval is the freshness target: every saved segment is
// recomputed at least this often (docs/SEGMENTS.md).
const DefaultInterval = 15 * time.Minute

// Worker keeps saved segments fresh.
type Worker struct {
	Store  Store
	Logger *slog.Logger
}

// RefreshAll recomputes every saved segment once, one after another, and
// returns the outcomes. A segment that fails is logged and skipped; the
// error is the first failure, or ctx's.
func (w *Worker) RefreshAll(ctx context.Context) ([]Refresh, error) {
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	refs, err := w.Store.SegmentRefs(ctx)
	if err != nil {
		return nil, err
	}
	var out []Refresh
	var first error
	for _, r := range refs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		res, err := w.Store.RefreshSegment(ctx, r.WorkspaceID, r.ID)
		if err != nil {
			log.Error("segment refresh", "workspace", r.WorkspaceID, "segment", r.ID, "err", err)
			if first == nil {
				first = err
			}
			continue
		}
		log.Info("segment refresh", "workspace", r.WorkspaceID, "segment", r.ID,
			"members", res.Members, "entered", res.Entered, "exited", res.Exited, "took", res.Took)
		out = append(out, res)
	}
	return out, first
}

// Run refreshes every segment every interval (DefaultInterval when 0)
// until ctx ends. A pass that takes longer than the interval is followed
// at once by the next.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	for {
		start := time.Now()
		if _, err := w.RefreshAll(ctx); errors.Is(err, context.Canceled) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(0, interval-time.Since(start))):
		}
	}
}

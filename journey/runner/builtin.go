package runner

import (
	"context"
	"strings"

	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/store"
)

// BuiltinStore is what creating a journey from a template needs.
type BuiltinStore interface {
	CreateJourney(ctx context.Context, workspaceID int64, name, template string, def journey.Definition) (store.Journey, error)
	Segments(ctx context.Context, workspaceID int64) ([]store.Segment, error)
	CreateSegment(ctx context.Context, workspaceID int64, g store.Segment) (store.Segment, error)
}

// SilentSegmentName is the segment the reactivation template makes when it
// is given none.
const SilentSegmentName = "沉默 30 天"

// CreateBuiltin creates a draft journey from a built-in template (name ""
// takes the template's). The reactivation template without a segment uses
// the workspace's segment named SilentSegmentName, creating it with
// journey.SilentRule.
func CreateBuiltin(ctx context.Context, st BuiltinStore, ws int64, key, name string, p journey.BuiltinParams) (store.Journey, error) {
	b, ok := journey.FindBuiltin(key)
	if !ok {
		_, err := journey.NewFromBuiltin(key, p)
		return store.Journey{}, err
	}
	if key == "silent_reactivation" && p.SegmentID == 0 {
		segs, err := st.Segments(ctx, ws)
		if err != nil {
			return store.Journey{}, err
		}
		for _, g := range segs {
			if g.Name == SilentSegmentName {
				p.SegmentID = g.ID
			}
		}
		if p.SegmentID == 0 {
			g, err := st.CreateSegment(ctx, ws, store.Segment{Name: SilentSegmentName, Rule: journey.SilentRule})
			if err != nil {
				return store.Journey{}, err
			}
			p.SegmentID = g.ID
		}
	}
	def, err := journey.NewFromBuiltin(key, p)
	if err != nil {
		return store.Journey{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = b.Name
	}
	return st.CreateJourney(ctx, ws, name, key, def)
}

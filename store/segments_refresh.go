package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
)

// refreshChunk is how many entries or exits one write transaction records:
// a first refresh of a million members must not hold the SQLite writer for
// the whole run.
const refreshChunk = 5000

// RefreshSegment recomputes a saved segment's members with its rule's SQL
// and records the difference: rows in segment_members, a segment.entered or
// segment.exited event per person and, when the segment has a tag, the tag
// on entry and off on exit (only where the segment put it). It is safe to
// interrupt: the next refresh picks up from what was recorded. Only one
// refresh of a segment runs at a time; another gets ErrConflict.
func (s *Store) RefreshSegment(ctx context.Context, workspaceID, segmentID int64) (segment.Refresh, error) {
	res := segment.Refresh{WorkspaceID: workspaceID, SegmentID: segmentID}
	unlock, ok, err := s.TryLock(ctx, LockSegment, segmentID)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, fmt.Errorf("%w: %w", siyu.ErrConflict, errRefreshRunning)
	}
	defer unlock()
	g, err := s.Segment(ctx, workspaceID, segmentID)
	if err != nil {
		return res, err
	}
	rule, err := segment.Parse(g.Rule)
	if err != nil {
		return res, fmt.Errorf("%w: segment %d: rule %w", siyu.ErrInvalid, g.ID, err)
	}
	start := time.Now()
	at := s.now()
	sel := rule.Select(s.dialectName(), workspaceID, at)
	want, err := s.collectIDs(ctx, sel.SQL, sel.Args...)
	if err != nil {
		return res, fmt.Errorf("segment %d: select members: %w", g.ID, err)
	}
	have, err := s.collectIDs(ctx, `SELECT customer_id FROM segment_members WHERE segment_id = ? ORDER BY customer_id`, g.ID)
	if err != nil {
		return res, err
	}
	entered, exited := sortedDiff(want, have)
	res.Members, res.Entered, res.Exited = len(want), len(entered), len(exited)

	props, err := json.Marshal(map[string]any{"segment_id": g.ID, "segment": g.Name})
	if err != nil {
		return res, err
	}
	source := segmentSource(g.ID)
	for part := range slices.Chunk(entered, refreshChunk) {
		err := s.write(ctx, workspaceID, func(t *tx) error {
			return t.recordSegmentChange(ctx, workspaceID, g, part, true, string(props), source)
		})
		if err != nil {
			return res, err
		}
	}
	for part := range slices.Chunk(exited, refreshChunk) {
		err := s.write(ctx, workspaceID, func(t *tx) error {
			return t.recordSegmentChange(ctx, workspaceID, g, part, false, string(props), source)
		})
		if err != nil {
			return res, err
		}
	}
	res.Took = time.Since(start)
	_, err = s.exec(ctx, `UPDATE segments SET members = ?, refreshed_at = ?, refresh_ms = ? WHERE id = ? AND workspace_id = ?`,
		res.Members, ms(at), res.Took.Milliseconds(), g.ID, workspaceID)
	return res, err
}

// recordSegmentChange records that people entered (or exited) a segment.
func (t *tx) recordSegmentChange(ctx context.Context, ws int64, g Segment, people []int64, enter bool, props, source string) error {
	now := ms(t.now)
	typ := siyu.EventSegmentExit
	in := `(` + placeholders(len(people)) + `)`
	if enter {
		typ = siyu.EventSegmentEnter
		rows := make([][]any, len(people))
		for i, id := range people {
			rows[i] = []any{g.ID, id, now}
		}
		if err := t.insertRows(ctx, "segment_members", []string{"segment_id", "customer_id", "entered_at"}, rows,
			" ON CONFLICT (segment_id, customer_id) DO NOTHING"); err != nil {
			return err
		}
	} else {
		if _, err := t.exec(ctx, `DELETE FROM segment_members WHERE segment_id = ? AND customer_id IN `+in,
			append([]any{g.ID}, int64Args(people)...)...); err != nil {
			return err
		}
	}
	if g.Tag != "" {
		tagID, err := t.segmentTagID(ctx, ws, g.Tag)
		if err != nil {
			return err
		}
		if enter {
			rows := make([][]any, len(people))
			for i, id := range people {
				rows[i] = []any{id, tagID, source, now}
			}
			if err := t.insertRows(ctx, "customer_tags", []string{"customer_id", "tag_id", "source", "created_at"}, rows,
				" ON CONFLICT (customer_id, tag_id) DO NOTHING"); err != nil {
				return err
			}
		} else if _, err := t.exec(ctx, `DELETE FROM customer_tags WHERE tag_id = ? AND source = ? AND customer_id IN `+in,
			append([]any{tagID, source}, int64Args(people)...)...); err != nil {
			return err
		}
	}
	ids, err := t.newIDs(ctx, "events", len(people))
	if err != nil {
		return err
	}
	rows := make([][]any, len(people))
	for i, id := range people {
		rows[i] = []any{ids[i], ws, id, typ, source, now, props}
	}
	return t.insertRows(ctx, "events", []string{"id", "workspace_id", "customer_id", "type", "source", "occurred_at", "props"}, rows, "")
}

// sortedDiff returns what is in want and not in have (entered) and what is
// in have and not in want (exited); both inputs are sorted ascending.
func sortedDiff(want, have []int64) (entered, exited []int64) {
	i, j := 0, 0
	for i < len(want) || j < len(have) {
		switch {
		case j == len(have) || (i < len(want) && want[i] < have[j]):
			entered = append(entered, want[i])
			i++
		case i == len(want) || have[j] < want[i]:
			exited = append(exited, have[j])
			j++
		default:
			i++
			j++
		}
	}
	return entered, exited
}

package store

import (
	"context"
	"encoding/json"
	"fmt"

	"siyu.dev/siyu"
)

// RecordEvents stores events, resolving the people they name (creating
// customers for identifiers never seen). An event naming a customer id must
// name one of this workspace. It returns how many were stored; a bad event
// fails the whole call with a RowError naming it (line = 1-based index).
func (s *Store) RecordEvents(ctx context.Context, workspaceID int64, evs []siyu.EventInput) (int, error) {
	for i := range evs {
		if err := evs[i].Prepare(); err != nil {
			re := asRowError(err, i+1)
			re.Line = i + 1
			return 0, re
		}
	}
	stored := 0
	for start := 0; start < len(evs); start += importChunk {
		part := evs[start:min(start+importChunk, len(evs))]
		inserted := 0
		err := s.write(ctx, workspaceID, func(t *tx) error {
			var people []person
			var who []int // index into part of each person
			for i, e := range part {
				if e.CustomerID == 0 {
					people = append(people, person{ids: e.Identifiers, name: e.Name})
					who = append(who, i)
				}
			}
			r, err := s.resolveTx(ctx, t, workspaceID, people, "event")
			if err != nil {
				return err
			}
			customers := make([]int64, len(part))
			erased := make([]bool, len(part)) // an erased person's events are not kept
			for j, i := range who {
				customers[i] = r.customers[j]
				erased[i] = r.erased[j]
			}
			for i, e := range part {
				if e.CustomerID == 0 {
					continue
				}
				c, err := t.customerInWorkspace(ctx, workspaceID, e.CustomerID)
				if err != nil {
					return siyu.RowError{Line: start + i + 1, Field: "customer_id", Msg: fmt.Sprintf("no customer %d in this workspace", e.CustomerID)}
				}
				customers[i] = c
			}
			ids, err := t.newIDs(ctx, "events", len(part))
			if err != nil {
				return err
			}
			rows := make([][]any, 0, len(part))
			for i, e := range part {
				if erased[i] {
					continue
				}
				props := ""
				if len(e.Props) > 0 {
					b, err := json.Marshal(e.Props)
					if err != nil {
						return siyu.RowError{Line: start + i + 1, Field: "props", Msg: err.Error()}
					}
					props = string(b)
				}
				rows = append(rows, []any{ids[i], workspaceID, customers[i], e.Type, e.Source, ms(e.OccurredAt), props})
			}
			if err := t.insertRows(ctx, "events", []string{"id", "workspace_id", "customer_id", "type", "source", "occurred_at", "props"}, rows, ""); err != nil {
				return err
			}
			inserted = len(rows)
			return t.refreshSummaries(ctx, r.touched)
		})
		if err != nil {
			return stored, err
		}
		stored += inserted
	}
	return stored, nil
}

// customerInWorkspace checks that id is a customer of ws and returns the live
// customer it resolves to (following merges).
func (t *tx) customerInWorkspace(ctx context.Context, ws, id int64) (int64, error) {
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE id = ? AND workspace_id = ?`, id, ws).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, siyu.ErrNotFound
	}
	return t.root(ctx, id)
}

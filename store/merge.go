package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"siyu.dev/siyu"
)

// movable lists the tables whose rows follow a customer into a merge. For
// group memberships and tags a row only moves when the survivor does not
// already have the same group or tag (their unique keys); the rest stay with
// the merged customer, which is what an unmerge wants back anyway.
var movable = []struct {
	table  string
	unique string // column unique together with customer_id, or ""
}{
	{"identities", ""},
	{"orders", ""},
	{"events", ""},
	{"contacts", ""},
	{"group_members", "group_id"},
	{"customer_tags", "tag_id"},
	{"tasks", ""},
	{"sends", ""},
	{"douyin_users", ""},
	{"douyin_comments", ""},
	{"fission_participants", "activity_id"},
	{"fission_invites", ""},
	{"fission_rewards", "activity_id"},
	{"journey_enrollments", ""},
}

// mergeTx folds customer merged into survivor and logs which rows moved.
// The caller refreshes the survivor's order summary.
func (s *Store) mergeTx(ctx context.Context, t *tx, ws, survivor, merged int64, cause siyu.Identifier, source string) error {
	moved := map[string][]int64{}
	for _, m := range movable {
		q := `SELECT id FROM ` + m.table + ` WHERE customer_id = ?`
		args := []any{merged}
		if m.unique != "" {
			q += ` AND ` + m.unique + ` NOT IN (SELECT ` + m.unique + ` FROM ` + m.table + ` WHERE customer_id = ?)`
			args = append(args, survivor)
		}
		ids, err := queryIDs(ctx, t, q, args...)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			continue
		}
		moved[m.table] = ids
		err = chunks(ids, 5000, func(part []int64) error {
			_, err := t.exec(ctx, `UPDATE `+m.table+` SET customer_id = ? WHERE id IN (`+placeholders(len(part))+`)`, append([]any{survivor}, int64Args(part)...)...)
			return err
		})
		if err != nil {
			return err
		}
	}
	// An opt-out holds for the merged person: the survivor gets one too,
	// and keeps it even if the merge is undone (never reach someone who
	// may have said 退订).
	if _, err := t.exec(ctx, `INSERT INTO opt_outs (workspace_id, customer_id, at, source, note)
		SELECT workspace_id, ?, at, source, 'merge' FROM opt_outs WHERE workspace_id = ? AND customer_id = ?
		ON CONFLICT (workspace_id, customer_id) DO NOTHING`, survivor, ws, merged); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE customers SET merged_into = ?, updated_at = ? WHERE id = ? AND workspace_id = ?`, survivor, ms(t.now), merged, ws); err != nil {
		return err
	}
	movedJSON, err := json.Marshal(moved)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO merges (workspace_id, survivor_id, merged_id, kind, display, source, moved, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ws, survivor, merged, string(cause.Kind), siyu.DisplayIdentifier(cause), source, string(movedJSON), ms(t.now))
	return err
}

// Unmerge undoes a merge: the rows that moved go back to the merged customer,
// which becomes visible again, and the pair is never merged automatically
// again. who is recorded for the audit trail.
func (s *Store) Unmerge(ctx context.Context, workspaceID, mergeID int64) error {
	return s.UnmergeBy(ctx, workspaceID, mergeID, "")
}

// UnmergeBy is Unmerge recording who asked for it.
func (s *Store) UnmergeBy(ctx context.Context, workspaceID, mergeID int64, who string) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		var survivor, merged int64
		var movedJSON string
		var undone sql.NullInt64
		err := t.queryRow(ctx, `SELECT survivor_id, merged_id, moved, undone_at FROM merges WHERE id = ? AND workspace_id = ?`, mergeID, workspaceID).
			Scan(&survivor, &merged, &movedJSON, &undone)
		if err != nil {
			return notFound(err)
		}
		if undone.Valid {
			return fmt.Errorf("merge %d was already undone: %w", mergeID, siyu.ErrConflict)
		}
		var moved map[string][]int64
		if err := json.Unmarshal([]byte(movedJSON), &moved); err != nil {
			return fmt.Errorf("merge %d: corrupt move log: %w", mergeID, err)
		}
		for _, m := range movable {
			err := chunks(moved[m.table], 5000, func(part []int64) error {
				_, err := t.exec(ctx, `UPDATE `+m.table+` SET customer_id = ? WHERE id IN (`+placeholders(len(part))+`)`, append([]any{merged}, int64Args(part)...)...)
				return err
			})
			if err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `UPDATE customers SET merged_into = NULL, updated_at = ? WHERE id = ?`, ms(t.now), merged); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE merges SET undone_at = ?, undone_by = ? WHERE id = ?`, ms(t.now), who, mergeID); err != nil {
			return err
		}
		a, b := min(survivor, merged), max(survivor, merged)
		if _, err := t.exec(ctx, `INSERT INTO merge_blocks (workspace_id, a, b) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, workspaceID, a, b); err != nil {
			return err
		}
		root, err := t.root(ctx, survivor)
		if err != nil {
			return err
		}
		return t.refreshSummaries(ctx, []int64{root, merged})
	})
}

// root follows merged_into to the live customer.
func (t *tx) root(ctx context.Context, id int64) (int64, error) {
	for range 64 {
		var next sql.NullInt64
		if err := t.queryRow(ctx, `SELECT merged_into FROM customers WHERE id = ?`, id).Scan(&next); err != nil {
			return 0, notFound(err)
		}
		if !next.Valid {
			return id, nil
		}
		id = next.Int64
	}
	return 0, fmt.Errorf("customer %d: merge chain too long", id)
}

// paidStatuses is the SQL list of order states that count as revenue.
const paidStatuses = `('paid', 'shipped', 'completed')`

// refreshSummaries recomputes the order summary of the given customers.
func (t *tx) refreshSummaries(ctx context.Context, ids []int64) error {
	ids = uniq(ids)
	return chunks(ids, 2000, func(part []int64) error {
		args := append([]any{ms(t.now)}, int64Args(part)...)
		_, err := t.exec(ctx, `UPDATE customers SET order_count = s.n, total_paid = s.total, first_order_at = s.first, last_order_at = s.last, updated_at = ?
			FROM (SELECT c.id AS cid, COUNT(o.id) AS n, COALESCE(SUM(o.amount - o.refund), 0) AS total, MIN(o.paid_at) AS first, MAX(o.paid_at) AS last
			      FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.status IN `+paidStatuses+`
			      WHERE c.id IN (`+placeholders(len(part))+`) GROUP BY c.id) AS s
			WHERE customers.id = s.cid`, args...)
		return err
	})
}

func queryIDs(ctx context.Context, t *tx, q string, args ...any) ([]int64, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func uniq(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

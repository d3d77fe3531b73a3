package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
)

// PersonFacts loads what a segment rule can see of one person, for
// evaluating rules in Go (segment.Rule.Eval) when something happens to
// them. A merged-away customer id gives the facts of the customer it was
// merged into. Facts.At is left zero (now).
func (s *Store) PersonFacts(ctx context.Context, workspaceID, customerID int64) (segment.Facts, error) {
	var f segment.Facts
	id, err := s.liveCustomer(ctx, workspaceID, customerID)
	if err != nil {
		return f, err
	}
	c, err := s.Customer(ctx, workspaceID, id)
	if err != nil {
		return f, err
	}
	f.Name, f.Province, f.City = c.Name, c.Province, c.City
	f.CreatedAt, f.OrderCount, f.TotalPaid = c.CreatedAt, int64(c.OrderCount), c.TotalPaid
	f.FirstOrderAt, f.LastOrderAt = c.FirstOrderAt, c.LastOrderAt

	if f.Scores, err = s.personScores(ctx, workspaceID, id); err != nil {
		return f, err
	}
	if f.Tags, err = s.queryStrings(ctx, `SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id
		WHERE ct.customer_id = ? AND t.workspace_id = ? ORDER BY t.name`, id, workspaceID); err != nil {
		return f, err
	}
	if f.Groups, err = s.queryStrings(ctx, `SELECT g.name FROM group_members gm JOIN chat_groups g ON g.id = gm.group_id
		WHERE gm.customer_id = ? AND g.workspace_id = ? AND gm.left_at IS NULL AND g.dismissed_at IS NULL ORDER BY g.name`, id, workspaceID); err != nil {
		return f, err
	}
	if f.Contacts, err = s.queryStrings(ctx, `SELECT a.wecom_userid FROM contacts k JOIN accounts a ON a.id = k.account_id
		WHERE k.customer_id = ? AND k.workspace_id = ? AND k.deleted_at IS NULL ORDER BY a.wecom_userid`, id, workspaceID); err != nil {
		return f, err
	}
	var opted int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM opt_outs WHERE workspace_id = ? AND customer_id = ?`, workspaceID, id).Scan(&opted); err != nil {
		return f, err
	}
	f.OptedOut = opted > 0
	f.Events, err = s.personEvents(ctx, workspaceID, id)
	return f, err
}

// liveCustomer follows merges from a customer id of the workspace to the
// customer that holds its data now.
func (s *Store) liveCustomer(ctx context.Context, workspaceID, id int64) (int64, error) {
	for range 64 { // merge chains are short; a cycle would be a bug, not a hang
		var merged sql.NullInt64
		if err := s.queryRow(ctx, `SELECT merged_into FROM customers WHERE id = ? AND workspace_id = ?`, id, workspaceID).Scan(&merged); err != nil {
			return 0, notFound(err)
		}
		if !merged.Valid {
			return id, nil
		}
		id = merged.Int64
	}
	return 0, siyu.ErrNotFound
}

func (s *Store) personScores(ctx context.Context, workspaceID, id int64) (*segment.Scores, error) {
	var sc segment.Scores
	var recency, r, fs, m, clv sql.NullInt64
	var alive, expected sql.NullFloat64
	err := s.queryRow(ctx, `SELECT stage, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_segment, p_alive, expected_purchases, clv
		FROM customer_scores WHERE workspace_id = ? AND customer_id = ?`, workspaceID, id).Scan(&sc.Stage, &recency, &sc.Frequency, &sc.Monetary, &r, &fs, &m, &sc.RFMSegment, &alive, &expected, &clv)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ip := func(v sql.NullInt64) *int64 {
		if !v.Valid {
			return nil
		}
		return &v.Int64
	}
	fp := func(v sql.NullFloat64) *float64 {
		if !v.Valid {
			return nil
		}
		return &v.Float64
	}
	sc.RecencyDays, sc.RScore, sc.FScore, sc.MScore = ip(recency), ip(r), ip(fs), ip(m)
	sc.PAlive, sc.ExpectedPurchases = fp(alive), fp(expected)
	if clv.Valid {
		v := siyu.Fen(clv.Int64)
		sc.CLV = &v
	}
	return &sc, nil
}

func (s *Store) personEvents(ctx context.Context, workspaceID, id int64) ([]segment.Event, error) {
	rows, err := s.query(ctx, `SELECT type, occurred_at, props FROM events WHERE customer_id = ? AND workspace_id = ? ORDER BY occurred_at`, id, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []segment.Event
	for rows.Next() {
		var e segment.Event
		var at int64
		var props string
		if err := rows.Scan(&e.Type, &at, &props); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		if props != "" {
			// Props the store wrote are JSON; anything else simply has none.
			_ = json.Unmarshal([]byte(props), &e.Props)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) queryStrings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

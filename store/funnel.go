package store

import (
	"context"
	"time"

	"siyu.dev/siyu"
)

// FunnelRow is one channel's funnel: people retained into an owned
// channel (a WeCom contact through the code), how many later engaged
// (any interaction event) and ordered, what they earned and what the
// channel cost.
type FunnelRow struct {
	Key        string   `json:"key"` // the code's state, or the first-order sales channel
	Name       string   `json:"name"`
	Touched    int      `json:"touched,omitempty"` // people reached (a source's buyers); 0 where unknown (WeCom reports adds, not scans)
	Retained   int      `json:"retained"`          // distinct customers added as contacts
	Deleted    int      `json:"deleted"`           // of those, relationships since ended
	Engaged    int      `json:"engaged"`           // interacted after adding (messages, moment likes and comments, ...)
	Ordered    int      `json:"ordered"`           // paid at least once after adding
	Revenue    siyu.Fen `json:"revenue_fen"`
	Cost       siyu.Fen `json:"cost_fen"`
	Retention  float64  `json:"retention,omitempty"` // retained / touched
	Conversion float64  `json:"conversion"`          // ordered / retained
	DeleteRate float64  `json:"delete_rate"`
	LTV        siyu.Fen `json:"ltv_fen"` // revenue after adding per retained customer
	CAC        siyu.Fen `json:"cac_fen"` // cost per retained customer; 0 without a cost
	ROI        float64  `json:"roi"`     // (revenue - cost) / cost; 0 without a cost
}

// FunnelByCode computes the funnel of every channel code of the
// workspace, counting from each customer's first add through the code.
func (s *Store) FunnelByCode(ctx context.Context, workspaceID int64) ([]FunnelRow, error) {
	codes, err := s.ChannelCodes(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	rows := map[string]*FunnelRow{}
	var order []string
	for _, c := range codes {
		rows[c.State] = &FunnelRow{Key: c.State, Name: c.Name, Cost: c.Cost}
		order = append(order, c.State)
	}
	q := `SELECT f.state, COUNT(*),
		SUM(CASE WHEN f.live = 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.customer_id = f.customer_id AND e.occurred_at >= f.added) THEN 1 ELSE 0 END),
		SUM(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = f.customer_id AND o.paid_at >= f.added AND o.status IN ` + paidStatuses + `) THEN 1 ELSE 0 END),
		COALESCE(SUM((SELECT SUM(o.amount - o.refund) FROM orders o WHERE o.customer_id = f.customer_id AND o.paid_at >= f.added AND o.status IN ` + paidStatuses + `)), 0)
		FROM (SELECT c.state, c.customer_id, MIN(c.added_at) AS added, MAX(CASE WHEN c.deleted_at IS NULL THEN 1 ELSE 0 END) AS live
		      FROM contacts c WHERE c.workspace_id = ? AND c.state <> '' GROUP BY c.state, c.customer_id) f
		GROUP BY f.state`
	rs, err := s.query(ctx, q, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var state string
		var r FunnelRow
		if err := rs.Scan(&state, &r.Retained, &r.Deleted, &r.Engaged, &r.Ordered, &r.Revenue); err != nil {
			return nil, err
		}
		row, ok := rows[state]
		if !ok {
			// A state no code of ours made (set in the WeCom console).
			row = &FunnelRow{Key: state, Name: state}
			rows[state] = row
			order = append(order, state)
		}
		row.Retained, row.Deleted, row.Engaged, row.Ordered, row.Revenue = r.Retained, r.Deleted, r.Engaged, r.Ordered, r.Revenue
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	out := make([]FunnelRow, 0, len(order))
	for _, k := range order {
		out = append(out, finishFunnel(*rows[k]))
	}
	return out, nil
}

func finishFunnel(r FunnelRow) FunnelRow {
	if r.Touched > 0 {
		r.Retention = float64(r.Retained) / float64(r.Touched)
	}
	if r.Retained > 0 {
		r.Conversion = float64(r.Ordered) / float64(r.Retained)
		r.DeleteRate = float64(r.Deleted) / float64(r.Retained)
		r.LTV = r.Revenue / siyu.Fen(r.Retained)
		if r.Cost > 0 {
			r.CAC = r.Cost / siyu.Fen(r.Retained)
		}
	}
	if r.Cost > 0 {
		r.ROI = float64(r.Revenue-r.Cost) / float64(r.Cost)
	}
	return r
}

// FunnelBySource is the funnel by where customers first bought (their
// first paid order's sales channel): how many of each source's buyers were
// retained as WeCom contacts, deleted, engaged and bought again after.
func (s *Store) FunnelBySource(ctx context.Context, workspaceID int64, since time.Time) ([]FunnelRow, error) {
	q := `SELECT src.channel, COUNT(*),
		SUM(CASE WHEN k.added IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN k.added IS NOT NULL AND k.live = 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN k.added IS NOT NULL AND EXISTS (SELECT 1 FROM events e WHERE e.customer_id = src.customer_id AND e.occurred_at >= k.added) THEN 1 ELSE 0 END),
		SUM(CASE WHEN k.added IS NOT NULL AND EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = src.customer_id AND o.paid_at >= k.added AND o.status IN ` + paidStatuses + `) THEN 1 ELSE 0 END),
		COALESCE(SUM(CASE WHEN k.added IS NULL THEN 0 ELSE (SELECT SUM(o.amount - o.refund) FROM orders o WHERE o.customer_id = src.customer_id AND o.paid_at >= k.added AND o.status IN ` + paidStatuses + `) END), 0)
		FROM (SELECT o.customer_id, MIN(o.channel) AS channel FROM orders o
		      JOIN (SELECT customer_id, MIN(paid_at) AS first FROM orders WHERE workspace_id = ? AND status IN ` + paidStatuses + ` AND paid_at >= ? GROUP BY customer_id) f
		        ON f.customer_id = o.customer_id AND o.paid_at = f.first
		      GROUP BY o.customer_id) src
		LEFT JOIN (SELECT customer_id, MIN(added_at) AS added, MAX(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END) AS live
		      FROM contacts WHERE workspace_id = ? GROUP BY customer_id) k ON k.customer_id = src.customer_id
		GROUP BY src.channel ORDER BY COUNT(*) DESC`
	rs, err := s.query(ctx, q, workspaceID, ms(since), workspaceID)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []FunnelRow
	for rs.Next() {
		var r FunnelRow
		if err := rs.Scan(&r.Key, &r.Touched, &r.Retained, &r.Deleted, &r.Engaged, &r.Ordered, &r.Revenue); err != nil {
			return nil, err
		}
		r.Name = r.Key
		out = append(out, finishFunnel(r))
	}
	return out, rs.Err()
}

// ContactFacts is what the funnels need of a customer's WeCom contact:
// when the customer was first added, whether a relationship is still live,
// and whether the customer interacted after being added.
type ContactFacts struct {
	Added   time.Time
	Live    bool
	Engaged bool
}

// ContactFactsByCustomer returns the contact facts of every customer that
// was ever added as a contact.
func (s *Store) ContactFactsByCustomer(ctx context.Context, workspaceID int64) (map[int64]ContactFacts, error) {
	rows, err := s.query(ctx, `SELECT k.customer_id, k.added, k.live,
		CASE WHEN EXISTS (SELECT 1 FROM events e WHERE e.customer_id = k.customer_id AND e.occurred_at >= k.added) THEN 1 ELSE 0 END
		FROM (SELECT customer_id, MIN(added_at) AS added, MAX(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END) AS live
		      FROM contacts WHERE workspace_id = ? GROUP BY customer_id) k`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]ContactFacts{}
	for rows.Next() {
		var id, added int64
		var live, engaged int
		if err := rows.Scan(&id, &added, &live, &engaged); err != nil {
			return nil, err
		}
		out[id] = ContactFacts{Added: fromMS(added), Live: live == 1, Engaged: engaged == 1}
	}
	return out, rows.Err()
}

// FinishFunnel fills a funnel row's rates from its counts.
func FinishFunnel(r FunnelRow) FunnelRow { return finishFunnel(r) }

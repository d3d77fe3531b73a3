package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
)

// SetWeComApp saves a workspace's WeCom app; its secrets are sealed.
func (s *Store) SetWeComApp(ctx context.Context, workspaceID int64, app siyu.WeComApp) error {
	if strings.TrimSpace(app.CorpID) == "" || app.Secret == "" || app.Token == "" || app.EncodingAESKey == "" {
		return fmt.Errorf("%w: corp id, secret, token and EncodingAESKey are all required", siyu.ErrInvalid)
	}
	return s.write(ctx, 0, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO wecom_apps (workspace_id, corp_id, agent_id, base_url, secret_sealed, token_sealed, aes_key_sealed, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET corp_id = excluded.corp_id, agent_id = excluded.agent_id, base_url = excluded.base_url,
			secret_sealed = excluded.secret_sealed, token_sealed = excluded.token_sealed, aes_key_sealed = excluded.aes_key_sealed, updated_at = excluded.updated_at`,
			workspaceID, app.CorpID, app.AgentID, app.BaseURL, s.pii.sealSecret("wecom.secret", app.Secret),
			s.pii.sealSecret("wecom.token", app.Token), s.pii.sealSecret("wecom.aeskey", app.EncodingAESKey), ms(t.now))
		return err
	})
}

// WeComApp returns a workspace's WeCom app with its secrets opened.
func (s *Store) WeComApp(ctx context.Context, workspaceID int64) (siyu.WeComApp, error) {
	var app siyu.WeComApp
	var secret, token, key string
	err := s.queryRow(ctx, `SELECT corp_id, agent_id, base_url, secret_sealed, token_sealed, aes_key_sealed FROM wecom_apps WHERE workspace_id = ?`, workspaceID).
		Scan(&app.CorpID, &app.AgentID, &app.BaseURL, &secret, &token, &key)
	if err != nil {
		return app, notFound(err)
	}
	if app.Secret, err = s.pii.openSecret("wecom.secret", secret); err != nil {
		return app, err
	}
	if app.Token, err = s.pii.openSecret("wecom.token", token); err != nil {
		return app, err
	}
	app.EncodingAESKey, err = s.pii.openSecret("wecom.aeskey", key)
	return app, err
}

// MarkEventSeen records a callback event by its identity and reports whether
// it is new. Shared by all nodes, so a retried delivery is handled once.
func (s *Store) MarkEventSeen(ctx context.Context, workspaceID int64, key string) (bool, error) {
	res, err := s.exec(ctx, `INSERT INTO wecom_seen_events (workspace_id, event_key, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, workspaceID, key, ms(s.now()))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// EventSeen reports whether a callback event was marked seen.
func (s *Store) EventSeen(ctx context.Context, workspaceID int64, key string) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM wecom_seen_events WHERE workspace_id = ? AND event_key = ?`, workspaceID, key).Scan(&n)
	return n > 0, err
}

// ForgetEvent undoes MarkEventSeen when handling failed, so a retry is
// processed.
func (s *Store) ForgetEvent(ctx context.Context, workspaceID int64, key string) error {
	_, err := s.exec(ctx, `DELETE FROM wecom_seen_events WHERE workspace_id = ? AND event_key = ?`, workspaceID, key)
	return err
}

// MaxStateLen is WeCom's limit on a contact way's state.
const MaxStateLen = 30

// CreateChannelCode stores a new channel code. The WeCom config_id and QR
// come later (SetChannelCodeWeCom), once WeCom created the contact way.
func (s *Store) CreateChannelCode(ctx context.Context, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error) {
	c.Name = strings.TrimSpace(c.Name)
	c.State = strings.TrimSpace(c.State)
	switch {
	case c.Name == "":
		return c, fmt.Errorf("%w: name: required", siyu.ErrInvalid)
	case c.State == "" || utf8.RuneCountInString(c.State) > MaxStateLen:
		return c, fmt.Errorf("%w: state: 1..%d characters", siyu.ErrInvalid, MaxStateLen)
	case len(c.Accounts) == 0:
		return c, fmt.Errorf("%w: accounts: at least one", siyu.ErrInvalid)
	}
	switch c.Kind {
	case siyu.CodeChannel, siyu.CodeCampaign, siyu.CodeParcel, siyu.CodeOrder:
	case "":
		c.Kind = siyu.CodeChannel
	default:
		return c, fmt.Errorf("%w: kind %q", siyu.ErrInvalid, c.Kind)
	}
	switch c.Medium {
	case siyu.MediumQR, siyu.MediumLink:
	case "":
		c.Medium = siyu.MediumQR
	default:
		return c, fmt.Errorf("%w: medium %q: want %q or %q", siyu.ErrInvalid, c.Medium, siyu.MediumQR, siyu.MediumLink)
	}
	c.WorkspaceID = workspaceID
	accounts, _ := json.Marshal(c.Accounts)
	tags, _ := json.Marshal(c.Tags)
	err := s.write(ctx, workspaceID, func(t *tx) error {
		known, err := t.accountIDs(ctx, workspaceID)
		if err != nil {
			return err
		}
		for _, a := range c.Accounts {
			if _, ok := known[a]; !ok {
				return fmt.Errorf("%w: accounts: unknown account %q", siyu.ErrInvalid, a)
			}
		}
		var customer, order any
		if c.OrderID != 0 {
			var owner int64
			if err := t.queryRow(ctx, `SELECT customer_id FROM orders WHERE id = ? AND workspace_id = ?`, c.OrderID, workspaceID).Scan(&owner); err != nil {
				return fmt.Errorf("%w: order %d not in this workspace", siyu.ErrInvalid, c.OrderID)
			}
			order = c.OrderID
			if c.CustomerID == 0 {
				c.CustomerID = owner
			}
		}
		if c.CustomerID != 0 {
			root, err := t.customerInWorkspace(ctx, workspaceID, c.CustomerID)
			if err != nil {
				return fmt.Errorf("%w: customer %d not in this workspace", siyu.ErrInvalid, c.CustomerID)
			}
			c.CustomerID = root
			customer = root
		}
		c.CreatedAt = t.now.Truncate(time.Millisecond)
		return t.queryRow(ctx, `INSERT INTO channel_codes (workspace_id, name, kind, medium, state, accounts, tags, welcome, customer_id, order_id, cost_fen, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, c.Name, c.Kind, c.Medium, c.State, string(accounts), string(tags), c.Welcome, customer, order, int64(c.Cost), ms(c.CreatedAt)).Scan(&c.ID)
	})
	if isUnique(err) {
		return c, fmt.Errorf("state %q: %w", c.State, siyu.ErrConflict)
	}
	return c, err
}

// SetChannelCodeWeCom records the WeCom contact way behind a code.
func (s *Store) SetChannelCodeWeCom(ctx context.Context, workspaceID, id int64, configID, qrCode string) error {
	res, err := s.exec(ctx, `UPDATE channel_codes SET config_id = ?, qr_code = ? WHERE id = ? AND workspace_id = ?`, configID, qrCode, id, workspaceID)
	return oneRow(res, err)
}

const codeCols = `id, workspace_id, name, kind, medium, state, accounts, tags, welcome, COALESCE(customer_id, 0), COALESCE(order_id, 0), config_id, qr_code, cost_fen, created_at`

func scanCode(r scanner) (siyu.ChannelCode, error) {
	var c siyu.ChannelCode
	var accounts, tags string
	var created int64
	if err := r.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Kind, &c.Medium, &c.State, &accounts, &tags, &c.Welcome, &c.CustomerID, &c.OrderID, &c.ConfigID, &c.QRCode, &c.Cost, &created); err != nil {
		return c, notFound(err)
	}
	c.CreatedAt = fromMS(created)
	json.Unmarshal([]byte(accounts), &c.Accounts)
	if tags != "" {
		json.Unmarshal([]byte(tags), &c.Tags)
	}
	return c, nil
}

// ChannelCodeByState finds the code a callback's state names.
func (s *Store) ChannelCodeByState(ctx context.Context, workspaceID int64, state string) (siyu.ChannelCode, error) {
	return scanCode(s.queryRow(ctx, `SELECT `+codeCols+` FROM channel_codes WHERE workspace_id = ? AND state = ?`, workspaceID, state))
}

// ChannelCode returns one code with its stats.
func (s *Store) ChannelCode(ctx context.Context, workspaceID, id int64) (siyu.ChannelCode, error) {
	c, err := scanCode(s.queryRow(ctx, `SELECT `+codeCols+` FROM channel_codes WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return c, err
	}
	stats, err := s.codeStats(ctx, workspaceID, c.State)
	c.Stats = stats[c.State]
	return c, err
}

// ChannelCodes lists a workspace's codes with what each brought.
func (s *Store) ChannelCodes(ctx context.Context, workspaceID int64) ([]siyu.ChannelCode, error) {
	rows, err := s.query(ctx, `SELECT `+codeCols+` FROM channel_codes WHERE workspace_id = ? ORDER BY id DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	var out []siyu.ChannelCode
	for rows.Next() {
		c, err := scanCode(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	stats, err := s.codeStats(ctx, workspaceID, "")
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Stats = stats[out[i].State]
	}
	return out, nil
}

// codeStats counts, per state, the contacts added, those deleted since, and
// the paid orders their customers placed after adding. state "" means all.
func (s *Store) codeStats(ctx context.Context, ws int64, state string) (map[string]siyu.ChannelCodeStats, error) {
	filter, args := "", []any{ws}
	if state != "" {
		filter, args = " AND c.state = ?", append(args, state)
	}
	out := map[string]siyu.ChannelCodeStats{}
	rows, err := s.query(ctx, `SELECT c.state, COUNT(*), SUM(CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END), COUNT(DISTINCT c.customer_id)
		FROM contacts c WHERE c.workspace_id = ? AND c.state <> ''`+filter+` GROUP BY c.state`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var st string
		var x siyu.ChannelCodeStats
		if err := rows.Scan(&st, &x.Adds, &x.Deletions, &x.Customers); err != nil {
			rows.Close()
			return nil, err
		}
		out[st] = x
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.query(ctx, `SELECT f.state, COUNT(o.id), COALESCE(SUM(o.amount - o.refund), 0)
		FROM (SELECT c.state, c.customer_id, MIN(c.added_at) AS added FROM contacts c WHERE c.workspace_id = ? AND c.state <> ''`+filter+` GROUP BY c.state, c.customer_id) f
		JOIN orders o ON o.customer_id = f.customer_id AND o.paid_at > f.added AND o.status IN `+paidStatuses+`
		GROUP BY f.state`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		var rev int64
		if err := rows.Scan(&st, &n, &rev); err != nil {
			return nil, err
		}
		x := out[st]
		x.LaterOrders, x.LaterRevenue = n, siyu.Fen(rev)
		out[st] = x
	}
	return out, rows.Err()
}

// SyncCheckpoint returns where an interrupted full sync of the workspace
// stopped (the next member batch) and when that sync started.
func (s *Store) SyncCheckpoint(ctx context.Context, workspaceID int64) (next int, started time.Time, ok bool, err error) {
	var st int64
	err = s.queryRow(ctx, `SELECT next_batch, started_at FROM wecom_sync_state WHERE workspace_id = ?`, workspaceID).Scan(&next, &st)
	if err != nil {
		if notFound(err) == siyu.ErrNotFound {
			return 0, time.Time{}, false, nil
		}
		return 0, time.Time{}, false, err
	}
	return next, fromMS(st), true, nil
}

// SaveSyncCheckpoint records that batches before next are done.
func (s *Store) SaveSyncCheckpoint(ctx context.Context, workspaceID int64, next int, started time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO wecom_sync_state (workspace_id, next_batch, started_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET next_batch = excluded.next_batch, started_at = excluded.started_at, updated_at = excluded.updated_at`,
		workspaceID, next, ms(started), ms(s.now()))
	return err
}

// ClearSyncCheckpoint marks the full sync finished.
func (s *Store) ClearSyncCheckpoint(ctx context.Context, workspaceID int64) error {
	_, err := s.exec(ctx, `DELETE FROM wecom_sync_state WHERE workspace_id = ?`, workspaceID)
	return err
}

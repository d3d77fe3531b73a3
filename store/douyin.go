package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// DouyinApp is a workspace's Douyin app and the business account it acts
// for. ClientSecret signs webhooks; AccessToken is the account's user token.
type DouyinApp struct {
	ClientKey     string `json:"client_key"`
	ClientSecret  string `json:"-"`
	AccessToken   string `json:"-"`
	AccountOpenID string `json:"account_open_id"`
	BaseURL       string `json:"base_url,omitempty"` // empty: the real service
}

// SetDouyinApp saves a workspace's Douyin app; its secrets are sealed.
func (s *Store) SetDouyinApp(ctx context.Context, workspaceID int64, app DouyinApp) error {
	if strings.TrimSpace(app.ClientKey) == "" || app.ClientSecret == "" || app.AccessToken == "" || strings.TrimSpace(app.AccountOpenID) == "" {
		return fmt.Errorf("%w: client key, client secret, access token and account open_id are all required", siyu.ErrInvalid)
	}
	_, err := s.exec(ctx, `INSERT INTO douyin_apps (workspace_id, client_key, account_open_id, base_url, secret_sealed, token_sealed, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET client_key = excluded.client_key, account_open_id = excluded.account_open_id,
		base_url = excluded.base_url, secret_sealed = excluded.secret_sealed, token_sealed = excluded.token_sealed, updated_at = excluded.updated_at`,
		workspaceID, strings.TrimSpace(app.ClientKey), strings.TrimSpace(app.AccountOpenID), app.BaseURL,
		s.pii.sealSecret("douyin.secret", app.ClientSecret), s.pii.sealSecret("douyin.token", app.AccessToken), ms(s.now()))
	return err
}

// DouyinApp returns a workspace's Douyin app with its secrets opened.
func (s *Store) DouyinApp(ctx context.Context, workspaceID int64) (DouyinApp, error) {
	var app DouyinApp
	var secret, token string
	err := s.queryRow(ctx, `SELECT client_key, account_open_id, base_url, secret_sealed, token_sealed FROM douyin_apps WHERE workspace_id = ?`, workspaceID).
		Scan(&app.ClientKey, &app.AccountOpenID, &app.BaseURL, &secret, &token)
	if err != nil {
		return app, notFound(err)
	}
	if app.ClientSecret, err = s.pii.openSecret("douyin.secret", secret); err != nil {
		return app, err
	}
	app.AccessToken, err = s.pii.openSecret("douyin.token", token)
	return app, err
}

// ClaimDouyinMsg records a webhook's Msg-Id and reports whether it is new.
// Shared by all nodes, so a retried delivery is handled once.
func (s *Store) ClaimDouyinMsg(ctx context.Context, workspaceID int64, msgID string) (bool, error) {
	res, err := s.exec(ctx, `INSERT INTO douyin_seen (workspace_id, msg_id, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, workspaceID, msgID, ms(s.now()))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseDouyinMsg undoes ClaimDouyinMsg when handling failed, so that the
// retry is processed.
func (s *Store) ReleaseDouyinMsg(ctx context.Context, workspaceID int64, msgID string) error {
	_, err := s.exec(ctx, `DELETE FROM douyin_seen WHERE workspace_id = ? AND msg_id = ?`, workspaceID, msgID)
	return err
}

// PruneDouyinSeen forgets the Msg-Ids claimed before a time; Douyin's
// retries come within minutes, so a week is ample.
func (s *Store) PruneDouyinSeen(ctx context.Context, workspaceID int64, before time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM douyin_seen WHERE workspace_id = ? AND seen_at < ?`, workspaceID, ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DouyinUser is a Douyin user known to a workspace and where the pipeline
// is with them.
type DouyinUser struct {
	ID             int64      `json:"id"`
	OpenID         string     `json:"open_id"`
	UnionID        string     `json:"union_id,omitempty"`
	Nickname       string     `json:"nickname"`
	CustomerID     int64      `json:"customer_id"`
	RuleID         string     `json:"rule_id,omitempty"`
	IntentAt       *time.Time `json:"intent_at,omitempty"`
	ConversationID string     `json:"conversation_id,omitempty"`
	LastMsgID      string     `json:"last_msg_id,omitempty"`
	LastMsgAt      *time.Time `json:"last_msg_at,omitempty"`
	CodeID         int64      `json:"code_id,omitempty"`
	CodeState      string     `json:"code_state,omitempty"`
	CodeURL        string     `json:"code_url,omitempty"`
	DMSentAt       *time.Time `json:"dm_sent_at,omitempty"`
	FollowedAt     *time.Time `json:"followed_at,omitempty"`
	ConvertedAt    *time.Time `json:"converted_at,omitempty"`
}

const douyinUserCols = `id, open_id, union_id, nickname, customer_id, rule_id, intent_at, conversation_id, last_msg_id, last_msg_at,
	COALESCE(code_id, 0), code_state, code_url, dm_sent_at, followed_at, converted_at`

func scanDouyinUser(r scanner) (DouyinUser, error) {
	var u DouyinUser
	var intent, lastMsg, dm, followed, converted sql.NullInt64
	err := r.Scan(&u.ID, &u.OpenID, &u.UnionID, &u.Nickname, &u.CustomerID, &u.RuleID, &intent, &u.ConversationID, &u.LastMsgID, &lastMsg,
		&u.CodeID, &u.CodeState, &u.CodeURL, &dm, &followed, &converted)
	u.IntentAt, u.LastMsgAt, u.DMSentAt, u.FollowedAt, u.ConvertedAt = fromNullMS(intent), fromNullMS(lastMsg), fromNullMS(dm), fromNullMS(followed), fromNullMS(converted)
	return u, notFound(err)
}

// DouyinUser returns the user with openID.
func (s *Store) DouyinUser(ctx context.Context, workspaceID int64, openID string) (DouyinUser, error) {
	return scanDouyinUser(s.queryRow(ctx, `SELECT `+douyinUserCols+` FROM douyin_users WHERE workspace_id = ? AND open_id = ?`, workspaceID, openID))
}

// douyinUser finds or creates the user with openID and its customer (by
// the douyin_open_id identity). It returns the user's row id and the live
// customer.
func (s *Store) douyinUser(ctx context.Context, t *tx, ws int64, openID, nickname string) (int64, int64, error) {
	id, err := siyu.NormalizeIdentifier(siyu.Identifier{Kind: siyu.KindDouyinOpenID, Value: openID})
	if err != nil {
		return 0, 0, siyu.RowError{Field: "open_id", Msg: err.Error()}
	}
	var rowID, customer int64
	err = t.queryRow(ctx, `SELECT id, customer_id FROM douyin_users WHERE workspace_id = ? AND open_id = ?`, ws, id.Value).Scan(&rowID, &customer)
	if err == nil {
		root, err := t.root(ctx, customer)
		if nickname != "" {
			_, err2 := t.exec(ctx, `UPDATE douyin_users SET nickname = ? WHERE id = ? AND nickname = ''`, nickname, rowID)
			err = douyinFirstErr(err, err2)
		}
		return rowID, root, err
	}
	if err != sql.ErrNoRows {
		return 0, 0, err
	}
	r, err := s.resolveTx(ctx, t, ws, []person{{ids: []siyu.Identifier{id}, name: nickname}}, "douyin")
	if err != nil {
		return 0, 0, err
	}
	customer = r.customers[0]
	err = t.queryRow(ctx, `INSERT INTO douyin_users (workspace_id, open_id, nickname, customer_id) VALUES (?, ?, ?, ?) RETURNING id`,
		ws, id.Value, nickname, customer).Scan(&rowID)
	return rowID, customer, err
}

func douyinFirstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// douyinEvent records one event of the pipeline for a customer.
func (t *tx) douyinEvent(ctx context.Context, ws, customer int64, typ string, at time.Time, props map[string]any) error {
	ids, err := t.newIDs(ctx, "events", 1)
	if err != nil {
		return err
	}
	b, err := json.Marshal(props)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO events (id, workspace_id, customer_id, type, source, occurred_at, props) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ids[0], ws, customer, typ, "douyin", ms(at), string(b))
	return err
}

// DouyinCommentInput is a comment from the webhook. RuleID is the intent
// rule it matched, or "".
type DouyinCommentInput struct {
	CommentID string
	ItemID    string
	OpenID    string
	Nickname  string
	Content   string
	RuleID    string
	CreatedAt time.Time
}

// DouyinComment is a stored comment.
type DouyinComment struct {
	ID          int64      `json:"id"`
	CommentID   string     `json:"comment_id"`
	ItemID      string     `json:"item_id"`
	OpenID      string     `json:"open_id"`
	Nickname    string     `json:"nickname,omitempty"`
	CustomerID  int64      `json:"customer_id"`
	Content     string     `json:"content"`
	RuleID      string     `json:"rule_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ReceivedAt  time.Time  `json:"received_at"`
	RepliedAt   *time.Time `json:"replied_at,omitempty"`
	ReplyError  string     `json:"reply_error,omitempty"`
	DMSentAt    *time.Time `json:"dm_sent_at,omitempty"`
	ConvertedAt *time.Time `json:"converted_at,omitempty"`
}

// RecordDouyinComment stores a comment, creating the commenter's customer
// on first sight, and records douyin.commented (and douyin.intent when a
// rule matched; the first rule a user matches stays theirs). A comment
// already stored is returned with fresh false and nothing recorded.
func (s *Store) RecordDouyinComment(ctx context.Context, workspaceID int64, in DouyinCommentInput) (DouyinComment, bool, error) {
	c := DouyinComment{CommentID: strings.TrimSpace(in.CommentID), ItemID: in.ItemID, OpenID: in.OpenID, Nickname: in.Nickname, Content: in.Content, RuleID: in.RuleID, CreatedAt: in.CreatedAt.UTC().Truncate(time.Millisecond)}
	switch {
	case c.CommentID == "":
		return c, false, siyu.RowError{Field: "comment_id", Msg: "required"}
	case c.ItemID == "":
		return c, false, siyu.RowError{Field: "item_id", Msg: "required"}
	case len(c.Content) > 8000:
		return c, false, siyu.RowError{Field: "content", Msg: "longer than 8000 bytes"}
	}
	fresh := false
	err := s.write(ctx, workspaceID, func(t *tx) error {
		var id int64
		err := t.queryRow(ctx, `SELECT id FROM douyin_comments WHERE workspace_id = ? AND comment_id = ?`, workspaceID, c.CommentID).Scan(&id)
		if err == nil {
			c.ID = id
			return nil
		}
		if err != sql.ErrNoRows {
			return err
		}
		userID, customer, err := s.douyinUser(ctx, t, workspaceID, in.OpenID, in.Nickname)
		if err != nil {
			return err
		}
		c.CustomerID, c.ReceivedAt, fresh = customer, t.now.Truncate(time.Millisecond), true
		if c.CreatedAt.IsZero() {
			c.CreatedAt = c.ReceivedAt
		}
		if err := t.queryRow(ctx, `INSERT INTO douyin_comments (workspace_id, comment_id, item_id, open_id, customer_id, content, rule_id, created_at, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, c.CommentID, c.ItemID, in.OpenID, customer, c.Content, c.RuleID, ms(c.CreatedAt), ms(c.ReceivedAt)).Scan(&c.ID); err != nil {
			return err
		}
		props := map[string]any{"comment_id": c.CommentID, "item_id": c.ItemID}
		if err := t.douyinEvent(ctx, workspaceID, customer, siyu.EventDouyinCommented, c.CreatedAt, props); err != nil {
			return err
		}
		if c.RuleID == "" {
			return nil
		}
		if err := t.setDouyinIntent(ctx, userID, c.RuleID, c.CreatedAt); err != nil {
			return err
		}
		return t.douyinEvent(ctx, workspaceID, customer, siyu.EventDouyinIntent, c.CreatedAt, map[string]any{"rule": c.RuleID, "comment_id": c.CommentID})
	})
	if err != nil && isUnique(err) { // another node stored it first
		return c, false, nil
	}
	return c, fresh, err
}

// setDouyinIntent gives a user their first rule.
func (t *tx) setDouyinIntent(ctx context.Context, userID int64, rule string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE douyin_users SET rule_id = ?, intent_at = ? WHERE id = ? AND rule_id = ''`, rule, ms(at), userID)
	return err
}

// MarkDouyinReplied records the account's reply to a stored comment (or,
// with replyErr, why it failed) and, on success, douyin.replied with the
// latency.
func (s *Store) MarkDouyinReplied(ctx context.Context, workspaceID, id int64, replyID string, at time.Time, replyErr string) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		var customer, created int64
		var rule, commentID string
		if err := t.queryRow(ctx, `SELECT customer_id, created_at, rule_id, comment_id FROM douyin_comments WHERE id = ? AND workspace_id = ?`, id, workspaceID).
			Scan(&customer, &created, &rule, &commentID); err != nil {
			return notFound(err)
		}
		if replyErr != "" {
			_, err := t.exec(ctx, `UPDATE douyin_comments SET reply_error = ? WHERE id = ?`, replyErr, id)
			return err
		}
		res, err := t.exec(ctx, `UPDATE douyin_comments SET replied_at = ?, reply_id = ?, reply_error = '' WHERE id = ? AND replied_at IS NULL`, ms(at), replyID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		root, err := t.root(ctx, customer)
		if err != nil {
			return err
		}
		return t.douyinEvent(ctx, workspaceID, root, siyu.EventDouyinReplied, at, map[string]any{"rule": rule, "comment_id": commentID, "latency_ms": ms(at) - created})
	})
}

// DouyinMessageInput is a private message a user sent the account. RuleID
// is the intent rule its text matched, or "".
type DouyinMessageInput struct {
	OpenID         string
	Nickname       string
	ConversationID string
	MsgID          string // server_message_id, what a reply names
	RuleID         string
	At             time.Time
}

// RecordDouyinMessage remembers a user's latest message (what a reply must
// name) and returns the user.
func (s *Store) RecordDouyinMessage(ctx context.Context, workspaceID int64, in DouyinMessageInput) (DouyinUser, error) {
	if in.ConversationID == "" || in.MsgID == "" {
		return DouyinUser{}, siyu.RowError{Field: "conversation_id", Msg: "conversation and message ids are required"}
	}
	var u DouyinUser
	err := s.write(ctx, workspaceID, func(t *tx) error {
		userID, customer, err := s.douyinUser(ctx, t, workspaceID, in.OpenID, in.Nickname)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE douyin_users SET conversation_id = ?, last_msg_id = ?, last_msg_at = ?, customer_id = ? WHERE id = ? AND (last_msg_at IS NULL OR last_msg_at <= ?)`,
			in.ConversationID, in.MsgID, ms(in.At), customer, userID, ms(in.At)); err != nil {
			return err
		}
		if in.RuleID != "" {
			res, err := t.exec(ctx, `UPDATE douyin_users SET rule_id = ?, intent_at = ? WHERE id = ? AND rule_id = ''`, in.RuleID, ms(in.At), userID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := t.douyinEvent(ctx, workspaceID, customer, siyu.EventDouyinIntent, in.At, map[string]any{"rule": in.RuleID, "msg_id": in.MsgID}); err != nil {
					return err
				}
			}
		}
		u, err = scanDouyinUser(t.queryRow(ctx, `SELECT `+douyinUserCols+` FROM douyin_users WHERE id = ?`, userID))
		return err
	})
	return u, err
}

// SetDouyinCode records the per-person channel code made for a user.
func (s *Store) SetDouyinCode(ctx context.Context, workspaceID, userID, codeID int64, state, url string) error {
	var code any
	if codeID != 0 {
		code = codeID
	}
	res, err := s.exec(ctx, `UPDATE douyin_users SET code_id = ?, code_state = ?, code_url = ? WHERE id = ? AND workspace_id = ?`, code, state, url, userID, workspaceID)
	return oneRow(res, err)
}

// MarkDouyinDMSent records that the message with the channel code went
// out (douyin.dm_sent; the first time only).
func (s *Store) MarkDouyinDMSent(ctx context.Context, workspaceID, userID int64, at time.Time) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		u, err := scanDouyinUser(t.queryRow(ctx, `SELECT `+douyinUserCols+` FROM douyin_users WHERE id = ? AND workspace_id = ?`, userID, workspaceID))
		if err != nil {
			return err
		}
		if u.DMSentAt != nil {
			return nil
		}
		if _, err := t.exec(ctx, `UPDATE douyin_users SET dm_sent_at = ? WHERE id = ?`, ms(at), userID); err != nil {
			return err
		}
		root, err := t.root(ctx, u.CustomerID)
		if err != nil {
			return err
		}
		return t.douyinEvent(ctx, workspaceID, root, siyu.EventDouyinDMSent, at, map[string]any{"rule": u.RuleID, "code_id": u.CodeID})
	})
}

// DouyinFan is a follower from the fans list.
type DouyinFan struct {
	OpenID  string
	UnionID string
}

// MarkDouyinFollowers records, for known users not yet seen following,
// that they follow the account (douyin.followed), and returns how many
// were new. Fans never seen commenting or writing are not stored.
func (s *Store) MarkDouyinFollowers(ctx context.Context, workspaceID int64, fans []DouyinFan, at time.Time) (int, error) {
	n := 0
	for start := 0; start < len(fans); start += 500 {
		part := fans[start:min(start+500, len(fans))]
		err := s.write(ctx, workspaceID, func(t *tx) error {
			args := []any{workspaceID}
			union := map[string]string{}
			for _, f := range part {
				args = append(args, f.OpenID)
				union[f.OpenID] = f.UnionID
			}
			rows, err := t.query(ctx, `SELECT id, open_id, customer_id, rule_id FROM douyin_users WHERE workspace_id = ? AND followed_at IS NULL AND open_id IN (`+placeholders(len(part))+`)`, args...)
			if err != nil {
				return err
			}
			type hit struct {
				id, customer int64
				open, rule   string
			}
			var hits []hit
			for rows.Next() {
				var h hit
				if err := rows.Scan(&h.id, &h.open, &h.customer, &h.rule); err != nil {
					rows.Close()
					return err
				}
				hits = append(hits, h)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, h := range hits {
				if _, err := t.exec(ctx, `UPDATE douyin_users SET followed_at = ?, union_id = CASE WHEN ? <> '' THEN ? ELSE union_id END WHERE id = ?`,
					ms(at), union[h.open], union[h.open], h.id); err != nil {
					return err
				}
				root, err := t.root(ctx, h.customer)
				if err != nil {
					return err
				}
				if err := t.douyinEvent(ctx, workspaceID, root, siyu.EventDouyinFollowed, at, map[string]any{"rule": h.rule}); err != nil {
					return err
				}
			}
			n += len(hits)
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// MarkDouyinConversions finds users who added a WeCom account through the
// channel code sent to them, stamps converted_at with the add's time and
// records douyin.converted. It returns how many converted since the last
// call.
func (s *Store) MarkDouyinConversions(ctx context.Context, workspaceID int64) (int, error) {
	n := 0
	err := s.write(ctx, workspaceID, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT u.id, u.customer_id, u.rule_id, MIN(c.added_at) FROM douyin_users u
			JOIN contacts c ON c.workspace_id = u.workspace_id AND c.state = u.code_state
			WHERE u.workspace_id = ? AND u.code_state <> '' AND u.converted_at IS NULL
			GROUP BY u.id, u.customer_id, u.rule_id`, workspaceID)
		if err != nil {
			return err
		}
		type hit struct {
			id, customer, at int64
			rule             string
		}
		var hits []hit
		for rows.Next() {
			var h hit
			if err := rows.Scan(&h.id, &h.customer, &h.rule, &h.at); err != nil {
				rows.Close()
				return err
			}
			hits = append(hits, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, h := range hits {
			if _, err := t.exec(ctx, `UPDATE douyin_users SET converted_at = ? WHERE id = ?`, h.at, h.id); err != nil {
				return err
			}
			root, err := t.root(ctx, h.customer)
			if err != nil {
				return err
			}
			if err := t.douyinEvent(ctx, workspaceID, root, siyu.EventDouyinConverted, fromMS(h.at), map[string]any{"rule": h.rule}); err != nil {
				return err
			}
		}
		n = len(hits)
		return nil
	})
	return n, err
}

// DouyinRuleMetrics is how one intent rule (or all, Rule "") performs.
// Rates are 0 when their base is 0.
type DouyinRuleMetrics struct {
	Rule           string  `json:"rule"`
	Comments       int     `json:"comments"`         // intent comments
	Replied        int     `json:"replied"`          // of those, replied to
	ReplyRate      float64 `json:"reply_rate"`       // Replied / Comments
	LatencyP50MS   int64   `json:"latency_p50_ms"`   // comment to reply
	LatencyP90MS   int64   `json:"latency_p90_ms"`   //
	Leads          int     `json:"leads"`            // users whose first intent was this rule
	Followed       int     `json:"followed"`         // of the leads, seen following the account
	FollowBackRate float64 `json:"follow_back_rate"` // Followed / Leads
	DMSent         int     `json:"dm_sent"`          // leads sent a channel code
	Converted      int     `json:"converted"`        // leads who added a WeCom account through it
	WeChatRate     float64 `json:"wechat_rate"`      // Converted / DMSent
}

// DouyinMetrics is the comment-mining funnel since a time.
type DouyinMetrics struct {
	Since    time.Time           `json:"since"`
	Comments int                 `json:"comments"` // every comment, intent or not
	Total    DouyinRuleMetrics   `json:"total"`
	Rules    []DouyinRuleMetrics `json:"rules"`
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// percentile of sorted values, nearest rank.
func percentile(sorted []int64, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// DouyinMetrics computes the funnel per rule for comments and users since
// a time. Conversions are read live from the contacts (an add through the
// user's code), so they show before MarkDouyinConversions runs.
func (s *Store) DouyinMetrics(ctx context.Context, workspaceID int64, since time.Time) (DouyinMetrics, error) {
	m := DouyinMetrics{Since: since.UTC()}
	by := map[string]*DouyinRuleMetrics{}
	get := func(rule string) *DouyinRuleMetrics {
		if by[rule] == nil {
			by[rule] = &DouyinRuleMetrics{Rule: rule}
		}
		return by[rule]
	}
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM douyin_comments WHERE workspace_id = ? AND created_at >= ?`, workspaceID, ms(since)).Scan(&m.Comments); err != nil {
		return m, err
	}
	latencies := map[string][]int64{}
	rows, err := s.query(ctx, `SELECT rule_id, created_at, replied_at FROM douyin_comments WHERE workspace_id = ? AND rule_id <> '' AND created_at >= ?`, workspaceID, ms(since))
	if err != nil {
		return m, err
	}
	for rows.Next() {
		var rule string
		var created int64
		var replied sql.NullInt64
		if err := rows.Scan(&rule, &created, &replied); err != nil {
			rows.Close()
			return m, err
		}
		r := get(rule)
		r.Comments++
		if replied.Valid {
			r.Replied++
			latencies[rule] = append(latencies[rule], max(0, replied.Int64-created))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, err
	}
	rows, err = s.query(ctx, `SELECT u.rule_id, COUNT(*), COUNT(u.followed_at), COUNT(u.dm_sent_at),
		SUM(CASE WHEN u.converted_at IS NOT NULL OR (u.code_state <> '' AND EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = u.workspace_id AND c.state = u.code_state)) THEN 1 ELSE 0 END)
		FROM douyin_users u WHERE u.workspace_id = ? AND u.rule_id <> '' AND u.intent_at >= ? GROUP BY u.rule_id`, workspaceID, ms(since))
	if err != nil {
		return m, err
	}
	for rows.Next() {
		var rule string
		var leads, followed, dm int
		var converted sql.NullInt64
		if err := rows.Scan(&rule, &leads, &followed, &dm, &converted); err != nil {
			rows.Close()
			return m, err
		}
		r := get(rule)
		r.Leads, r.Followed, r.DMSent, r.Converted = leads, followed, dm, int(converted.Int64)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, err
	}
	var all []int64
	total := DouyinRuleMetrics{}
	finish := func(r *DouyinRuleMetrics, lat []int64) {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		r.LatencyP50MS, r.LatencyP90MS = percentile(lat, 0.5), percentile(lat, 0.9)
		r.ReplyRate, r.FollowBackRate, r.WeChatRate = ratio(r.Replied, r.Comments), ratio(r.Followed, r.Leads), ratio(r.Converted, r.DMSent)
	}
	for rule, r := range by {
		finish(r, latencies[rule])
		all = append(all, latencies[rule]...)
		total.Comments += r.Comments
		total.Replied += r.Replied
		total.Leads += r.Leads
		total.Followed += r.Followed
		total.DMSent += r.DMSent
		total.Converted += r.Converted
		m.Rules = append(m.Rules, *r)
	}
	finish(&total, all)
	m.Total = total
	sort.Slice(m.Rules, func(i, j int) bool {
		if m.Rules[i].Comments != m.Rules[j].Comments {
			return m.Rules[i].Comments > m.Rules[j].Comments
		}
		return m.Rules[i].Rule < m.Rules[j].Rule
	})
	return m, nil
}

// DouyinIntents returns the most recent intent comments with where their
// authors are in the funnel.
func (s *Store) DouyinIntents(ctx context.Context, workspaceID int64, limit int) ([]DouyinComment, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.query(ctx, `SELECT c.id, c.comment_id, c.item_id, c.open_id, u.nickname, c.customer_id, c.content, c.rule_id, c.created_at, c.received_at,
		c.replied_at, c.reply_error, u.dm_sent_at,
		CASE WHEN u.converted_at IS NOT NULL THEN u.converted_at
		     WHEN u.code_state <> '' THEN (SELECT MIN(k.added_at) FROM contacts k WHERE k.workspace_id = u.workspace_id AND k.state = u.code_state) END
		FROM douyin_comments c JOIN douyin_users u ON u.workspace_id = c.workspace_id AND u.open_id = c.open_id
		WHERE c.workspace_id = ? AND c.rule_id <> '' ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, workspaceID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DouyinComment
	for rows.Next() {
		var c DouyinComment
		var created, received int64
		var replied, dm, converted sql.NullInt64
		if err := rows.Scan(&c.ID, &c.CommentID, &c.ItemID, &c.OpenID, &c.Nickname, &c.CustomerID, &c.Content, &c.RuleID, &created, &received,
			&replied, &c.ReplyError, &dm, &converted); err != nil {
			return nil, err
		}
		c.CreatedAt, c.ReceivedAt = fromMS(created), fromMS(received)
		c.RepliedAt, c.DMSentAt, c.ConvertedAt = fromNullMS(replied), fromNullMS(dm), fromNullMS(converted)
		out = append(out, c)
	}
	return out, rows.Err()
}

// DouyinWorkspaces lists the workspaces with a Douyin app.
func (s *Store) DouyinWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT workspace_id FROM douyin_apps ORDER BY workspace_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

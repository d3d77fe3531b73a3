package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// Send statuses. A skipped send's status is SendSkipped + ":" + the reason.
const (
	SendQueued     = "queued"
	SendSubmitting = "submitting"
	SendSubmitted  = "submitted"
	SendSent       = "sent"
	SendNotFriend  = "not_friend"
	SendCapped     = "capped"
	SendSkipped    = "skipped"
	SendFailed     = "failed"
)

// Batch statuses.
const (
	BatchPending    = "pending"
	BatchSubmitting = "submitting"
	BatchSubmitted  = "submitted"
	BatchDone       = "done"
	BatchFailed     = "failed"
)

// Send is a stored delivery and where it stands.
type Send struct {
	siyu.Delivery
	ID        int64
	Status    string
	BatchID   int64
	MsgID     string
	NotBefore time.Time
}

// SendBatch is one WeCom mass-message task being made or made.
type SendBatch struct {
	ID           int64
	WorkspaceID  int64
	AccountID    int64
	Sender       string
	Channel      siyu.ReachChannel
	Message      siyu.Message
	Status       string
	SubmittingAt time.Time // when it was marked submitting (before add_msg_template)
	MsgID        string
	Recipients   int
	Error        string
	CreatedAt    time.Time
}

// BatchLimits bound a batch: WeCom takes 10,000 external_userid or 2,000
// chat ids per add_msg_template.
type BatchLimits struct {
	Single int
	Group  int
}

func messageJSON(m siyu.Message) (string, string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", "", err
	}
	h := sha256.Sum256(b)
	return string(b), hex.EncodeToString(h[:16]), nil
}

// checkDelivery names what is wrong with a delivery dispatch cannot carry.
func checkDelivery(ws int64, i int, d siyu.Delivery) error {
	bad := func(field, msg string) error {
		return siyu.RowError{Line: i + 1, Field: field, Msg: msg}
	}
	switch {
	case d.Key == "":
		return bad("key", "required")
	case d.WorkspaceID != 0 && d.WorkspaceID != ws:
		return bad("workspace_id", fmt.Sprintf("%d is not this workspace", d.WorkspaceID))
	case d.Sender == "":
		return bad("sender", "required")
	case d.Channel == siyu.ReachSingle && d.ExternalUserID == "":
		return bad("external_userid", "required for a 1:1 send")
	case d.Channel == siyu.ReachGroup && d.ChatID == "":
		return bad("chat_id", "required for a group send")
	case d.Channel != siyu.ReachSingle && d.Channel != siyu.ReachGroup:
		return bad("channel", fmt.Sprintf("%q: dispatch sends %q and %q", d.Channel, siyu.ReachSingle, siyu.ReachGroup))
	case d.Message.Text == "" && d.Message.Image == nil && d.Message.Link == nil && d.Message.MiniProgram == nil:
		return bad("message", "empty")
	}
	return nil
}

// AddSends stores deliveries as queued sends due at notBefore, skipping keys
// the workspace already has. Large calls commit in parts; each part
// enqueues planJob(the part's first key) in its own transaction, so that
// whatever was committed is also scheduled, and the same deliveries added
// again enqueue nothing new. It returns how many sends it added. A bad
// delivery fails the whole call with a RowError naming it.
func (s *Store) AddSends(ctx context.Context, workspaceID int64, ds []siyu.Delivery, notBefore time.Time, planJob func(partKey string) NewJob) (int, error) {
	rows := make([][]any, 0, len(ds))
	for i, d := range ds {
		if err := checkDelivery(workspaceID, i, d); err != nil {
			return 0, err
		}
		msg, hash, err := messageJSON(d.Message)
		if err != nil {
			return 0, siyu.RowError{Line: i + 1, Field: "message", Msg: err.Error()}
		}
		var customer any
		if d.CustomerID != 0 {
			customer = d.CustomerID
		}
		rows = append(rows, []any{workspaceID, d.Key, d.CampaignID, customer, d.AccountID, d.Sender, d.ExternalUserID, d.ChatID,
			string(d.Channel), d.Variant, msg, hash, SendQueued, ms(notBefore), 0, 0})
	}
	cols := []string{"workspace_id", "key", "campaign_id", "customer_id", "account_id", "sender", "external_userid", "chat_id",
		"channel", "variant", "message", "message_hash", "status", "not_before", "created_at", "updated_at"}
	added := 0
	for start := 0; start < len(rows); start += importChunk * 5 {
		part := rows[start:min(start+importChunk*5, len(rows))]
		err := s.write(ctx, 0, func(t *tx) error {
			now := ms(t.now)
			for _, r := range part {
				r[14], r[15] = now, now
			}
			n, err := t.insertCounting(ctx, "sends", cols, part, " ON CONFLICT (workspace_id, key) DO NOTHING")
			if err != nil {
				return err
			}
			added += n
			if planJob != nil {
				_, err = t.enqueueJobs(ctx, workspaceID, []NewJob{planJob(part[0][1].(string))})
			}
			return err
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// insertCounting is insertRows that reports how many rows were inserted
// (an ON CONFLICT DO NOTHING suffix skips some).
func (t *tx) insertCounting(ctx context.Context, table string, cols []string, rows [][]any, suffix string) (int, error) {
	per := min(maxParams/len(cols), rowsPerInsert)
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	one := "(" + placeholders(len(cols)) + ")"
	total := 0
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*len(cols))
		for i, r := range rows[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		b.WriteString(suffix)
		res, err := t.execCached(ctx, b.String(), args...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}

// PlanSendBatches groups the workspace's queued sends that are due at now
// and in no batch yet into batches of one account, one channel and one
// message, at most limits recipients each, and enqueues jobFor(batch id) for
// each, all in one transaction. It returns the batches made.
func (s *Store) PlanSendBatches(ctx context.Context, workspaceID int64, now time.Time, limits BatchLimits, jobFor func(batchID int64) NewJob) (int, error) {
	made := 0
	err := s.write(ctx, workspaceID, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT id, account_id, sender, channel, message_hash FROM sends
			WHERE workspace_id = ? AND status = ? AND batch_id IS NULL AND not_before <= ? ORDER BY id`, workspaceID, SendQueued, ms(now))
		if err != nil {
			return err
		}
		type group struct {
			account int64
			sender  string
			channel string
			hash    string
		}
		byGroup := map[group][]int64{}
		var order []group
		for rows.Next() {
			var id int64
			var g group
			if err := rows.Scan(&id, &g.account, &g.sender, &g.channel, &g.hash); err != nil {
				rows.Close()
				return err
			}
			if _, ok := byGroup[g]; !ok {
				order = append(order, g)
			}
			byGroup[g] = append(byGroup[g], id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, g := range order {
			ids := byGroup[g]
			size := limits.Single
			if g.channel == string(siyu.ReachGroup) {
				size = limits.Group
			}
			if size <= 0 {
				size = 10000
			}
			var msg string
			if err := t.queryRow(ctx, `SELECT message FROM sends WHERE id = ?`, ids[0]).Scan(&msg); err != nil {
				return err
			}
			for start := 0; start < len(ids); start += size {
				part := ids[start:min(start+size, len(ids))]
				var batch int64
				if err := t.queryRow(ctx, `INSERT INTO send_batches (workspace_id, account_id, sender, channel, message, status, recipients, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, workspaceID, g.account, g.sender, g.channel, msg, BatchPending, len(part), ms(t.now), ms(t.now)).Scan(&batch); err != nil {
					return err
				}
				err := chunks(part, 5000, func(ids []int64) error {
					_, err := t.exec(ctx, `UPDATE sends SET batch_id = ?, updated_at = ? WHERE id IN (`+placeholders(len(ids))+`)`,
						append([]any{batch, ms(t.now)}, int64Args(ids)...)...)
					return err
				})
				if err != nil {
					return err
				}
				if _, err := t.enqueueJobs(ctx, workspaceID, []NewJob{jobFor(batch)}); err != nil {
					return err
				}
				made++
			}
		}
		return nil
	})
	return made, err
}

const batchColumns = `id, workspace_id, account_id, sender, channel, message, status, submitting_at, msgid, recipients, error, created_at`

func scanBatch(r scanner) (SendBatch, error) {
	var b SendBatch
	var channel, msg string
	var submitting sql.NullInt64
	var created int64
	if err := r.Scan(&b.ID, &b.WorkspaceID, &b.AccountID, &b.Sender, &channel, &msg, &b.Status, &submitting, &b.MsgID, &b.Recipients, &b.Error, &created); err != nil {
		return b, err
	}
	b.Channel = siyu.ReachChannel(channel)
	if submitting.Valid {
		b.SubmittingAt = fromMS(submitting.Int64)
	}
	b.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(msg), &b.Message); err != nil {
		return b, fmt.Errorf("batch %d: message: %w", b.ID, err)
	}
	return b, nil
}

// SendBatch returns a batch of the workspace.
func (s *Store) SendBatch(ctx context.Context, workspaceID, id int64) (SendBatch, error) {
	b, err := scanBatch(s.queryRowW(ctx, `SELECT `+batchColumns+` FROM send_batches WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return b, notFound(err)
}

// SendBatches lists the workspace's batches in a status, oldest first.
func (s *Store) SendBatches(ctx context.Context, workspaceID int64, status string) ([]SendBatch, error) {
	rows, err := s.query(ctx, `SELECT `+batchColumns+` FROM send_batches WHERE workspace_id = ? AND status = ? ORDER BY id`, workspaceID, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SendBatch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BatchSends returns a batch's sends in the given statuses (all when none).
// It reads from the writer so that it sees what the last write committed.
func (s *Store) BatchSends(ctx context.Context, workspaceID, batchID int64, statuses ...string) ([]Send, error) {
	q := `SELECT id, key, campaign_id, customer_id, account_id, sender, external_userid, chat_id, channel, variant, message, status, msgid, not_before
		FROM sends WHERE workspace_id = ? AND batch_id = ?`
	args := []any{workspaceID, batchID}
	if len(statuses) > 0 {
		q += ` AND status IN (` + placeholders(len(statuses)) + `)`
		for _, st := range statuses {
			args = append(args, st)
		}
	}
	rows, err := s.wdb.QueryContext(ctx, s.dialect.rebind(q+` ORDER BY id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Send
	for rows.Next() {
		var sd Send
		var customer sql.NullInt64
		var channel, msg string
		var notBefore int64
		if err := rows.Scan(&sd.ID, &sd.Key, &sd.CampaignID, &customer, &sd.AccountID, &sd.Sender, &sd.ExternalUserID, &sd.ChatID,
			&channel, &sd.Variant, &msg, &sd.Status, &sd.MsgID, &notBefore); err != nil {
			return nil, err
		}
		sd.WorkspaceID, sd.BatchID, sd.CustomerID = workspaceID, batchID, customer.Int64
		sd.Channel, sd.NotBefore = siyu.ReachChannel(channel), fromMS(notBefore)
		if err := json.Unmarshal([]byte(msg), &sd.Message); err != nil {
			return nil, fmt.Errorf("send %s: message: %w", sd.Key, err)
		}
		out = append(out, sd)
	}
	return out, rows.Err()
}

// updateBatch changes a batch's status from one to another; it fails with
// siyu.ErrConflict when the batch is not in from any more (another worker
// moved it on).
func (t *tx) updateBatch(ctx context.Context, ws, id int64, from, set string, args ...any) error {
	res, err := t.exec(ctx, `UPDATE send_batches SET `+set+`, updated_at = ? WHERE workspace_id = ? AND id = ? AND status = ?`,
		append(args, ms(t.now), ws, id, from)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = fmt.Errorf("%w: batch %d is not %s", siyu.ErrConflict, id, from)
		}
		return err
	}
	return nil
}

// setSendStatus moves the batch's sends named by key from one status to
// another.
func (t *tx) setSendStatus(ctx context.Context, ws, batch int64, from, to string, column string, values []string, extra string, extraArgs ...any) (int, error) {
	total := 0
	for start := 0; start < len(values); start += 5000 {
		part := values[start:min(start+5000, len(values))]
		args := append([]any{to, ms(t.now)}, extraArgs...)
		args = append(args, ws, batch, from)
		for _, v := range part {
			args = append(args, v)
		}
		res, err := t.exec(ctx, `UPDATE sends SET status = ?, updated_at = ?`+extra+` WHERE workspace_id = ? AND batch_id = ? AND status = ? AND `+column+` IN (`+placeholders(len(part))+`)`, args...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
	}
	return total, nil
}

// MarkBatchSubmitting records the policy's answer for a pending batch and,
// when anything was admitted, marks the batch submitting at at, in one
// committed transaction, before WeCom is called. Skipped sends get
// skipped:<reason>; a skip with RetryAt goes back to the queue due then (out
// of the batch) and requeue(RetryAt) is enqueued. Sends the policy named in
// neither list fail. It returns the admitted sends.
func (s *Store) MarkBatchSubmitting(ctx context.Context, workspaceID, batchID int64, admitted []string, skipped []siyu.Skip, at time.Time, requeue func(at time.Time) NewJob) (int, error) {
	n := 0
	err := s.write(ctx, workspaceID, func(t *tx) error {
		var err error
		for _, sk := range skipped {
			if !sk.RetryAt.IsZero() {
				_, err = t.exec(ctx, `UPDATE sends SET batch_id = NULL, not_before = ?, updated_at = ? WHERE workspace_id = ? AND batch_id = ? AND key = ? AND status = ?`,
					ms(sk.RetryAt), ms(t.now), workspaceID, batchID, sk.Key, SendQueued)
				if err == nil && requeue != nil {
					_, err = t.enqueueJobs(ctx, workspaceID, []NewJob{requeue(sk.RetryAt)})
				}
			} else {
				_, err = t.exec(ctx, `UPDATE sends SET status = ?, updated_at = ? WHERE workspace_id = ? AND batch_id = ? AND key = ? AND status = ?`,
					SendSkipped+":"+string(sk.Reason), ms(t.now), workspaceID, batchID, sk.Key, SendQueued)
			}
			if err != nil {
				return err
			}
		}
		if n, err = t.setSendStatus(ctx, workspaceID, batchID, SendQueued, SendSubmitting, "key", admitted, ""); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE sends SET status = ?, error = ?, updated_at = ? WHERE workspace_id = ? AND batch_id = ? AND status = ?`,
			SendFailed, "the policy neither admitted nor skipped it", ms(t.now), workspaceID, batchID, SendQueued); err != nil {
			return err
		}
		if n == 0 {
			return t.updateBatch(ctx, workspaceID, batchID, BatchPending, `status = ?, recipients = 0`, BatchDone)
		}
		return t.updateBatch(ctx, workspaceID, batchID, BatchPending, `status = ?, submitting_at = ?, recipients = ?`, BatchSubmitting, ms(at), n)
	})
	return n, err
}

// ReleaseBatch puts a submitting batch back to pending after WeCom refused
// to create its task (so nothing was created): its sends are queued again
// in the batch and the next attempt asks the policy again.
func (s *Store) ReleaseBatch(ctx context.Context, workspaceID, batchID int64, cause error) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		if _, err := t.exec(ctx, `UPDATE sends SET status = ?, updated_at = ? WHERE workspace_id = ? AND batch_id = ? AND status = ?`,
			SendQueued, ms(t.now), workspaceID, batchID, SendSubmitting); err != nil {
			return err
		}
		return t.updateBatch(ctx, workspaceID, batchID, BatchSubmitting, `status = ?, submitting_at = NULL, error = ?`, BatchPending, errText(cause))
	})
}

// BatchSubmitted records the mass message WeCom created for a submitting
// batch: its sends become submitted with the msgid, except the recipients
// WeCom named in failList (not the sender's customers), which become
// not_friend. then is enqueued in the same transaction.
func (s *Store) BatchSubmitted(ctx context.Context, workspaceID, batchID int64, msgID string, failList []string, then ...NewJob) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		var channel string
		if err := t.queryRow(ctx, `SELECT channel FROM send_batches WHERE workspace_id = ? AND id = ?`, workspaceID, batchID).Scan(&channel); err != nil {
			return notFound(err)
		}
		column := "external_userid"
		if channel == string(siyu.ReachGroup) {
			column = "chat_id"
		}
		if _, err := t.setSendStatus(ctx, workspaceID, batchID, SendSubmitting, SendNotFriend, column, failList, `, msgid = ?`, msgID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE sends SET status = ?, msgid = ?, updated_at = ? WHERE workspace_id = ? AND batch_id = ? AND status = ?`,
			SendSubmitted, msgID, ms(t.now), workspaceID, batchID, SendSubmitting); err != nil {
			return err
		}
		if err := t.updateBatch(ctx, workspaceID, batchID, BatchSubmitting, `status = ?, msgid = ?, error = ''`, BatchSubmitted, msgID); err != nil {
			return err
		}
		_, err := t.enqueueJobs(ctx, workspaceID, then)
		return err
	})
}

// MsgIDTaken reports whether a batch of the workspace already owns msgID.
func (s *Store) MsgIDTaken(ctx context.Context, workspaceID int64, msgID string) (bool, error) {
	var n int
	err := s.queryRowW(ctx, `SELECT COUNT(*) FROM send_batches WHERE workspace_id = ? AND msgid = ?`, workspaceID, msgID).Scan(&n)
	return n > 0, err
}

// SendResult is WeCom's word on one recipient of a submitted batch.
type SendResult struct {
	ExternalUserID string // or ChatID for group sends
	ChatID         string
	Status         string // SendSent, SendNotFriend or SendCapped
	At             time.Time
}

// RecordSendResults moves a submitted batch's sends to their results. A
// send that becomes sent records siyu.EventReachSent for its customer, in
// the same transaction, so the event exists exactly when the status does.
// Results for sends no longer submitted are ignored. It returns how many
// sends changed.
func (s *Store) RecordSendResults(ctx context.Context, workspaceID, batchID int64, results []SendResult) (int, error) {
	changed := 0
	for start := 0; start < len(results); start += 5000 {
		part := results[start:min(start+5000, len(results))]
		err := s.write(ctx, workspaceID, func(t *tx) error {
			byStatus := map[string][]string{}
			at := map[string]time.Time{}
			for _, r := range part {
				id := r.ExternalUserID
				if id == "" {
					id = r.ChatID
				}
				byStatus[r.Status] = append(byStatus[r.Status], id)
				at[id] = r.At
			}
			for _, status := range []string{SendNotFriend, SendCapped} {
				for _, column := range []string{"external_userid", "chat_id"} {
					n, err := t.setSendStatus(ctx, workspaceID, batchID, SendSubmitted, status, column, byStatus[status], "")
					if err != nil {
						return err
					}
					changed += n
				}
			}
			n, err := t.markSent(ctx, workspaceID, batchID, byStatus[SendSent], at)
			changed += n
			return err
		})
		if err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// markSent marks sends sent and records their events.
func (t *tx) markSent(ctx context.Context, ws, batch int64, recipients []string, at map[string]time.Time) (int, error) {
	if len(recipients) == 0 {
		return 0, nil
	}
	type sent struct {
		id, customer, campaign int64
		merged                 sql.NullInt64
		key, variant, who      string
	}
	var found []sent
	for start := 0; start < len(recipients); start += 2000 {
		part := recipients[start:min(start+2000, len(recipients))]
		args := []any{ws, batch, SendSubmitted}
		for _, r := range part {
			args = append(args, r)
		}
		for _, r := range part {
			args = append(args, r)
		}
		in := placeholders(len(part))
		rows, err := t.query(ctx, `SELECT s.id, COALESCE(s.customer_id, 0), s.campaign_id, c.merged_into, s.key, s.variant,
				CASE WHEN s.external_userid <> '' THEN s.external_userid ELSE s.chat_id END
			FROM sends s LEFT JOIN customers c ON c.id = s.customer_id
			WHERE s.workspace_id = ? AND s.batch_id = ? AND s.status = ? AND (s.external_userid IN (`+in+`) OR s.chat_id IN (`+in+`))`, args...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var x sent
			if err := rows.Scan(&x.id, &x.customer, &x.campaign, &x.merged, &x.key, &x.variant, &x.who); err != nil {
				rows.Close()
				return 0, err
			}
			found = append(found, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	ids := make([]int64, len(found))
	var events [][]any
	var withEvent []sent
	for i, x := range found {
		ids[i] = x.id
		if x.customer != 0 {
			withEvent = append(withEvent, x)
		}
	}
	if err := chunks(ids, 5000, func(part []int64) error {
		_, err := t.exec(ctx, `UPDATE sends SET status = ?, updated_at = ? WHERE id IN (`+placeholders(len(part))+`)`,
			append([]any{SendSent, ms(t.now)}, int64Args(part)...)...)
		return err
	}); err != nil {
		return 0, err
	}
	eventIDs, err := t.newIDs(ctx, "events", len(withEvent))
	if err != nil {
		return 0, err
	}
	for i, x := range withEvent {
		customer := x.customer
		if x.merged.Valid {
			if customer, err = t.root(ctx, customer); err != nil {
				return 0, err
			}
		}
		props, _ := json.Marshal(map[string]any{"campaign_id": x.campaign, "variant": x.variant, "key": x.key})
		when := at[x.who]
		if when.IsZero() {
			when = t.now
		}
		events = append(events, []any{eventIDs[i], ws, customer, siyu.EventReachSent, "dispatch", ms(when), string(props)})
	}
	if err := t.insertRows(ctx, "events", []string{"id", "workspace_id", "customer_id", "type", "source", "occurred_at", "props"}, events, ""); err != nil {
		return 0, err
	}
	return len(found), nil
}

// FinishBatch moves a batch from one status to done or failed.
func (s *Store) FinishBatch(ctx context.Context, workspaceID, batchID int64, from, to string, cause error) error {
	return s.write(ctx, workspaceID, func(t *tx) error {
		if to == BatchFailed {
			if _, err := t.exec(ctx, `UPDATE sends SET status = ?, error = ?, updated_at = ? WHERE workspace_id = ? AND batch_id = ? AND status = ?`,
				SendFailed, errText(cause), ms(t.now), workspaceID, batchID, SendQueued); err != nil {
				return err
			}
		}
		return t.updateBatch(ctx, workspaceID, batchID, from, `status = ?, error = ?`, to, errText(cause))
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	m := err.Error()
	if len(m) > 2000 {
		m = m[:2000]
	}
	return m
}

// SendCount is how many sends of a campaign variant are in a status.
type SendCount struct {
	Variant string `json:"variant"`
	Status  string `json:"status"`
	N       int    `json:"n"`
}

// SendCounts counts a campaign's sends by variant and status.
func (s *Store) SendCounts(ctx context.Context, workspaceID, campaignID int64) ([]SendCount, error) {
	rows, err := s.query(ctx, `SELECT variant, status, COUNT(*) FROM sends WHERE workspace_id = ? AND campaign_id = ?
		GROUP BY variant, status ORDER BY variant, status`, workspaceID, campaignID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SendCount
	for rows.Next() {
		var c SendCount
		if err := rows.Scan(&c.Variant, &c.Status, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SendStatuses streams a campaign's sends to people: customer, variant and
// status, by customer id.
func (s *Store) SendStatuses(ctx context.Context, workspaceID, campaignID int64, fn func(customerID int64, variant, status string) error) error {
	rows, err := s.query(ctx, `SELECT customer_id, variant, status FROM sends WHERE workspace_id = ? AND campaign_id = ? AND customer_id IS NOT NULL
		ORDER BY customer_id, id`, workspaceID, campaignID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var variant, status string
		if err := rows.Scan(&id, &variant, &status); err != nil {
			return err
		}
		if err := fn(id, variant, status); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SendByKey returns one send by its idempotency key.
func (s *Store) SendByKey(ctx context.Context, workspaceID int64, key string) (Send, error) {
	var sd Send
	var customer, batch sql.NullInt64
	var channel string
	err := s.queryRow(ctx, `SELECT id, campaign_id, customer_id, account_id, sender, external_userid, chat_id, channel, variant, status, batch_id, msgid
		FROM sends WHERE workspace_id = ? AND key = ?`, workspaceID, key).
		Scan(&sd.ID, &sd.CampaignID, &customer, &sd.AccountID, &sd.Sender, &sd.ExternalUserID, &sd.ChatID, &channel, &sd.Variant, &sd.Status, &batch, &sd.MsgID)
	if err != nil {
		return sd, notFound(err)
	}
	sd.Key, sd.WorkspaceID, sd.CustomerID, sd.BatchID, sd.Channel = key, workspaceID, customer.Int64, batch.Int64, siyu.ReachChannel(channel)
	return sd, nil
}

// SendStatusCounts counts a workspace's sends by status (all campaigns),
// for operators watching the queue.
func (s *Store) SendStatusCounts(ctx context.Context, workspaceID int64) (map[string]int, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM sends WHERE workspace_id = ? GROUP BY status`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/segment"
)

// JourneyTrigger is something that happened to a person that may enrol
// them: a recorded event, a paid order or a new WeCom contact. Key is
// unique per occurrence (event:<id>, order:<id>, contact:<id>).
type JourneyTrigger struct {
	Key        string         `json:"key"`
	CustomerID int64          `json:"customer_id"`
	Type       string         `json:"type"`
	At         time.Time      `json:"at"`
	Props      map[string]any `json:"props,omitempty"`
}

// Journey trigger streams: what the trigger scan reads, each with its own
// cursor per workspace.
const (
	StreamEvents   = "events"   // the events table, by id
	StreamOrders   = "orders"   // paid orders, by (updated_at, id): an order paid after it was imported shows up then
	StreamContacts = "contacts" // contacts, by id (order.paid and contact.added are not stored as events)
)

// JourneyStreams are the streams in scan order.
var JourneyStreams = []string{StreamEvents, StreamOrders, StreamContacts}

// JourneyCursor is a position in a stream.
type JourneyCursor struct {
	Pos, Pos2 int64
}

// JourneyCursorOf returns a workspace's position in a stream; ok is false
// before the first scan.
func (s *Store) JourneyCursorOf(ctx context.Context, workspaceID int64, stream string) (JourneyCursor, bool, error) {
	var c JourneyCursor
	err := s.queryRow(ctx, `SELECT pos, pos2 FROM journey_cursors WHERE workspace_id = ? AND stream = ?`, workspaceID, stream).Scan(&c.Pos, &c.Pos2)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// SetJourneyCursor stores a workspace's position in a stream.
func (s *Store) SetJourneyCursor(ctx context.Context, workspaceID int64, stream string, c JourneyCursor) error {
	return s.write(ctx, 0, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO journey_cursors (workspace_id, stream, pos, pos2, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, stream) DO UPDATE SET pos = excluded.pos, pos2 = excluded.pos2, updated_at = excluded.updated_at`,
			workspaceID, stream, c.Pos, c.Pos2, ms(t.now))
		return err
	})
}

// JourneyStreamEnd is the position after everything a stream holds now:
// where a workspace's first scan starts, so that history does not enrol.
func (s *Store) JourneyStreamEnd(ctx context.Context, workspaceID int64, stream string) (JourneyCursor, error) {
	var c JourneyCursor
	var a, b sql.NullInt64
	var err error
	switch stream {
	case StreamEvents:
		err = s.queryRow(ctx, `SELECT MAX(id), 0 FROM events WHERE workspace_id = ?`, workspaceID).Scan(&a, &b)
	case StreamContacts:
		err = s.queryRow(ctx, `SELECT MAX(id), 0 FROM contacts WHERE workspace_id = ?`, workspaceID).Scan(&a, &b)
	case StreamOrders:
		err = s.queryRow(ctx, `SELECT updated_at, id FROM orders WHERE workspace_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1`, workspaceID).Scan(&a, &b)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	default:
		return c, fmt.Errorf("%w: stream %q", siyu.ErrInvalid, stream)
	}
	c.Pos, c.Pos2 = a.Int64, b.Int64
	return c, err
}

// JourneyFeed reads up to limit triggers of a stream after a cursor, in
// stream order, and returns the cursor after them.
func (s *Store) JourneyFeed(ctx context.Context, workspaceID int64, stream string, after JourneyCursor, limit int) ([]JourneyTrigger, JourneyCursor, error) {
	if limit <= 0 {
		limit = 1000
	}
	var q string
	var args []any
	switch stream {
	case StreamEvents:
		q = `SELECT id, 0, customer_id, type, occurred_at, props FROM events WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?`
		args = []any{workspaceID, after.Pos, limit}
	case StreamContacts:
		q = `SELECT k.id, 0, k.customer_id, a.wecom_userid, k.added_at, k.state FROM contacts k JOIN accounts a ON a.id = k.account_id
			WHERE k.workspace_id = ? AND k.id > ? ORDER BY k.id LIMIT ?`
		args = []any{workspaceID, after.Pos, limit}
	case StreamOrders:
		q = `SELECT id, updated_at, customer_id, external_id, paid_at, status FROM orders
			WHERE workspace_id = ? AND (updated_at > ? OR (updated_at = ? AND id > ?)) ORDER BY updated_at, id LIMIT ?`
		args = []any{workspaceID, after.Pos, after.Pos, after.Pos2, limit}
	default:
		return nil, after, fmt.Errorf("%w: stream %q", siyu.ErrInvalid, stream)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, after, err
	}
	defer rows.Close()
	var out []JourneyTrigger
	next := after
	for rows.Next() {
		var id, pos2, customer int64
		var text, extra string
		var at sql.NullInt64
		if err := rows.Scan(&id, &pos2, &customer, &text, &at, &extra); err != nil {
			return nil, after, err
		}
		switch stream {
		case StreamEvents:
			next.Pos = id
			tr := JourneyTrigger{Key: "event:" + strconv.FormatInt(id, 10), CustomerID: customer, Type: text, At: fromMS(at.Int64)}
			if extra != "" {
				_ = json.Unmarshal([]byte(extra), &tr.Props)
			}
			out = append(out, tr)
		case StreamContacts:
			next.Pos = id
			out = append(out, JourneyTrigger{Key: "contact:" + strconv.FormatInt(id, 10), CustomerID: customer, Type: siyu.EventContactAdded,
				At: fromMS(at.Int64), Props: map[string]any{"account": text, "state": extra}})
		case StreamOrders:
			next.Pos, next.Pos2 = pos2, id
			if !at.Valid || !siyu.OrderStatus(extra).Paid() {
				continue
			}
			out = append(out, JourneyTrigger{Key: "order:" + strconv.FormatInt(id, 10), CustomerID: customer, Type: siyu.EventOrderPaid,
				At: fromMS(at.Int64), Props: map[string]any{"order_id": id, "external_id": text}})
		}
	}
	return out, next, rows.Err()
}

// JourneyHistory calls fn, in time order, for every occurrence in [from, to)
// of an event type (order.paid and contact.added from orders and contacts),
// or, with segmentID, of entering that saved segment: what a dry run replays.
func (s *Store) JourneyHistory(ctx context.Context, workspaceID int64, eventType string, segmentID int64, from, to time.Time, fn func(JourneyTrigger) error) error {
	var q string
	var args []any
	kind := "event:"
	switch {
	case segmentID != 0:
		q = `SELECT id, customer_id, type, occurred_at, props FROM events WHERE workspace_id = ? AND type = ? AND source = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, id`
		args = []any{workspaceID, siyu.EventSegmentEnter, segmentSource(segmentID), ms(from), ms(to)}
	case eventType == siyu.EventOrderPaid:
		kind = "order:"
		q = `SELECT id, customer_id, external_id, paid_at, status FROM orders WHERE workspace_id = ? AND paid_at >= ? AND paid_at < ? ORDER BY paid_at, id`
		args = []any{workspaceID, ms(from), ms(to)}
	case eventType == siyu.EventContactAdded:
		kind = "contact:"
		q = `SELECT k.id, k.customer_id, a.wecom_userid, k.added_at, k.state FROM contacts k JOIN accounts a ON a.id = k.account_id
			WHERE k.workspace_id = ? AND k.added_at >= ? AND k.added_at < ? ORDER BY k.added_at, k.id`
		args = []any{workspaceID, ms(from), ms(to)}
	default:
		q = `SELECT id, customer_id, type, occurred_at, props FROM events WHERE workspace_id = ? AND type = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at, id`
		args = []any{workspaceID, eventType, ms(from), ms(to)}
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return err
	}
	var list []JourneyTrigger
	for rows.Next() {
		var id, customer, at int64
		var text, extra string
		if err := rows.Scan(&id, &customer, &text, &at, &extra); err != nil {
			rows.Close()
			return err
		}
		tr := JourneyTrigger{Key: kind + strconv.FormatInt(id, 10), CustomerID: customer, Type: text, At: fromMS(at)}
		switch kind {
		case "order:":
			if !siyu.OrderStatus(extra).Paid() && siyu.OrderStatus(extra) != siyu.StatusRefunded {
				continue
			}
			tr.Type, tr.Props = siyu.EventOrderPaid, map[string]any{"order_id": id, "external_id": text}
		case "contact:":
			tr.Type, tr.Props = siyu.EventContactAdded, map[string]any{"account": text, "state": extra}
		default:
			if extra != "" {
				_ = json.Unmarshal([]byte(extra), &tr.Props)
			}
		}
		list = append(list, tr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tr := range list {
		if err := fn(tr); err != nil {
			return err
		}
	}
	return nil
}

// PersonFactsAt is PersonFacts as of a past moment, for dry runs: only
// events up to at, and the order summary from the orders paid up to at
// (net of refunds as they stand now). Tags, contacts, groups, scores and
// consent are as they are now; the store keeps no history of them.
func (s *Store) PersonFactsAt(ctx context.Context, workspaceID, customerID int64, at time.Time) (segment.Facts, error) {
	f, err := s.PersonFacts(ctx, workspaceID, customerID)
	if err != nil {
		return f, err
	}
	f.At = at
	kept := f.Events[:0]
	for _, e := range f.Events {
		if !e.At.After(at) {
			kept = append(kept, e)
		}
	}
	f.Events = kept
	id, err := s.liveCustomer(ctx, workspaceID, customerID)
	if err != nil {
		return f, err
	}
	var n int64
	var paid sql.NullInt64
	var first, last sql.NullInt64
	if err := s.queryRow(ctx, `SELECT COUNT(*), CAST(SUM(amount - refund) AS BIGINT), MIN(paid_at), MAX(paid_at) FROM orders
		WHERE workspace_id = ? AND customer_id = ? AND paid_at IS NOT NULL AND paid_at <= ? AND status IN (?, ?, ?)`,
		workspaceID, id, ms(at), siyu.StatusPaid, siyu.StatusShipped, siyu.StatusCompleted).Scan(&n, &paid, &first, &last); err != nil {
		return f, err
	}
	f.OrderCount, f.TotalPaid = n, siyu.Fen(paid.Int64)
	f.FirstOrderAt, f.LastOrderAt = fromNullMS(first), fromNullMS(last)
	return f, nil
}

// ConvertedSince reports whether an event of the type happened to the
// person in (since, until]: order.paid is a paid order, contact.added a
// new contact, anything else a recorded event.
func (s *Store) ConvertedSince(ctx context.Context, workspaceID, customerID int64, eventType string, since, until time.Time) (bool, error) {
	id, err := s.liveCustomer(ctx, workspaceID, customerID)
	if err != nil {
		return false, err
	}
	var q string
	args := []any{workspaceID, id, ms(since), ms(until)}
	switch eventType {
	case siyu.EventOrderPaid:
		q = `SELECT COUNT(*) FROM orders WHERE workspace_id = ? AND customer_id = ? AND paid_at > ? AND paid_at <= ?`
	case siyu.EventContactAdded:
		q = `SELECT COUNT(*) FROM contacts WHERE workspace_id = ? AND customer_id = ? AND added_at > ? AND added_at <= ?`
	default:
		q = `SELECT COUNT(*) FROM events WHERE +workspace_id = ? AND customer_id = ? AND occurred_at > ? AND occurred_at <= ? AND type = ?`
		args = append(args, eventType)
	}
	var n int
	err = s.queryRow(ctx, q, args...).Scan(&n)
	return n > 0, err
}

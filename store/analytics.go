package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"siyu.dev/siyu"
)

// PaidOrder is one paid order as the analytics models see it: who, when,
// and what it earned net of refunds.
type PaidOrder struct {
	Customer int64
	PaidAt   time.Time
	Net      siyu.Fen
	Channel  siyu.Channel
}

// StreamPaidOrders calls fn for every paid, not fully refunded order of the
// workspace, sorted by customer and payment time, without holding them in
// memory. Orders of merged-away customers are already with the survivor.
func (s *Store) StreamPaidOrders(ctx context.Context, workspaceID int64, fn func(PaidOrder) error) error {
	return s.StreamPaidOrdersRange(ctx, workspaceID, 0, 0, fn)
}

// StreamPaidOrdersRange is StreamPaidOrders for the customers with ids in
// [from, to); to 0 means no upper bound. Disjoint ranges can be read in
// parallel, each on its own connection.
func (s *Store) StreamPaidOrdersRange(ctx context.Context, workspaceID, from, to int64, fn func(PaidOrder) error) error {
	// The channel comes back as its index in siyu.Channels: ten million rows
	// should not mean ten million small strings.
	q := `SELECT customer_id, paid_at, amount - refund, ` + channelIndexSQL + ` FROM orders
		WHERE workspace_id = ? AND status IN ` + paidStatuses + ` AND paid_at IS NOT NULL AND customer_id >= ?`
	args := []any{workspaceID, from}
	if to > 0 {
		q += ` AND customer_id < ?`
		args = append(args, to)
	}
	return s.eachPaidOrder(ctx, fn, q+` ORDER BY customer_id, paid_at, id`, args...)
}

// eachPaidOrder runs q, which selects customer_id, paid_at, the net amount
// and the channel's index, and calls fn with every row.
func (s *Store) eachPaidOrder(ctx context.Context, fn func(PaidOrder) error, q string, args ...any) error {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var o PaidOrder
	var paid int64
	var ch int
	for rows.Next() {
		if err := rows.Scan(&o.Customer, &paid, &o.Net, &ch); err != nil {
			return err
		}
		o.PaidAt = fromMS(paid)
		o.Channel = siyu.Channels[channelOf(ch)]
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// OrderIDRange returns the smallest and largest order id of the workspace
// (both 0 when it has no orders).
func (s *Store) OrderIDRange(ctx context.Context, workspaceID int64) (int64, int64, error) {
	// Walking the primary key from each end finds them at once where
	// MIN/MAX over the workspace's index would read all of it.
	var lo, hi int64
	for _, end := range []struct {
		dir string
		to  *int64
	}{{"ASC", &lo}, {"DESC", &hi}} {
		err := s.queryRow(ctx, `SELECT id FROM orders WHERE +workspace_id = ? ORDER BY id `+end.dir+` LIMIT 1`, workspaceID).Scan(end.to)
		if notFound(err) == siyu.ErrNotFound {
			return 0, 0, nil
		}
		if err != nil {
			return 0, 0, err
		}
	}
	return lo, hi, nil
}

// PaidOrderRow is a PaidOrder as ScanPaidOrders reads it: plain numbers,
// ten million of which cost no allocations. Channel indexes siyu.Channels.
type PaidOrderRow struct {
	Customer int64
	PaidMS   int64 // UTC milliseconds
	Net      int64 // fen
	Channel  uint8
}

// ScanPaidOrders calls fn for every paid, not fully refunded order of the
// workspace with an id in [from, to), in no particular order: it reads the
// table front to back, the fastest way through it. Disjoint ranges can be
// read in parallel, each on its own connection.
func (s *Store) ScanPaidOrders(ctx context.Context, workspaceID, from, to int64, fn func(PaidOrderRow) error) error {
	// "+workspace_id" keeps SQLite from choosing the workspace's unique
	// index (a lookup per row) over the id range.
	q := `SELECT customer_id, paid_at, amount - refund, ` + channelIndexSQL + ` FROM orders
		WHERE id >= ? AND id < ? AND +workspace_id = ? AND status IN ` + paidStatuses + ` AND paid_at IS NOT NULL`
	if s.dialect == postgres {
		return s.scanPaidOrdersPgx(ctx, s.dialect.rebind(q), fn, from, to, workspaceID)
	}
	rows, err := s.query(ctx, q, from, to, workspaceID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var o PaidOrderRow
	var ch int
	for rows.Next() {
		if err := rows.Scan(&o.Customer, &o.PaidMS, &o.Net, &ch); err != nil {
			return err
		}
		o.Channel = channelOf(ch)
		if err := fn(o); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanPaidOrdersPgx is ScanPaidOrders on PostgreSQL: the rows come in
// binary and are decoded here, which reads ten million orders about twice
// as fast as database/sql's Scan.
func (s *Store) scanPaidOrdersPgx(ctx context.Context, q string, fn func(PaidOrderRow) error, args ...any) error {
	return s.withPgx(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, q, append([]any{pgx.QueryResultFormats{pgx.BinaryFormatCode}}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var cols [4]int64 // customer, paid_at, net, channel index
		for rows.Next() {
			for i, v := range rows.RawValues() {
				n, ok := binaryInt(v)
				if !ok {
					return fmt.Errorf("scan paid orders: column %d is %d bytes, not a binary integer", i, len(v))
				}
				cols[i] = n
			}
			o := PaidOrderRow{Customer: cols[0], PaidMS: cols[1], Net: cols[2], Channel: channelOf(int(cols[3]))}
			if err := fn(o); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// binaryInt decodes a non-NULL int2, int4 or int8 in PostgreSQL's binary
// format.
func binaryInt(b []byte) (int64, bool) {
	switch len(b) {
	case 8:
		return int64(binary.BigEndian.Uint64(b)), true
	case 4:
		return int64(int32(binary.BigEndian.Uint32(b))), true
	case 2:
		return int64(int16(binary.BigEndian.Uint16(b))), true
	}
	return 0, false
}

// channelOf is the index of a channel in siyu.Channels, anything unknown
// being "other".
func channelOf(i int) uint8 {
	if i < 0 || i >= len(siyu.Channels) {
		return uint8(slices.Index(siyu.Channels, siyu.ChannelOther))
	}
	return uint8(i)
}

// CustomerIDs calls fn with every live customer id of the workspace, in
// order (analytics need the customers without orders too).
func (s *Store) CustomerIDs(ctx context.Context, workspaceID int64, fn func(id int64, created time.Time) error) error {
	rows, err := s.query(ctx, `SELECT id, created_at FROM customers WHERE workspace_id = ? AND merged_into IS NULL ORDER BY id`, workspaceID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var id, created int64
	for rows.Next() {
		if err := rows.Scan(&id, &created); err != nil {
			return err
		}
		if err := fn(id, fromMS(created)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RFMBaselineRow is one customer's raw RFM values from the SQL baseline.
type RFMBaselineRow struct {
	Customer  int64
	Recency   int // whole days from the last order's Shanghai date to asOf
	Frequency int
	Monetary  siyu.Fen
}

// RFMBaseline computes raw RFM values in one SQL aggregate, the way a
// warehouse query would: the baseline the analytics benchmark compares
// against, and an independent check of the Go computation. Days are counted
// on Shanghai calendar dates (UTC+8, no DST).
func (s *Store) RFMBaseline(ctx context.Context, workspaceID int64, asOf time.Time, fn func(RFMBaselineRow) error) error {
	// Shanghai day number of a UTC millisecond time: floor((ms + 8h) / 1 day).
	asOfDay := (asOf.UnixMilli() + 8*3600*1000) / 86400000
	// Integer division floors here on both databases: times are positive.
	day := `((paid_at + 28800000) / 86400000)`
	rows, err := s.query(ctx, `SELECT customer_id, ? - MAX(`+day+`), COUNT(*), SUM(amount - refund) FROM orders
		WHERE workspace_id = ? AND status IN `+paidStatuses+` AND paid_at IS NOT NULL GROUP BY customer_id`, asOfDay, workspaceID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r RFMBaselineRow
	for rows.Next() {
		if err := rows.Scan(&r.Customer, &r.Recency, &r.Frequency, &r.Monetary); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SaveSnapshot stores the latest analytics document of a kind.
func (s *Store) SaveSnapshot(ctx context.Context, workspaceID int64, kind string, computedAt time.Time, body []byte) error {
	_, err := s.exec(ctx, `INSERT INTO analytics_snapshots (workspace_id, kind, computed_at, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, kind) DO UPDATE SET computed_at = excluded.computed_at, body = excluded.body`,
		workspaceID, kind, ms(computedAt), string(body))
	return err
}

// Snapshot returns the latest analytics document of a kind and when it was
// computed; ErrNotFound when never computed.
func (s *Store) Snapshot(ctx context.Context, workspaceID int64, kind string) ([]byte, time.Time, error) {
	var body string
	var at int64
	err := s.queryRow(ctx, `SELECT body, computed_at FROM analytics_snapshots WHERE workspace_id = ? AND kind = ?`, workspaceID, kind).Scan(&body, &at)
	if err != nil {
		return nil, time.Time{}, notFound(err)
	}
	return []byte(body), fromMS(at), nil
}

// SetSetting stores a workspace's setting document.
func (s *Store) SetSetting(ctx context.Context, workspaceID int64, name string, value []byte) error {
	_, err := s.exec(ctx, `INSERT INTO workspace_settings (workspace_id, name, value, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		workspaceID, name, string(value), ms(s.now()))
	return err
}

// Setting returns a workspace's setting document; ErrNotFound when unset.
func (s *Store) Setting(ctx context.Context, workspaceID int64, name string) ([]byte, error) {
	var v string
	err := s.queryRow(ctx, `SELECT value FROM workspace_settings WHERE workspace_id = ? AND name = ?`, workspaceID, name).Scan(&v)
	return []byte(v), notFound(err)
}

// CustomerIDRange returns the smallest and largest customer id of the
// workspace (0, 0 when it has none).
func (s *Store) CustomerIDRange(ctx context.Context, workspaceID int64) (int64, int64, error) {
	var lo, hi sql.NullInt64
	err := s.queryRow(ctx, `SELECT MIN(id), MAX(id) FROM customers WHERE workspace_id = ?`, workspaceID).Scan(&lo, &hi)
	return lo.Int64, hi.Int64, err
}

// channelIndexSQL maps the channel column to its index in siyu.Channels.
var channelIndexSQL = func() string {
	var b strings.Builder
	b.WriteString("CASE channel")
	for i, c := range siyu.Channels {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", c, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(siyu.Channels)-1)
	return b.String()
}()

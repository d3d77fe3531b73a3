package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// importChunk is how many orders one transaction takes. Big enough to
// amortise the round trips, small enough to keep the writer responsive.
const importChunk = 1000

// ImportOrders stores orders, resolving each buyer to a customer. It is
// idempotent on (channel, external_id): a known order is updated when its
// status, amount, refund or payment changed and left alone otherwise. Bad
// rows are rejected with a RowError and do not stop the others; each chunk
// of rows is one transaction, so a crash loses nothing that was reported as
// stored and a rerun finishes the rest.
func (s *Store) ImportOrders(ctx context.Context, workspaceID int64, rows []siyu.OrderInput, source string) (siyu.ImportResult, error) {
	start := time.Now()
	res := siyu.ImportResult{Rows: len(rows)}
	var chunk []siyu.OrderInput
	inChunk := map[orderKey]bool{}
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		err := s.write(ctx, workspaceID, func(t *tx) error {
			r, err := s.importChunk(ctx, t, workspaceID, chunk, source)
			if err != nil {
				return err
			}
			res.AddCounts(r)
			return nil
		})
		chunk = chunk[:0]
		clear(inChunk)
		return err
	}
	for i := range rows {
		o := rows[i]
		if err := o.Prepare(); err != nil {
			res.Rejected++
			res.Errors = append(res.Errors, asRowError(err, o.Line))
			continue
		}
		k := orderKey{o.Channel, o.ExternalID}
		// The same order twice in one batch: the later row is an update of the
		// earlier, so it goes into the next transaction.
		if inChunk[k] || len(chunk) == importChunk {
			if err := flush(); err != nil {
				res.Elapsed = time.Since(start)
				return res, err
			}
		}
		inChunk[k] = true
		chunk = append(chunk, o)
	}
	err := flush()
	res.Elapsed = time.Since(start)
	return res, err
}

func asRowError(err error, line int) siyu.RowError {
	var re siyu.RowError
	if errors.As(err, &re) {
		if re.Line == 0 {
			re.Line = line
		}
		return re
	}
	return siyu.RowError{Line: line, Msg: err.Error()}
}

type orderKey struct {
	channel    siyu.Channel
	externalID string
}

type storedOrder struct {
	id       int64
	customer int64
	status   string
	amount   int64
	refund   int64
	paidAt   sql.NullInt64
	items    string
}

func (s *Store) importChunk(ctx context.Context, t *tx, ws int64, rows []siyu.OrderInput, source string) (siyu.ImportResult, error) {
	var res siyu.ImportResult
	existing, err := loadOrders(ctx, t, ws, rows)
	if err != nil {
		return res, err
	}
	people := make([]person, len(rows))
	for i, o := range rows {
		name := o.BuyerName
		if name == "" {
			name = o.Receiver
		}
		people[i] = person{ids: o.Identifiers, name: name, province: o.Province, city: o.City}
	}
	src := source
	r, err := s.resolveTx(ctx, t, ws, people, src)
	if err != nil {
		return res, err
	}
	res.NewCustomers, res.Merges = r.newCustomers, r.merges
	touched := append([]int64(nil), r.touched...)
	for i := range rows {
		if r.erased[i] {
			// An erased person's order is kept as anonymous revenue, like
			// the orders the erasure blanked.
			o := &rows[i]
			o.BuyerName, o.Receiver, o.Province, o.City, o.MaskedPhone, o.Items = "", "", "", "", "", nil
		}
	}

	var inserts [][]any
	now := ms(t.now)
	for i, o := range rows {
		items := itemsJSON(o.Items)
		paid := msPtr(o.PaidAt)
		if old, ok := existing[orderKey{o.Channel, o.ExternalID}]; ok {
			if old.status == string(o.Status) && old.amount == int64(o.Amount) && old.refund == int64(o.Refund) &&
				sameMS(old.paidAt, o.PaidAt) && old.items == items {
				res.Unchanged++
				continue
			}
			_, err := t.exec(ctx, `UPDATE orders SET status = ?, amount = ?, refund = ?, paid_at = ?, items = ?, updated_at = ? WHERE id = ?`,
				string(o.Status), int64(o.Amount), int64(o.Refund), paid, items, now, old.id)
			if err != nil {
				return res, err
			}
			res.Updated++
			// The order's customer may have just been merged away.
			c, err := t.root(ctx, old.customer)
			if err != nil {
				return res, err
			}
			touched = append(touched, c)
			continue
		}
		customer := r.customers[i]
		inserts = append(inserts, []any{ws, customer, string(o.Channel), o.ExternalID, string(o.Status), ms(o.PlacedAt), paid,
			int64(o.Amount), int64(o.Refund), o.Receiver, o.Province, o.City, o.MaskedPhone, items, now, now})
		touched = append(touched, customer)
	}
	if len(inserts) > 0 {
		ids, err := t.newIDs(ctx, "orders", len(inserts))
		if err != nil {
			return res, err
		}
		for i := range inserts {
			inserts[i] = append([]any{ids[i]}, inserts[i]...)
		}
		err = t.insertRows(ctx, "orders", orderColumns, inserts, "")
		if err != nil {
			return res, fmt.Errorf("insert orders: %w", err)
		}
		res.Inserted = len(inserts)
	}
	if err := t.refreshSummaries(ctx, touched); err != nil {
		return res, err
	}
	if err := t.fillNames(ctx, rows, r.customers); err != nil {
		return res, err
	}
	return res, nil
}

// fillNames gives a name to known customers that had none (say, first seen
// through an event) when an order now names them. A name never replaces
// another: it is a weak signal.
func (t *tx) fillNames(ctx context.Context, rows []siyu.OrderInput, customers []int64) error {
	named := map[int64]string{}
	for i, o := range rows {
		name := o.BuyerName
		if name == "" {
			name = o.Receiver
		}
		if name != "" {
			if _, ok := named[customers[i]]; !ok {
				named[customers[i]] = name
			}
		}
	}
	if len(named) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(named))
	for id := range named {
		ids = append(ids, id)
	}
	return chunks(ids, 5000, func(part []int64) error {
		nameless, err := queryIDs(ctx, t, `SELECT id FROM customers WHERE name = '' AND id IN (`+placeholders(len(part))+`)`, int64Args(part)...)
		if err != nil {
			return err
		}
		for _, id := range nameless {
			if _, err := t.exec(ctx, `UPDATE customers SET name = ? WHERE id = ?`, named[id], id); err != nil {
				return err
			}
		}
		return nil
	})
}

func sameMS(a sql.NullInt64, b *time.Time) bool {
	if !a.Valid || b == nil {
		return !a.Valid && b == nil
	}
	return a.Int64 == b.UnixMilli()
}

// loadOrders finds the stored orders among rows, by channel.
func loadOrders(ctx context.Context, t *tx, ws int64, rows []siyu.OrderInput) (map[orderKey]storedOrder, error) {
	byChannel := map[siyu.Channel][]any{}
	for _, o := range rows {
		byChannel[o.Channel] = append(byChannel[o.Channel], o.ExternalID)
	}
	out := make(map[orderKey]storedOrder, len(rows))
	for ch, ids := range byChannel {
		q := `SELECT id, customer_id, external_id, status, amount, refund, paid_at, items FROM orders WHERE workspace_id = ? AND channel = ? AND external_id IN (` + placeholders(len(ids)) + `)`
		rs, err := t.query(ctx, q, append([]any{ws, string(ch)}, ids...)...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var o storedOrder
			var ext string
			if err := rs.Scan(&o.id, &o.customer, &ext, &o.status, &o.amount, &o.refund, &o.paidAt, &o.items); err != nil {
				rs.Close()
				return nil, err
			}
			out[orderKey{ch, ext}] = o
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InsertOrdersRaw inserts orders for one customer with no resolution and no
// idempotency check, in the same chunked transactions as ImportOrders. It
// exists as the benchmarks' baseline: the cost of just writing the rows.
func (s *Store) InsertOrdersRaw(ctx context.Context, workspaceID, customerID int64, rows []siyu.OrderInput) error {
	for start := 0; start < len(rows); start += importChunk {
		part := rows[start:min(start+importChunk, len(rows))]
		err := s.write(ctx, workspaceID, func(t *tx) error {
			ids, err := t.newIDs(ctx, "orders", len(part))
			if err != nil {
				return err
			}
			now := ms(t.now)
			inserts := make([][]any, len(part))
			for i, o := range part {
				inserts[i] = []any{ids[i], workspaceID, customerID, string(o.Channel), o.ExternalID, string(o.Status), ms(o.PlacedAt), msPtr(o.PaidAt),
					int64(o.Amount), int64(o.Refund), o.Receiver, o.Province, o.City, o.MaskedPhone, itemsJSON(o.Items), now, now}
			}
			return t.insertRows(ctx, "orders", orderColumns, inserts, "")
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// orderColumns are the columns of an order insert, in argument order.
var orderColumns = []string{"id", "workspace_id", "customer_id", "channel", "external_id", "status", "placed_at", "paid_at",
	"amount", "refund", "receiver", "province", "city", "masked_phone", "items", "imported_at", "updated_at"}

// CreateCustomer creates an empty customer (benchmarks and tests).
func (s *Store) CreateCustomer(ctx context.Context, workspaceID int64, name string) (int64, error) {
	var id int64
	err := s.write(ctx, workspaceID, func(t *tx) error {
		ids, err := t.newIDs(ctx, "customers", 1)
		if err != nil {
			return err
		}
		id = ids[0]
		_, err = t.exec(ctx, `INSERT INTO customers (id, workspace_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, id, workspaceID, name, ms(t.now), ms(t.now))
		return err
	})
	return id, err
}

// itemsJSON is how order lines are stored: JSON, or empty for none.
func itemsJSON(items []siyu.OrderItem) string {
	if len(items) == 0 {
		return ""
	}
	b, _ := json.Marshal(items) // plain structs of strings and ints: cannot fail
	return string(b)
}

package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"siyu.dev/siyu"
)

// BulkOrder is an order for BulkLoad, already resolved to a customer.
type BulkOrder struct {
	Customer   int64
	Channel    siyu.Channel
	ExternalID string
	PaidAt     time.Time
	Amount     siyu.Fen
}

// NewCustomers creates n empty customers and returns their ids; BulkLoad
// gives them orders. This is for benchmarks that need large workspaces
// quickly: real data goes through ImportOrders and identity resolution.
func (s *Store) NewCustomers(ctx context.Context, workspaceID int64, n int, created time.Time) ([]int64, error) {
	ids, err := s.bulkIDs(ctx, "customers", n)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, n)
	for i, id := range ids {
		rows[i] = []any{id, workspaceID, ms(created), ms(created)}
	}
	return ids, s.bulkInsert(ctx, workspaceID, "customers", []string{"id", "workspace_id", "created_at", "updated_at"}, rows)
}

// BulkLoad writes completed orders as they are: no resolution, no
// idempotency check, no customer summaries. With PostgreSQL it uses COPY.
// For benchmarks only, like NewCustomers.
func (s *Store) BulkLoad(ctx context.Context, workspaceID int64, orders []BulkOrder) error {
	ids, err := s.bulkIDs(ctx, "orders", len(orders))
	if err != nil {
		return err
	}
	now := ms(s.now())
	rows := make([][]any, len(orders))
	for i, o := range orders {
		paid := ms(o.PaidAt)
		rows[i] = []any{ids[i], workspaceID, o.Customer, string(o.Channel), o.ExternalID, string(siyu.StatusCompleted), paid, paid,
			int64(o.Amount), int64(0), "", "", "", "", "", now, now}
	}
	return s.bulkInsert(ctx, workspaceID, "orders", orderColumns, rows)
}

func (s *Store) bulkIDs(ctx context.Context, table string, n int) ([]int64, error) {
	var ids []int64
	err := s.write(ctx, 0, func(t *tx) error {
		var err error
		ids, err = t.newIDs(ctx, table, n)
		return err
	})
	return ids, err
}

func (s *Store) bulkInsert(ctx context.Context, workspaceID int64, table string, cols []string, rows [][]any) error {
	if s.dialect != postgres {
		return s.write(ctx, workspaceID, func(t *tx) error { return t.insertRows(ctx, table, cols, rows, "") })
	}
	return s.withPgx(ctx, func(c *pgx.Conn) error {
		_, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
}

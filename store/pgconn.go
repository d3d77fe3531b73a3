package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// withPgx runs fn on one pooled PostgreSQL connection as a native pgx
// connection: for COPY, and for reads of millions of rows that
// database/sql's per-value conversions would slow down.
func (s *Store) withPgx(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: not a pgx connection")
		}
		return fn(c.Conn())
	})
}

package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// insertRows inserts rows with multi-row INSERT statements, as many rows per
// statement as the placeholder limit allows. suffix is appended to each
// statement (e.g. an ON CONFLICT clause).
func (t *tx) insertRows(ctx context.Context, table string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	// Statements of rowsPerInsert rows repeat, so SQLite can reuse their
	// prepared form instead of parsing a long VALUES list every time.
	per := min(maxParams/len(cols), rowsPerInsert)
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	one := "(" + placeholders(len(cols)) + ")"
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var b strings.Builder
		b.Grow(len(head) + (end-start)*(len(one)+2) + len(suffix))
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
		if _, err := t.execCached(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

const rowsPerInsert = 100

// execCached runs a statement through a prepared statement kept for the life
// of the store. Only for SQLite, whose single writer connection makes the
// cache a plain map of that connection's statements; pgx already caches
// prepared statements per connection. A statement seen for the first time
// runs unprepared and is prepared after the transaction, when the writer
// connection is free again (preparing on the pool inside the transaction
// would wait for the very connection the transaction holds).
func (t *tx) execCached(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.d != sqlite || t.stmts == nil {
		return t.exec(ctx, q, args...)
	}
	if stmt := t.stmts.get(q); stmt != nil {
		return t.StmtContext(ctx, stmt).ExecContext(ctx, args...)
	}
	return t.exec(ctx, q, args...)
}

// stmtCache holds prepared statements of the SQLite writer.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

// maxCachedStmts bounds the cache; statements past it just run unprepared.
const maxCachedStmts = 512

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st
	}
	if len(c.m)+len(c.pending) < maxCachedStmts {
		if c.pending == nil {
			c.pending = map[string]bool{}
		}
		c.pending[q] = true
	}
	return nil
}

// preparePending prepares the statements first seen in the last transaction.
// The lock is not held while preparing: preparing waits for the writer
// connection, which another goroutine's transaction may hold while it asks
// the cache for a statement.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	var todo []string
	for q := range c.pending {
		todo = append(todo, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range todo {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it will simply run unprepared
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		if _, dup := c.m[q]; dup {
			st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// newIDs reserves n ids for table inside the transaction. SQLite has one
// writer, so max(id)+1.. is safe; PostgreSQL hands them out from the
// table's sequence.
func (t *tx) newIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if t.d == sqlite {
		var max int64
		if err := t.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&max); err != nil {
			return nil, err
		}
		for i := range n {
			ids = append(ids, max+1+int64(i))
		}
		return ids, nil
	}
	rows, err := t.query(ctx, "SELECT nextval(pg_get_serial_sequence('"+table+"', 'id')) FROM generate_series(1, ?)", n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// int64Args turns ids into query arguments.
func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, v := range ids {
		out[i] = v
	}
	return out
}

// chunks calls fn on slices of at most n ids.
func chunks(ids []int64, n int, fn func([]int64) error) error {
	for start := 0; start < len(ids); start += n {
		if err := fn(ids[start:min(start+n, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

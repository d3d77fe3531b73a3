// Package store keeps Siyu's data in SQLite (embedded, the default) or
// PostgreSQL (for teams and several nodes), through one implementation over
// database/sql: the SQL is written once with ? placeholders and rebound for
// PostgreSQL, and the few places where the dialects differ are methods of
// dialect. The same conformance suite runs against both.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"siyu.dev/siyu"
)

// Options configures a store.
type Options struct {
	// SecretKey (32 bytes) keys the hashes that phone numbers and emails are
	// looked up by and encrypts their stored values. Losing it makes those
	// values unreadable, so it lives outside the database.
	SecretKey []byte
	// ReadConns is the number of read connections for SQLite (default 4).
	ReadConns int
}

// Store is the database.
type Store struct {
	dialect dialect
	db      *sql.DB // PostgreSQL: everything. SQLite: reads.
	wdb     *sql.DB // SQLite: the single writer. PostgreSQL: same as db.
	pii     *piiCodec
	now     func() time.Time
	stmts   *stmtCache // SQLite writer's prepared statements
	locks   sync.Map   // SQLite: TryLock's named mutexes
}

// Open connects to dsn, a PostgreSQL URL (postgres://...) or an SQLite file
// path (optionally prefixed "sqlite:" or "file:"), and migrates the schema.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	codec, err := newPIICodec(opts.SecretKey)
	if err != nil {
		return nil, err
	}
	s := &Store{pii: codec, now: time.Now}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s.dialect = postgres
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		s.db, s.wdb = db, db
	} else {
		s.dialect = sqlite
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if path == "" {
			return nil, errors.New("store: empty database path")
		}
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		// A WAL of up to 64 MB between checkpoints: each checkpoint writes
		// its pages back and fsyncs, and fewer, larger ones made bulk
		// imports about 1.4× faster on our machines (docs/BENCHMARKS.md).
		pragmas := "_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=cache_size(-200000)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(16384)"
		w, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&"+pragmas)
		if err != nil {
			return nil, err
		}
		// One writer: SQLite serialises writes anyway, and one connection
		// means no SQLITE_BUSY between our own writers.
		w.SetMaxOpenConns(1)
		w.SetConnMaxLifetime(0)
		s.wdb = w
		s.stmts = &stmtCache{db: w}
		// Readers keep a smaller page cache of their own (64 MB each, the
		// writer 200 MB): the operating system caches the file anyway, and
		// four readers scanning a large table would otherwise hold most of
		// a gigabyte (docs/BENCHMARKS.md, analytics refresh).
		readPragmas := strings.Replace(pragmas, "cache_size(-200000)", "cache_size(-64000)", 1)
		r, err := sql.Open("sqlite", "file:"+path+"?"+readPragmas+"&_pragma=query_only(true)")
		if err != nil {
			w.Close()
			return nil, err
		}
		n := opts.ReadConns
		if n <= 0 {
			n = 4
		}
		r.SetMaxOpenConns(n)
		s.db = r
	}
	if err := s.ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.checkKey(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// ping connects. A brand-new SQLite file that another process is turning
// into WAL mode at the same moment answers "database is locked" before any
// busy timeout applies: wait for it a little.
func (s *Store) ping(ctx context.Context) error {
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		err := s.wdb.PingContext(ctx)
		if err == nil || s.dialect != sqlite || !strings.Contains(err.Error(), "SQLITE_BUSY") || wait > 5*time.Second {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// Close closes the connections.
func (s *Store) Close() error {
	var err error
	if s.stmts != nil {
		s.stmts.close()
	}
	if s.db != nil {
		err = s.db.Close()
	}
	if s.wdb != nil && s.wdb != s.db {
		if e := s.wdb.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return string(s.dialect) }

// Ping checks that the database answers (for /healthz).
func (s *Store) Ping(ctx context.Context) error { return s.wdb.PingContext(ctx) }

// DB exposes the read pool for benchmarks and analytics baselines.
func (s *Store) DB() *sql.DB { return s.db }

type dialect string

const (
	sqlite   dialect = "sqlite"
	postgres dialect = "postgres"
)

// rebind turns ? placeholders into $1, $2, ... for PostgreSQL. Our SQL never
// has a ? inside a string literal.
func (d dialect) rebind(q string) string {
	if d != postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// maxParams bounds the placeholders in one statement (SQLite allows 32766,
// PostgreSQL 65535).
const maxParams = 30000

// tx is a write transaction with the dialect at hand.
type tx struct {
	*sql.Tx
	d     dialect
	now   time.Time
	stmts *stmtCache
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.QueryContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.QueryRowContext(ctx, t.d.rebind(q), args...)
}

// write runs fn in a write transaction. With PostgreSQL, a workspace-wide
// advisory lock serialises identity resolution across nodes; with SQLite the
// single writer connection already does.
func (s *Store) write(ctx context.Context, workspaceID int64, fn func(*tx) error) error {
	sqlTx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &tx{Tx: sqlTx, d: s.dialect, now: s.now().UTC(), stmts: s.stmts}
	if s.dialect == postgres && workspaceID != 0 {
		if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(?, ?)", advisoryResolve, int32(workspaceID)); err != nil {
			sqlTx.Rollback()
			return err
		}
	}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	if s.stmts != nil {
		s.stmts.preparePending(ctx)
	}
	return nil
}

// advisoryResolve is the first key of the per-workspace advisory lock.
const advisoryResolve int32 = 0x5359 // "SY"

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.dialect.rebind(q), args...)
}

// exec runs a single statement on the write connection.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.wdb.ExecContext(ctx, s.dialect.rebind(q), args...)
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "UNIQUE constraint failed") || strings.Contains(m, "SQLSTATE 23505") || strings.Contains(m, "duplicate key value")
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return siyu.ErrNotFound
	}
	return err
}

// Times are stored as unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

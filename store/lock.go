package store

import (
	"context"
	"strconv"
	"sync"
)

// TryLock takes a named lock for a job that must run on one node at a time
// (a workspace's full sync). With PostgreSQL it is a session advisory lock,
// so it holds across nodes; with SQLite (one node per database file), a
// mutex of this Store. It reports false
// when someone else holds it. Call the returned func to release it.
func (s *Store) TryLock(ctx context.Context, class int32, id int64) (func(), bool, error) {
	if s.dialect == sqlite {
		m, _ := s.locks.LoadOrStore([2]int64{int64(class), id}, &sync.Mutex{})
		mu := m.(*sync.Mutex)
		if !mu.TryLock() {
			return nil, false, nil
		}
		return mu.Unlock, true, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, err
	}
	// The key includes the schema: advisory locks are per database, and
	// two deployments (or test runs) in one database must not block each
	// other; the nodes of one deployment share the schema and so the lock.
	const key = `hashtextextended(current_schema() || '/' || $1::text || '/' || $2::text, 0)`
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, strconv.Itoa(int(class)), strconv.FormatInt(id, 10)).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, err
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+key+`)`, strconv.Itoa(int(class)), strconv.FormatInt(id, 10))
		conn.Close()
	}, true, nil
}

// Lock classes.
const (
	LockWeComSync int32 = 0x5753 // "WS"
	LockAnalytics int32 = 0x414e // "AN"
	LockInbound   int32 = 0x4942 // "IB": the periodic pass over new messages and comments
	LockTagRules  int32 = 0x5452 // "TR": the daily refresh of keyword tags
)

// WeComWorkspaces lists the workspaces that configured a WeCom app.
func (s *Store) WeComWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT workspace_id FROM wecom_apps ORDER BY workspace_id`)
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

package store

import (
	"context"
	"fmt"
	"time"
)

// RateLimiter counts calls in fixed windows in the database, so that a
// limit holds across every node sharing it. It satisfies wecom.Limiter. On
// SQLite (one node) an in-process limiter does the same job more cheaply.
type RateLimiter struct {
	s      *Store
	limit  int
	window time.Duration
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
}

// NewRateLimiter allows limit calls per window for each (corp, api).
func (s *Store) NewRateLimiter(limit int, window time.Duration) *RateLimiter {
	return &RateLimiter{s: s, limit: limit, window: window, now: time.Now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Wait takes one call from the (corp, api) budget of the current window,
// waiting for the next window when this one is spent.
func (l *RateLimiter) Wait(ctx context.Context, corpID, api string) error {
	bucket := corpID + "|" + api
	for {
		now := l.now()
		start := now.Truncate(l.window)
		var calls int
		err := l.s.queryRowW(ctx, `INSERT INTO rate_windows (bucket, window_ms, calls) VALUES (?, ?, 1)
			ON CONFLICT (bucket, window_ms) DO UPDATE SET calls = rate_windows.calls + 1 RETURNING calls`,
			bucket, start.UnixMilli()).Scan(&calls)
		if err != nil {
			return fmt.Errorf("rate limiter: %w", err)
		}
		if calls <= l.limit {
			if calls == 1 {
				// First call of a window: drop windows long past.
				l.s.exec(ctx, `DELETE FROM rate_windows WHERE window_ms < ?`, start.Add(-10*l.window).UnixMilli())
			}
			return nil
		}
		if err := l.sleep(ctx, start.Add(l.window).Sub(now)); err != nil {
			return err
		}
	}
}

// queryRowW runs a single-row query on the write connection.
func (s *Store) queryRowW(ctx context.Context, q string, args ...any) rowScanner {
	return s.wdb.QueryRowContext(ctx, s.dialect.rebind(q), args...)
}

type rowScanner interface{ Scan(...any) error }

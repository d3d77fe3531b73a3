package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// loginFailuresKept is how long failed logins are remembered at most.
const loginFailuresKept = 24 * time.Hour

func loginFailureKey(key string) string {
	sum := sha256.Sum256([]byte("siyu-login-failure\x00" + key))
	return hex.EncodeToString(sum[:])
}

// AddLoginFailure records a failed login at at under each key (the
// console's per-login-and-address and per-address counters).
func (s *Store) AddLoginFailure(ctx context.Context, keys []string, at time.Time) error {
	return s.write(ctx, 0, func(t *tx) error {
		for _, k := range keys {
			if _, err := t.exec(ctx, `INSERT INTO login_failures (key, at) VALUES (?, ?)`, loginFailureKey(k), ms(at)); err != nil {
				return err
			}
		}
		// Old failures count for nothing; a few rows are dropped per
		// failure, so the table stays small without a sweeper.
		_, err := t.exec(ctx, `DELETE FROM login_failures WHERE at < ?`, ms(at.Add(-loginFailuresKept)))
		return err
	})
}

// LoginFailures returns the times of the failures recorded under key since
// since, oldest first.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) ([]time.Time, error) {
	rows, err := s.query(ctx, `SELECT at FROM login_failures WHERE key = ? AND at >= ? ORDER BY at`, loginFailureKey(key), ms(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, fromMS(at))
	}
	return out, rows.Err()
}

// ForgetLoginFailures drops the failures recorded under key.
func (s *Store) ForgetLoginFailures(ctx context.Context, key string) error {
	_, err := s.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, loginFailureKey(key))
	return err
}

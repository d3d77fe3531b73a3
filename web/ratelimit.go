package web

import (
	"context"
	"time"
)

// Failed logins allowed before a key is refused for the rest of the window.
// Per login and address the limit stops guessing one password; per address
// it stops spraying many logins from one place.
const (
	loginFailWindow  = 15 * time.Minute
	maxFailsPerLogin = 5
	maxFailsPerIP    = 30
)

// LoginFailures is where failed logins are counted: the database, so that
// the limit holds across every node of a cluster and over restarts.
// *store.Store satisfies it.
type LoginFailures interface {
	AddLoginFailure(ctx context.Context, keys []string, at time.Time) error
	LoginFailures(ctx context.Context, key string, since time.Time) ([]time.Time, error)
	ForgetLoginFailures(ctx context.Context, key string) error
}

// loginLimiter applies the limits to the failures counted in the store.
type loginLimiter struct {
	failures LoginFailures
	now      func() time.Time
}

func newLoginLimiter(f LoginFailures) *loginLimiter {
	return &loginLimiter{failures: f, now: time.Now}
}

func loginKey(login, ip string) string { return "l:" + login + "|" + ip }
func ipKey(ip string) string           { return "ip:" + ip }

// retryAfter reports how long the login from ip must wait, zero if it may try.
func (l *loginLimiter) retryAfter(ctx context.Context, login, ip string) (time.Duration, error) {
	now := l.now()
	var wait time.Duration
	for _, k := range []struct {
		key string
		max int
	}{{loginKey(login, ip), maxFailsPerLogin}, {ipKey(ip), maxFailsPerIP}} {
		fs, err := l.failures.LoginFailures(ctx, k.key, now.Add(-loginFailWindow))
		if err != nil {
			return 0, err
		}
		if len(fs) < k.max {
			continue
		}
		// Free again when the oldest counted failure leaves the window.
		wait = max(wait, fs[len(fs)-k.max].Add(loginFailWindow).Sub(now))
	}
	return wait, nil
}

func (l *loginLimiter) fail(ctx context.Context, login, ip string) error {
	return l.failures.AddLoginFailure(ctx, []string{loginKey(login, ip), ipKey(ip)}, l.now())
}

// succeed forgets the failures of this login from this address; the address
// count stays, so one good account does not unlock spraying.
func (l *loginLimiter) succeed(ctx context.Context, login, ip string) error {
	return l.failures.ForgetLoginFailures(ctx, loginKey(login, ip))
}

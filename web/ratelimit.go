package web

import (
	"sync"
	"time"
)

// Failed logins allowed before a key is refused for the rest of the window.
// Per login and address the limit stops guessing one password; per address
// it stops spraying many logins from one place.
const (
	loginFailWindow   = 15 * time.Minute
	maxFailsPerLogin  = 5
	maxFailsPerIP     = 30
	limiterSweepAbove = 10000
)

// loginLimiter counts failed logins in memory. Each node of a cluster counts
// on its own, which is good enough to make guessing slow.
type loginLimiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
	now   func() time.Time
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{fails: map[string][]time.Time{}, now: time.Now}
}

func loginKey(login, ip string) string { return "l:" + login + "|" + ip }
func ipKey(ip string) string           { return "ip:" + ip }

// retryAfter reports how long the login from ip must wait, zero if it may try.
func (l *loginLimiter) retryAfter(login, ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	wait := l.waitLocked(loginKey(login, ip), maxFailsPerLogin, now)
	if w := l.waitLocked(ipKey(ip), maxFailsPerIP, now); w > wait {
		wait = w
	}
	return wait
}

func (l *loginLimiter) waitLocked(key string, max int, now time.Time) time.Duration {
	fs := l.recentLocked(key, now)
	if len(fs) < max {
		return 0
	}
	// Free again when the oldest counted failure leaves the window.
	return fs[len(fs)-max].Add(loginFailWindow).Sub(now)
}

func (l *loginLimiter) recentLocked(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= loginFailWindow {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = fs
	return fs
}

func (l *loginLimiter) fail(login, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > limiterSweepAbove {
		for k := range l.fails {
			l.recentLocked(k, now)
		}
	}
	for _, k := range []string{loginKey(login, ip), ipKey(ip)} {
		l.fails[k] = append(l.recentLocked(k, now), now)
	}
}

// succeed forgets the failures of this login from this address; the address
// count stays, so one good account does not unlock spraying.
func (l *loginLimiter) succeed(login, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, loginKey(login, ip))
}

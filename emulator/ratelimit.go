package emulator

import (
	"sync"
	"time"

	"siyu.dev/siyu/wecom"
)

// limiter counts calls in fixed windows of the emulator's clock, as WeCom
// does: a call over a minute limit is refused until the minute ends, an
// hour limit until the hour ends.
type limiter struct {
	mu       sync.Mutex
	counts   map[windowKey]int
	inFlight map[string]int
	bad      map[windowKey]int // failed gettoken calls per IP per hour
}

type windowKey struct {
	key    string
	window int64
}

func newLimiter() *limiter {
	return &limiter{counts: map[windowKey]int{}, inFlight: map[string]int{}, bad: map[windowKey]int{}}
}

// admit counts a call to path and returns 45009 when a limit is exceeded.
func (l *limiter) admit(pol Policy, path string, debug bool, ip string, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(now)
	minute, hour := now.Unix()/60, now.Unix()/3600
	if path == wecom.PathGetToken && pol.BadSecretBlock > 0 && l.bad[windowKey{ip, hour}] >= pol.BadSecretBlock {
		return wecom.ErrCodeAPIFreqOutOfLimit
	}
	over := false
	count := func(key string, window int64, limit int) {
		k := windowKey{key, window}
		l.counts[k]++
		if limit > 0 && l.counts[k] > limit {
			over = true
		}
	}
	count("m:"+path, minute, pol.RateLimitPerMinute)
	count("h:"+path, hour, pol.RateLimitPerHour)
	if debug {
		count("d:"+path, minute, pol.DebugRatePerMinute)
	}
	if over {
		return wecom.ErrCodeAPIFreqOutOfLimit
	}
	return 0
}

// enter counts a request in flight on path; ok is false when max (if
// positive) are already running.
func (l *limiter) enter(path string, max int) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if max > 0 && l.inFlight[path] >= max {
		return nil, false
	}
	l.inFlight[path]++
	return func() {
		l.mu.Lock()
		l.inFlight[path]--
		l.mu.Unlock()
	}, true
}

// badSecret records a failed gettoken from ip.
func (l *limiter) badSecret(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bad[windowKey{ip, now.Unix() / 3600}]++
}

// prune drops windows that ended, so the maps stay small.
func (l *limiter) prune(now time.Time) {
	if len(l.counts) < 4096 {
		return
	}
	hour := now.Unix() / 3600
	for k := range l.counts {
		if k.key[0] == 'h' && k.window < hour || k.key[0] != 'h' && k.window < now.Unix()/60 {
			delete(l.counts, k)
		}
	}
	for k := range l.bad {
		if k.window < hour {
			delete(l.bad, k)
		}
	}
}

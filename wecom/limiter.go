package wecom

import (
	"context"
	"sync"
	"time"
)

// Limiter paces calls before they are sent. api is the endpoint path. The
// in-process TokenBucket serves one node; a shared implementation (e.g. in
// the database) can pace several.
type Limiter interface {
	Wait(ctx context.Context, corpID, api string) error
}

// DefaultPerMinute is WeCom's documented cap per corp per API: 10,000 calls
// a minute (and 150,000 an hour, which the bucket does not track).
const DefaultPerMinute = 10000

// TokenBucket is a Limiter with one token bucket per (corp, API).
type TokenBucket struct {
	perMinute int
	burst     int
	perAPI    map[string]int
	now       func() time.Time

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
}

type bucketKey struct{ corpID, api string }

type bucket struct {
	tokens float64 // may go negative: callers reserved future tokens
	last   time.Time
	rate   float64 // tokens per second
	burst  float64
}

// TokenBucketConfig sets the rates. Zero values take the defaults.
type TokenBucketConfig struct {
	PerMinute int            // default DefaultPerMinute
	Burst     int            // default one second's worth, at least 1
	PerAPI    map[string]int // per-minute rate for individual paths
}

// NewTokenBucket returns an in-process limiter.
func NewTokenBucket(cfg TokenBucketConfig) *TokenBucket {
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = DefaultPerMinute
	}
	perAPI := make(map[string]int, len(cfg.PerAPI))
	for k, v := range cfg.PerAPI {
		perAPI[k] = v
	}
	return &TokenBucket{
		perMinute: cfg.PerMinute,
		burst:     cfg.Burst,
		perAPI:    perAPI,
		now:       time.Now,
		buckets:   make(map[bucketKey]*bucket),
	}
}

// Wait blocks until a call to api for corpID may go, or ctx ends.
func (tb *TokenBucket) Wait(ctx context.Context, corpID, api string) error {
	delay, cancel := tb.reserve(corpID, api)
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		cancel()
		return ctx.Err()
	}
}

// reserve takes a token now (possibly borrowing from the future) and returns
// how long the caller must wait, and a func that gives the token back.
func (tb *TokenBucket) reserve(corpID, api string) (time.Duration, func()) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	now := tb.now()
	k := bucketKey{corpID, api}
	b := tb.buckets[k]
	if b == nil {
		perMinute := tb.perMinute
		if v, ok := tb.perAPI[api]; ok && v > 0 {
			perMinute = v
		}
		rate := float64(perMinute) / 60
		burst := float64(tb.burst)
		if burst <= 0 {
			burst = max(1, rate)
		}
		b = &bucket{tokens: burst, last: now, rate: rate, burst: burst}
		tb.buckets[k] = b
	}
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	b.tokens--
	var delay time.Duration
	if b.tokens < 0 {
		delay = time.Duration(-b.tokens / b.rate * float64(time.Second))
	}
	return delay, func() {
		tb.mu.Lock()
		b.tokens++
		tb.mu.Unlock()
	}
}

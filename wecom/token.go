package wecom

import (
	"context"
	"sync"
	"time"
)

// Token cache defaults.
const (
	// DefaultRefreshBefore is how long before expiry a token is replaced,
	// so that no call goes out with a token about to lapse.
	DefaultRefreshBefore = 5 * time.Minute
	// credentialErrorHold is how long a rejected corpid/secret is
	// remembered, so that a burst of callers does not hammer gettoken
	// (repeated wrong-secret calls get the IP blocked).
	credentialErrorHold = time.Minute
	// fetchTimeout bounds one gettoken round, whoever is waiting for it.
	fetchTimeout = 30 * time.Second
)

// TokenCache holds access tokens per (base URL, corpid, secret). Share one
// cache between all clients of a process (DefaultTokenCache does) so that an
// app's token is fetched once, not once per client. Concurrent callers that
// find no valid token wait for a single gettoken.
type TokenCache struct {
	// RefreshBefore is how long before expires_in runs out a token is
	// replaced. Zero means DefaultRefreshBefore.
	RefreshBefore time.Duration

	now     func() time.Time
	mu      sync.Mutex
	entries map[tokenKey]*tokenEntry
}

// DefaultTokenCache is the process-wide cache clients use unless their
// Config names another.
var DefaultTokenCache = NewTokenCache()

// NewTokenCache returns an empty cache.
func NewTokenCache() *TokenCache {
	return &TokenCache{now: time.Now, entries: make(map[tokenKey]*tokenEntry)}
}

type tokenKey struct{ baseURL, corpID, secret string }

type tokenEntry struct {
	token     string
	refreshAt time.Time // replace from here on
	expiresAt time.Time // unusable from here on
	failure   error     // a credential error, remembered until failUntil
	failUntil time.Time
	flight    *tokenFlight
}

type tokenFlight struct {
	done  chan struct{}
	token string
	err   error
}

// tokenFetcher calls gettoken and returns the token and its lifetime.
type tokenFetcher func(ctx context.Context) (token string, ttl time.Duration, err error)

// get returns a valid token for key, fetching one when needed.
func (tc *TokenCache) get(ctx context.Context, key tokenKey, fetch tokenFetcher) (string, error) {
	tc.mu.Lock()
	now := tc.now()
	e := tc.entries[key]
	if e == nil {
		e = &tokenEntry{}
		tc.entries[key] = e
	}
	if e.token != "" && now.Before(e.refreshAt) {
		tok := e.token
		tc.mu.Unlock()
		return tok, nil
	}
	if e.failure != nil && now.Before(e.failUntil) {
		err := e.failure
		tc.mu.Unlock()
		return "", err
	}
	f := e.flight
	if f == nil {
		f = &tokenFlight{done: make(chan struct{})}
		e.flight = f
		// The fetch outlives the caller that started it: other callers are
		// waiting on it, and a token is worth having anyway.
		go tc.fill(context.WithoutCancel(ctx), key, e, f, fetch)
	}
	tc.mu.Unlock()

	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (tc *TokenCache) fill(ctx context.Context, key tokenKey, e *tokenEntry, f *tokenFlight, fetch tokenFetcher) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	tok, ttl, err := fetch(ctx)

	tc.mu.Lock()
	defer tc.mu.Unlock()
	now := tc.now()
	switch {
	case err == nil:
		refresh := tc.RefreshBefore
		if refresh <= 0 {
			refresh = DefaultRefreshBefore
		}
		if refresh > ttl/2 {
			refresh = ttl / 2 // short-lived tokens: refresh halfway
		}
		e.token, e.expiresAt, e.refreshAt = tok, now.Add(ttl), now.Add(ttl-refresh)
		e.failure = nil
		f.token = tok
	case e.token != "" && now.Before(e.expiresAt):
		// The refresh failed but the old token still works: use it, and
		// try again on the next call.
		f.token = e.token
	default:
		if isCredentialError(err) {
			e.failure, e.failUntil = err, now.Add(credentialErrorHold)
		}
		f.err = err
	}
	e.flight = nil
	close(f.done)
}

// invalidate drops token if it is still the cached one (a concurrent
// refresh may already have replaced it).
func (tc *TokenCache) invalidate(key tokenKey, token string) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if e := tc.entries[key]; e != nil && e.token == token {
		e.token = ""
		e.refreshAt, e.expiresAt = time.Time{}, time.Time{}
	}
}

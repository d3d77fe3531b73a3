package wecom

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// ReplayGuard remembers the callbacks already taken, so that a replayed or
// retried callback is not handled twice. The in-process MemoryReplayGuard
// serves one node; an implementation backed by a shared database serves
// several.
type ReplayGuard interface {
	// Claim records key for ttl and reports whether it was new. A false
	// result means another request has claimed key within its ttl.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release forgets key, so that WeCom's retry of a callback whose
	// handling failed is not taken for a replay.
	Release(ctx context.Context, key string) error
}

// DefaultReplayCapacity bounds MemoryReplayGuard: when full, the oldest
// claims are forgotten first.
const DefaultReplayCapacity = 100000

// MemoryReplayGuard is an in-process ReplayGuard with expiry and a size
// bound.
type MemoryReplayGuard struct {
	capacity int
	now      func() time.Time

	mu    sync.Mutex
	order *list.List // of *replayEntry, oldest claim first
	keys  map[string]*list.Element
}

type replayEntry struct {
	key     string
	expires time.Time
}

// NewMemoryReplayGuard returns a guard holding at most capacity keys
// (DefaultReplayCapacity when capacity <= 0).
func NewMemoryReplayGuard(capacity int) *MemoryReplayGuard {
	if capacity <= 0 {
		capacity = DefaultReplayCapacity
	}
	return &MemoryReplayGuard{capacity: capacity, now: time.Now, order: list.New(), keys: make(map[string]*list.Element)}
}

// Claim implements ReplayGuard.
func (g *MemoryReplayGuard) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	g.expire(now)
	if el, ok := g.keys[key]; ok {
		if now.Before(el.Value.(*replayEntry).expires) {
			return false, nil
		}
		g.remove(el)
	}
	for g.order.Len() >= g.capacity {
		g.remove(g.order.Front())
	}
	g.keys[key] = g.order.PushBack(&replayEntry{key: key, expires: now.Add(ttl)})
	return true, nil
}

// Release implements ReplayGuard.
func (g *MemoryReplayGuard) Release(_ context.Context, key string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if el, ok := g.keys[key]; ok {
		g.remove(el)
	}
	return nil
}

// Holds reports whether key is claimed and its ttl has not run out.
func (g *MemoryReplayGuard) Holds(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	el, ok := g.keys[key]
	return ok && g.now().Before(el.Value.(*replayEntry).expires)
}

// expire drops expired entries from the front. Entries are claimed in time
// order but may carry different ttls, so it stops at the first live one;
// a later expired entry is found by the check in Claim.
func (g *MemoryReplayGuard) expire(now time.Time) {
	for el := g.order.Front(); el != nil; el = g.order.Front() {
		if now.Before(el.Value.(*replayEntry).expires) {
			return
		}
		g.remove(el)
	}
}

func (g *MemoryReplayGuard) remove(el *list.Element) {
	delete(g.keys, el.Value.(*replayEntry).key)
	g.order.Remove(el)
}

// Len is the number of keys held, for tests and metrics.
func (g *MemoryReplayGuard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.order.Len()
}

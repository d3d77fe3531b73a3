package store_test

import (
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// Two stores on one database stand for two nodes: together they get no more
// than the limit per window.
func TestRateLimiterHoldsAcrossNodes(t *testing.T) {
	a, dsn := storetest.OpenDSN(t)
	b, err := store.Open(ctx, dsn, store.Options{SecretKey: storetest.TestKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const limit = 40
	window := 2 * time.Second
	// Start at the beginning of a window so the test does not straddle two.
	time.Sleep(time.Until(time.Now().Truncate(window).Add(window)))
	first := time.Now().Truncate(window)
	var mu sync.Mutex
	var times []time.Time
	var wg sync.WaitGroup
	for _, s := range []*store.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := s.NewRateLimiter(limit, window)
			for range 15 {
				if err := l.Wait(ctx, "corp1", "externalcontact/get"); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				times = append(times, time.Now().Truncate(window))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	inFirst := 0
	for _, w := range times {
		if w.Equal(first) {
			inFirst++
		}
	}
	if len(times) != 60 || inFirst != limit {
		t.Fatalf("%d calls, %d in the first window; want 60 and exactly %d", len(times), inFirst, limit)
	}
	// Another API of the same corp has its own budget.
	if err := a.NewRateLimiter(limit, window).Wait(ctx, "corp1", "groupchat/get"); err != nil {
		t.Fatal(err)
	}
}

package wecom

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTokenBucketPacesPerCorpAndAPI(t *testing.T) {
	tb := NewTokenBucket(TokenBucketConfig{PerMinute: 60, Burst: 2, PerAPI: map[string]int{"/slow": 6}})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tb.now = func() time.Time { return now }

	delays := func(corp, api string, n int) []time.Duration {
		var out []time.Duration
		for i := 0; i < n; i++ {
			d, _ := tb.reserve(corp, api)
			out = append(out, d)
		}
		return out
	}
	// 60/min = 1/s with a burst of 2: two free, then 1 s, 2 s.
	got := delays("corpA", "/x", 4)
	want := []time.Duration{0, 0, time.Second, 2 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays = %v, want %v", got, want)
		}
	}
	// Another corp and another API have their own buckets.
	if d := delays("corpB", "/x", 1)[0]; d != 0 {
		t.Errorf("corpB waited %v", d)
	}
	if d := delays("corpA", "/y", 1)[0]; d != 0 {
		t.Errorf("another API waited %v", d)
	}
	// A per-API rate: 6/min = one every 10 s after the burst.
	if got := delays("corpA", "/slow", 3); got[2] != 10*time.Second {
		t.Errorf("per-API delays = %v", got)
	}
	// Tokens come back with time.
	now = now.Add(10 * time.Second)
	if d := delays("corpA", "/x", 1)[0]; d != 0 {
		t.Errorf("after refill waited %v", d)
	}
}

func TestTokenBucketWaitHonoursContext(t *testing.T) {
	tb := NewTokenBucket(TokenBucketConfig{PerMinute: 1, Burst: 1})
	if err := tb.Wait(bg, "c", "/a"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	if err := tb.Wait(ctx, "c", "/a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	// The cancelled waiter gave its token back: the next waiter is not
	// pushed further into the future.
	d, _ := tb.reserve("c", "/a")
	if d > 61*time.Second {
		t.Errorf("delay %v: the cancelled reservation was kept", d)
	}
}

func TestTokenBucketDefaults(t *testing.T) {
	tb := NewTokenBucket(TokenBucketConfig{})
	for i := 0; i < DefaultPerMinute/60; i++ {
		if d, _ := tb.reserve("c", "/a"); d != 0 {
			t.Fatalf("call %d waited %v within the default burst", i, d)
		}
	}
	if d, _ := tb.reserve("c", "/a"); d <= 0 {
		t.Error("no pacing beyond the burst")
	}
}

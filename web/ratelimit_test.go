package web

import (
	"context"
	"testing"
	"time"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// The limits, counted in the database: two nodes (two stores on one
// database) see each other's failures.
func TestLoginLimiter(t *testing.T) {
	ctx := context.Background()
	st, dsn := storetest.OpenDSN(t)
	other, err := store.Open(ctx, dsn, store.Options{SecretKey: storetest.TestKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l, l2 := newLoginLimiter(st), newLoginLimiter(other)
	l.now, l2.now = clock, clock
	wait := func(l *loginLimiter, login, ip string) time.Duration {
		t.Helper()
		w, err := l.retryAfter(ctx, login, ip)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < maxFailsPerLogin; i++ {
		if w := wait(l2, "wang", "10.0.0.1"); w != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		must(l.fail(ctx, "wang", "10.0.0.1"))
		now = now.Add(time.Minute)
	}
	w := wait(l2, "wang", "10.0.0.1")
	if w <= 0 || w > loginFailWindow {
		t.Fatalf("the other node: retryAfter = %v after %d failures", w, maxFailsPerLogin)
	}
	if wait(l, "wang", "10.0.0.2") != 0 || wait(l, "li", "10.0.0.1") != 0 {
		t.Fatal("the block spread to another login or address")
	}
	now = now.Add(w)
	if got := wait(l, "wang", "10.0.0.1"); got != 0 {
		t.Fatalf("still blocked %v after the window", got)
	}
	// Spraying many logins from one address is stopped too.
	for i := 0; i < maxFailsPerIP; i++ {
		must(l2.fail(ctx, "user"+string(rune('a'+i%26))+string(rune('a'+i/26)), "10.9.9.9"))
	}
	if wait(l, "someone-new", "10.9.9.9") == 0 {
		t.Fatal("address not blocked after spraying")
	}
	// Success forgets the login's failures but not the address's.
	must(l.succeed(ctx, "someone-new", "10.9.9.9"))
	if wait(l, "someone-new", "10.9.9.9") == 0 {
		t.Fatal("success unblocked the address")
	}
	// The login as typed is not stored.
	var n int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM login_failures WHERE key LIKE '%wang%' OR key LIKE '%10.0.0.1%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows hold a login or address in clear (%v)", n, err)
	}
}

package server

import (
	"context"
	"log/slog"
	"testing"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// A periodic tag pass skips a workspace while another node holds its lock
// (on PostgreSQL an advisory lock of another session), and runs it again
// once released; other workspaces are not held up.
func TestTagPassesRunOnOneNodeAtATime(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	s, err := New(Config{Store: st, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ran := map[int64]int{}
	pass := s.exclusively(store.LockInbound, func(_ context.Context, ws int64) error {
		ran[ws]++
		return nil
	})
	unlock, ok, err := st.TryLock(ctx, store.LockInbound, 1)
	if err != nil || !ok {
		t.Fatalf("taking the lock: %v %v", ok, err)
	}
	for _, ws := range []int64{1, 2} {
		if err := pass(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	if ran[1] != 0 || ran[2] != 1 {
		t.Fatalf("while another holds workspace 1: ran %v, want only workspace 2", ran)
	}
	unlock()
	if err := pass(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ran[1] != 1 {
		t.Fatalf("after release: ran %v, want workspace 1 once", ran)
	}
}

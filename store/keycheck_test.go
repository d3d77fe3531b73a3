package store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// A database opened with another key than the one it was created with is
// refused: phones would hash differently and every buyer come back as new.
func TestOpenRefusesAnotherKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "siyu.db")
	keyA, keyB := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	st, err := store.Open(ctx, path, store.Options{SecretKey: keyA})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err := store.Open(ctx, path, store.Options{SecretKey: keyB}); !errors.Is(err, store.ErrWrongKey) {
		if err == nil {
			st.Close()
		}
		t.Fatalf("opened with another key: %v", err)
	}
	st, err = store.Open(ctx, path, store.Options{SecretKey: keyA})
	if err != nil {
		t.Fatalf("the right key: %v", err)
	}
	st.Close()
}

// Nodes starting at once against a fresh database migrate it once, and
// all of them start.
func TestConcurrentStartsMigrateOnce(t *testing.T) {
	dsn := storetest.DSN(t)
	ctx := context.Background()
	errs := make(chan error, 4)
	stores := make(chan *store.Store, 4)
	for range 4 {
		go func() {
			st, err := store.Open(ctx, dsn, store.Options{SecretKey: storetest.TestKey()})
			if err == nil {
				stores <- st
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("start: %v", err)
		}
	}
	close(stores)
	for st := range stores {
		st.Close()
	}
}

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// TestBackupWhileWriting backs up a database that is being written to and
// opens the copy with the same key: the data, including the protected
// phone numbers, is all there.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "siyu.db"), filepath.Join(dir, "backup.db")
	key := storetest.Key()
	st, err := store.Open(ctx, src, store.Options{SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ws, err := st.CreateWorkspace(ctx, "brand", "品牌")
	if err != nil {
		t.Fatal(err)
	}
	order := func(id, phone string) siyu.OrderInput {
		at := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
		return siyu.OrderInput{Channel: siyu.ChannelJD, ExternalID: id, Status: siyu.StatusPaid, PlacedAt: at, PaidAt: &at, Amount: 100,
			Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: phone}}}
	}
	if _, err := st.ImportOrders(ctx, ws.ID, []siyu.OrderInput{order("J1", "13800138000")}, "test"); err != nil {
		t.Fatal(err)
	}
	// A writer keeps going during the backup.
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			st.ImportOrders(ctx, ws.ID, []siyu.OrderInput{order("W"+strings.Repeat("x", i%5)+time.Now().Format("150405.000000"), "13900139000")}, "test")
		}
	}()
	n, err := backupSQLite(ctx, src, dst)
	close(done)
	<-stopped
	if err != nil || n == 0 {
		t.Fatalf("backup: %d bytes, %v", n, err)
	}

	if _, err := backupSQLite(ctx, src, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup over the first: %v", err)
	}
	if _, err := backupSQLite(ctx, filepath.Join(dir, "missing.db"), filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("backup of a missing database succeeded")
	}

	copyStore, err := store.Open(ctx, dst, store.Options{SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	w, err := copyStore.WorkspaceBySlug(ctx, "brand")
	if err != nil {
		t.Fatal(err)
	}
	page, err := copyStore.SearchCustomers(ctx, w.ID, siyu.CustomerQuery{Query: "138 0013 8000", Limit: 5})
	if err != nil || len(page.Customers) != 1 {
		t.Fatalf("the backup does not find the customer by phone: %+v %v", page, err)
	}
}

func TestBackupCommandRefusesPostgres(t *testing.T) {
	cmd := rootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"backup", "--database-url", "postgres://siyu@db/siyu", "--to", filepath.Join(t.TempDir(), "b.db")})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup of PostgreSQL: %v", err)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/orderfile"
	"siyu.dev/siyu/server"
	"siyu.dev/siyu/store"
)

// A kill -9 in the middle of an import, then the same import again, must
// end exactly where one uninterrupted import ends: nothing lost, nothing
// twice.
func TestImportSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "siyu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	csvPath := filepath.Join(dir, "orders.csv")
	writeOrders(t, csvPath, 60000)

	run := func(db string, args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append(args, "--db", db)...)
		cmd.Env = append(os.Environ(), "SIYU_PASSWORD=unused-password")
		return cmd
	}
	for _, db := range []string{filepath.Join(dir, "killed.db"), filepath.Join(dir, "clean.db")} {
		if out, err := run(db, "workspace", "create", "brand").CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}

	killed := filepath.Join(dir, "killed.db")
	cmd := run(killed, "import", "orders", "--workspace", "brand", "--format", "generic", "-q", csvPath)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once some orders are in but not all.
	deadline := time.Now().Add(60 * time.Second)
	for {
		n := countOrders(t, killed)
		if n >= 10000 && n < 60000 {
			break
		}
		if n >= 60000 || time.Now().After(deadline) {
			t.Skipf("could not catch the import midway (%d orders)", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	partial := countOrders(t, killed)
	if partial >= 60000 {
		t.Skipf("the import finished before the kill (%d orders)", partial)
	}
	if out, err := run(killed, "import", "orders", "--workspace", "brand", "--format", "generic", "-q", csvPath).CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if out, err := run(filepath.Join(dir, "clean.db"), "import", "orders", "--workspace", "brand", "--format", "generic", "-q", csvPath).CombinedOutput(); err != nil {
		t.Fatalf("clean import: %v\n%s", err, out)
	}
	a, b := summary(t, killed), summary(t, filepath.Join(dir, "clean.db"))
	if a != b {
		t.Fatalf("killed at %d orders then rerun:\n%s\nuninterrupted:\n%s", partial, a, b)
	}
	t.Logf("killed after %d of 60000 orders; rerun converged: %s", partial, a)
}

func writeOrders(t *testing.T, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := orderfile.NewGenericWriter(f)
	at := time.Date(2025, 5, 1, 10, 0, 0, 0, siyu.Shanghai)
	for i := range n {
		paid := at.Add(time.Duration(i) * time.Minute)
		ids := []siyu.Identifier{{Kind: siyu.KindPhone, Value: fmt.Sprintf("139%08d", i/3)}}
		if i%7 == 0 {
			ids = append(ids, siyu.Identifier{Kind: siyu.KindUnionID, Value: fmt.Sprintf("u%d", i/14)})
		}
		if err := w.Write(siyu.OrderInput{Channel: siyu.ChannelTmall, ExternalID: fmt.Sprintf("%019d", 4000000000000000000+i), Status: siyu.StatusCompleted,
			PlacedAt: paid, PaidAt: &paid, Amount: siyu.Fen(9900 + i%5000), BuyerName: "买家", Identifiers: ids}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

func openDB(t *testing.T, path string) *store.Store {
	key, _, err := server.LoadKey("", path+".key", false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), path, store.Options{SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func countOrders(t *testing.T, path string) int {
	if _, err := os.Stat(path + ".key"); err != nil {
		return 0
	}
	s := openDB(t, path)
	defer s.Close()
	var n int
	s.DB().QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&n)
	return n
}

// summary describes the resolved data independent of row ids.
func summary(t *testing.T, path string) string {
	s := openDB(t, path)
	defer s.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT COUNT(*) FROM orders`,
		`SELECT COUNT(*) FROM customers WHERE merged_into IS NULL`,
		`SELECT COUNT(*) FROM identities`,
		`SELECT COALESCE(SUM(total_paid), 0) FROM customers WHERE merged_into IS NULL`,
		`SELECT COALESCE(SUM(order_count), 0) FROM customers WHERE merged_into IS NULL`,
		`SELECT COUNT(DISTINCT customer_id) FROM orders`,
	} {
		var v int64
		if err := s.DB().QueryRow(q).Scan(&v); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s = %d\n", q, v)
	}
	return b.String()
}

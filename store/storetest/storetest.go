// Package storetest opens throwaway stores for tests: SQLite in a temporary
// directory, or, when SIYU_TEST_DATABASE_URL names a PostgreSQL server, a
// fresh schema on it that is dropped afterwards. The same tests thus run on
// both databases.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"siyu.dev/siyu/store"
)

// EnvURL is the variable that points the tests at PostgreSQL.
const EnvURL = "SIYU_TEST_DATABASE_URL"

// Key returns a random 32-byte secret key.
func Key() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// Open returns a fresh, migrated store that is closed (and, on PostgreSQL,
// dropped) when the test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	s, _ := OpenDSN(t)
	return s
}

// OpenDSN is Open that also returns the DSN, so that a test can open a
// second store on the same database (another node, a restart).
func OpenDSN(t testing.TB) (*store.Store, string) {
	t.Helper()
	dsn := DSN(t)
	s, err := store.Open(context.Background(), dsn, store.Options{SecretKey: testKey})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// testKey is shared by the stores of one test binary so that a second store
// opened on the same DSN reads the first one's protected values.
var testKey = Key()

// TestKey returns the key the stores from Open use.
func TestKey() []byte { return testKey }

// DSN returns a fresh database: an SQLite file path or a PostgreSQL URL with
// its own schema.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		return filepath.Join(t.TempDir(), "siyu.db")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := fmt.Sprintf("t_%x", b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres reports whether tests run against PostgreSQL.
func Postgres() bool { return os.Getenv(EnvURL) != "" }

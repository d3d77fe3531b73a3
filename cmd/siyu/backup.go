package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// backupCmd copies a live SQLite database to a new file with VACUUM INTO: a
// consistent snapshot taken inside one read transaction, so the server may
// keep running and writing. PostgreSQL has pg_dump for this.
func backupCmd() *cobra.Command {
	var db, url, to string
	cmd := &cobra.Command{
		Use:   "backup --db siyu.db --to siyu-backup.db",
		Short: "Copy a running SQLite database to a new file (PostgreSQL: use pg_dump)",
		Long: `Copy a running SQLite database to a new file, consistently, while the server keeps
running. The secret key (<db>.key or SIYU_SECRET_KEY) is not copied: keep it apart from the
backups, and restore both.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if url != "" {
				return errors.New("backup copies SQLite databases; for PostgreSQL use pg_dump -Fc (see docs/OPERATIONS.md)")
			}
			if to == "" {
				return errors.New("--to: name the backup file to create")
			}
			n, err := backupSQLite(cmd.Context(), db, to)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up %s to %s (%d bytes); the key %s is not in it: back it up separately\n", db, to, n, db+".key")
			return nil
		},
	}
	cmd.Flags().StringVar(&db, "db", "siyu.db", "SQLite database file to back up")
	cmd.Flags().StringVar(&url, "database-url", os.Getenv("SIYU_DATABASE_URL"), "PostgreSQL URL: refused, use pg_dump (env SIYU_DATABASE_URL)")
	cmd.Flags().StringVar(&to, "to", "", "backup file to create (must not exist)")
	return cmd
}

// backupSQLite writes a consistent copy of the database at src to dst and
// returns its size.
func backupSQLite(ctx context.Context, src, dst string) (int64, error) {
	if _, err := os.Stat(src); err != nil {
		return 0, fmt.Errorf("database %s: %w", src, err)
	}
	if _, err := os.Stat(dst); err == nil {
		return 0, fmt.Errorf("%s exists: a backup never overwrites a file", dst)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	if abs, err := filepath.Abs(dst); err == nil {
		dst = abs
	}
	// Opened without the store: a backup must not migrate the source.
	conn, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		os.Remove(dst)
		return 0, fmt.Errorf("backup of %s: %w", src, err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

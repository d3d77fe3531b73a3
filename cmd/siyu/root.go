package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"siyu.dev/siyu"
	"siyu.dev/siyu/server"
	"siyu.dev/siyu/store"
)

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	path       string
	url        string
	secretFile string
}

func (f *dbFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "db", "siyu.db", "SQLite database file (created and migrated on first start)")
	cmd.Flags().StringVar(&f.url, "database-url", os.Getenv("SIYU_DATABASE_URL"), "PostgreSQL URL (postgres://...); overrides --db (env SIYU_DATABASE_URL)")
	cmd.Flags().StringVar(&f.secretFile, "secret-file", "", "file with the 32-byte key protecting phone numbers at rest (default: <db>.key for SQLite; env SIYU_SECRET_KEY overrides)")
}

func (f *dbFlags) dsn() string {
	if f.url != "" {
		return f.url
	}
	return f.path
}

// open opens and migrates the store. With SQLite a missing key file is
// created next to the database; with PostgreSQL the key must be given, since
// several nodes have to share it.
func (f *dbFlags) open(ctx context.Context, log *slog.Logger) (*store.Store, error) {
	keyPath := f.secretFile
	create := false
	if keyPath == "" && f.url == "" {
		keyPath = f.path + ".key"
		create = true
	}
	key, created, err := server.LoadKey(os.Getenv("SIYU_SECRET_KEY"), keyPath, create)
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("created a new secret key; back it up with the database", "file", keyPath)
	}
	return store.Open(ctx, f.dsn(), store.Options{SecretKey: key})
}

// openWorkspace opens the store and finds the workspace a command names.
// The caller closes the store.
func (f *dbFlags) openWorkspace(ctx context.Context, log *slog.Logger, slug string) (*store.Store, siyu.Workspace, error) {
	st, err := f.open(ctx, log)
	if err != nil {
		return nil, siyu.Workspace{}, err
	}
	w, err := st.WorkspaceBySlug(ctx, slug)
	if err != nil {
		st.Close()
		return nil, w, fmt.Errorf("workspace %q: %w", slug, err)
	}
	return st, w, nil
}

func newLogger() *slog.Logger {
	level := slog.LevelInfo
	if strings.EqualFold(os.Getenv("SIYU_LOG_LEVEL"), "debug") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "siyu",
		Short:         "Siyu (私域): the private-domain traffic operating system",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(false), serveCmd(true), importCmd(), analyticsCmd(), customerCmd(), wecomCmd(), emulatorCmd(), workspaceCmd(), userCmd(), tokenCmd(), migrateCmd(), versionCmd())
	root.AddCommand(dispatchCmd())
	root.AddCommand(accountCmd())
	root.AddCommand(campaignCmd())
	root.AddCommand(segmentCmd())
	root.AddCommand(journeyCmd())
	root.AddCommand(tagsCmd())
	root.AddCommand(backupCmd())
	return root
}

var version = "dev"

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run:   func(cmd *cobra.Command, args []string) { fmt.Println("siyu", version) },
	}
}

func migrateCmd() *cobra.Command {
	var db dbFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema and exit",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := db.open(cmd.Context(), newLogger())
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Println("schema up to date")
			return nil
		},
	}
	db.register(cmd)
	return cmd
}

// printJSON writes v to stdout as indented JSON, for --json.
func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

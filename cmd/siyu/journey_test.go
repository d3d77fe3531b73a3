package main

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"siyu.dev/siyu/store"
)

// The journey commands against a real database: create from a template,
// refuse a bad call, dry-run, activate, pause; each change audited.
func TestJourneyCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "siyu.db")
	run := func(args ...string) error {
		cmd := rootCmd()
		cmd.SetArgs(append(args, "--db", db))
		cmd.SetContext(context.Background())
		return cmd.Execute()
	}
	if err := run("workspace", "create", "brand", "品牌"); err != nil {
		t.Fatal(err)
	}
	if err := run("journey", "create", "--workspace", "brand"); err == nil {
		t.Fatal("create without --template or --file succeeded")
	}
	if err := run("journey", "create", "--workspace", "brand", "--template", "no_such"); err == nil {
		t.Fatal("an unknown template was accepted")
	}
	if err := run("journey", "create", "--workspace", "brand", "--template", "contact_welcome", "--name", "欢迎"); err != nil {
		t.Fatal(err)
	}
	if err := run("journey", "list", "--workspace", "brand", "--json"); err != nil {
		t.Fatal(err)
	}
	if err := run("journey", "dry-run", "--workspace", "brand", "--id", "1", "--from", "2026-01-01", "--to", "2026-01-31"); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ cmd, status string }{{"activate", store.JourneyActive}, {"pause", store.JourneyPaused}} {
		if err := run("journey", step.cmd, "--workspace", "brand", "--id", "1"); err != nil {
			t.Fatal(err)
		}
		st, w, err := (&dbFlags{path: db}).openWorkspace(context.Background(), newLogger(), "brand")
		if err != nil {
			t.Fatal(err)
		}
		j, err := st.Journey(context.Background(), w.ID, 1)
		audit, aerr := st.AuditLog(context.Background(), w.ID, store.AuditFilter{})
		st.Close()
		if err != nil || j.Status != step.status || j.Name != "欢迎" {
			t.Fatalf("after %s: %+v %v", step.cmd, j, err)
		}
		if aerr != nil || len(audit) == 0 || audit[0].Action != "journey."+step.cmd || audit[0].Target != "journey:"+strconv.Itoa(1) {
			t.Fatalf("audit after %s: %+v %v", step.cmd, audit, aerr)
		}
	}
	if err := run("journey", "dry-run", "--workspace", "brand", "--id", "1", "--from", "yesterday"); err == nil {
		t.Fatal("a bad --from was accepted")
	}
}

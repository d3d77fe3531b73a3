package clustertest

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"siyu.dev/siyu/emulator"
)

// `siyu wecom sync` is killed with SIGKILL after its first checkpoint (one
// batch of 100 members of 256). The next run resumes from the checkpoint
// instead of starting over, and ends with the store equal to WeCom: every
// contact there, none twice, one customer per person.
func TestFullSyncSurvivesKill9(t *testing.T) {
	pop := emulator.Quiet(3000)
	for i := range 250 {
		pop.Members = append(pop.Members, emulator.Member{UserID: fmt.Sprintf("guide_%03d", i), Name: fmt.Sprintf("导购%d", i)})
	}
	pol := quickPolicy()
	pol.Faults.Latency = 25 * time.Millisecond // slow enough to be caught midway
	c := newCorpOf(t, pop, pol, nil)
	var all []string
	for _, m := range pop.Members {
		all = append(all, m.UserID)
	}
	c.seed(t, all, 0, 3000)
	dep := newDeployment(t)
	dep.setUpWorkspace(t, c)

	cmd := dep.command([]string{"wecom", "sync", "--workspace", "brand"})
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	deadline := time.After(60 * time.Second)
	for !strings.Contains(logs.String(), "contacts: 1/3") {
		select {
		case <-done:
			t.Fatalf("the sync ended before it could be killed:\n%s", logs.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("no checkpoint within 60 s:\n%s", logs.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the sync was not killed: %v", cmd.ProcessState)
	}
	if strings.Contains(logs.String(), "contacts: 3/3") {
		t.Fatalf("the sync finished before the kill:\n%s", logs.String())
	}
	st := dep.open(t)
	w, err := st.WorkspaceBySlug(ctx, "brand")
	if err != nil {
		t.Fatal(err)
	}
	partial, err := st.LiveContacts(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}

	out := dep.run(t, []string{"wecom", "sync", "--workspace", "brand"})
	if !strings.Contains(out, "resumed true") {
		t.Fatalf("the second sync did not resume: %s", out)
	}
	live, err := st.LiveContacts(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := c.live()
	if d := diff(want, live); len(d) > 0 {
		t.Fatalf("after the resumed sync: %d differences, e.g. %v", len(d), d[:min(5, len(d))])
	}
	var customers, contacts int
	if err := st.DB().QueryRow(rebind(`SELECT COUNT(*) FROM customers WHERE workspace_id = ? AND merged_into IS NULL`), w.ID).Scan(&customers); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRow(rebind(`SELECT COUNT(*) FROM contacts WHERE workspace_id = ?`), w.ID).Scan(&contacts); err != nil {
		t.Fatal(err)
	}
	people := map[string]bool{}
	for k := range want {
		people[k[1]] = true
	}
	if customers != len(people) || contacts != len(want) {
		t.Fatalf("%d customers and %d contacts for %d people in %d relationships", customers, contacts, len(people), len(want))
	}
	t.Logf("killed with %d of %d contacts stored; resumed: %s", len(partial), len(want), strings.TrimSpace(out))
}

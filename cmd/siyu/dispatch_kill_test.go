package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/server"
	"siyu.dev/siyu/store"
)

// A campaign to 100,000 people is worked by a siyu process that is killed
// with SIGKILL three times: right after WeCom created a task (before Siyu
// recorded it), right after a batch was marked submitting (before WeCom was
// called), and at a random moment while results come in. After a last
// restart drains the queue, every eligible person has received the message
// exactly once according to the emulated WeCom, and Siyu's sends agree.
func TestDispatchSurvivesKill9(t *testing.T) {
	recipients, batchSize := 100000, 10000
	if testing.Short() {
		recipients, batchSize = 20000, 2000
	}
	began := time.Now()
	dir := t.TempDir()
	bin := filepath.Join(dir, "siyu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	// The corp: two members share the customers; a few hundred of them
	// deleted their member before the campaign (not eligible).
	pol := emulator.DefaultPolicy()
	pol.MassConfirmDelay = 300 * time.Millisecond // the members confirm quickly
	pol.MassDispatchDelay = 200 * time.Millisecond
	pop := emulator.Quiet(recipients)
	emu := emulator.New(emulator.Config{Seed: 5, Population: &pop, Policy: &pol})
	defer emu.Close()
	emuCtx, stopEmu := context.WithCancel(context.Background())
	defer stopEmu()
	go emu.Run(emuCtx, 20*time.Millisecond)
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	users := emu.Users()
	senders := []string{"founder", "store_hz01"}
	senderOf := func(i int) string { return senders[i*len(senders)/recipients] }
	for k, s := range senders {
		var us []int
		for i := k * recipients / len(senders); i < (k+1)*recipients/len(senders); i++ {
			us = append(us, i)
		}
		if err := emu.SeedContacts(s, us); err != nil {
			t.Fatal(err)
		}
	}
	gone := map[int]bool{}
	for i := 17; i < recipients; i += 331 {
		gone[i] = true
		if err := emu.RemoveContactsQuietly(senderOf(i), []string{users[i].ExternalUserID}); err != nil {
			t.Fatal(err)
		}
	}

	// Siyu's database with the campaign enqueued.
	db := filepath.Join(dir, "siyu.db")
	key, _, err := server.LoadKey("", db+".key", true)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	aes := make([]byte, 32)
	rand.Read(aes)
	if err := st.SetWeComApp(ctx, w.ID, siyu.WeComApp{CorpID: emu.CorpID(), Secret: emu.Secret(), BaseURL: srv.URL,
		Token: "token", EncodingAESKey: base64.RawStdEncoding.EncodeToString(aes)}); err != nil {
		t.Fatal(err)
	}
	customers, err := st.NewCustomers(ctx, w.ID, recipients, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ds := make([]siyu.Delivery, recipients)
	for i := range ds {
		ds[i] = siyu.Delivery{Key: fmt.Sprintf("campaign:1:customer:%d", customers[i]), CampaignID: 1, CustomerID: customers[i],
			AccountID: int64(1 + i*len(senders)/recipients), Sender: senderOf(i), ExternalUserID: users[i].ExternalUserID,
			Channel: siyu.ReachSingle, Message: siyu.Message{Text: "知夏的五月会员日：全场九折，回复 TD 退订"}}
	}
	if n, err := dispatch.New(st, nil, dispatch.Options{}).Enqueue(ctx, w.ID, ds, time.Time{}); err != nil || n != recipients {
		t.Fatalf("enqueue: %d, %v", n, err)
	}
	setup := time.Since(began)

	worker := func(extra ...string) *exec.Cmd {
		args := append([]string{"dispatch", "run", "--db", db, "--lease", "2s", "--idle", "20ms", "--poll-every", "200ms",
			"--distributing-wait", "200ms", "--workers", "3", "--batch-size", strconv.Itoa(batchSize), "--no-policy"}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "SIYU_SECRET_KEY=")
		return cmd
	}
	var logs bytes.Buffer
	killedBy := func(cmd *exec.Cmd, what string) {
		t.Helper()
		cmd.Stderr = &logs
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("%s: the worker ended with %v, not SIGKILL\n%s", what, err, logs.String())
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%s: the worker was not killed within 60 s\n%s", what, logs.String())
		}
	}
	counts := func() map[string]int {
		c, err := st.SendStatusCounts(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// 1. Killed after WeCom created the second task, before it was recorded.
	killedBy(worker("--kill-after-submit", "2"), "kill after submit")
	afterSubmit := counts()
	// 2. Killed right after marking the second batch submitting.
	killedBy(worker("--kill-after-mark", "2"), "kill after mark")
	afterMark := counts()
	// 3. Killed from outside while tasks are submitted and results arrive.
	cmd := worker()
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	var atKill map[string]int
	for {
		atKill = counts()
		if atKill[store.SendSent] > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// 4. The last restart drains the queue.
	final := worker("--until-idle")
	final.Stderr = &logs
	drainStart := time.Now()
	if err := runWithin(final, 90*time.Second); err != nil {
		t.Fatalf("draining run: %v\n%s", err, logs.String())
	}
	drained := time.Since(drainStart)

	// WeCom's side: every eligible person got the message exactly once.
	received := emu.MassReceived()
	statuses := map[int64]string{}
	if err := st.SendStatuses(ctx, w.ID, 1, func(id int64, _, status string) error {
		statuses[id] = status
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	eligible := 0
	for i, u := range users {
		want, wantStatus := 1, store.SendSent
		if gone[i] {
			want, wantStatus = 0, store.SendNotFriend
		} else {
			eligible++
		}
		if received[u.ExternalUserID] != want {
			t.Fatalf("person %d received the message %d times, want %d", i, received[u.ExternalUserID], want)
		}
		if statuses[customers[i]] != wantStatus {
			t.Fatalf("person %d: Siyu says %q, want %q", i, statuses[customers[i]], wantStatus)
		}
	}
	var events int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM events WHERE type = ?`, siyu.EventReachSent).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != eligible {
		t.Fatalf("%d reach.sent events for %d deliveries", events, eligible)
	}
	if dead, err := st.DeadJobs(ctx, w.ID, 10); err != nil || len(dead) > 0 {
		t.Fatalf("dead jobs: %+v, %v", dead, err)
	}
	tasks := emu.Snapshot().MassMessages
	batches := recipients / batchSize
	if len(tasks) != batches {
		t.Fatalf("WeCom holds %d mass messages for %d batches", len(tasks), batches)
	}
	t.Logf("%d recipients (%d eligible) in %d tasks of up to %d; setup %v; sends after kill 1 %v, after kill 2 %v, at kill 3 %v; drained in %v; total %v",
		recipients, eligible, len(tasks), batchSize, setup.Round(time.Millisecond), afterSubmit, afterMark, atKill,
		drained.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

func runWithin(cmd *exec.Cmd, d time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		return fmt.Errorf("still running after %v", d)
	}
}

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
	"strings"
	"syscall"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/server"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// Who a person of the kill test is, decided before the campaign. The
// categories are disjoint so that each person has one expected outcome.
type killCase int

const (
	caseEligible   killCase = iota
	caseGone                // deleted the member quietly: WeCom says not a friend
	casePreOptOut           // opted out before the plan: never queued
	casePreCapped           // reached by a journey an hour before: never queued
	casePostOptOut          // opted out after the launch: the policy skips them at send time
	casePostCapped          // reached by a journey after the launch: skipped at send time
)

func killCaseOf(i int) killCase {
	switch {
	case i%331 == 17:
		return caseGone
	case i%197 == 3:
		return casePreOptOut
	case i%101 == 5:
		return casePreCapped
	case i%401 == 7:
		return casePostOptOut
	case i%503 == 11:
		return casePostCapped
	}
	return caseEligible
}

// A real campaign (A/B variants, a holdout, the real reach policy) to
// 100,000 people on two accounts is launched and then worked by a `siyu
// dispatch run` process with the policy, killed with SIGKILL right after
// WeCom created a task, right after a batch was marked submitting, and from
// outside while results come in. After a last run drains the queue, WeCom's
// own records (read through its API) show that every eligible person — not
// opted out, not capped, not in the holdout, still a friend — received
// exactly one message, with their variant's text, and nobody else received
// anything; Siyu's sends and the campaign's results agree.
func TestCampaignSurvivesKill9(t *testing.T) {
	people, batchSize := 100000, 10000
	if testing.Short() {
		people, batchSize = 20000, 2000
	}
	began := time.Now()
	dir := t.TempDir()
	bin := filepath.Join(dir, "siyu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	pol := emulator.DefaultPolicy()
	pol.MassConfirmDelay = 300 * time.Millisecond
	pol.MassDispatchDelay = 200 * time.Millisecond
	pop := emulator.Quiet(people)
	emu := emulator.New(emulator.Config{Seed: 7, Population: &pop, Policy: &pol})
	defer emu.Close()
	emuCtx, stopEmu := context.WithCancel(context.Background())
	defer stopEmu()
	go emu.Run(emuCtx, 20*time.Millisecond)
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	users := emu.Users()
	senders := []string{"founder", "store_hz01"}
	senderOf := func(i int) int { return i * len(senders) / people }
	for k, s := range senders {
		var us []int
		for i := k * people / len(senders); i < (k+1)*people/len(senders); i++ {
			us = append(us, i)
		}
		if err := emu.SeedContacts(s, us); err != nil {
			t.Fatal(err)
		}
	}
	for i := range people {
		if killCaseOf(i) == caseGone {
			if err := emu.RemoveContactsQuietly(senders[senderOf(i)], []string{users[i].ExternalUserID}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Siyu knows the same people as contacts of the same two accounts.
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
	accounts := make([]int64, len(senders))
	for k, s := range senders {
		a, err := st.UpsertAccount(ctx, w.ID, siyu.Account{WeComUserID: s, Name: s, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		accounts[k] = a.ID
	}
	customers, err := st.NewCustomers(ctx, w.ID, people, began.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	byCustomer := make(map[int64]int, people)
	contacts := make([]store.BulkContact, people)
	for i, c := range customers {
		byCustomer[c] = i
		contacts[i] = store.BulkContact{Customer: c, Account: accounts[senderOf(i)], ExternalUserID: users[i].ExternalUserID, AddedAt: began.Add(-24 * time.Hour)}
	}
	if err := st.BulkContacts(ctx, w.ID, contacts); err != nil {
		t.Fatal(err)
	}

	// The limits: one automated reach per person per week, no quiet hours
	// (equal start and end), no account quota, WeCom's monthly cap.
	reach := policy.New(st)
	if err := reach.SetSettings(ctx, w.ID, policy.Settings{FrequencyCap: 1, FrequencyWindowDays: 7, QuietStart: "00:00", QuietEnd: "00:00",
		WeComCap: policy.CapDaysInMonth}); err != nil {
		t.Fatal(err)
	}
	journey := func(which killCase, at time.Time) int {
		t.Helper()
		var ds []siyu.Delivery
		for i, c := range customers {
			if killCaseOf(i) == which {
				ds = append(ds, siyu.Delivery{Key: fmt.Sprintf("journey:welcome:%d:customer:%d", which, c), CustomerID: c, Channel: siyu.ReachSingle})
			}
		}
		admitted, skipped, err := reach.Admit(ctx, w.ID, ds, at)
		if err != nil || len(skipped) > 0 || len(admitted) != len(ds) {
			t.Fatalf("journey reach: %d admitted, skipped %v, %v", len(admitted), skipped, err)
		}
		return len(ds)
	}
	optOut := func(which killCase) int {
		t.Helper()
		n := 0
		for i, c := range customers {
			if killCaseOf(i) == which {
				if err := st.OptOut(ctx, w.ID, c, "test", "回复 TD"); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
		return n
	}
	preCapped := journey(casePreCapped, began.Add(-time.Hour))
	preOptedOut := optOut(casePreOptOut)

	// The campaign: everyone, two variants 1:1, a 10 % holdout, now.
	texts := map[string]string{"A": "{{name|朋友}}，知夏的五月会员日：全场九折，回复 TD 退订", "B": "{{name|朋友}}，五月会员日满 199 减 30，回复 TD 退订"}
	rendered := map[string]string{"A": "朋友，知夏的五月会员日：全场九折，回复 TD 退订", "B": "朋友，五月会员日满 199 减 30，回复 TD 退订"}
	svc := campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
	c, err := svc.Create(ctx, w.ID, campaign.Draft{Name: "五月会员日", Audience: "all", Channel: siyu.ReachSingle, HoldoutPct: 10, SendAt: time.Now(),
		Variants: []store.CampaignVariant{{Name: "A", Weight: 1, Message: siyu.Message{Text: texts["A"]}}, {Name: "B", Weight: 1, Message: siyu.Message{Text: texts["B"]}}}})
	if err != nil {
		t.Fatal(err)
	}
	launched, err := svc.Launch(ctx, w.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	plan := launched.Plan
	if plan.Audience != people || plan.Skipped[siyu.SkipOptedOut] != preOptedOut || plan.Skipped[siyu.SkipFrequencyCap] != preCapped ||
		launched.Enqueued != plan.Receive {
		t.Fatalf("plan: audience %d, skipped %v, receive %d, enqueued %d; want opted out %d, capped %d",
			plan.Audience, plan.Skipped, plan.Receive, launched.Enqueued, preOptedOut, preCapped)
	}
	// After the launch, before anything is sent: more people opt out or are
	// reached by something else. Only the policy at send time sees them.
	postOptedOut := optOut(casePostOptOut)
	postCapped := journey(casePostCapped, time.Now())
	setup := time.Since(began)

	worker := func(extra ...string) *exec.Cmd {
		args := append([]string{"dispatch", "run", "--db", db, "--lease", "2s", "--idle", "20ms", "--poll-every", "200ms",
			"--distributing-wait", "200ms", "--workers", "3", "--batch-size", strconv.Itoa(batchSize)}, extra...)
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
	workStart := time.Now()
	killedBy(worker("--kill-after-submit", "2"), "kill after submit")
	afterSubmit := counts()
	killedBy(worker("--kill-after-mark", "2"), "kill after mark")
	afterMark := counts()
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
	final := worker("--until-idle")
	final.Stderr = &logs
	drainStart := time.Now()
	if err := runWithin(final, 90*time.Second); err != nil {
		t.Fatalf("draining run: %v\n%s", err, logs.String())
	}
	drained := time.Since(drainStart)
	worked := time.Since(workStart)

	// WeCom's side, through its API: every mass message, its text, and for
	// each member's part who received it.
	gotTexts := wecomDeliveries(t, ctx, srv.URL, emu, began.Add(-time.Hour))
	received := emu.MassReceived()

	// Siyu's side: the plan's holdout and every send's variant and status.
	holdout := map[int64]bool{}
	rows, err := st.DB().QueryContext(ctx, `SELECT customer_id FROM campaign_recipients WHERE campaign_id = ? AND reason = ?`, c.ID, string(siyu.SkipHoldout))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		holdout[id] = true
	}
	rows.Close()
	type send struct{ variant, status string }
	sends := map[int64]send{}
	if err := st.SendStatuses(ctx, w.ID, c.ID, func(id int64, variant, status string) error {
		sends[id] = send{variant, status}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	sentBy := map[string]int{}
	failedBy := map[string]int{}
	outcome := map[killCase]int{}
	for i, u := range users[:people] {
		id := customers[i]
		s := sends[id]
		kc := killCaseOf(i)
		want := ""
		switch {
		case kc == casePreOptOut || kc == casePreCapped || holdout[id]:
			want = "" // never queued
		case kc == caseGone:
			want = store.SendNotFriend
		case kc == casePostOptOut:
			want = store.SendSkipped + ":" + string(siyu.SkipOptedOut)
		case kc == casePostCapped:
			want = store.SendSkipped + ":" + string(siyu.SkipFrequencyCap)
		default:
			want = store.SendSent
		}
		if s.status != want {
			t.Fatalf("person %d (case %d, holdout %v): Siyu says %q, want %q", i, kc, holdout[id], s.status, want)
		}
		got := gotTexts[u.ExternalUserID]
		if want != store.SendSent {
			if len(got) != 0 || received[u.ExternalUserID] != 0 {
				t.Fatalf("person %d (case %d, holdout %v) received %q (%d) but is not eligible", i, kc, holdout[id], got, received[u.ExternalUserID])
			}
			if s.status != "" {
				failedBy[s.variant]++
			}
			continue
		}
		outcome[kc]++
		if len(got) != 1 || received[u.ExternalUserID] != 1 {
			t.Fatalf("person %d received %d messages (WeCom counts %d), want exactly 1: %q", i, len(got), received[u.ExternalUserID], got)
		}
		if got[0] != rendered[s.variant] {
			t.Fatalf("person %d of variant %s received %q, want %q", i, s.variant, got[0], rendered[s.variant])
		}
		sentBy[s.variant]++
	}
	eligible := outcome[caseEligible]
	if len(holdout) < people*8/100 || len(holdout) > people*12/100 {
		t.Fatalf("holdout of %d out of %d, want about 10 %%", len(holdout), people)
	}
	for _, v := range []string{"A", "B"} {
		if sentBy[v] < eligible*45/100 || sentBy[v] > eligible*55/100 {
			t.Fatalf("variant %s reached %d of %d, want about half", v, sentBy[v], eligible)
		}
	}

	// The funnel sees each delivery once, and the campaign's results agree.
	var events int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM events WHERE type = ?`, siyu.EventReachSent).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != eligible {
		t.Fatalf("%d reach.sent events for %d deliveries", events, eligible)
	}
	res, err := svc.Results(ctx, w.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range res.Groups {
		switch g.Group {
		case campaign.HoldoutGroup:
			if g.Recipients != len(holdout) || g.Sent != 0 {
				t.Fatalf("results: holdout %+v, want %d recipients and nothing sent", g, len(holdout))
			}
		default:
			if g.Sent != sentBy[g.Group] || g.Failed != failedBy[g.Group] || g.Pending != 0 || g.Recipients != g.Sent+g.Failed {
				t.Fatalf("results: variant %s %+v, want sent %d, failed %d", g.Group, g, sentBy[g.Group], failedBy[g.Group])
			}
		}
	}
	if dead, err := st.DeadJobs(ctx, w.ID, 10); err != nil || len(dead) > 0 {
		t.Fatalf("dead jobs: %+v, %v", dead, err)
	}
	// The first kill left a task WeCom had created but Siyu had not
	// recorded: a restart must have found and adopted it.
	if !strings.Contains(logs.String(), "adopted the mass message created before a crash") {
		t.Fatalf("no batch was adopted after the kill after submit\n%s", logs.String())
	}
	// No task was created twice: each of WeCom's is one batch's.
	var owned int
	if err := st.DB().QueryRow(`SELECT COUNT(DISTINCT msgid) FROM send_batches WHERE workspace_id = ? AND msgid <> ''`, w.ID).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if tasks := len(emu.Snapshot().MassMessages); tasks != owned {
		t.Fatalf("WeCom holds %d mass messages, Siyu's batches own %d", tasks, owned)
	}
	t.Logf("%d people on %d accounts: %d received (A %d, B %d), holdout %d, opted out %d+%d, capped %d+%d, gone %d; "+
		"%d WeCom tasks of up to %d; setup (seed, plan, launch) %v; sends after kill 1 %v, after kill 2 %v, at kill 3 %v; drained in %v; worked %v; total %v",
		people, len(senders), eligible, sentBy["A"], sentBy["B"], len(holdout), preOptedOut, postOptedOut, preCapped, postCapped,
		failedBy["A"]+failedBy["B"]-postOptedOut-postCapped, len(emu.Snapshot().MassMessages), batchSize,
		setup.Round(time.Millisecond), afterSubmit, afterMark, atKill, drained.Round(time.Millisecond), worked.Round(time.Millisecond),
		time.Since(began).Round(time.Millisecond))
}

// wecomDeliveries reads, through WeCom's API, every 1:1 mass message created
// since from and, per external_userid, the texts of those that reached them
// (send status 1).
func wecomDeliveries(t *testing.T, ctx context.Context, baseURL string, emu *emulator.Emulator, from time.Time) map[string][]string {
	t.Helper()
	client, err := wecom.NewClient(wecom.Config{BaseURL: baseURL, CorpID: emu.CorpID(), Secret: emu.Secret(),
		Tokens: wecom.NewTokenCache(), Limiter: wecom.NewTokenBucket(wecom.TokenBucketConfig{PerMinute: 100000})})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	list := wecom.GetGroupMsgListV2Request{ChatType: wecom.ChatTypeSingle, StartTime: wecom.Timestamp(from.Unix()),
		EndTime: wecom.Timestamp(time.Now().Add(time.Hour).Unix()), Limit: 100}
	for {
		page, err := client.GetGroupMsgListV2(ctx, list)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.GroupMsgList {
			text := ""
			if m.Text != nil {
				text = m.Text.Content
			}
			task := wecom.GetGroupMsgTaskRequest{MsgID: m.MsgID, Limit: 1000}
			var members []string
			for {
				tp, err := client.GetGroupMsgTask(ctx, task)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range tp.TaskList {
					members = append(members, x.UserID)
				}
				if tp.NextCursor == "" {
					break
				}
				task.Cursor = tp.NextCursor
			}
			for _, member := range members {
				req := wecom.GetGroupMsgSendResultRequest{MsgID: m.MsgID, UserID: member, Limit: 1000}
				for {
					rp, err := client.GetGroupMsgSendResult(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range rp.SendList {
						if r.Status == wecom.SendStatusSent {
							out[r.ExternalUserID] = append(out[r.ExternalUserID], text)
						}
					}
					if rp.NextCursor == "" {
						break
					}
					req.Cursor = rp.NextCursor
				}
			}
		}
		if page.NextCursor == "" {
			return out
		}
		list.Cursor = page.NextCursor
	}
}

package clustertest

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecomsync"
)

// WeCom misbehaves throughout a full sync and a campaign's dispatch: calls
// answered 45009 and 45033, errcode -1, HTTP 503 before the work, HTTP 502
// after it (the answer lost, e.g. a mass message created but its msgid never
// received), and 5–25 ms of latency on every call. The client retries with
// backoff, the queue retries failed jobs, the sync is simply run again as
// the hourly reconciliation would: the store ends equal to WeCom, and every
// contact received the campaign exactly once.
func TestSyncAndDispatchThroughWeComFaults(t *testing.T) {
	began := time.Now()
	pol := quickPolicy()
	pol.Faults = emulator.Faults{ServerErrorRate: 0.06, BusyRate: 0.04, Latency: 5 * time.Millisecond, LatencyJitter: 20 * time.Millisecond}
	var faults *emulator.FaultyHandler
	c := newCorp(t, 1500, pol, func(h http.Handler) http.Handler {
		faults = emulator.WithFaults(h, emulator.WrapFaults{Seed: 3, FreqLimitRate: 0.06, ConcurrentRate: 0.04, LostAnswerRate: 0.05,
			LostAnswerPaths: map[string]float64{wecom.PathAddMsgTemplate: 0.3}})
		return faults
	})
	c.seed(t, members, 0, 1200)

	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	svc := wecomsync.New(st, wecomsync.Options{})
	if err := svc.Configure(ctx, w.ID, siyu.WeComApp{CorpID: c.emu.CorpID(), Secret: c.emu.Secret(), BaseURL: c.srv.URL, Token: c.token, EncodingAESKey: c.aes}); err != nil {
		t.Fatal(err)
	}
	syncs := 0
	for {
		syncs++
		_, err := svc.FullSync(ctx, w.ID, nil)
		if err == nil {
			break
		}
		if syncs == 10 {
			t.Fatalf("10 full syncs failed, the last with %v", err)
		}
	}
	live, err := st.LiveContacts(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := c.live()
	if d := diff(want, live); len(d) > 0 {
		t.Fatalf("after the sync: %d differences, e.g. %v", len(d), d[:min(5, len(d))])
	}
	synced := time.Since(began)

	// The campaign: every contact, in tasks of 150 recipients.
	var ds []siyu.Delivery
	rows, err := st.DB().QueryContext(ctx, rebind(`SELECT c.customer_id, c.account_id, a.wecom_userid, c.external_userid FROM contacts c
		JOIN accounts a ON a.id = c.account_id WHERE c.workspace_id = ? AND c.deleted_at IS NULL`), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		d := siyu.Delivery{CampaignID: 1, Channel: siyu.ReachSingle, Message: siyu.Message{Text: "五月会员日：全场九折，回复 TD 退订"}}
		if err := rows.Scan(&d.CustomerID, &d.AccountID, &d.Sender, &d.ExternalUserID); err != nil {
			t.Fatal(err)
		}
		d.Key = fmt.Sprintf("campaign:1:customer:%d", d.CustomerID)
		ds = append(ds, d)
	}
	rows.Close()
	d := dispatch.New(st, svc, dispatch.Options{Lease: 2 * time.Second, Idle: 20 * time.Millisecond, PollEvery: 200 * time.Millisecond,
		DistributingWait: 200 * time.Millisecond, Limits: store.BatchLimits{Single: 150}})
	if n, err := d.Enqueue(ctx, w.ID, ds, time.Time{}); err != nil || n != len(ds) {
		t.Fatalf("enqueue: %d, %v", n, err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 50*time.Second)
	defer cancel()
	if err := d.RunUntilIdle(runCtx); err != nil {
		t.Fatalf("dispatch: %v", err)
	}
	received := c.emu.MassReceived()
	for _, x := range ds {
		if received[x.ExternalUserID] != 1 {
			t.Fatalf("%s received %d messages, want 1", x.ExternalUserID, received[x.ExternalUserID])
		}
	}
	if len(received) != len(ds) {
		t.Fatalf("%d people received something, %d were sent to", len(received), len(ds))
	}
	counts, err := st.SendStatusCounts(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.SendSent] != len(ds) {
		t.Fatalf("sends %v, want all %d sent", counts, len(ds))
	}
	if dead, err := st.DeadJobs(ctx, w.ID, 10); err != nil || len(dead) > 0 {
		t.Fatalf("dead jobs: %+v, %v", dead, err)
	}
	var owned int
	if err := st.DB().QueryRow(rebind(`SELECT COUNT(DISTINCT msgid) FROM send_batches WHERE workspace_id = ? AND msgid <> ''`), w.ID).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if tasks := len(c.emu.Snapshot().MassMessages); tasks != owned {
		t.Fatalf("WeCom holds %d mass messages, Siyu's batches own %d", tasks, owned)
	}
	n := faults.Counts()
	if n.FreqLimit == 0 || n.Concurrent == 0 || n.LostOn[wecom.PathAddMsgTemplate] == 0 {
		t.Fatalf("faults were not all injected: %+v", n)
	}
	t.Logf("%d contacts synced in %d attempts (%v); %d sent once in %d tasks; injected %+v; total %v",
		len(want), syncs, synced.Round(time.Millisecond), len(ds), owned, n, time.Since(began).Round(time.Millisecond))
}

package clustertest

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/store"
)

// enqueueCampaign stores a workspace "brand" with the corp's app and n
// customers, and enqueues a delivery to each of users [0, n), sent by the
// member that has them. It returns the deliveries.
func enqueueCampaign(t *testing.T, st *store.Store, c *corp, n int, senders []string) (int64, []siyu.Delivery) {
	t.Helper()
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetWeComApp(ctx, w.ID, siyu.WeComApp{CorpID: c.emu.CorpID(), Secret: c.emu.Secret(), BaseURL: c.srv.URL, Token: c.token, EncodingAESKey: c.aes}); err != nil {
		t.Fatal(err)
	}
	customers, err := st.NewCustomers(ctx, w.ID, n, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	users := c.emu.Users()
	ds := make([]siyu.Delivery, n)
	for i := range ds {
		ds[i] = siyu.Delivery{Key: fmt.Sprintf("campaign:1:customer:%d", customers[i]), CampaignID: 1, CustomerID: customers[i],
			AccountID: int64(1 + i%len(senders)), Sender: senders[i%len(senders)], ExternalUserID: users[i].ExternalUserID,
			Channel: siyu.ReachSingle, Message: siyu.Message{Text: "五月会员日：全场九折，回复 TD 退订"}}
	}
	if added, err := dispatch.New(st, nil, dispatch.Options{}).Enqueue(ctx, w.ID, ds, time.Time{}); err != nil || added != n {
		t.Fatalf("enqueue: %d, %v", added, err)
	}
	return w.ID, ds
}

// worker starts `siyu dispatch run` with short timings and no policy.
func (d deployment) worker(t *testing.T, logs *syncBuffer, extra ...string) (*exec.Cmd, chan struct{}) {
	t.Helper()
	args := append([]string{"dispatch", "run", "--lease", "2s", "--idle", "20ms", "--poll-every", "200ms", "--distributing-wait", "200ms",
		"--workers", "2", "--batch-size", "300", "--no-policy"}, extra...)
	cmd := d.command(args)
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		}
	})
	return cmd, done
}

// checkOnce checks from WeCom's side that every delivery reached its
// person exactly once and that Siyu's batches own every task WeCom holds.
func checkOnce(t *testing.T, st *store.Store, c *corp, ws int64, ds []siyu.Delivery) {
	t.Helper()
	received := c.emu.MassReceived()
	for _, d := range ds {
		if received[d.ExternalUserID] != 1 {
			t.Fatalf("%s received %d messages, want exactly 1", d.ExternalUserID, received[d.ExternalUserID])
		}
	}
	counts, err := st.SendStatusCounts(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.SendSent] != len(ds) {
		t.Fatalf("sends %v, want all %d sent", counts, len(ds))
	}
	if dead, err := st.DeadJobs(ctx, ws, 10); err != nil || len(dead) > 0 {
		t.Fatalf("dead jobs: %+v, %v", dead, err)
	}
	var owned int
	if err := st.DB().QueryRow(rebind(`SELECT COUNT(DISTINCT msgid) FROM send_batches WHERE workspace_id = ? AND msgid <> ''`), ws).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if tasks := len(c.emu.Snapshot().MassMessages); tasks != owned {
		t.Fatalf("WeCom holds %d mass messages, Siyu's batches own %d", tasks, owned)
	}
}

// drained waits until every send of the workspace has its result.
func drained(t *testing.T, st *store.Store, ws int64, n int, within time.Duration) {
	t.Helper()
	waitFor(t, within, "the queue drained", func() (bool, string) {
		counts, err := st.SendStatusCounts(ctx, ws)
		if err != nil {
			return false, err.Error()
		}
		return counts[store.SendSent] == n, fmt.Sprint(counts)
	})
}

// Two dispatch workers share a campaign on PostgreSQL; one is killed with
// SIGKILL right after WeCom created a task for it (before it recorded the
// msgid). The other one finishes the campaign: after the dead worker's
// lease it takes the batch over, finds the task in WeCom and adopts it, so
// every person still receives the message exactly once.
func TestDispatchWorkerKilledWhileAnotherRuns(t *testing.T) {
	requirePostgres(t)
	c := newCorp(t, 3000, quickPolicy(), nil)
	c.seed(t, members[:2], 0, 3000)
	dep := newDeployment(t)
	st := dep.open(t)
	ws, ds := enqueueCampaign(t, st, c, 3000, members[:2])

	began := time.Now()
	var logsX, logsY syncBuffer
	x, xDone := dep.worker(t, &logsX, "--kill-after-submit", "1")
	time.Sleep(300 * time.Millisecond)
	dep.worker(t, &logsY)
	select {
	case <-xDone:
	case <-time.After(30 * time.Second):
		t.Fatalf("worker X was not killed:\n%s", logsX.String())
	}
	if ws, ok := x.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("worker X ended with %v, not SIGKILL:\n%s", x.ProcessState, logsX.String())
	}
	drained(t, st, ws, len(ds), 45*time.Second)
	time.Sleep(500 * time.Millisecond)
	checkOnce(t, st, c, ws, ds)
	if !strings.Contains(logsY.String(), "adopted the mass message created before a crash") {
		t.Fatalf("worker Y did not adopt the task worker X created:\n%s", logsY.String())
	}
	t.Logf("%d recipients in %d tasks, one adopted from the killed worker, drained in %v", len(ds), len(c.emu.Snapshot().MassMessages), time.Since(began).Round(time.Millisecond))
}

// throwawayPostgres starts a PostgreSQL server of the test's own with
// scripts/pg.sh, so that the test may restart it, and returns its URL and
// a function that restarts it.
func throwawayPostgres(t *testing.T) (string, func()) {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("restarting PostgreSQL needs a server of the test's own: no pg_ctl installed (scripts/pg.sh installs it)")
	}
	script, err := filepath.Abs("../scripts/pg.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "siyu-pgrestart-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // the server runs as postgres when we are root
	data := filepath.Join(dir, "pg")
	var out, errb bytes.Buffer
	start := exec.Command(script, "start", data)
	start.Env = append(os.Environ(), "SIYU_PG_PORT=")
	start.Stdout, start.Stderr = &out, &errb
	if err := start.Run(); err != nil {
		os.RemoveAll(dir)
		t.Fatalf("scripts/pg.sh start: %v\n%s", err, errb.String())
	}
	t.Cleanup(func() {
		exec.Command(script, "stop", data).Run()
		os.RemoveAll(dir)
	})
	restart := func() {
		t.Helper()
		cmd := fmt.Sprintf("%s -D '%s/data' -l '%s/server.log' -m fast -w -t 60 restart", bins[0], data, data)
		var c *exec.Cmd
		if os.Getuid() == 0 {
			c = exec.Command("su", "postgres", "-s", "/bin/sh", "-c", cmd)
		} else {
			c = exec.Command("/bin/sh", "-c", cmd)
		}
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("pg_ctl restart: %v\n%s", err, b)
		}
	}
	return strings.TrimSpace(out.String()), restart
}

// PostgreSQL restarts (pg_ctl restart -m fast: every connection dropped)
// while two serve nodes take callbacks through the balancer, and again
// while two dispatch workers send a campaign. Nothing is done by hand:
// the nodes answer /healthz again, the callbacks WeCom retried are
// applied (the store equals WeCom), and every person receives the
// campaign exactly once.
func TestNodesRecoverFromPostgresRestart(t *testing.T) {
	requirePostgres(t)
	url, restart := throwawayPostgres(t)
	pol := quickPolicy()
	pol.CallbackAttempts = 8 // about 25 s of retries, as WeCom retries too
	c := newCorp(t, 3000, pol, nil)
	c.seed(t, members[:2], 0, 2400)
	dep := deployment{bin: siyuBinary(t), dsn: url, key: newDeployment(t).key}
	dep.setUpWorkspace(t, c)
	st := dep.open(t)
	w, err := st.WorkspaceBySlug(ctx, "brand")
	if err != nil {
		t.Fatal(err)
	}
	nodes := []*node{dep.startNode(t, "A"), dep.startNode(t, "B")}
	lb := newBalancer(t, nodes...)
	c.callbackTo(t, lb.srv.URL+"/wecom/callback/brand")
	converged := func() (bool, string) {
		got, err := st.LiveContacts(ctx, w.ID)
		if err != nil {
			return false, err.Error()
		}
		d := diff(c.live(), got)
		return len(d) == 0, fmt.Sprintf("%d differences, e.g. %v", len(d), d[:min(len(d), 5)])
	}
	waitFor(t, 30*time.Second, "start-up sync", converged)

	// Callbacks keep coming while the database restarts.
	restarted := make(chan time.Duration)
	go func() {
		time.Sleep(150 * time.Millisecond)
		at := time.Now()
		restart()
		restarted <- time.Since(at)
	}()
	for u := 2400; u < 2700; u++ {
		if _, err := c.emu.AddDirectly(members[u%2], u); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	took := <-restarted
	if err := c.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	retried := 0
	for _, d := range c.emu.Deliveries() {
		if !d.Delivered {
			t.Fatalf("a callback was never accepted: %+v", d)
		}
		if d.Attempts > 1 {
			retried++
		}
	}
	waitFor(t, 20*time.Second, "callbacks after the restart", func() (bool, string) {
		ok, desc := converged()
		if !ok {
			var ended []string
			rows, err := st.DB().QueryContext(ctx, `SELECT deleted_by, COUNT(*) FROM contacts WHERE workspace_id = $1 AND deleted_at IS NOT NULL GROUP BY deleted_by`, w.ID)
			if err == nil {
				for rows.Next() {
					var by string
					var n int
					rows.Scan(&by, &n)
					ended = append(ended, fmt.Sprintf("%s:%d", by, n))
				}
				rows.Close()
			}
			desc += fmt.Sprintf("; ended contacts by %v", ended)
		}
		return ok, desc
	})
	for _, n := range nodes {
		res, err := http.Get(n.url + "/healthz")
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("node %s /healthz after the restart: %v %v", n.name, res, err)
		}
		res.Body.Close()
	}
	if retried == 0 {
		t.Log("no callback needed a retry: the restart fell between callbacks")
	}
	// The serve nodes' own dispatch workers have a 2-minute lease; the
	// campaign is left to dispatch workers with a short one.
	for _, n := range nodes {
		n.stop()
	}

	var ds []siyu.Delivery
	customers := map[string]int64{}
	rows, err := st.DB().QueryContext(ctx, `SELECT c.customer_id, c.account_id, a.wecom_userid, c.external_userid FROM contacts c
		JOIN accounts a ON a.id = c.account_id WHERE c.workspace_id = $1 AND c.deleted_at IS NULL`, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		d := siyu.Delivery{CampaignID: 1, Channel: siyu.ReachSingle, Message: siyu.Message{Text: "五月会员日：全场九折，回复 TD 退订"}}
		if err := rows.Scan(&d.CustomerID, &d.AccountID, &d.Sender, &d.ExternalUserID); err != nil {
			t.Fatal(err)
		}
		d.Key = fmt.Sprintf("campaign:1:customer:%d", d.CustomerID)
		customers[d.ExternalUserID] = d.CustomerID
		ds = append(ds, d)
	}
	rows.Close()
	if _, err := dispatch.New(st, nil, dispatch.Options{}).Enqueue(ctx, w.ID, ds, time.Time{}); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	dep.worker(t, &logs)
	dep.worker(t, &logs)
	waitFor(t, 20*time.Second, "the first tasks", func() (bool, string) {
		return len(c.emu.Snapshot().MassMessages) >= 2, "no task yet"
	})
	restart()
	drained(t, st, w.ID, len(ds), 50*time.Second)
	time.Sleep(500 * time.Millisecond)
	checkOnce(t, st, c, w.ID, ds)
	t.Logf("restart took %v; %d callbacks retried; %d contacts; campaign to %d sent once in %d tasks", took.Round(time.Millisecond),
		retried, len(c.live()), len(ds), len(c.emu.Snapshot().MassMessages))
}

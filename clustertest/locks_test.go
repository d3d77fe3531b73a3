package clustertest

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecomsync"
)

// nodeStores opens n stores on one fresh PostgreSQL schema: n nodes, each
// with its own connection pool, as separate processes would have.
func nodeStores(t *testing.T, n int) []*store.Store {
	t.Helper()
	first, dsn := storetest.OpenDSN(t)
	out := []*store.Store{first}
	for range n - 1 {
		s, err := store.Open(ctx, dsn, store.Options{SecretKey: storetest.TestKey()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// Four admissions at once, two on each of two nodes, each for every
// customer under its own campaign key: with a cap of two reaches a week,
// every customer is admitted exactly twice in all, and reach_log agrees.
func TestFrequencyCapHoldsAcrossNodes(t *testing.T) {
	requirePostgres(t)
	nodes := nodeStores(t, 2)
	st := nodes[0]
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.UpsertAccount(ctx, w.ID, siyu.Account{WeComUserID: "founder", Name: "林知夏", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	const people = 400
	customers, err := st.NewCustomers(ctx, w.ID, people, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	contacts := make([]store.BulkContact, people)
	for i, c := range customers {
		contacts[i] = store.BulkContact{Customer: c, Account: a.ID, ExternalUserID: fmt.Sprintf("wm%06d", i), AddedAt: time.Now().Add(-time.Hour)}
	}
	if err := st.BulkContacts(ctx, w.ID, contacts); err != nil {
		t.Fatal(err)
	}
	if err := policy.New(st).SetSettings(ctx, w.ID, policy.Settings{FrequencyCap: 2, FrequencyWindowDays: 7, QuietStart: "00:00", QuietEnd: "00:00",
		WeComCap: policy.CapDaysInMonth}); err != nil {
		t.Fatal(err)
	}
	admitted := make([]atomic.Int32, people)
	index := map[int64]int{}
	for i, c := range customers {
		index[c] = i
	}
	var wg sync.WaitGroup
	for g := range 4 {
		pol := policy.New(nodes[g%2])
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from := 0; from < people; from += 25 {
				var ds []siyu.Delivery
				for _, c := range customers[from : from+25] {
					ds = append(ds, siyu.Delivery{Key: fmt.Sprintf("campaign:%d:customer:%d", g+1, c), CampaignID: int64(g + 1), CustomerID: c,
						AccountID: a.ID, Sender: "founder", Channel: siyu.ReachSingle})
				}
				ok, _, err := pol.Admit(ctx, w.ID, ds, time.Now())
				if err != nil {
					t.Error(err)
					return
				}
				for _, d := range ok {
					admitted[index[d.CustomerID]].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	for i := range admitted {
		if n := admitted[i].Load(); n != 2 {
			t.Fatalf("customer %d admitted %d times under a cap of 2", i, n)
		}
	}
	var over int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM (SELECT customer_id FROM reach_log WHERE workspace_id = $1 GROUP BY customer_id HAVING COUNT(*) <> 2) x`, w.ID).Scan(&over); err != nil {
		t.Fatal(err)
	}
	if over != 0 {
		t.Fatalf("%d customers have a reach_log count other than 2", over)
	}
}

// Three nodes call one WeCom API through their clients, each with the
// limiter serve uses on PostgreSQL (counting in the database): WeCom sees
// no more than the limit in any window, where per-node limiters would let
// three times as much through.
func TestWeComRateLimitHoldsAcrossNodes(t *testing.T) {
	requirePostgres(t)
	var mu sync.Mutex
	perWindow := map[int64]int{}
	const limit, window = 20, time.Second
	c := newCorp(t, 10, emulator.DefaultPolicy(), func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == wecom.PathGetFollowUserList {
				mu.Lock()
				perWindow[time.Now().Truncate(window).UnixMilli()]++
				mu.Unlock()
			}
			h.ServeHTTP(w, r)
		})
	})
	nodes := nodeStores(t, 3)
	w, err := nodes[0].CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	app := siyu.WeComApp{CorpID: c.emu.CorpID(), Secret: c.emu.Secret(), BaseURL: c.srv.URL, Token: c.token, EncodingAESKey: c.aes}
	if err := nodes[0].SetWeComApp(ctx, w.ID, app); err != nil {
		t.Fatal(err)
	}
	// Start at the beginning of a window so that the calls fill whole ones.
	time.Sleep(time.Until(time.Now().Truncate(window).Add(window)))
	began := time.Now()
	var wg sync.WaitGroup
	const perNode = 20
	for _, st := range nodes {
		svc := wecomsync.New(st, wecomsync.Options{Limiter: st.NewRateLimiter(limit, window)})
		client, _, err := svc.Client(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perNode {
				if _, err := client.GetFollowUserList(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	mu.Lock()
	defer mu.Unlock()
	total, most := 0, 0
	for _, n := range perWindow {
		total += n
		most = max(most, n)
	}
	// A call let through at the very end of a window may arrive in the
	// next one: allow a few stragglers, far below a second node's share.
	if total != 3*perNode || most > limit+3 {
		t.Fatalf("WeCom saw %d calls, at most %d in one %v window (limit %d): %v", total, most, window, limit, perWindow)
	}
	if elapsed < 2*window {
		t.Fatalf("%d calls at %d per %v took only %v", total, limit, window, elapsed)
	}
}

// The scheduled work that must run once per workspace at a time holds a
// named lock across nodes: three nodes starting a full sync together never
// run two at once (the others are told one is running), an analytics
// refresh waits for a node holding its lock, and a crashed node's lock (its
// connections gone) does not block the others.
func TestScheduledWorkRunsOnceAtATime(t *testing.T) {
	requirePostgres(t)
	pol := emulator.DefaultPolicy()
	pol.Faults.Latency = 2 * time.Millisecond // a sync long enough to overlap
	c := newCorp(t, 600, pol, nil)
	c.seed(t, members, 0, 600)
	nodes := nodeStores(t, 3)
	w, err := nodes[0].CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	app := siyu.WeComApp{CorpID: c.emu.CorpID(), Secret: c.emu.Secret(), BaseURL: c.srv.URL, Token: c.token, EncodingAESKey: c.aes}
	if err := nodes[0].SetWeComApp(ctx, w.ID, app); err != nil {
		t.Fatal(err)
	}
	var inside, most atomic.Int32
	ran, refused := 0, 0
	for range 3 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		start := make(chan struct{})
		for _, st := range nodes {
			svc := wecomsync.New(st, wecomsync.Options{})
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				entered := false
				_, err := svc.FullSync(ctx, w.ID, func(p wecomsync.Progress) {
					// The first report comes right after the lock is taken,
					// the groups' total right before it is let go.
					if p.Phase == "tags" {
						entered = true
						n := inside.Add(1)
						for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
						}
						time.Sleep(50 * time.Millisecond)
					}
					if p.Phase == "groups" && p.Total == p.Done && entered {
						inside.Add(-1)
					}
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ran++
				case errors.Is(err, wecomsync.ErrSyncRunning):
					refused++
				default:
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
	}
	if most.Load() != 1 || ran < 3 || refused == 0 {
		t.Fatalf("full syncs: at most %d at once, %d ran, %d refused; want 1 at once, one per round at least, some refused", most.Load(), ran, refused)
	}

	// Analytics: node 1 holds the refresh lock; node 2 is refused until it
	// lets go; then node 3 holds it and crashes (its connections close).
	unlock, ok, err := nodes[0].TryLock(ctx, store.LockAnalytics, w.ID)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if _, err := analytics.NewService(nodes[1]).Refresh(ctx, w.ID); !errors.Is(err, analytics.ErrRefreshRunning) {
		t.Fatalf("refresh while another node holds the lock: %v", err)
	}
	unlock()
	if _, err := analytics.NewService(nodes[1]).Refresh(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := nodes[2].TryLock(ctx, store.LockAnalytics, w.ID); err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	// The node dies: PostgreSQL ends its session, as when the process is
	// killed and its connections drop.
	var killed int
	if err := nodes[0].DB().QueryRow(`SELECT COUNT(pg_terminate_backend(l.pid)) FROM pg_locks l,
		(SELECT hashtextextended(current_schema() || '/' || $1::text || '/' || $2::text, 0) AS k) key
		WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ((key.k >> 32) & 4294967295) AND l.objid::bigint = (key.k & 4294967295)`,
		fmt.Sprint(store.LockAnalytics), fmt.Sprint(w.ID)).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("ending the lock holder's session: %d sessions, %v", killed, err)
	}
	// The backend ends asynchronously; the lock goes with it.
	waitFor(t, 5*time.Second, "refresh after the lock holder crashed", func() (bool, string) {
		_, err := analytics.NewService(nodes[1]).Refresh(ctx, w.ID)
		return err == nil, fmt.Sprint(err)
	})
}

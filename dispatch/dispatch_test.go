package dispatch_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
	"siyu.dev/siyu/wecomsync"
)

var ctx = context.Background()

// rig is a workspace wired to an emulated corp over loopback.
type rig struct {
	st        *store.Store
	ws        int64
	emu       *emulator.Emulator
	svc       *wecomsync.Service
	users     []emulator.User
	customers []int64
}

func newRig(t *testing.T, users int, policy func(*emulator.Policy)) *rig {
	t.Helper()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	pol := emulator.DefaultPolicy()
	pol.MassConfirmDelay = 150 * time.Millisecond
	if policy != nil {
		policy(&pol)
	}
	pop := emulator.Quiet(users)
	emu := emulator.New(emulator.Config{Seed: 11, Population: &pop, Policy: &pol})
	t.Cleanup(emu.Close)
	runCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go emu.Run(runCtx, 20*time.Millisecond) // members confirm on the wall clock
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	svc := wecomsync.New(st, wecomsync.Options{})
	key := make([]byte, 32)
	rand.Read(key)
	app := siyu.WeComApp{CorpID: emu.CorpID(), Secret: emu.Secret(), BaseURL: srv.URL, Token: "dispatchToken", EncodingAESKey: base64.RawStdEncoding.EncodeToString(key)}
	if err := svc.Configure(ctx, w.ID, app); err != nil {
		t.Fatal(err)
	}
	ids, err := st.NewCustomers(ctx, w.ID, users, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &rig{st: st, ws: w.ID, emu: emu, svc: svc, users: emu.Users(), customers: ids}
}

func (r *rig) seed(t *testing.T, sender string, from, to int) {
	t.Helper()
	var us []int
	for i := from; i < to; i++ {
		us = append(us, i)
	}
	if err := r.emu.SeedContacts(sender, us); err != nil {
		t.Fatal(err)
	}
}

// deliveries are one campaign's 1:1 sends to users [from, to) from sender.
func (r *rig) deliveries(campaign int64, sender string, from, to int, text string) []siyu.Delivery {
	var ds []siyu.Delivery
	for i := from; i < to; i++ {
		ds = append(ds, siyu.Delivery{
			Key: fmt.Sprintf("campaign:%d:customer:%d", campaign, r.customers[i]), CampaignID: campaign, CustomerID: r.customers[i],
			AccountID: 1, Sender: sender, ExternalUserID: r.users[i].ExternalUserID, Channel: siyu.ReachSingle,
			Variant: []string{"A", "B"}[i%2], Message: siyu.Message{Text: text},
		})
	}
	return ds
}

func (r *rig) dispatcher(opt dispatch.Options) *dispatch.Dispatcher {
	opt.Idle = 10 * time.Millisecond
	opt.PollEvery = 100 * time.Millisecond
	opt.DistributingWait = 100 * time.Millisecond
	if opt.Lease == 0 {
		opt.Lease = 5 * time.Second
	}
	return dispatch.New(r.st, r.svc, opt)
}

func drain(t *testing.T, d *dispatch.Dispatcher) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.RunUntilIdle(c); err != nil {
		t.Fatal(err)
	}
	if c.Err() != nil {
		t.Fatal("the queue did not drain in 30 s")
	}
}

// testGate stands in for the reach policy: it skips some keys for good,
// holds others back until a time, and counts what it admitted.
type testGate struct {
	mu       sync.Mutex
	never    map[string]siyu.SkipReason
	later    map[string]time.Time
	admitted map[string]int
}

func (g *testGate) Admit(_ context.Context, _ int64, ds []siyu.Delivery, at time.Time) ([]siyu.Delivery, []siyu.Skip, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var ok []siyu.Delivery
	var skipped []siyu.Skip
	for _, d := range ds {
		if r, bad := g.never[d.Key]; bad {
			skipped = append(skipped, siyu.Skip{Key: d.Key, Reason: r})
			continue
		}
		if until, wait := g.later[d.Key]; wait && at.Before(until) {
			skipped = append(skipped, siyu.Skip{Key: d.Key, Reason: siyu.SkipQuietHours, RetryAt: until})
			continue
		}
		g.admitted[d.Key]++
		ok = append(ok, d)
	}
	return ok, skipped, nil
}

func statuses(t *testing.T, st *store.Store, ws, campaign int64) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	if err := st.SendStatuses(ctx, ws, campaign, func(id int64, _, status string) error {
		out[id] = status
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func countEvents(t *testing.T, st *store.Store, ws int64) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM events WHERE type = 'reach.sent' AND workspace_id = ` + fmt.Sprint(ws)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDispatchDeliversOnceAndRecordsResults(t *testing.T) {
	r := newRig(t, 2600, nil)
	r.seed(t, "founder", 0, 2500) // users 2500.. are nobody's customers
	chat, err := r.emu.CreateGroup("founder", "会员群", []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	gate := &testGate{never: map[string]siyu.SkipReason{}, later: map[string]time.Time{}, admitted: map[string]int{}}
	ds := r.deliveries(7, "founder", 0, 2600, "五月上新，会员专享九折")
	soon := time.Now().Add(700 * time.Millisecond)
	for i, d := range ds {
		switch {
		case i%50 == 0:
			gate.never[d.Key] = siyu.SkipOptedOut
		case i%97 == 0:
			gate.later[d.Key] = soon
		}
	}
	ds = append(ds, siyu.Delivery{Key: "campaign:7:group:1", CampaignID: 7, AccountID: 1, Sender: "founder", ChatID: chat,
		Channel: siyu.ReachGroup, Message: siyu.Message{Text: "群公告：周末闪购"}})
	var mu sync.Mutex
	submitted := map[string]int{}
	d := r.dispatcher(dispatch.Options{Gate: gate, Limits: store.BatchLimits{Single: 1000},
		OnSubmitted: func(_ context.Context, _ int64, _ int64, sender, msgid string, n int) {
			mu.Lock()
			submitted[msgid] += n
			mu.Unlock()
		}})
	for i, want := range []int{len(ds), 0} {
		n, err := d.Enqueue(ctx, r.ws, ds, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("enqueue %d added %d, want %d", i+1, n, want)
		}
	}
	drain(t, d)

	got := r.emu.MassReceived()
	st := statuses(t, r.st, r.ws, 7)
	sent := 0
	for i, u := range r.users {
		key := ds[i].Key
		want, wantStatus := 1, store.SendSent
		switch {
		case i%50 == 0:
			want, wantStatus = 0, "skipped:opted_out"
		case i >= 2500:
			want, wantStatus = 0, store.SendNotFriend
		}
		if got[u.ExternalUserID] != want {
			t.Fatalf("user %d (%s) received %d mass messages, want %d", i, key, got[u.ExternalUserID], want)
		}
		if st[r.customers[i]] != wantStatus {
			t.Fatalf("user %d (%s): status %q, want %q", i, key, st[r.customers[i]], wantStatus)
		}
		if wantStatus == store.SendSent {
			sent++
			if gate.admitted[key] != 1 {
				t.Fatalf("%s admitted %d times", key, gate.admitted[key])
			}
		}
	}
	if got[chat] != 1 {
		t.Fatalf("the group received %d messages", got[chat])
	}
	if g, err := r.st.SendByKey(ctx, r.ws, "campaign:7:group:1"); err != nil || g.Status != store.SendSent || g.MsgID == "" {
		t.Fatalf("group send = %+v, %v", g, err)
	}
	if n := countEvents(t, r.st, r.ws); n != sent {
		t.Fatalf("%d reach.sent events, want %d", n, sent)
	}
	counts, err := r.st.SendCounts(ctx, r.ws, 7)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range counts {
		total += c.N
	}
	if total != len(ds) {
		t.Fatalf("counts %+v add up to %d, want %d", counts, total, len(ds))
	}
	// 2,600 people in batches of 1,000, those held back until later in
	// their own batch, and the group: at least 4 tasks.
	if len(submitted) < 4 {
		t.Fatalf("OnSubmitted saw %d tasks: %v", len(submitted), submitted)
	}
	t.Logf("%d sent, counts %+v, %d tasks", sent, counts, len(submitted))
}

// A worker that stops dead between two steps of a batch (as kill -9 would
// stop it) leaves the batch submitting; the next worker reconciles it with
// WeCom's list of mass messages, adopting the task it finds or submitting
// when there is none. Either way each person receives the message once.
func TestReconcileAfterCrash(t *testing.T) {
	for _, tc := range []struct {
		name       string
		crashAfter string
	}{
		{"between mark and submit", "mark"},
		{"between submit and record", "submit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 1500, func(p *emulator.Policy) {
				// Lists and results answer 41063 for a while after a
				// task is created, as WeCom does.
				p.MassDispatchDelay = 400 * time.Millisecond
			})
			r.seed(t, "founder", 0, 1500)
			ds := r.deliveries(3, "founder", 0, 1500, "会员日提醒")
			c, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			crashed := 0
			crash := func() {
				crashed++
				cancel()         // the process is gone: nothing else runs
				runtime.Goexit() // and this job stops here, its lease left to run out
			}
			opt := dispatch.Options{Lease: 600 * time.Millisecond, Workers: 1, Limits: store.BatchLimits{Single: 500}}
			if tc.crashAfter == "mark" {
				opt.AfterMark = func(int64) { crash() }
			} else {
				opt.AfterSubmit = func(int64, string) { crash() }
			}
			first := r.dispatcher(opt)
			if _, err := first.Enqueue(ctx, r.ws, ds, time.Time{}); err != nil {
				t.Fatal(err)
			}
			first.Run(c)
			if crashed != 1 {
				t.Fatalf("the worker crashed %d times", crashed)
			}
			interrupted, err := r.st.SendBatches(ctx, r.ws, store.BatchSubmitting)
			if err != nil || len(interrupted) != 1 {
				t.Fatalf("%d batches left submitting: %v", len(interrupted), err)
			}
			drain(t, r.dispatcher(dispatch.Options{Worker: "second", Lease: 600 * time.Millisecond}))

			got := r.emu.MassReceived()
			for i, u := range r.users {
				if got[u.ExternalUserID] != 1 {
					t.Fatalf("user %d received %d mass messages after a crash %s", i, got[u.ExternalUserID], tc.name)
				}
			}
			tasks := len(r.emu.Snapshot().MassMessages)
			if tasks != 3 {
				t.Fatalf("%d mass messages for 3 batches", tasks)
			}
			for id, st := range statuses(t, r.st, r.ws, 3) {
				if st != store.SendSent {
					t.Fatalf("customer %d: %s", id, st)
				}
			}
			if n := countEvents(t, r.st, r.ws); n != 1500 {
				t.Fatalf("%d reach.sent events", n)
			}
			t.Logf("%d crashes, %d batches interrupted, %d tasks", crashed, len(interrupted), tasks)
		})
	}
}

func TestEnqueueRejectsBadDeliveries(t *testing.T) {
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "brand", "brand")
	if err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(st, nil, dispatch.Options{})
	good := siyu.Delivery{Key: "k", Sender: "founder", ExternalUserID: "wm1", Channel: siyu.ReachSingle, Message: siyu.Message{Text: "hi"}}
	for _, tc := range []struct {
		field string
		edit  func(*siyu.Delivery)
	}{
		{"key", func(d *siyu.Delivery) { d.Key = "" }},
		{"sender", func(d *siyu.Delivery) { d.Sender = "" }},
		{"external_userid", func(d *siyu.Delivery) { d.ExternalUserID = "" }},
		{"chat_id", func(d *siyu.Delivery) { d.Channel = siyu.ReachGroup }},
		{"channel", func(d *siyu.Delivery) { d.Channel = siyu.ReachMoment }},
		{"message", func(d *siyu.Delivery) { d.Message = siyu.Message{} }},
		{"workspace_id", func(d *siyu.Delivery) { d.WorkspaceID = w.ID + 1 }},
	} {
		bad := good
		tc.edit(&bad)
		_, err := d.Enqueue(ctx, w.ID, []siyu.Delivery{good, bad}, time.Time{})
		re, ok := err.(siyu.RowError)
		if !ok || re.Line != 2 || re.Field != tc.field {
			t.Errorf("%s: err = %v, want a RowError for row 2 field %s", tc.field, err, tc.field)
		}
	}
}

// A drain does not give up while the database cannot be read: it keeps
// trying until its context ends (the database comes back, or the operator
// stops it).
func TestRunUntilIdleWaitsForTheDatabase(t *testing.T) {
	r := newRig(t, 2, nil)
	d := r.dispatcher(dispatch.Options{})
	r.st.Close() // every read fails from now on
	c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := d.RunUntilIdle(c); err != nil {
		t.Fatalf("gave up: %v", err)
	}
	if time.Since(start) < 250*time.Millisecond {
		t.Fatalf("returned after %v, before its context ended", time.Since(start))
	}
}

package runner_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

var ctx = context.Background()

// fixture is a workspace with one WeCom account, no quiet hours and no
// caps (tests that need limits set them), and a clock the test moves.
type fixture struct {
	t   *testing.T
	st  *store.Store
	ws  int64
	now time.Time
	pol *policy.Policy
	d   *dispatch.Dispatcher
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "brand", "木棉集")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertAccount(ctx, w.ID, siyu.Account{WeComUserID: "founder", Name: "创始人", Active: true}); err != nil {
		t.Fatal(err)
	}
	pol := policy.New(st)
	set := policy.DefaultSettings()
	set.QuietStart, set.QuietEnd, set.FrequencyCap, set.AccountDailyQuota = "00:00", "00:00", 0, 0
	if err := pol.SetSettings(ctx, w.ID, set); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st, ws: w.ID, now: time.Now().UTC().Truncate(time.Millisecond), pol: pol, d: dispatch.New(st, nil, dispatch.Options{})}
}

func (f *fixture) runner(opt runner.Options) *runner.Runner {
	opt.Dispatch, opt.Policy = f.d, f.pol
	opt.Now = func() time.Time { return f.now }
	opt.Lease = time.Minute
	return runner.New(f.st, opt)
}

// contact makes a customer who is a live contact of the founder.
func (f *fixture) contact(name, ext string) int64 {
	f.t.Helper()
	ids, err := f.st.UpsertContacts(ctx, f.ws, []store.ContactInput{{AccountUserID: "founder", ExternalUserID: ext, Name: name, AddedAt: f.now.Add(-time.Hour)}})
	if err != nil {
		f.t.Fatal(err)
	}
	return ids[0]
}

func (f *fixture) event(customer int64, typ string, at time.Time, props map[string]any) {
	f.t.Helper()
	if _, err := f.st.RecordEvents(ctx, f.ws, []siyu.EventInput{{Type: typ, Source: "test", OccurredAt: at, CustomerID: customer, Props: props}}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) journey(name string, def journey.Definition) store.Journey {
	f.t.Helper()
	j, err := f.st.CreateJourney(ctx, f.ws, name, "", def)
	if err != nil {
		f.t.Fatal(err)
	}
	if j, err = f.st.SetJourneyStatus(ctx, f.ws, j.ID, store.JourneyActive); err != nil {
		f.t.Fatal(err)
	}
	return j
}

func (f *fixture) scan(r *runner.Runner) runner.ScanResult {
	f.t.Helper()
	res, err := r.Scan(ctx, f.ws)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) runDue(r *runner.Runner) int {
	f.t.Helper()
	n, err := r.RunDue(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) tags(customer int64) []string {
	f.t.Helper()
	ts, err := f.st.CustomerTags(ctx, f.ws, customer)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if f.st.Dialect() == "postgres" {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	if err := f.st.DB().QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) enrollments(journeyID int64) []store.Enrollment {
	f.t.Helper()
	es, _, err := f.st.Enrollments(ctx, f.ws, journeyID, "", 100, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

// Built-in (d): three likes of skincare moments in 30 days give the
// interest tag and a follow-up task; two do not; a fourth like does not
// enrol again within the re-entry window.
func TestMomentInterestTagsAndCreatesATask(t *testing.T) {
	f := newFixture(t)
	def, err := journey.NewFromBuiltin("moment_interest", journey.BuiltinParams{Topic: "护肤"})
	if err != nil {
		t.Fatal(err)
	}
	j := f.journey("朋友圈兴趣", def)
	r := f.runner(runner.Options{})
	f.scan(r) // the first scan starts at the end of history

	fan := f.contact("王芳", "wm-fan")
	casual := f.contact("李雷", "wm-casual")
	for i := range 3 {
		f.event(fan, siyu.EventMomentLiked, f.now.Add(-time.Duration(i+1)*time.Hour), map[string]any{"topic": "护肤"})
	}
	f.event(casual, siyu.EventMomentLiked, f.now.Add(-time.Hour), map[string]any{"topic": "护肤"})
	f.event(casual, siyu.EventMomentLiked, f.now.Add(-time.Hour), map[string]any{"topic": "护肤"})
	f.event(casual, siyu.EventMomentLiked, f.now.Add(-time.Hour), map[string]any{"topic": "彩妆"})

	res := f.scan(r)
	if res.Read != 8 || res.Enrolled != 1 { // 6 likes and 2 new contacts
		t.Fatalf("scan: %+v", res)
	}
	f.runDue(r)
	if !slices.Contains(f.tags(fan), "兴趣:护肤") || slices.Contains(f.tags(casual), "兴趣:护肤") {
		t.Fatalf("tags: fan %v, casual %v", f.tags(fan), f.tags(casual))
	}
	es := f.enrollments(j.ID)
	if len(es) != 1 || es[0].CustomerID != fan || es[0].Status != store.EnrollmentCompleted {
		t.Fatalf("enrollments: %+v", es)
	}
	task, err := f.st.TaskByRef(ctx, f.ws, runner.TaskRef(j.ID, es[0].ID, "follow_up"))
	if err != nil {
		t.Fatal(err)
	}
	if task.CustomerID != fan || !strings.Contains(task.Title, "王芳") || !task.DueAt.Equal(f.now.Add(24*time.Hour)) {
		t.Fatalf("task: %+v", task)
	}

	f.event(fan, siyu.EventMomentLiked, f.now, map[string]any{"topic": "护肤"})
	if res := f.scan(r); res.Read != 1 || res.Enrolled != 0 {
		t.Fatalf("a fourth like: %+v", res)
	}
	stats, err := f.st.JourneyStats(ctx, f.ws, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Enrollments[store.EnrollmentCompleted] != 1 || len(stats.Steps) != 2 {
		t.Fatalf("stats: %+v", stats)
	}
}

// A kill -9 between a send and the record of its step: the rerun sends
// under the same key (dispatch keeps one send), and the wait after it is a
// job due when the wait ends, however the runner was restarted.
func TestCrashBetweenStepsSendsOnce(t *testing.T) {
	f := newFixture(t)
	j := f.journey("报名跟进", journey.Definition{
		Trigger: journey.Trigger{Kind: journey.TriggerEvent, Event: "form.submitted"},
		Steps: []journey.Step{
			{ID: "thanks", Type: journey.StepSend, Message: &siyu.Message{Text: "{{name}}，报名成功！"}},
			{ID: "wait", Type: journey.StepWait, Wait: "2d"},
			{ID: "call", Type: journey.StepTask, Task: &journey.TaskSpec{Title: "回访 {{name}}"}},
		},
	})
	crashes := 0
	first := f.runner(runner.Options{Worker: "first", BeforeAdvance: func(_ int64, step string) error {
		if step == "thanks" && crashes == 0 {
			crashes++
			return errors.New("kill -9")
		}
		return nil
	}})
	f.scan(first)
	p := f.contact("陈晨", "wm-chen")
	f.event(p, "form.submitted", f.now, nil)
	if res := f.scan(first); res.Enrolled != 1 {
		t.Fatalf("scan: %+v", res)
	}
	if _, err := first.RunDue(ctx); err == nil || !strings.Contains(err.Error(), "kill -9") {
		t.Fatalf("the crash did not stop the runner: %v", err)
	}
	e := f.enrollments(j.ID)[0]
	key := runner.SendKey(j.ID, 1, e.ID, "thanks")
	if e.Step != "thanks" || f.count(`SELECT COUNT(*) FROM sends WHERE key = ?`, key) != 1 {
		t.Fatalf("after the crash: step %q, sends %d", e.Step, f.count(`SELECT COUNT(*) FROM sends WHERE key = ?`, key))
	}

	// A restart before the lease runs out finds nothing to do; after it,
	// the step runs again.
	second := f.runner(runner.Options{Worker: "second"})
	if n := f.runDue(second); n != 0 {
		t.Fatalf("the leased job ran again at once (%d)", n)
	}
	f.now = f.now.Add(61 * time.Second)
	f.runDue(second)
	if n := f.count(`SELECT COUNT(*) FROM sends WHERE key = ?`, key); n != 1 {
		t.Fatalf("%d sends for one step", n)
	}
	send, err := f.st.SendByKey(ctx, f.ws, key)
	if err != nil || send.ExternalUserID != "wm-chen" || send.Sender != "founder" || send.CustomerID != p {
		t.Fatalf("send: %+v %v", send, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM sends WHERE key = ? AND message LIKE ?`, key, "%陈晨，报名成功！%"); n != 1 {
		t.Fatal("the send is not personalised")
	}
	job, err := f.st.JobByKey(ctx, f.ws, runner.KindStep, fmt.Sprintf("%d:call", e.ID))
	if err != nil || !job.RunAt.Equal(f.now.Add(48*time.Hour)) || job.State != store.JobQueued {
		t.Fatalf("the wait's job: %+v %v (now %v)", job, err, f.now)
	}
	f.now = f.now.Add(47 * time.Hour)
	f.runDue(second)
	if _, err := f.st.TaskByRef(ctx, f.ws, runner.TaskRef(j.ID, e.ID, "call")); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("the task came before the wait ended: %v", err)
	}
	f.now = f.now.Add(time.Hour)
	third := f.runner(runner.Options{Worker: "third"}) // another restart, mid-wait
	f.runDue(third)
	if _, err := f.st.TaskByRef(ctx, f.ws, runner.TaskRef(j.ID, e.ID, "call")); err != nil {
		t.Fatal(err)
	}
	if e := f.enrollments(j.ID)[0]; e.Status != store.EnrollmentCompleted {
		t.Fatalf("enrollment %+v", e)
	}
	if n := f.count(`SELECT COUNT(*) FROM journey_step_log WHERE enrollment_id = ?`, e.ID); n != 3 {
		t.Fatalf("%d step log rows", n)
	}
}

// Editing a live journey makes a new version: people enrolled before keep
// walking the old one, people enrolled after walk the new one.
func TestEditingALiveJourneyKeepsWalkersOnTheirVersion(t *testing.T) {
	f := newFixture(t)
	def := func(tag string) journey.Definition {
		return journey.Definition{
			Trigger: journey.Trigger{Kind: journey.TriggerEvent, Event: "coupon.claimed"},
			Steps: []journey.Step{
				{ID: "wait", Type: journey.StepWait, Wait: "1d"},
				{ID: "tag", Type: journey.StepTag, AddTags: []string{tag}},
			},
		}
	}
	j := f.journey("领券", def("v1"))
	r := f.runner(runner.Options{})
	f.scan(r)
	early, late := f.contact("早", "wm-early"), f.contact("晚", "wm-late")
	f.event(early, "coupon.claimed", f.now, nil)
	f.scan(r)
	f.runDue(r)
	j2, err := f.st.UpdateJourney(ctx, f.ws, j.ID, "领券（新）", def("v2"))
	if err != nil {
		t.Fatal(err)
	}
	if j2.Version != 2 || j2.LiveVersion != 2 || j2.Name != "领券（新）" {
		t.Fatalf("after the edit: %+v", j2)
	}
	f.event(late, "coupon.claimed", f.now, nil)
	f.scan(r)
	f.runDue(r)
	f.now = f.now.Add(25 * time.Hour)
	f.runDue(r)
	if !slices.Contains(f.tags(early), "v1") || !slices.Contains(f.tags(late), "v2") || slices.Contains(f.tags(early), "v2") {
		t.Fatalf("early %v, late %v", f.tags(early), f.tags(late))
	}
	vs, err := f.st.JourneyVersions(ctx, f.ws, j.ID)
	if err != nil || len(vs) != 2 || vs[0].Enrollments != 1 || vs[1].Enrollments != 1 {
		t.Fatalf("versions: %+v %v", vs, err)
	}

	// A paused journey enrols nobody.
	if _, err := f.st.SetJourneyStatus(ctx, f.ws, j.ID, store.JourneyPaused); err != nil {
		t.Fatal(err)
	}
	f.event(f.contact("停", "wm-paused"), "coupon.claimed", f.now, nil)
	if res := f.scan(r); res.Enrolled != 0 {
		t.Fatalf("a paused journey enrolled: %+v", res)
	}
}

// A conversion (order.paid) ends the walk before its next step; the
// person is not messaged.
func TestExitOnConversion(t *testing.T) {
	f := newFixture(t)
	j := f.journey("加购未付", journey.Definition{
		Trigger: journey.Trigger{Kind: journey.TriggerEvent, Event: "cart.abandoned"},
		Exit:    journey.Exit{OnEvent: siyu.EventOrderPaid},
		Steps: []journey.Step{
			{ID: "wait", Type: journey.StepWait, Wait: "4h"},
			{ID: "nudge", Type: journey.StepSend, Message: &siyu.Message{Text: "购物车里的宝贝还在等你"}},
		},
	})
	r := f.runner(runner.Options{})
	f.scan(r)
	buyer, other := f.contact("买了", "wm-buyer"), f.contact("没买", "wm-other")
	f.event(buyer, "cart.abandoned", f.now, nil)
	f.event(other, "cart.abandoned", f.now, nil)
	f.scan(r)
	f.runDue(r)
	paid := f.now.Add(time.Hour)
	if _, err := f.st.ImportOrders(ctx, f.ws, []siyu.OrderInput{{Channel: siyu.ChannelTmall, ExternalID: "T1", Status: siyu.StatusPaid,
		PlacedAt: paid, PaidAt: &paid, Amount: 9900, Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm-buyer"}}}}, "test"); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(5 * time.Hour)
	f.runDue(r)
	for _, e := range f.enrollments(j.ID) {
		switch e.CustomerID {
		case buyer:
			if e.Status != store.EnrollmentExited || e.ExitReason != "converted" {
				t.Fatalf("buyer: %+v", e)
			}
		case other:
			if e.Status != store.EnrollmentCompleted {
				t.Fatalf("other: %+v", e)
			}
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM sends WHERE key LIKE ?`, fmt.Sprintf("journey:%d:%%", j.ID)); n != 1 {
		t.Fatalf("%d sends, want 1 (not to the buyer)", n)
	}
}

// A webhook is signed, carries an idempotency key, and is retried through
// the queue with the same body and key until the receiver takes it.
func TestWebhookIsSignedAndRetried(t *testing.T) {
	f := newFixture(t)
	const secret = "s3cret-s3cret-s3cret"
	var mu sync.Mutex
	var bodies, keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !runner.Verify(secret, b, r.Header.Get(runner.HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		bodies, keys = append(bodies, string(b)), append(keys, r.Header.Get(runner.HeaderIdempotency))
		if len(bodies) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	j := f.journey("CRM 同步", journey.Definition{
		Trigger: journey.Trigger{Kind: journey.TriggerEvent, Event: "lead.created"},
		Steps:   []journey.Step{{ID: "crm", Type: journey.StepWebhook, Webhook: &journey.WebhookSpec{URL: srv.URL, Secret: secret}}},
	})
	r := f.runner(runner.Options{})
	f.scan(r)
	f.event(f.contact("线索", "wm-lead"), "lead.created", f.now, nil)
	f.scan(r)
	f.runDue(r)
	f.now = f.now.Add(time.Minute) // past the first backoff
	f.runDue(r)
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 || bodies[0] != bodies[1] || keys[0] != keys[1] || !strings.HasPrefix(keys[0], fmt.Sprintf("journey:%d:v1:", j.ID)) {
		t.Fatalf("bodies %q keys %q", bodies, keys)
	}
	if !strings.Contains(bodies[0], `"step":"crm"`) {
		t.Fatalf("body %s", bodies[0])
	}
}

func TestVerifyRejectsAnotherSecret(t *testing.T) {
	body := []byte(`{"a":1}`)
	if !runner.Verify("k1-k1-k1-k1-k1-k1", body, runner.Sign("k1-k1-k1-k1-k1-k1", body)) || runner.Verify("k2", body, runner.Sign("k1", body)) {
		t.Fatal("signature check")
	}
}

package campaign

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// recorder is an enqueuer that keeps what it was given, idempotently by key
// like dispatch, and can be made to fail after some calls.
type recorder struct {
	mu     sync.Mutex
	got    map[string]siyu.Delivery
	at     map[string]time.Time
	calls  int
	failAt int // fail the call with this number (1-based); 0 never
}

func (r *recorder) Enqueue(ctx context.Context, ws int64, ds []siyu.Delivery, notBefore time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls == r.failAt {
		return 0, errors.New("dispatch is down")
	}
	if r.got == nil {
		r.got, r.at = map[string]siyu.Delivery{}, map[string]time.Time{}
	}
	added := 0
	for _, d := range ds {
		if _, ok := r.got[d.Key]; !ok {
			added++
			r.got[d.Key], r.at[d.Key] = d, notBefore
		}
	}
	return added, nil
}

type world struct {
	st     *store.Store
	svc    *Service
	ws     int64
	people []int64 // live contacts of alice, then bob
	gone   int64   // a deleted contact
	alone  int64   // never a contact
}

// newWorld makes a workspace with 30 contacts of alice, 10 of bob, one
// deleted contact and one customer without a contact. Its clock stands at
// 2026-03-18 08:00 Shanghai.
func newWorld(t *testing.T, enq Enqueuer) *world {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	w, err := st.CreateWorkspace(ctx, "shop", "Shop")
	if err != nil {
		t.Fatal(err)
	}
	wd := &world{st: st, ws: w.ID, svc: New(st, enq)}
	wd.svc.Now = func() time.Time { return time.Date(2026, 3, 18, 0, 0, 0, 0, time.UTC) }
	var in []store.ContactInput
	for i := 0; i < 40; i++ {
		acct := "alice"
		if i >= 30 {
			acct = "bob"
		}
		in = append(in, store.ContactInput{AccountUserID: acct, ExternalUserID: fmt.Sprintf("wm%03d", i), Name: fmt.Sprintf("客户%d", i),
			AddedAt: time.Date(2025, 1, 1, 0, i, 0, 0, time.UTC)})
	}
	deleted := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	in = append(in, store.ContactInput{AccountUserID: "alice", ExternalUserID: "wmgone", Name: "走了", AddedAt: deleted.Add(-time.Hour), DeletedAt: &deleted})
	for _, u := range []string{"alice", "bob"} {
		if _, err := st.UpsertAccount(ctx, w.ID, siyu.Account{WeComUserID: u, Name: u, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := st.UpsertContacts(ctx, w.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	wd.people, wd.gone = ids[:40], ids[40]
	if wd.alone, err = st.CreateCustomer(ctx, w.ID, "路人"); err != nil {
		t.Fatal(err)
	}
	return wd
}

func (w *world) create(t *testing.T, d Draft) store.Campaign {
	t.Helper()
	if d.Name == "" {
		d.Name = "春季上新"
	}
	if d.Audience == "" {
		d.Audience = "all"
	}
	if d.Channel == "" {
		d.Channel = siyu.ReachSingle
	}
	if d.Variants == nil {
		d.Variants = []store.CampaignVariant{
			{Name: "A", Weight: 1, Message: siyu.Message{Text: "{{name|朋友}}，春季新品到了"}},
			{Name: "B", Weight: 1, Message: siyu.Message{Text: "新品", Link: &siyu.LinkContent{Title: "{{name}}的专属券", URL: "https://shop.example/c"}}},
		}
	}
	if d.SendAt.IsZero() {
		d.SendAt = time.Date(2026, 3, 18, 10, 0, 0, 0, siyu.Shanghai)
	}
	c, err := w.svc.Create(context.Background(), w.ws, d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateValidates(t *testing.T) {
	w := newWorld(t, nil)
	ok := Draft{Name: "x", Audience: "all", Channel: siyu.ReachSingle, SendAt: time.Now(),
		Variants: []store.CampaignVariant{{Name: "A", Weight: 1, Message: siyu.Message{Text: "hi"}}}}
	cases := []struct {
		field  string
		change func(*Draft)
	}{
		{"name", func(d *Draft) { d.Name = " " }},
		{"audience", func(d *Draft) { d.Audience = "segment:abc" }},
		{"audience", func(d *Draft) { d.Audience = "segment:999" }},
		{"audience", func(d *Draft) { d.Audience = "vip" }},
		{"channel", func(d *Draft) { d.Channel = "sms" }},
		{"variants", func(d *Draft) { d.Variants = nil }},
		{"variants[0].message.text", func(d *Draft) { d.Variants[0].Message.Text = "{{nickname}}" }},
		{"variants[0].message.text", func(d *Draft) { d.Variants[0].Message.Text = "" }},
		{"variants[0].message.link", func(d *Draft) { d.Variants[0].Message.Link = &siyu.LinkContent{Title: "t", URL: "ftp://x"} }},
		{"variants[1].name", func(d *Draft) { d.Variants = append(d.Variants, d.Variants[0]) }},
		{"variants[1].weight", func(d *Draft) {
			d.Variants = append(d.Variants, store.CampaignVariant{Message: siyu.Message{Text: "b"}})
		}},
		{"holdout_pct", func(d *Draft) { d.HoldoutPct = 60 }},
		{"send_at", func(d *Draft) { d.SendAt = time.Time{} }},
		{"attribution_days", func(d *Draft) { d.AttributionDays = 400 }},
	}
	for _, c := range cases {
		d := ok
		d.Variants = append([]store.CampaignVariant(nil), ok.Variants...)
		c.change(&d)
		_, err := w.svc.Create(context.Background(), w.ws, d)
		if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), c.field+":") {
			t.Errorf("%s: got %v, want an invalid-input error naming it", c.field, err)
		}
	}
	if _, err := w.svc.Create(context.Background(), w.ws, ok); err != nil {
		t.Fatalf("valid draft: %v", err)
	}
}

func TestAssignIsDeterministicAndFollowsWeights(t *testing.T) {
	c := store.Campaign{ID: 7, HoldoutPct: 10, Variants: []store.CampaignVariant{{Name: "A", Weight: 3}, {Name: "B", Weight: 1}}}
	counts := map[string]int{}
	const n = 40000
	for id := int64(1); id <= n; id++ {
		v, held := assign(c, id)
		if v2, held2 := assign(c, id); v2 != v || held2 != held {
			t.Fatalf("customer %d drawn twice differently", id)
		}
		if held {
			v = HoldoutGroup
		}
		counts[v]++
	}
	within := func(got int, want float64) bool { return float64(got) > want*0.95 && float64(got) < want*1.05 }
	if !within(counts[HoldoutGroup], n*0.10) || !within(counts["A"], n*0.9*0.75) || !within(counts["B"], n*0.9*0.25) {
		t.Fatalf("split %v, want about 10%% holdout and A:B = 3:1", counts)
	}
	// Another campaign splits the same people differently.
	same := 0
	other := c
	other.ID = 8
	for id := int64(1); id <= 1000; id++ {
		a, _ := assign(c, id)
		b, _ := assign(other, id)
		if a == b {
			same++
		}
	}
	if same > 800 {
		t.Fatalf("campaigns 7 and 8 split alike: %d of 1000 the same", same)
	}
}

func TestPlanExplainsEverySkip(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, nil)
	// Quota 20 for alice's 30 contacts; the first person was reached twice
	// this week (cap 2).
	if err := w.svc.Policy.SetSettings(ctx, w.ws, func() policy.Settings {
		s := policy.DefaultSettings()
		s.AccountDailyQuota = 20
		return s
	}()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		at := time.Date(2026, 3, 16+i, 3, 0, 0, 0, time.UTC)
		d := siyu.Delivery{Key: fmt.Sprint("journey:", i), CustomerID: w.people[0], Channel: siyu.ReachGroup, ChatID: "wr1"}
		if a, _, err := w.svc.Policy.Admit(ctx, w.ws, []siyu.Delivery{d}, at); err != nil || len(a) != 1 {
			t.Fatalf("history: %v %v", a, err)
		}
	}
	c := w.create(t, Draft{})
	planBatch = 7 // several batches, so that quota carries across them
	defer func() { planBatch = 1000 }()
	p, err := w.svc.Plan(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 42 people: 40 contacts (30 alice, 10 bob), one deleted, one never.
	if p.Audience != 42 || p.Skipped[siyu.SkipNotContact] != 2 || p.Skipped[siyu.SkipFrequencyCap] != 1 ||
		p.Skipped[siyu.SkipAccountQuota] != 9 || p.Receive != 30 {
		t.Fatalf("plan: audience %d receive %d skipped %v", p.Audience, p.Receive, p.Skipped)
	}
	byAccount := map[string]AccountCount{}
	for _, a := range p.ByAccount {
		byAccount[a.Sender] = a
	}
	if byAccount["alice"].Receive != 20 || byAccount["alice"].Skipped != 9 || byAccount["bob"].Receive != 10 {
		t.Fatalf("by account: %+v", p.ByAccount)
	}
	var receive int
	for _, v := range p.ByVariant {
		receive += v.Receive
	}
	if len(p.ByVariant) != 2 || receive != 30 {
		t.Fatalf("by variant: %+v", p.ByVariant)
	}
	if s := p.Samples[string(siyu.SkipNotContact)]; len(s) != 2 || !(s[0] == w.gone || s[1] == w.gone) {
		t.Fatalf("samples: %v", p.Samples)
	}
	if s := p.Samples[string(siyu.SkipFrequencyCap)]; len(s) != 1 || s[0] != w.people[0] {
		t.Fatalf("frequency sample: %v", s)
	}
	// The plan is stored with the campaign, and planning does not reach
	// anyone: the capped person is still capped by the two old reaches
	// only, and a second plan gives the same answer.
	saved, err := w.svc.SavedPlan(ctx, w.ws, c.ID)
	if err != nil || saved.Receive != 30 || saved.Skipped[siyu.SkipAccountQuota] != 9 {
		t.Fatalf("saved plan: %+v %v", saved, err)
	}
	again, err := w.svc.Plan(ctx, w.ws, c.ID)
	if err != nil || again.Receive != 30 || fmt.Sprint(again.ByVariant) != fmt.Sprint(p.ByVariant) {
		t.Fatalf("second plan: %+v %v", again, err)
	}
}

func TestHoldoutIsReachablePeopleOnly(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, nil)
	c := w.create(t, Draft{HoldoutPct: 50})
	p, err := w.svc.Plan(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	held := p.Skipped[siyu.SkipHoldout]
	if held == 0 || held+p.Receive != 40 || p.Skipped[siyu.SkipNotContact] != 2 {
		t.Fatalf("holdout %d receive %d skipped %v: want the 40 reachable split, the 2 unreachable not in the holdout", held, p.Receive, p.Skipped)
	}
	for _, id := range p.Samples[string(siyu.SkipHoldout)] {
		if _, h := assign(c, id); !h {
			t.Fatalf("customer %d sampled as holdout but not drawn for it", id)
		}
	}
}

func TestQuietHoursDeferToMorning(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	w := newWorld(t, rec)
	send := time.Date(2026, 3, 18, 22, 30, 0, 0, siyu.Shanghai)
	c := w.create(t, Draft{SendAt: send})
	res, err := w.svc.Launch(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan.Deferred != 40 || res.Enqueued != 40 {
		t.Fatalf("deferred %d enqueued %d", res.Plan.Deferred, res.Enqueued)
	}
	morning := time.Date(2026, 3, 19, 9, 0, 0, 0, siyu.Shanghai)
	for k, at := range rec.at {
		if !at.Equal(morning) {
			t.Fatalf("%s not before %s, want %s", k, at, morning)
		}
	}
}

func TestLaunchIsIdempotentAndResumes(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{failAt: 3} // dispatch fails on the third batch
	w := newWorld(t, rec)
	c := w.create(t, Draft{HoldoutPct: 20})
	launchBatch = 8
	defer func() { launchBatch = 1000 }()
	if _, err := w.svc.Launch(ctx, w.ws, c.ID); err == nil {
		t.Fatal("launch with dispatch down succeeded")
	}
	mid, _ := w.st.Campaign(ctx, w.ws, c.ID)
	if mid.Status != store.CampaignLaunching || len(rec.got) != 16 {
		t.Fatalf("after the failure: status %s, %d handed over", mid.Status, len(rec.got))
	}
	res, err := w.svc.Launch(ctx, w.ws, c.ID) // resumes
	if err != nil {
		t.Fatal(err)
	}
	receive := res.Plan.Receive
	if res.Enqueued != receive-16 || len(rec.got) != receive || receive == 0 || res.AlreadyLaunched {
		t.Fatalf("resume: enqueued %d, total %d, plan receives %d", res.Enqueued, len(rec.got), receive)
	}
	calls := rec.calls
	again, err := w.svc.Launch(ctx, w.ws, c.ID)
	if err != nil || !again.AlreadyLaunched || again.Enqueued != 0 || rec.calls != calls {
		t.Fatalf("second launch: %+v %v (calls %d → %d)", again, err, calls, rec.calls)
	}
	// Nothing is pending in the store either, and a launched plan is final.
	if p, _ := w.st.PendingCampaignRecipients(ctx, w.ws, c.ID, 0, 100); len(p) != 0 {
		t.Fatalf("still pending after launch: %d", len(p))
	}
	if _, err := w.svc.Plan(ctx, w.ws, c.ID); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("re-plan of a launched campaign: %v", err)
	}
	// Each delivery is personalised, keyed and goes through the contact's account.
	for key, d := range rec.got {
		if key != store.CampaignKey(c.ID, d.CustomerID) || d.Sender == "" || d.ExternalUserID == "" || d.CampaignID != c.ID {
			t.Fatalf("delivery %s: %+v", key, d)
		}
		switch d.Variant {
		case "A":
			if !strings.HasPrefix(d.Message.Text, "客户") {
				t.Fatalf("A not personalised: %q", d.Message.Text)
			}
		case "B":
			if !strings.HasSuffix(d.Message.Link.Title, "的专属券") || strings.Contains(d.Message.Link.Title, "{{") {
				t.Fatalf("B not personalised: %+v", d.Message.Link)
			}
		default:
			t.Fatalf("variant %q", d.Variant)
		}
		if _, held := assign(c, d.CustomerID); held {
			t.Fatalf("holdout member %d was enqueued", d.CustomerID)
		}
	}
}

func TestResultsCompareWithHoldout(t *testing.T) {
	ctx := context.Background()
	rec := &recorder{}
	w := newWorld(t, rec)
	c := w.create(t, Draft{HoldoutPct: 30, AttributionDays: 7})
	res, err := w.svc.Launch(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Every recipient of A pays 100 yuan two days after send_at; in the
	// holdout one person pays, and one more pays after the window.
	paid := func(id int64, at time.Time, ext string) {
		t.Helper()
		err := w.st.InsertOrdersRaw(ctx, w.ws, id, []siyu.OrderInput{{Channel: siyu.ChannelTaobao, ExternalID: ext, Status: siyu.StatusCompleted,
			PlacedAt: at, PaidAt: &at, Amount: 10000}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var held []int64
	aCount := 0
	for _, id := range w.people {
		v, h := assign(c, id)
		switch {
		case h:
			held = append(held, id)
		case v == "A":
			aCount++
			paid(id, c.SendAt.Add(48*time.Hour), fmt.Sprint("a", id))
			paid(id, c.SendAt.Add(-time.Hour), fmt.Sprint("before", id)) // before send_at: not counted
		}
	}
	if len(held) < 2 || aCount == 0 {
		t.Fatalf("split too small to test: holdout %d, A %d", len(held), aCount)
	}
	paid(held[0], c.SendAt.Add(24*time.Hour), "h0")
	paid(held[1], c.SendAt.AddDate(0, 0, 7), "h1") // exactly at the window's end: out
	r, err := w.svc.Results(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]GroupResult{}
	for _, g := range r.Groups {
		groups[g.Group] = g
	}
	a, h, b := groups["A"], groups[HoldoutGroup], groups["B"]
	if a.Recipients != aCount || a.Converted != aCount || a.Revenue != siyu.Fen(aCount*10000) || a.ConversionRate != 1 {
		t.Fatalf("A: %+v (want %d recipients, all converted)", a, aCount)
	}
	if h.Recipients != len(held) || h.Converted != 1 || h.Revenue != 10000 {
		t.Fatalf("holdout: %+v (want %d recipients, 1 converted)", h, len(held))
	}
	if b.Converted != 0 || a.Recipients+b.Recipients != res.Plan.Receive {
		t.Fatalf("B: %+v", b)
	}
	wantUplift := 1 - 1/float64(len(held))
	if d := a.Uplift - wantUplift; d > 1e-9 || d < -1e-9 {
		t.Fatalf("uplift %v, want %v", a.Uplift, wantUplift)
	}
	wantInc := siyu.Fen(aCount*10000) - siyu.Fen(10000*aCount/len(held))
	if d := a.IncrementalRevenue - wantInc; d > 1 || d < -1 {
		t.Fatalf("incremental revenue %d, want about %d", a.IncrementalRevenue, wantInc)
	}
}

func TestTagAudience(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, nil)
	var people [][]siyu.Identifier
	for i := 0; i < 5; i++ {
		people = append(people, []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: fmt.Sprintf("wm%03d", i)}})
	}
	if err := w.st.TagCustomers(ctx, w.ws, siyu.Tag{Name: "VIP"}, people, "manual"); err != nil {
		t.Fatal(err)
	}
	c := w.create(t, Draft{Audience: "tag:VIP"})
	p, err := w.svc.Plan(ctx, w.ws, c.ID)
	if err != nil || p.Audience != 5 || p.Receive != 5 {
		t.Fatalf("tag audience: %+v %v", p, err)
	}
}

// TestLaunchThroughDispatch launches into the real send queue: each planned
// recipient becomes one send, and a second launch adds none.
func TestLaunchThroughDispatch(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, nil)
	w.svc.Enqueuer = dispatch.New(w.st, nil, dispatch.Options{})
	c := w.create(t, Draft{HoldoutPct: 10})
	res, err := w.svc.Launch(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.svc.Launch(ctx, w.ws, c.ID)
	if err != nil || again.Enqueued != 0 {
		t.Fatalf("second launch: %+v %v", again, err)
	}
	counts, err := w.st.SendCounts(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, sc := range counts {
		total += sc.N
	}
	if total != res.Plan.Receive || res.Enqueued != total || total == 0 {
		t.Fatalf("sends %d (%v), enqueued %d, plan receives %d", total, counts, res.Enqueued, res.Plan.Receive)
	}
	r, err := w.svc.Results(ctx, w.ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	pending := 0
	for _, g := range r.Groups {
		pending += g.Pending + g.Sent + g.Failed
	}
	if pending != total {
		t.Fatalf("results count %d sends, want %d", pending, total)
	}
}

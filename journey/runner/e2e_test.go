package runner_test

import (
	"context"
	"fmt"
	"siyu.dev/siyu/wecomsync/wecomtest"
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/journey/runner"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecomsync"
)

// rig is Siyu and the WeCom emulator over loopback: WeCom's callbacks
// create contacts, the runner enrols and walks, dispatch sends through the
// emulated mass-message API, and members confirm on the wall clock.
type rig struct {
	t   *testing.T
	st  *store.Store
	ws  int64
	svc *wecomsync.Service
	emu *emulator.Emulator
	d   *dispatch.Dispatcher
	r   *runner.Runner
}

func newRig(t *testing.T) *rig {
	t.Helper()
	pol := emulator.DefaultPolicy()
	pol.MassConfirmDelay = 100 * time.Millisecond
	pop := emulator.Quiet(10)
	wr := wecomtest.New(t, wecomtest.Options{Slug: "shop", Name: "山茶花", FullSync: true, RunEvery: 20 * time.Millisecond,
		Emulator: emulator.Config{Seed: 5, Population: &pop, Policy: &pol}})
	st, w, svc, emu := wr.Store, wr.WS, wr.Sync, wr.Emu
	p := policy.New(st)
	set := policy.DefaultSettings()
	set.QuietStart, set.QuietEnd = "00:00", "00:00" // the test runs at any hour
	if err := p.SetSettings(ctx, w, set); err != nil {
		t.Fatal(err)
	}
	d := dispatch.New(st, svc, dispatch.Options{Gate: p, Idle: 10 * time.Millisecond, PollEvery: 100 * time.Millisecond, DistributingWait: 100 * time.Millisecond, Lease: 5 * time.Second})
	r := runner.New(st, runner.Options{Dispatch: d, Policy: p, Codes: svc, Lease: time.Minute})
	return &rig{t: t, st: st, ws: w, svc: svc, emu: emu, d: d, r: r}
}

func (g *rig) flush() {
	g.t.Helper()
	(&wecomtest.Rig{T: g.t, Emu: g.emu}).Flush()
}

func (g *rig) customerOf(user int) int64 {
	g.t.Helper()
	page, err := g.st.SearchCustomers(ctx, g.ws, siyu.CustomerQuery{Query: g.emu.Users()[user].ExternalUserID})
	if err != nil || len(page.Customers) != 1 {
		g.t.Fatalf("customer of user %d: %+v %v", user, page, err)
	}
	return page.Customers[0].ID
}

// walk scans, runs the due steps and drains dispatch until every send was
// confirmed and its result fetched.
func (g *rig) walk() {
	g.t.Helper()
	if _, err := g.r.Scan(ctx, g.ws); err != nil {
		g.t.Fatal(err)
	}
	if _, err := g.r.RunDue(ctx); err != nil {
		g.t.Fatal(err)
	}
	c, cancel := contextWithTimeout(20 * time.Second)
	defer cancel()
	if err := g.d.RunUntilIdle(c); err != nil || c.Err() != nil {
		g.t.Fatalf("dispatch did not drain: %v %v", err, c.Err())
	}
}

func (g *rig) activate(key string, p journey.BuiltinParams) store.Journey {
	g.t.Helper()
	def, err := journey.NewFromBuiltin(key, p)
	if err != nil {
		g.t.Fatal(err)
	}
	j, err := g.st.CreateJourney(ctx, g.ws, key, key, def)
	if err != nil {
		g.t.Fatal(err)
	}
	if j, err = g.st.SetJourneyStatus(ctx, g.ws, j.ID, store.JourneyActive); err != nil {
		g.t.Fatal(err)
	}
	return j
}

// Built-in (b): a person who adds the account through a channel code is
// tagged 新好友 and receives the welcome, once, through WeCom.
func TestWelcomeJourneyThroughTheEmulator(t *testing.T) {
	g := newRig(t)
	j := g.activate("contact_welcome", journey.BuiltinParams{})
	if _, err := g.r.Scan(ctx, g.ws); err != nil { // start at the end of history
		t.Fatal(err)
	}
	if _, err := g.svc.CreateChannelCode(ctx, g.ws, siyu.ChannelCode{Name: "门店", State: "store", Accounts: []string{"founder"}}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []int{1, 2} {
		if _, err := g.emu.Scan("store", u); err != nil {
			t.Fatal(err)
		}
	}
	g.flush()
	g.walk()
	g.walk() // a second pass changes nothing

	got := g.emu.MassReceived()
	for _, u := range []int{1, 2} {
		c := g.customerOf(u)
		ext := g.emu.Users()[u].ExternalUserID
		if got[ext] != 1 {
			t.Fatalf("user %d received %d messages", u, got[ext])
		}
		tags, _ := g.st.CustomerTags(ctx, g.ws, c)
		if !slices.ContainsFunc(tags, func(t store.CustomerTag) bool { return t.Name == "新好友" }) {
			t.Fatalf("user %d tags %+v", u, tags)
		}
	}
	if got[g.emu.Users()[3].ExternalUserID] != 0 {
		t.Fatal("someone who did not add the account was messaged")
	}
	stats, err := g.st.JourneyStats(ctx, g.ws, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Sends[store.SendSent] != 2 || stats.Waiting["has_bought"] != 2 {
		t.Fatalf("stats %+v", stats)
	}
}

// Built-in (a): a paid order gets its own order channel code in WeCom, and
// the after-sale message carrying the code's QR reaches the buyer once.
func TestOrderServiceJourneyThroughTheEmulator(t *testing.T) {
	g := newRig(t)
	if _, err := g.svc.CreateChannelCode(ctx, g.ws, siyu.ChannelCode{Name: "公众号", State: "mp", Accounts: []string{"founder"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.emu.Scan("mp", 4); err != nil {
		t.Fatal(err)
	}
	g.flush()
	j := g.activate("order_service", journey.BuiltinParams{Account: "founder"})
	if _, err := g.r.Scan(ctx, g.ws); err != nil {
		t.Fatal(err)
	}
	ext := g.emu.Users()[4].ExternalUserID
	paid := time.Now().UTC().Add(-time.Minute)
	if _, err := g.st.ImportOrders(ctx, g.ws, []siyu.OrderInput{{Channel: siyu.ChannelTmall, ExternalID: "TM-8801", Status: siyu.StatusPaid,
		PlacedAt: paid, PaidAt: &paid, Amount: 19900, Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: ext}}}}, "test"); err != nil {
		t.Fatal(err)
	}
	g.walk()
	g.walk()

	es, _, err := g.st.Enrollments(ctx, g.ws, j.ID, "", 10, 0)
	if err != nil || len(es) != 1 {
		t.Fatalf("enrollments %+v %v", es, err)
	}
	e := es[0]
	if e.Step != "repeat_buyer" || e.Vars["order_id"] != "TM-8801" || e.Vars["code_url"] == "" {
		t.Fatalf("enrollment %+v", e)
	}
	code, err := g.st.ChannelCodeByState(ctx, g.ws, runner.CodeState(e.ID, "order_code"))
	if err != nil || code.Kind != siyu.CodeOrder || code.OrderID == 0 || code.CustomerID != g.customerOf(4) || code.QRCode != e.Vars["code_url"] {
		t.Fatalf("order code %+v %v", code, err)
	}
	if got := g.emu.MassReceived()[ext]; got != 1 {
		t.Fatalf("the buyer received %d messages", got)
	}
	send, err := g.st.SendByKey(ctx, g.ws, runner.SendKey(j.ID, 1, e.ID, "service_content"))
	if err != nil || send.Status != store.SendSent {
		t.Fatalf("send %+v %v", send, err)
	}
	if n := countRows(t, g.st, `SELECT COUNT(*) FROM sends WHERE message LIKE ?`, "%"+code.QRCode+"%"); n != 1 {
		t.Fatal("the after-sale message does not carry the order code")
	}
}

// Built-in (c): entering the silent segment enrols; the reactivation goes
// out under the caps; a person already at the frequency cap is skipped.
func TestSilentReactivationThroughTheEmulator(t *testing.T) {
	g := newRig(t)
	if _, err := g.svc.CreateChannelCode(ctx, g.ws, siyu.ChannelCode{Name: "公众号", State: "mp", Accounts: []string{"founder"}}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []int{5, 6, 7} {
		if _, err := g.emu.Scan("mp", u); err != nil {
			t.Fatal(err)
		}
	}
	g.flush()
	old := time.Now().UTC().Add(-40 * 24 * time.Hour)
	for _, u := range []int{5, 6} {
		if _, err := g.st.ImportOrders(ctx, g.ws, []siyu.OrderInput{{Channel: siyu.ChannelJD, ExternalID: fmt.Sprint("JD-", u), Status: siyu.StatusCompleted,
			PlacedAt: old, PaidAt: &old, Amount: 5000, Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: g.emu.Users()[u].ExternalUserID}}}}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	// User 6 was reached twice this week already: the default cap is 2 per 7 days.
	capped := g.customerOf(6)
	if err := g.st.AdmitReach(ctx, g.ws, func(store.ReachReader) ([]store.ReachEntry, error) {
		now := time.Now().UTC()
		return []store.ReachEntry{
			{Key: "campaign:1:x", CustomerID: capped, AccountID: 1, Channel: siyu.ReachSingle, At: now.Add(-48 * time.Hour)},
			{Key: "campaign:2:x", CustomerID: capped, AccountID: 1, Channel: siyu.ReachSingle, At: now.Add(-24 * time.Hour)},
		}, nil
	}); err != nil {
		t.Fatal(err)
	}
	seg, err := g.st.CreateSegment(ctx, g.ws, store.Segment{Name: "沉默 30 天", Rule: journey.SilentRule})
	if err != nil {
		t.Fatal(err)
	}
	j := g.activate("silent_reactivation", journey.BuiltinParams{SegmentID: seg.ID})
	if _, err := g.r.Scan(ctx, g.ws); err != nil {
		t.Fatal(err)
	}
	if res, err := g.st.RefreshSegment(ctx, g.ws, seg.ID); err != nil || res.Entered != 2 {
		t.Fatalf("refresh %+v %v", res, err)
	}
	g.walk()
	got := g.emu.MassReceived()
	if got[g.emu.Users()[5].ExternalUserID] != 1 || got[g.emu.Users()[6].ExternalUserID] != 0 || got[g.emu.Users()[7].ExternalUserID] != 0 {
		t.Fatalf("received %v", got)
	}
	stats, err := g.st.JourneyStats(ctx, g.ws, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, c := range stats.Steps {
		if c.Step == "reactivate" {
			outcomes[c.Outcome] += c.N
		}
	}
	if outcomes["queued"] != 1 || outcomes["skipped:frequency_cap"] != 1 {
		t.Fatalf("reactivate outcomes %v", outcomes)
	}
}

func countRows(t *testing.T, st *store.Store, q string, args ...any) int {
	t.Helper()
	if st.Dialect() == "postgres" {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	var n int
	if err := st.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func contextWithCancel() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

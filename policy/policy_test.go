package policy_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// fixture is a workspace with two WeCom accounts, written through the
// store, plus a raw connection to write reach history and opt-outs the way
// other parts of the system do, independently of the policy under test.
type fixture struct {
	st       *store.Store
	dsn      string
	raw      *sql.DB
	ws       int64
	p        *policy.Policy
	accounts map[string]int64
	n        int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, dsn := storetest.OpenDSN(t)
	w, err := st.CreateWorkspace(ctx, "brand", "Brand")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, dsn: dsn, ws: w.ID, p: policy.New(st), accounts: map[string]int64{}}
	for _, u := range []string{"alice", "bob"} {
		a, err := st.UpsertAccount(ctx, w.ID, siyu.Account{WeComUserID: u, Name: u, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		f.accounts[u] = a.ID
	}
	driver, rawDSN := "pgx", dsn
	if !storetest.Postgres() {
		driver, rawDSN = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(30000)"
	}
	if f.raw, err = sql.Open(driver, rawDSN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.raw.Close() })
	return f
}

// exec runs SQL written with $1.. placeholders on the raw connection.
func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if !storetest.Postgres() {
		for i := len(args); i >= 1; i-- {
			q = strings.ReplaceAll(q, "$"+strconv.Itoa(i), "?")
		}
	}
	if _, err := f.raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// person adds a customer as a contact of account and returns the id.
func (f *fixture) person(t *testing.T, account string, deleted bool) int64 {
	t.Helper()
	f.n++
	in := store.ContactInput{AccountUserID: account, ExternalUserID: fmt.Sprintf("wm%04d", f.n), Name: fmt.Sprintf("P%d", f.n),
		AddedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(f.n) * time.Minute)}
	if deleted {
		at := in.AddedAt.Add(time.Hour)
		in.DeletedAt = &at
	}
	ids, err := f.st.UpsertContacts(context.Background(), f.ws, []store.ContactInput{in})
	if err != nil {
		t.Fatal(err)
	}
	return ids[0]
}

func (f *fixture) history(t *testing.T, customer, account int64, ch siyu.ReachChannel, at time.Time) {
	t.Helper()
	f.n++
	f.exec(t, `INSERT INTO reach_log (workspace_id, key, customer_id, account_id, channel, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		f.ws, fmt.Sprintf("history:%d", f.n), customer, account, string(ch), at.UnixMilli())
}

func (f *fixture) optOut(t *testing.T, customer int64) {
	t.Helper()
	f.exec(t, `INSERT INTO opt_outs (workspace_id, customer_id, at, source) VALUES ($1, $2, $3, 'test')`, f.ws, customer, time.Now().UnixMilli())
}

func (f *fixture) settings(t *testing.T, change func(*policy.Settings)) {
	t.Helper()
	s := policy.DefaultSettings()
	if change != nil {
		change(&s)
	}
	if err := f.p.SetSettings(context.Background(), f.ws, s); err != nil {
		t.Fatal(err)
	}
}

func single(key string, customer int64) siyu.Delivery {
	return siyu.Delivery{Key: key, CustomerID: customer, Channel: siyu.ReachSingle, Message: siyu.Message{Text: "hi"}}
}

func sh(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, siyu.Shanghai)
}

// TestLimits checks every limit at and around its boundary, through both
// Plan (the preview) and Admit (at send time), which must agree.
func TestLimits(t *testing.T) {
	at := sh(2026, 3, 18, 10, 0, 0) // a Wednesday
	noFreq := func(s *policy.Settings) { s.FrequencyCap = 0 }
	type setup struct {
		f    *fixture
		me   int64
		mine int64 // my account (alice)
	}
	cases := []struct {
		name     string
		settings func(*policy.Settings)
		prepare  func(t *testing.T, s setup) siyu.Delivery
		at       time.Time
		want     siyu.SkipReason
		retry    time.Time
	}{
		{name: "a live contact is admitted"},
		{name: "opted out", prepare: func(t *testing.T, s setup) siyu.Delivery { s.f.optOut(t, s.me); return single("k", s.me) }, want: siyu.SkipOptedOut},
		{name: "opted out wins over quiet hours", at: sh(2026, 3, 18, 22, 0, 0),
			prepare: func(t *testing.T, s setup) siyu.Delivery { s.f.optOut(t, s.me); return single("k", s.me) }, want: siyu.SkipOptedOut},
		{name: "deleted contact", prepare: func(t *testing.T, s setup) siyu.Delivery {
			return single("k", s.f.person(t, "alice", true))
		}, want: siyu.SkipNotContact},
		{name: "never a contact", prepare: func(t *testing.T, s setup) siyu.Delivery {
			id, err := s.f.st.CreateCustomer(context.Background(), s.f.ws, "walk-in")
			if err != nil {
				t.Fatal(err)
			}
			return single("k", id)
		}, want: siyu.SkipNotContact},
		{name: "account left the company", prepare: func(t *testing.T, s setup) siyu.Delivery {
			s.f.exec(t, `UPDATE accounts SET active = 0 WHERE id = $1`, s.mine)
			return single("k", s.me)
		}, want: siyu.SkipNotContact},
		{name: "not a contact of the account asked for", prepare: func(t *testing.T, s setup) siyu.Delivery {
			d := single("k", s.me)
			d.AccountID = s.f.accounts["bob"]
			return d
		}, want: siyu.SkipNotContact},
		{name: "frequency: one below the cap", prepare: func(t *testing.T, s setup) siyu.Delivery {
			s.f.history(t, s.me, s.mine, siyu.ReachGroup, at.Add(-24*time.Hour))
			return single("k", s.me)
		}},
		{name: "frequency: exactly at the cap", prepare: func(t *testing.T, s setup) siyu.Delivery {
			s.f.history(t, s.me, s.mine, siyu.ReachGroup, at.Add(-24*time.Hour))
			s.f.history(t, s.me, s.mine, siyu.ReachMoment, at.Add(-time.Millisecond))
			return single("k", s.me)
		}, want: siyu.SkipFrequencyCap},
		{name: "frequency: a reach exactly 7 days ago has left the window", prepare: func(t *testing.T, s setup) siyu.Delivery {
			s.f.history(t, s.me, s.mine, siyu.ReachGroup, at.AddDate(0, 0, -7))
			s.f.history(t, s.me, s.mine, siyu.ReachGroup, at.Add(-time.Hour))
			return single("k", s.me)
		}},
		{name: "frequency: a reach 7 days less 1ms ago still counts", prepare: func(t *testing.T, s setup) siyu.Delivery {
			s.f.history(t, s.me, s.mine, siyu.ReachGroup, at.AddDate(0, 0, -7).Add(time.Millisecond))
			s.f.history(t, s.me, s.mine, siyu.ReachGroup, at.Add(-time.Hour))
			return single("k", s.me)
		}, want: siyu.SkipFrequencyCap},
		{name: "frequency: someone else's reaches do not count", prepare: func(t *testing.T, s setup) siyu.Delivery {
			other := s.f.person(t, "alice", false)
			s.f.history(t, other, s.mine, siyu.ReachSingle, at.Add(-time.Hour))
			s.f.history(t, other, s.mine, siyu.ReachSingle, at.Add(-2*time.Hour))
			return single("k", s.me)
		}},
		{name: "wecom one per day: sent at Shanghai midnight", settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapOnePerDay },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, 18, 0, 0, 0))
				return single("k", s.me)
			}, want: siyu.SkipWeComCap},
		{name: "wecom one per day: sent yesterday 23:59:59", settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapOnePerDay },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, 17, 23, 59, 59))
				return single("k", s.me)
			}},
		{name: "wecom cap counts 1:1 only", settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapOnePerDay },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.me, s.mine, siyu.ReachGroup, sh(2026, 3, 18, 8, 0, 0))
				return single("k", s.me)
			}},
		{name: "wecom four per month: at the cap", settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapFourPerMonth },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				for d := 1; d <= 4; d++ {
					s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, d, 0, 0, 0))
				}
				return single("k", s.me)
			}, want: siyu.SkipWeComCap},
		{name: "wecom four per month: last month's do not count", settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapFourPerMonth },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 2, 28, 23, 59, 59))
				for d := 1; d <= 3; d++ {
					s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, d, 12, 0, 0))
				}
				return single("k", s.me)
			}},
		{name: "wecom days in month: 28 in February is the cap", at: sh(2026, 2, 28, 12, 0, 0),
			settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapDaysInMonth },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				for d := 1; d <= 28; d++ {
					s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 2, d, 10, 0, 0))
				}
				return single("k", s.me)
			}, want: siyu.SkipWeComCap},
		{name: "wecom days in month: 28 in March is below the cap", at: sh(2026, 3, 29, 12, 0, 0),
			settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapDaysInMonth },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				for d := 1; d <= 28; d++ {
					s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, d, 10, 0, 0))
				}
				return single("k", s.me)
			}},
		{name: "wecom seven per week: last Sunday does not count", settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapSevenPerWeek },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, 15, 23, 0, 0))
				for i := 0; i < 6; i++ {
					s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, 16, 10, i, 0))
				}
				return single("k", s.me)
			}},
		{name: "wecom seven per week: at the cap", settings: func(s *policy.Settings) { noFreq(s); s.WeComCap = policy.CapSevenPerWeek },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				for i := 0; i < 7; i++ {
					s.f.history(t, s.me, s.mine, siyu.ReachSingle, sh(2026, 3, 16, 10, i, 0))
				}
				return single("k", s.me)
			}, want: siyu.SkipWeComCap},
		{name: "account quota: exactly used up today", settings: func(s *policy.Settings) { s.AccountDailyQuota = 2 },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.f.person(t, "alice", false), s.mine, siyu.ReachSingle, sh(2026, 3, 18, 0, 0, 0))
				s.f.history(t, s.f.person(t, "alice", false), s.mine, siyu.ReachSingle, sh(2026, 3, 18, 9, 30, 0))
				return single("k", s.me)
			}, want: siyu.SkipAccountQuota},
		{name: "account quota: yesterday's do not count", settings: func(s *policy.Settings) { s.AccountDailyQuota = 2 },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.f.person(t, "alice", false), s.mine, siyu.ReachSingle, sh(2026, 3, 17, 23, 59, 59))
				s.f.history(t, s.f.person(t, "alice", false), s.mine, siyu.ReachSingle, sh(2026, 3, 18, 9, 30, 0))
				return single("k", s.me)
			}},
		{name: "account quota: another account's do not count", settings: func(s *policy.Settings) { s.AccountDailyQuota = 1 },
			prepare: func(t *testing.T, s setup) siyu.Delivery {
				s.f.history(t, s.f.person(t, "bob", false), s.f.accounts["bob"], siyu.ReachSingle, sh(2026, 3, 18, 9, 0, 0))
				return single("k", s.me)
			}},
		{name: "quiet hours start at 21:00", at: sh(2026, 3, 18, 21, 0, 0), want: siyu.SkipQuietHours, retry: sh(2026, 3, 19, 9, 0, 0)},
		{name: "20:59:59 is not quiet", at: sh(2026, 3, 18, 20, 59, 59)},
		{name: "quiet after midnight", at: sh(2026, 3, 19, 8, 59, 59), want: siyu.SkipQuietHours, retry: sh(2026, 3, 19, 9, 0, 0)},
		{name: "quiet hours end at 09:00", at: sh(2026, 3, 19, 9, 0, 0)},
		{name: "custom quiet hours", at: sh(2026, 3, 18, 22, 30, 0), settings: func(s *policy.Settings) { s.QuietStart, s.QuietEnd = "23:00", "08:00" }},
		{name: "group message needs no contact", prepare: func(t *testing.T, s setup) siyu.Delivery {
			return siyu.Delivery{Key: "k", Channel: siyu.ReachGroup, ChatID: "wr1", AccountID: s.mine, Sender: "alice"}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			f.settings(t, c.settings)
			s := setup{f: f, me: f.person(t, "alice", false), mine: f.accounts["alice"]}
			d := single("k", s.me)
			if c.prepare != nil {
				d = c.prepare(t, s)
			}
			when := at
			if !c.at.IsZero() {
				when = c.at
			}
			plan, err := f.p.Plan(ctx, f.ws, []siyu.Delivery{d}, when)
			if err != nil {
				t.Fatal(err)
			}
			if got := plan[0]; got.Reason != c.want || !got.RetryAt.Equal(c.retry) {
				t.Fatalf("Plan: %q retry %s; want %q retry %s", got.Reason, got.RetryAt, c.want, c.retry)
			}
			admitted, skipped, err := f.p.Admit(ctx, f.ws, []siyu.Delivery{d}, when)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if len(admitted) != 1 || len(skipped) != 0 {
					t.Fatalf("Admit: admitted %v skipped %v; want admitted", admitted, skipped)
				}
				if d.Channel == siyu.ReachSingle && (admitted[0].Sender != "alice" || admitted[0].ExternalUserID == "" || admitted[0].AccountID != s.mine) {
					t.Fatalf("Admit did not fill in the contact: %+v", admitted[0])
				}
				return
			}
			if len(admitted) != 0 || len(skipped) != 1 || skipped[0].Reason != c.want || skipped[0].Key != d.Key || !skipped[0].RetryAt.Equal(c.retry) {
				t.Fatalf("Admit: admitted %v skipped %v; want %s", admitted, skipped, c.want)
			}
		})
	}
}

func TestAdmitRecordsOnceAndRetriesAreFree(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.settings(t, func(s *policy.Settings) { s.FrequencyCap = 1; s.QuietStart, s.QuietEnd = "00:00", "00:00" })
	me := f.person(t, "alice", false)
	at := sh(2026, 3, 18, 10, 0, 0)
	for i := 0; i < 2; i++ { // the second is a retry of the same key
		admitted, skipped, err := f.p.Admit(ctx, f.ws, []siyu.Delivery{single("campaign:1:customer:1", me)}, at.Add(time.Duration(i)*time.Minute))
		if err != nil || len(admitted) != 1 || len(skipped) != 0 {
			t.Fatalf("admit #%d: %v %v %v", i+1, admitted, skipped, err)
		}
	}
	// One row was recorded: the person is at the cap of 1, not over it.
	_, skipped, err := f.p.Admit(ctx, f.ws, []siyu.Delivery{single("campaign:2:customer:1", me)}, at.Add(time.Hour))
	if err != nil || len(skipped) != 1 || skipped[0].Reason != siyu.SkipFrequencyCap {
		t.Fatalf("another campaign: %v %v", skipped, err)
	}
	var n int
	if err := f.raw.QueryRow(`SELECT COUNT(*) FROM reach_log`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("reach_log has %d rows (%v), want 1", n, err)
	}
	// A retry after the person opted out is refused.
	f.optOut(t, me)
	_, skipped, err = f.p.Admit(ctx, f.ws, []siyu.Delivery{single("campaign:1:customer:1", me)}, at.Add(2*time.Hour))
	if err != nil || len(skipped) != 1 || skipped[0].Reason != siyu.SkipOptedOut {
		t.Fatalf("retry after opt-out: %v %v", skipped, err)
	}
}

func TestAdmitCountsWithinOneBatch(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.settings(t, func(s *policy.Settings) { s.FrequencyCap = 1; s.AccountDailyQuota = 2 })
	me, a, b := f.person(t, "alice", false), f.person(t, "alice", false), f.person(t, "alice", false)
	at := sh(2026, 3, 18, 10, 0, 0)
	ds := []siyu.Delivery{single("x:1", me), single("x:2", me), single("x:3", a), single("x:4", b), single("x:1", me)}
	admitted, skipped, err := f.p.Admit(ctx, f.ws, ds, at)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range admitted {
		keys = append(keys, d.Key)
	}
	reasons := map[string]siyu.SkipReason{}
	for _, s := range skipped {
		reasons[s.Key] = s.Reason
	}
	// x:1 takes the person's cap and a unit of alice's quota, x:3 the
	// second unit; x:1 repeated is a retry.
	if strings.Join(keys, ",") != "x:1,x:3,x:1" || reasons["x:2"] != siyu.SkipFrequencyCap || reasons["x:4"] != siyu.SkipAccountQuota {
		t.Fatalf("admitted %v, skipped %v", keys, reasons)
	}
}

func TestPlannerCarriesQuotaAcrossBatchesAndRecordsNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.settings(t, func(s *policy.Settings) { s.AccountDailyQuota = 3 })
	var people []int64
	for i := 0; i < 5; i++ {
		people = append(people, f.person(t, "alice", false))
	}
	at := sh(2026, 3, 18, 10, 0, 0)
	pl, err := f.p.NewPlan(ctx, f.ws, at)
	if err != nil {
		t.Fatal(err)
	}
	// A holdout member is checked without taking quota.
	held, err := pl.Check(ctx, []siyu.Delivery{single("h", people[0])})
	if err != nil || !held[0].Admitted() {
		t.Fatalf("check: %+v %v", held, err)
	}
	got := map[siyu.SkipReason]int{}
	for _, batch := range [][]int64{people[:2], people[2:]} {
		var ds []siyu.Delivery
		for _, id := range batch {
			ds = append(ds, single(fmt.Sprint("p:", id), id))
		}
		out, err := pl.Decide(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range out {
			got[d.Reason]++
		}
	}
	if got[""] != 3 || got[siyu.SkipAccountQuota] != 2 {
		t.Fatalf("plan: %v", got)
	}
	// Nothing was recorded: everyone can still be admitted, up to the quota.
	admitted, _, err := f.p.Admit(ctx, f.ws, []siyu.Delivery{single("a:1", people[3]), single("a:2", people[4])}, at)
	if err != nil || len(admitted) != 2 {
		t.Fatalf("admit after plan: %v %v", admitted, err)
	}
}

func TestAdmitRejectsBadDeliveries(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		d     siyu.Delivery
		field string
	}{
		{siyu.Delivery{Channel: siyu.ReachSingle, CustomerID: 1}, "key"},
		{siyu.Delivery{Key: "k", Channel: "fax", CustomerID: 1}, "channel"},
		{siyu.Delivery{Key: "k", Channel: siyu.ReachSingle}, "customer_id"},
	} {
		_, _, err := f.p.Admit(context.Background(), f.ws, []siyu.Delivery{c.d}, time.Now())
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: got %v, want an error naming %s", c.d, err, c.field)
		}
	}
}

// TestConcurrentAdmitsHoldCaps runs many admissions at once, through one
// store handle and through two handles on one database (two nodes): the
// caps must hold exactly.
func TestConcurrentAdmitsHoldCaps(t *testing.T) {
	for _, handles := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d handles", handles), func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			f.settings(t, func(s *policy.Settings) { s.FrequencyCap = 2; s.AccountDailyQuota = 5 })
			policies := []*policy.Policy{f.p}
			if handles == 2 {
				other, err := store.Open(ctx, f.dsn, store.Options{SecretKey: storetest.TestKey()})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { other.Close() })
				policies = append(policies, policy.New(other))
			}
			me := f.person(t, "alice", false)
			var others []int64
			for i := 0; i < 12; i++ {
				others = append(others, f.person(t, "bob", false))
			}
			at := sh(2026, 3, 18, 10, 0, 0)
			var mu sync.Mutex
			admittedMe, admittedBob := 0, 0
			var wg sync.WaitGroup
			errs := make(chan error, 40)
			for i := 0; i < 12; i++ {
				wg.Add(2)
				p := policies[i%len(policies)]
				go func() { // 12 campaigns try to reach the same person
					defer wg.Done()
					a, _, err := p.Admit(ctx, f.ws, []siyu.Delivery{single(fmt.Sprintf("c:%d:me", i), me)}, at)
					if err != nil {
						errs <- err
					}
					mu.Lock()
					admittedMe += len(a)
					mu.Unlock()
				}()
				go func() { // 12 people on bob's account, quota 5
					defer wg.Done()
					a, _, err := p.Admit(ctx, f.ws, []siyu.Delivery{single(fmt.Sprintf("c:%d:bob", i), others[i])}, at)
					if err != nil {
						errs <- err
					}
					mu.Lock()
					admittedBob += len(a)
					mu.Unlock()
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if admittedMe != 2 || admittedBob != 5 {
				t.Fatalf("admitted %d to one person (cap 2) and %d on one account (quota 5)", admittedMe, admittedBob)
			}
		})
	}
}

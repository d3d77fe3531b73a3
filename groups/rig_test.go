package groups_test

import (
	"context"
	"siyu.dev/siyu/wecomsync/wecomtest"
	"strconv"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/groups"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecomsync"
)

var ctx = context.Background()

// rig is Siyu and the WeCom emulator over loopback: API calls one way,
// signed and encrypted callbacks the other, dispatch with the real reach
// policy in between.
type rig struct {
	st    *store.Store
	ws    int64
	emu   *emulator.Emulator
	wx    *wecomsync.Service
	svc   *groups.Service
	disp  *dispatch.Dispatcher
	owner siyu.Account
	users []emulator.User
}

func newRig(t *testing.T, users int, pol func(*emulator.Policy)) *rig {
	t.Helper()
	p := emulator.DefaultPolicy()
	p.MassConfirmDelay = 150 * time.Millisecond
	if pol != nil {
		pol(&p)
	}
	pop := emulator.Quiet(users)
	wr := wecomtest.New(t, wecomtest.Options{RunEvery: 20 * time.Millisecond, // members confirm mass messages on the wall clock
		Emulator: emulator.Config{Seed: 3, Population: &pop, Policy: &p}})
	st, ws, wx, emu := wr.Store, wr.WS, wr.Sync, wr.Emu
	owner, err := st.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: "founder", Name: "林知夏", Persona: "创始人", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	gate := policy.New(st)
	set := policy.DefaultSettings()
	set.QuietStart, set.QuietEnd = "00:00", "00:00" // the test runs at any hour
	if err := gate.SetSettings(ctx, ws, set); err != nil {
		t.Fatal(err)
	}
	disp := dispatch.New(st, wx, dispatch.Options{Gate: gate, Idle: 10 * time.Millisecond, PollEvery: 50 * time.Millisecond,
		DistributingWait: 50 * time.Millisecond, Lease: 5 * time.Second})
	svc := groups.New(st, wx, disp)
	return &rig{st: st, ws: ws, emu: emu, wx: wx, svc: svc, disp: disp, owner: owner, users: emu.Users()}
}

// flush waits until the emulator's callbacks were handled.
func (r *rig) flush(t *testing.T) {
	t.Helper()
	if err := r.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) drain(t *testing.T) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := r.disp.RunUntilIdle(c); err != nil {
		t.Fatal(err)
	}
	if c.Err() != nil {
		t.Fatal("dispatch did not drain in 30 s")
	}
}

func (r *rig) sync(t *testing.T, activityID int64) groups.SyncResult {
	t.Helper()
	res, err := r.svc.Sync(ctx, r.ws, activityID)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (r *rig) join(t *testing.T, code string, user int) string {
	t.Helper()
	chat, err := r.emu.JoinGroup(code, user)
	if err != nil {
		t.Fatalf("user %d joins %s: %v", user, code, err)
	}
	return chat
}

// customer is the store's customer behind a population user.
func (r *rig) customer(t *testing.T, user int) int64 {
	t.Helper()
	var id int64
	q := `SELECT customer_id FROM identities WHERE workspace_id = ` + strconv.FormatInt(r.ws, 10) + ` AND kind = '` +
		string(siyu.KindExternalUser) + `' AND value = '` + r.users[user].ExternalUserID + `'`
	if err := r.st.DB().QueryRow(q).Scan(&id); err != nil {
		t.Fatalf("customer of user %d: %v", user, err)
	}
	return id
}

// nextSecond waits for the next whole second: WeCom's times have seconds,
// so that what happens after it is stamped later than anything before.
func nextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 5*time.Millisecond)))
}

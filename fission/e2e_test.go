package fission_test

import (
	"context"
	"siyu.dev/siyu/wecomsync/wecomtest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/fission"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecomsync"
)

var ctx = context.Background()

// rig is Siyu and the WeCom emulator over real HTTP on loopback: Siyu calls
// the emulator's API, the emulator posts signed, encrypted callbacks to
// Siyu's receiver, which records contacts and, through them, invites.
type rig struct {
	t   *testing.T
	st  *store.Store
	ws  int64
	svc *wecomsync.Service
	emu *emulator.Emulator
}

func newRig(t *testing.T, start time.Time) *rig {
	t.Helper()
	pop := emulator.Quiet(30)
	r := wecomtest.New(t, wecomtest.Options{Slug: "school", Name: "学而思维", FullSync: true,
		Emulator: emulator.Config{Seed: 11, Population: &pop, Now: func() time.Time { return start }}})
	return &rig{t: t, st: r.Store, ws: r.WS, svc: r.Sync, emu: r.Emu}
}

// flush waits for the callbacks and fails on any that Siyu refused.
func (r *rig) flush() {
	r.t.Helper()
	(&wecomtest.Rig{T: r.t, Emu: r.emu}).Flush()
}

// scan has population user i scan a code (by state), a few minutes after
// the previous scan.
func (r *rig) scan(state string, user int) {
	r.t.Helper()
	r.emu.Advance(7 * time.Minute)
	if _, err := r.emu.Scan(state, user); err != nil {
		r.t.Fatalf("user %d scans %s: %v", user, state, err)
	}
	r.flush()
}

// customerOf is the customer the store made of population user i.
func (r *rig) customerOf(user int) int64 {
	r.t.Helper()
	page, err := r.st.SearchCustomers(ctx, r.ws, siyu.CustomerQuery{Query: r.emu.Users()[user].ExternalUserID})
	if err != nil || len(page.Customers) != 1 {
		r.t.Fatalf("customer of user %d: %+v %v", user, page, err)
	}
	return page.Customers[0].ID
}

func (r *rig) join(activityID int64, user int) fission.Participant {
	r.t.Helper()
	p, err := fission.Join(ctx, r.st, r.svc, r.ws, activityID, r.customerOf(user), r.emu.Now())
	if err != nil {
		r.t.Fatalf("user %d joins: %v", user, err)
	}
	return p
}

func statuses(s fission.Snapshot) map[int64][]string {
	out := map[int64][]string{}
	for _, inv := range s.Invites {
		out[inv.InviterID] = append(out[inv.InviterID], inv.CustomerName+":"+inv.Status)
	}
	return out
}

// The acceptance test of fission: a parent shares her poster, other
// parents scan it and add the school's account, the emulator pushes the
// adds, and the tree, the rewards and the claw-back come out of the
// callbacks alone.
func TestActivityThroughTheEmulator(t *testing.T) {
	start := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	r := newRig(t, start)

	// The seed parent (user 0) is a contact already, through an ordinary code.
	entry, err := r.svc.CreateChannelCode(ctx, r.ws, siyu.ChannelCode{Name: "公众号", State: "mp", Accounts: []string{"founder"}})
	if err != nil {
		t.Fatal(err)
	}
	r.scan(entry.State, 0)

	a, err := r.st.CreateFissionActivity(ctx, r.ws, fission.Activity{
		Name: "期中试卷免费领", Goal: 2, Reward: "期中试卷全套（纸质版包邮）", Physical: true,
		Accounts: []string{"sales_01", "service_01"}, Welcome: "欢迎！试卷领取规则见海报",
		StartAt: start.Add(-time.Hour), EndAt: start.Add(7 * 24 * time.Hour), ClawbackHours: 72,
	})
	if err != nil {
		t.Fatal(err)
	}
	mom := r.join(a.ID, 0)
	if mom.QRCode == "" || mom.ChannelCodeID == 0 || !strings.HasPrefix(mom.Code, "fx"+strconv.FormatInt(a.ID, 10)+"-") {
		t.Fatalf("participant: %+v", mom)
	}
	if again := r.join(a.ID, 0); again.ID != mom.ID || again.Code != mom.Code {
		t.Fatalf("joining twice made a second participant: %+v", again)
	}

	// Users 1 and 2 scan her poster: the goal is met, the reward issued and
	// an operator task opened to post the papers.
	r.scan(mom.Code, 1)
	r.scan(mom.Code, 2)
	snap, err := r.st.FissionSnapshot(ctx, r.ws, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Rewards) != 1 || snap.Rewards[0].Status != fission.RewardIssued || snap.Rewards[0].TaskID == 0 {
		t.Fatalf("after two invites: rewards %+v, invites %v", snap.Rewards, statuses(snap))
	}
	task, err := r.st.Task(ctx, r.ws, snap.Rewards[0].TaskID)
	if err != nil || task.Kind != store.TaskFissionReward || task.CustomerID != mom.CustomerID || task.Status != "open" {
		t.Fatalf("reward task: %+v %v", task, err)
	}

	// She scans her own poster with her own WeChat: flagged, not counted.
	r.scan(mom.Code, 0)
	// User 2 deletes the account at once: a quick leaver, the reward goes
	// back and the task is cancelled.
	r.emu.Advance(5 * time.Minute)
	if err := r.emu.DeleteContact(followOf(t, r, 2), r.emu.Users()[2].ExternalUserID, siyu.DeletedByCustomer); err != nil {
		t.Fatal(err)
	}
	r.flush()
	snap, err = r.st.FissionSnapshot(ctx, r.ws, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := statuses(snap)[mom.ID]
	slices.Sort(got)
	if len(snap.Invites) != 3 || snap.Rewards[0].Status != fission.RewardClawedBack {
		t.Fatalf("after the quick leaver: invites %v rewards %+v", got, snap.Rewards)
	}
	byName := map[int64]fission.Invite{}
	for _, inv := range snap.Invites {
		byName[inv.CustomerID] = inv
	}
	if inv := byName[r.customerOf(2)]; inv.Status != fission.StatusFlagged || !slices.Contains(inv.Reasons, fission.ReasonQuickLeave) {
		t.Fatalf("quick leaver: %+v", inv)
	}
	if inv := byName[mom.CustomerID]; inv.Status != fission.StatusFlagged || !slices.Contains(inv.Reasons, fission.ReasonSelfInvite) {
		t.Fatalf("self invite: %+v", inv)
	}
	if task, _ := r.st.Task(ctx, r.ws, task.ID); task.Status != "cancelled" {
		t.Fatalf("the reward's task should be cancelled: %+v", task)
	}

	// User 1 joins too (generation 1) and brings user 4; user 3 scans mom's
	// poster, so mom earns the reward again with a new task.
	dad := r.join(a.ID, 1)
	r.scan(dad.Code, 4)
	r.scan(mom.Code, 3)
	snap, err = r.st.FissionSnapshot(ctx, r.ws, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rw := snap.Rewards[0]; rw.Status != fission.RewardIssued || rw.Times != 2 || rw.TaskID == 0 || rw.TaskID == task.ID {
		t.Fatalf("reward earned again: %+v", rw)
	}

	o := fission.Evaluate(snap)
	m := fission.Measure(snap, o)
	if m.Participants != 2 || m.Invites != 5 || m.Counted != 3 || m.Flagged != 2 || m.FlaggedParticipants != 1 {
		t.Fatalf("metrics: %+v", m)
	}
	if len(m.Generations) != 2 || m.Generations[0].Joined != 1 || m.Generations[1].Counted != 1 {
		t.Fatalf("generations: %+v", m.Generations)
	}
	if m.KFactor != 1.5 || m.ReferralRate != 1 {
		t.Fatalf("K %v referral %v", m.KFactor, m.ReferralRate)
	}
	tree := fission.Tree(snap, o, 0)
	if len(tree.Children) != 1 || tree.Children[0].ID != mom.ID {
		t.Fatalf("tree roots: %+v", tree.Children)
	}
	var dadNode *fission.Node
	for _, c := range tree.Children[0].Children {
		if c.Kind == "participant" && c.ID == dad.ID {
			dadNode = c
		}
	}
	if dadNode == nil || len(dadNode.Children) != 1 || dadNode.Children[0].Customer != r.customerOf(4) {
		t.Fatalf("dad under mom with user 4 under him: %+v", tree.Children[0].Children)
	}
}

// One phone behind two WeChat accounts: once an order ties both accounts to
// one phone number, identity resolution makes them one customer and the
// second invite stops counting.
func TestSharedPhoneIsFlagged(t *testing.T) {
	start := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
	r := newRig(t, start)
	entry, err := r.svc.CreateChannelCode(ctx, r.ws, siyu.ChannelCode{Name: "门店", State: "store", Accounts: []string{"founder"}})
	if err != nil {
		t.Fatal(err)
	}
	r.scan(entry.State, 0)
	a, err := r.st.CreateFissionActivity(ctx, r.ws, fission.Activity{Name: "拼团", Goal: 2, Reward: "课程券", Accounts: []string{"sales_01"},
		StartAt: start.Add(-time.Hour), EndAt: start.Add(48 * time.Hour), ClawbackHours: 24})
	if err != nil {
		t.Fatal(err)
	}
	p := r.join(a.ID, 0)
	r.scan(p.Code, 5)
	r.scan(p.Code, 6)
	snap, err := r.st.FissionSnapshot(ctx, r.ws, a.ID)
	if err != nil || len(snap.Rewards) != 1 {
		t.Fatalf("two distinct people earn the reward: %+v %v", snap.Rewards, err)
	}
	paid := start
	for i, user := range []int{5, 6} {
		_, err := r.st.ImportOrders(ctx, r.ws, []siyu.OrderInput{{
			Channel: siyu.ChannelWeChat, ExternalID: "wx-" + strconv.Itoa(i), Status: siyu.StatusPaid, PlacedAt: paid, PaidAt: &paid, Amount: 100,
			Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: r.emu.Users()[user].ExternalUserID}, {Kind: siyu.KindPhone, Value: "13800138000"}},
		}}, "test")
		if err != nil {
			t.Fatal(err)
		}
	}
	snap, _, err = r.st.EvaluateFission(ctx, r.ws, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var flagged []string
	for _, inv := range snap.Invites {
		flagged = append(flagged, inv.Status+":"+strings.Join(inv.Reasons, ","))
	}
	slices.Sort(flagged)
	if !slices.Equal(flagged, []string{"counted:", "flagged:shared_identity"}) || snap.Rewards[0].Status != fission.RewardClawedBack {
		t.Fatalf("invites %v rewards %+v", flagged, snap.Rewards)
	}
	if len(snap.Participants[0].Flags) != 1 || snap.Participants[0].Flags[0].Reason != fission.ReasonSharedIdentity {
		t.Fatalf("participant flags %+v", snap.Participants[0].Flags)
	}
}

// followOf is the member a population user added through an activity code.
func followOf(t *testing.T, r *rig, user int) string {
	t.Helper()
	page, err := r.st.ListContacts(ctx, r.ws, store.ContactQuery{})
	if err != nil {
		t.Fatal(err)
	}
	ext := r.emu.Users()[user].ExternalUserID
	for _, c := range page.Contacts {
		if c.ExternalUserID == ext && strings.HasPrefix(c.State, "fx") {
			accounts, _ := r.st.Accounts(ctx, r.ws)
			for _, a := range accounts {
				if a.ID == c.AccountID {
					return a.WeComUserID
				}
			}
		}
	}
	t.Fatalf("user %d added no activity code", user)
	return ""
}

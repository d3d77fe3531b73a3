package groups_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/groups"
	"siyu.dev/siyu/store"
)

// The whole life of an activity against the emulator: the owner's first
// group is adopted and gets a join QR; group 1 fills to the cap and the next
// joiner lands in group 2, which WeCom created and Siyu adopts; a scheduled
// message reaches each group once; the guide report counts exactly the
// members who added the owner after it; the groups are dismissed by the
// owner (tasks); a rebuilt activity invites the past members 1:1.
func TestActivityLifecycle(t *testing.T) {
	const cap = 5 // owner included: 4 customers fill a group
	r := newRig(t, 12, func(p *emulator.Policy) { p.JoinWayRoomThreshold = cap })

	tmpl, err := r.svc.CreateTemplate(ctx, r.ws, store.GroupTemplate{Name: "考前冲刺", NamePattern: "考前冲刺群{{n}}", Notice: "每晚八点答疑",
		Welcome: "欢迎加入考前冲刺群", Admins: []string{"sales_01"}, MemberCap: cap, OwnerAccountID: r.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.svc.CreateActivity(ctx, r.ws, groups.ActivityDraft{Name: "期末冲刺 6 月", TemplateID: tmpl.ID})
	if err != nil {
		t.Fatal(err)
	}
	task, err := r.st.TaskByRef(ctx, r.ws, "groups:"+itoa(a.ID)+":create:main:1")
	if err != nil || task.AccountID != r.owner.ID || task.Kind != groups.TaskCreateGroup {
		t.Fatalf("the owner was not asked to create group 1: %+v %v", task, err)
	}
	if res := r.sync(t, a.ID); res.JoinWayCreated || len(res.Adopted) > 0 {
		t.Fatalf("sync before any group exists: %+v", res)
	}

	// The owner creates the group in the client; the callback stores it.
	g1, err := r.emu.CreateGroup("founder", "考前冲刺群1", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.flush(t)
	res := r.sync(t, a.ID)
	if !res.JoinWayCreated || !slices.Equal(res.Adopted, []string{g1}) {
		t.Fatalf("sync after the first group: %+v", res)
	}
	a, _ = r.st.GroupActivity(ctx, r.ws, a.ID)
	if a.Status != store.GroupActivityOpen || a.JoinConfigID == "" || a.JoinQR == "" {
		t.Fatalf("activity after sync: %+v", a)
	}

	// Rollover: four customers fill group 1, the fifth lands in a new group.
	for u := range 4 {
		if chat := r.join(t, a.JoinConfigID, u); chat != g1 {
			t.Fatalf("user %d landed in %s, want group 1 %s", u, chat, g1)
		}
	}
	g2 := r.join(t, a.JoinConfigID, 4)
	if g2 == g1 {
		t.Fatal("the fifth joiner landed in the full group 1")
	}
	r.join(t, a.JoinConfigID, 5)
	r.flush(t)
	res = r.sync(t, a.ID)
	if !slices.Contains(res.Adopted, g2) || !res.JoinWayUpdated {
		t.Fatalf("sync after rollover: %+v", res)
	}
	gs, err := r.st.ActivityGroups(ctx, r.ws, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || gs[0].ChatID != g1 || gs[1].ChatID != g2 || gs[1].Seq != 2 || groups.Fill(gs[0]) != cap || gs[1].Members != 2 {
		t.Fatalf("groups after rollover: %+v", gs)
	}
	client, _, _ := r.wx.Client(ctx, r.ws)
	jw, err := client.GetJoinWay(ctx, a.JoinConfigID)
	if err != nil || !slices.Equal(jw.ChatIDList, []string{g2}) {
		t.Fatalf("the full group is still behind the QR code: %+v %v", jw, err)
	}
	if again := r.sync(t, a.ID); len(again.Adopted) > 0 || again.JoinWayUpdated {
		t.Fatalf("a second sync changed something: %+v", again)
	}

	// A scheduled message goes out once per group, however often Tick runs.
	if _, err := r.svc.Schedule(ctx, r.ws, a.ID, siyu.Message{Text: "今晚八点直播串讲重点"}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{2, 0} {
		n, err := r.svc.Tick(ctx, r.ws)
		if err != nil || n != want {
			t.Fatalf("tick %d: %d deliveries, %v; want %d", i+1, n, err, want)
		}
	}
	r.drain(t)
	if got := r.emu.MassReceived(); got[g1] != 1 || got[g2] != 1 {
		t.Fatalf("group messages received: group 1 %d, group 2 %d; want 1 each", got[g1], got[g2])
	}

	// Before the guide: user 0 is a contact of the owner already; user 3 leaves.
	if _, err := r.emu.AddDirectly("founder", 0); err != nil {
		t.Fatal(err)
	}
	if err := r.emu.LeaveGroup(g1, 3); err != nil {
		t.Fatal(err)
	}
	r.flush(t)
	nextSecond()
	a, err = r.svc.End(ctx, r.ws, a.ID, siyu.Message{Text: "活动结束啦，加老师微信领取真题解析"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.End(ctx, r.ws, a.ID, siyu.Message{Text: "again"}, time.Time{}); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("ending twice: %v", err)
	}
	if n, err := r.svc.Tick(ctx, r.ws); err != nil || n != 2 {
		t.Fatalf("guide tick: %d, %v", n, err)
	}
	r.drain(t)
	if got := r.emu.MassReceived(); got[g1] != 2 || got[g2] != 2 {
		t.Fatalf("after the guide: group 1 %d, group 2 %d messages; want 2 each", got[g1], got[g2])
	}
	// After the guide: users 1 and 4 add the owner, user 2 adds someone else,
	// user 3 (gone) adds the owner too but was no member when it was sent.
	nextSecond()
	for _, add := range []struct {
		member string
		user   int
	}{{"founder", 1}, {"founder", 4}, {"sales_01", 2}, {"founder", 3}} {
		if _, err := r.emu.AddDirectly(add.member, add.user); err != nil {
			t.Fatal(err)
		}
	}
	r.flush(t)
	rep, err := r.svc.Report(ctx, r.ws, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantAdded := []int64{r.customer(t, 1), r.customer(t, 4)}
	slices.Sort(wantAdded)
	// Members at the guide: users 0, 1, 2 (group 1) and 4, 5 (group 2).
	if rep.Members != 5 || rep.Already != 1 || rep.Added != 2 || rep.NotAdded != 2 || !slices.Equal(rep.AddedIDs, wantAdded) {
		t.Fatalf("report = %+v, want 5 members, 1 already, added %v", rep, wantAdded)
	}

	// Dissolve: WeCom has no API for it, so the owner gets a task per group.
	tasks, err := r.svc.Dissolve(ctx, r.ws, a.ID)
	if err != nil || len(tasks) != 2 || tasks[0].Kind != groups.TaskDismissGroup {
		t.Fatalf("dissolve tasks: %+v %v", tasks, err)
	}
	for _, chat := range []string{g1, g2} {
		if err := r.emu.DismissGroup(chat); err != nil {
			t.Fatal(err)
		}
	}
	r.flush(t)
	if res := r.sync(t, a.ID); !res.Dissolved {
		t.Fatalf("sync after the dismissals: %+v", res)
	}

	// Rebuild: a new activity; its first group; invitations to the past
	// members who can be messaged (contacts of the owner: users 0, 1, 3, 4).
	b, err := r.svc.Rebuild(ctx, r.ws, a.ID, "期末冲刺 7 月")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Invite(ctx, r.ws, b.ID, "新一期冲刺群开营啦", time.Time{}); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("invite before the new group exists: %v", err)
	}
	nb, err := r.emu.CreateGroup("founder", "考前冲刺群1", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.flush(t)
	if res := r.sync(t, b.ID); !res.JoinWayCreated || !slices.Equal(res.Adopted, []string{nb}) {
		t.Fatalf("sync of the rebuilt activity: %+v", res)
	}
	for i, want := range []int{4, 0} {
		inv, err := r.svc.Invite(ctx, r.ws, b.ID, "新一期冲刺群开营啦，扫码入群", time.Time{})
		if err != nil || inv.PastMembers != 6 || inv.NotContact != 2 || inv.Enqueued != want {
			t.Fatalf("invite %d: %+v %v", i+1, inv, err)
		}
	}
	r.drain(t)
	got := r.emu.MassReceived()
	for u, want := range []int{1, 1, 0, 1, 1, 0} {
		if got[r.users[u].ExternalUserID] != want {
			t.Fatalf("user %d received %d invitations, want %d", u, got[r.users[u].ExternalUserID], want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

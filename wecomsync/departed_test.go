package wecomsync_test

import (
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
)

// A member who leaves the company drops out of WeCom's follow-user list:
// the next sync deactivates the account and its open tasks move to another
// operator of the same persona; a member who comes back is active again.
func TestSyncDeactivatesDepartedMembers(t *testing.T) {
	pop := emulator.Quiet(50)
	r := newRig(t, &pop)
	if _, err := r.svc.FullSync(ctx, r.ws, nil); err != nil {
		t.Fatal(err)
	}
	accounts := accountsByUserID(t, r)
	leaver, stayer := accounts["store_hz01"], accounts["founder"]
	if leaver.ID == 0 || !leaver.Active || stayer.ID == 0 {
		t.Fatalf("accounts after the first sync: %+v", accounts)
	}
	u1, err := r.st.CreateUser(ctx, "op1", "导购一", "x")
	if err != nil {
		t.Fatal(err)
	}
	u2, err := r.st.CreateUser(ctx, "op2", "导购二", "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{u1.ID, u2.ID} {
		if err := r.st.SetMembership(ctx, r.ws, u, siyu.RoleOperator); err != nil {
			t.Fatal(err)
		}
	}
	task, err := r.st.CreateTask(ctx, r.ws, siyu.Task{Kind: siyu.TaskFollowUp, Title: "回访", AccountID: leaver.ID, AssigneeID: u1.ID, Ref: "t1", DueAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	if err := r.emu.ResignMember("store_hz01"); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.FullSync(ctx, r.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Departed != 1 {
		t.Fatalf("departed %d, want 1", res.Departed)
	}
	accounts = accountsByUserID(t, r)
	if accounts["store_hz01"].Active || !accounts["founder"].Active {
		t.Fatalf("after the leave: %+v", accounts)
	}
	got, err := r.st.Task(ctx, r.ws, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "open" || got.AccountID == leaver.ID {
		t.Fatalf("the leaver's task stayed put: %+v", got)
	}
	// A second sync has nobody new to deactivate.
	if res, err := r.svc.FullSync(ctx, r.ws, nil); err != nil || res.Departed != 0 {
		t.Fatalf("second sync: %+v %v", res, err)
	}
}

func accountsByUserID(t *testing.T, r *rig) map[string]siyu.Account {
	t.Helper()
	list, err := r.st.Accounts(ctx, r.ws)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]siyu.Account{}
	for _, a := range list {
		out[a.WeComUserID] = a
	}
	return out
}

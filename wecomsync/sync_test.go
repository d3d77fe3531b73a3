package wecomsync_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
)

// liveInEmulator lists member/external_userid pairs WeCom has.
func liveInEmulator(emu *emulator.Emulator) map[[2]string]bool {
	out := map[[2]string]bool{}
	for _, m := range emu.Snapshot().Members {
		for _, c := range m.Contacts {
			out[[2]string{m.UserID, c.ExternalUserID}] = true
		}
	}
	return out
}

func groupsInEmulator(emu *emulator.Emulator) map[string]int {
	out := map[string]int{}
	for _, g := range emu.Snapshot().Groups {
		if g.Dismissed {
			continue
		}
		n := 0
		for _, m := range g.Members {
			if m.Type == 2 {
				n++
			}
		}
		out[g.ChatID] = n
	}
	return out
}

func groupsInStore(t *testing.T, r *rig) map[string]int {
	t.Helper()
	rows, err := r.st.DB().Query(fmt.Sprintf(`SELECT g.chat_id, COUNT(m.id) FROM chat_groups g LEFT JOIN group_members m ON m.group_id = g.id AND m.left_at IS NULL
		WHERE g.workspace_id = %d AND g.dismissed_at IS NULL GROUP BY g.chat_id`, r.ws))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		rows.Scan(&id, &n)
		out[id] = n
	}
	return out
}

func diff(a, b map[[2]string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, "only first: "+k[0]+"/"+k[1])
		}
	}
	for k := range b {
		if !a[k] {
			out = append(out, "only second: "+k[0]+"/"+k[1])
		}
	}
	sort.Strings(out)
	return out
}

// After a full sync, then a simulated week of scans, deletions and group
// changes delivered by callbacks, the store and WeCom agree; a deletion
// whose callback was lost is repaired by the next (reconciling) sync.
func TestSyncAndCallbacksKeepStoreConsistentWithWeCom(t *testing.T) {
	r := newRig(t, nil)
	res, err := r.svc.FullSync(ctx, r.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Contacts == 0 || res.Accounts == 0 {
		t.Fatalf("full sync found nothing: %+v", res)
	}
	check := func(when string) {
		t.Helper()
		live, err := r.st.LiveContacts(ctx, r.ws)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(liveInEmulator(r.emu), live); len(d) > 0 {
			t.Fatalf("%s: contacts differ (%d): %v", when, len(d), d[:min(len(d), 10)])
		}
		want, got := groupsInEmulator(r.emu), groupsInStore(t, r)
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Fatalf("%s: groups differ:\nwecom %v\nstore %v", when, want, got)
		}
	}
	check("after full sync")

	for _, c := range []siyu.ChannelCode{
		{Name: "抖音直播间", State: "douyin_live", Accounts: []string{"founder"}, Welcome: "欢迎来到木棉集"},
		{Name: "门店收银台", State: "store_hz", Accounts: []string{"store_hz01", "store_hz02"}},
	} {
		if _, err := r.svc.CreateChannelCode(ctx, r.ws, c); err != nil {
			t.Fatal(err)
		}
	}
	for range 7 * 24 {
		r.emu.Advance(time.Hour)
	}
	if err := r.emu.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range r.emu.Deliveries() {
		if !d.Delivered {
			t.Fatalf("undelivered callback: %+v", d)
		}
	}
	adds := 0
	for _, ev := range r.emu.Events() {
		if ev.ChangeType == "add_external_contact" && ev.State != "" {
			adds++
		}
	}
	if adds == 0 {
		t.Fatal("a simulated week brought no scans")
	}
	check("after a week of callbacks")

	// A deletion whose callback never arrives.
	if err := r.emu.SetCallback(ctx, nil); err != nil {
		t.Fatal(err)
	}
	snap := r.emu.Snapshot()
	var m emulator.MemberSnapshot
	for _, x := range snap.Members {
		if len(x.Contacts) > 0 {
			m = x
			break
		}
	}
	if err := r.emu.DeleteContact(m.UserID, m.Contacts[0].ExternalUserID, siyu.DeletedByCustomer); err != nil {
		t.Fatal(err)
	}
	live, _ := r.st.LiveContacts(ctx, r.ws)
	if len(diff(liveInEmulator(r.emu), live)) != 1 {
		t.Fatal("the lost callback should leave exactly one difference")
	}
	res, err = r.svc.FullSync(ctx, r.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ended != 1 {
		t.Fatalf("reconciliation ended %d contacts, want 1", res.Ended)
	}
	check("after reconciliation")
}

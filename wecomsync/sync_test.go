package wecomsync_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecomsync"
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
	// Tags changed in the console while callbacks are off: one added, one removed.
	snap = r.emu.Snapshot()
	var tagIDs []string
	for _, g := range snap.TagGroups {
		for _, tg := range g.Tags {
			tagIDs = append(tagIDs, tg.ID)
		}
	}
	if len(tagIDs) < 2 {
		t.Fatal("the emulator should start with corp tags")
	}
	var tagged, untagged emulator.ContactSnapshot
	var taggedBy, untaggedBy string
	for _, m := range snap.Members {
		for _, c := range m.Contacts {
			if len(c.Tags) > 0 && taggedBy == "" {
				tagged, taggedBy = c, m.UserID
			} else if len(c.Tags) == 0 && untaggedBy == "" {
				untagged, untaggedBy = c, m.UserID
			}
		}
	}
	if err := r.emu.EditContact(untaggedBy, untagged.ExternalUserID, nil, tagIDs[:2], nil); err != nil {
		t.Fatal(err)
	}
	if taggedBy != "" {
		if err := r.emu.EditContact(taggedBy, tagged.ExternalUserID, nil, nil, tagged.Tags[:1]); err != nil {
			t.Fatal(err)
		}
	}

	res, err = r.svc.FullSync(ctx, r.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ended != 1 {
		t.Fatalf("reconciliation ended %d contacts, want 1", res.Ended)
	}
	check("after reconciliation")
	checkTags(t, r)
}

// checkTags compares each customer's WeCom tags with the union of the corp
// tags its contacts carry in WeCom.
func checkTags(t *testing.T, r *rig) {
	t.Helper()
	snap := r.emu.Snapshot()
	names := map[string]string{}
	for _, g := range snap.TagGroups {
		for _, tg := range g.Tags {
			names[tg.ID] = tg.Name
		}
	}
	want := map[int64]map[string]bool{}
	for _, m := range snap.Members {
		for _, c := range m.Contacts {
			page, err := r.st.SearchCustomers(ctx, r.ws, siyu.CustomerQuery{Query: c.ExternalUserID})
			if err != nil || len(page.Customers) != 1 {
				t.Fatalf("contact %s: %d customers, %v", c.ExternalUserID, len(page.Customers), err)
			}
			id := page.Customers[0].ID
			if want[id] == nil {
				want[id] = map[string]bool{}
			}
			for _, tag := range c.Tags {
				want[id][names[tag]] = true
			}
		}
	}
	tagged := 0
	for id, tags := range want {
		rows, err := r.st.DB().Query(fmt.Sprintf(`SELECT t.name FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.customer_id = %d AND ct.source = 'wecom'`, id))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			got[n] = true
		}
		rows.Close()
		if fmt.Sprint(got) != fmt.Sprint(tags) {
			t.Fatalf("customer %d: WeCom tags %v, store %v", id, tags, got)
		}
		if len(tags) > 0 {
			tagged++
		}
	}
	if tagged == 0 {
		t.Fatal("no tagged contacts to compare")
	}
}

func TestOnlyOneFullSyncAtATime(t *testing.T) {
	r := newRig(t, nil)
	unlock, ok, err := r.st.TryLock(ctx, store.LockWeComSync, r.ws)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if _, err := r.svc.FullSync(ctx, r.ws, nil); !errors.Is(err, wecomsync.ErrSyncRunning) {
		t.Fatalf("sync while another runs: %v", err)
	}
	unlock()
	if _, err := r.svc.FullSync(ctx, r.ws, nil); err != nil {
		t.Fatal(err)
	}
}

// A full sync killed after its first batch of members resumes from the
// checkpoint and ends consistent with WeCom.
func TestInterruptedFullSyncResumes(t *testing.T) {
	pop := emulator.DefaultPopulation()
	for i := range 150 {
		pop.Members = append(pop.Members, emulator.Member{UserID: fmt.Sprintf("guide_%03d", i), Name: fmt.Sprintf("导购%d", i)})
	}
	pop.ExistingContacts = 0.6
	r := newRig(t, &pop)
	cctx, cancel := context.WithCancel(ctx)
	_, err := r.svc.FullSync(cctx, r.ws, func(p wecomsync.Progress) {
		if p.Phase == "contacts" && p.Done == 1 {
			cancel() // the node dies after the first batch
		}
	})
	if err == nil {
		t.Fatal("the interrupted sync reported success")
	}
	res, err := r.svc.FullSync(ctx, r.ws, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed {
		t.Fatal("the second sync started over instead of resuming")
	}
	live, _ := r.st.LiveContacts(ctx, r.ws)
	if d := diff(liveInEmulator(r.emu), live); len(d) > 0 {
		t.Fatalf("after resuming: %d differences, e.g. %v", len(d), d[:min(3, len(d))])
	}
	if res, _ := r.svc.FullSync(ctx, r.ws, nil); res.Resumed {
		t.Fatal("a finished sync left its checkpoint behind")
	}
}

package wecomsync_test

import (
	"slices"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/emulator"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// emulatorTags returns the corp tag ids WeCom has on one relation.
func emulatorTags(emu *emulator.Emulator, userID, externalUserID string) []string {
	for _, m := range emu.Snapshot().Members {
		if m.UserID != userID {
			continue
		}
		for _, c := range m.Contacts {
			if c.ExternalUserID == externalUserID {
				return c.Tags
			}
		}
	}
	return nil
}

func queuedTagJobs(t *testing.T, r *rig) int {
	t.Helper()
	counts, err := r.st.JobCounts(ctx, r.ws)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		if c.Kind == store.JobWeComMarkTag && (c.State == store.JobQueued || c.State == store.JobRunning) {
			n += c.N
		}
	}
	return n
}

// A tag put on a customer in Siyu reaches WeCom (created there first when
// it is Siyu's own), taking it off removes it there, and WeCom's callback
// echoing the change queues nothing more.
func TestTagsPushedToWeCom(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.svc.FullSync(ctx, r.ws, nil); err != nil {
		t.Fatal(err)
	}
	page, err := r.st.ListContacts(ctx, r.ws, store.ContactQuery{Deleted: new(bool), Limit: 1})
	if err != nil || len(page.Contacts) == 0 {
		t.Fatalf("no live contact: %v", err)
	}
	contact := page.Contacts[0]
	var account string
	accounts, _ := r.st.Accounts(ctx, r.ws)
	for _, a := range accounts {
		if a.ID == contact.AccountID {
			account = a.WeComUserID
		}
	}
	customer := contact.CustomerID

	if _, err := r.st.CreateTag(ctx, r.ws, siyu.Tag{Name: "护肤兴趣", GroupName: "兴趣"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.AddCustomerTag(ctx, r.ws, customer, "护肤兴趣", store.TagSourceManual); err != nil {
		t.Fatal(err)
	}
	// A Siyu-only tag (not mirrored) queues nothing.
	if _, err := r.st.AddCustomerTag(ctx, r.ws, customer, "内部备注", store.TagSourceManual); err != nil {
		t.Fatal(err)
	}
	if n := queuedTagJobs(t, r); n != 1 {
		t.Fatalf("queued pushes: %d, want 1", n)
	}
	pushed, err := r.svc.PushTags(ctx, "test")
	if err != nil || pushed != 1 {
		t.Fatalf("push: %d %v", pushed, err)
	}
	tag, err := r.st.TagByName(ctx, r.ws, "护肤兴趣")
	if err != nil || tag.WeComTagID == "" {
		t.Fatalf("the tag did not get its corp tag id: %+v %v", tag, err)
	}
	if !slices.Contains(emulatorTags(r.emu, account, contact.ExternalUserID), tag.WeComTagID) {
		t.Fatalf("WeCom's contact lacks the tag: %v", emulatorTags(r.emu, account, contact.ExternalUserID))
	}
	found := false
	for _, g := range r.emu.Snapshot().TagGroups {
		for _, tg := range g.Tags {
			found = found || (g.Name == "兴趣" && tg.Name == "护肤兴趣" && tg.ID == tag.WeComTagID)
		}
	}
	if !found {
		t.Fatal("the corp tag was not created in its group")
	}

	// WeCom's callback for the edit comes back: mirrored, nothing queued.
	echo := wecom.Event{Event: wecom.EventChangeExternalContact, ChangeType: wecom.ChangeEditExternalContact,
		UserID: account, ExternalUserID: contact.ExternalUserID, CreateTime: time.Now().Unix()}
	if err := r.svc.HandleEvent(ctx, r.ws, echo); err != nil {
		t.Fatal(err)
	}
	if n := queuedTagJobs(t, r); n != 0 {
		t.Fatalf("the echo queued %d pushes", n)
	}
	tags, _ := r.st.CustomerTags(ctx, r.ws, customer)
	if i := slices.IndexFunc(tags, func(ct store.CustomerTag) bool { return ct.Name == "护肤兴趣" }); i < 0 || tags[i].Source != store.TagSourceManual {
		t.Fatalf("after the echo: %+v", tags)
	}

	// Taken off in Siyu: taken off in WeCom.
	if _, err := r.st.RemoveCustomerTag(ctx, r.ws, customer, "护肤兴趣"); err != nil {
		t.Fatal(err)
	}
	if pushed, err := r.svc.PushTags(ctx, "test"); err != nil || pushed != 1 {
		t.Fatalf("push removal: %d %v", pushed, err)
	}
	if slices.Contains(emulatorTags(r.emu, account, contact.ExternalUserID), tag.WeComTagID) {
		t.Fatal("WeCom's contact still has the removed tag")
	}
	if pushed, _ := r.svc.PushTags(ctx, "test"); pushed != 0 {
		t.Fatalf("%d more pushes after the queue was drained", pushed)
	}
}

// A corp tag that came from WeCom, taken off a customer in Siyu, goes
// from every one of the customer's contacts; a keyword rule's tag is
// pushed like a manual one.
func TestWeComTagRemovedAndRuleTagPushed(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.svc.FullSync(ctx, r.ws, nil); err != nil {
		t.Fatal(err)
	}
	// A customer WeCom has a corp tag on.
	var account, ext, tagID string
	for _, m := range r.emu.Snapshot().Members {
		for _, c := range m.Contacts {
			if len(c.Tags) > 0 && tagID == "" {
				account, ext, tagID = m.UserID, c.ExternalUserID, c.Tags[0]
			}
		}
	}
	if tagID == "" {
		t.Skip("the emulator's population has no tagged contact")
	}
	var customer int64
	page, _ := r.st.ListContacts(ctx, r.ws, store.ContactQuery{Limit: 500})
	for _, c := range page.Contacts {
		if c.ExternalUserID == ext {
			customer = c.CustomerID
		}
	}
	tags, _ := r.st.CustomerTags(ctx, r.ws, customer)
	i := slices.IndexFunc(tags, func(ct store.CustomerTag) bool { return ct.WeComTagID == tagID })
	if i < 0 {
		t.Fatalf("the full sync did not mirror tag %s: %+v", tagID, tags)
	}
	if _, err := r.st.RemoveCustomerTag(ctx, r.ws, customer, tags[i].Name); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.PushTags(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(emulatorTags(r.emu, account, ext), tagID) {
		t.Fatal("WeCom still has the tag removed in Siyu")
	}

	// A keyword rule whose tag is a corp tag: the writer gets it in WeCom.
	rule, err := r.st.SaveTagRule(ctx, r.ws, store.TagRule{Name: "skincare", Tag: tags[i].Name, Keywords: []string{"面霜"}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.RecordEvents(ctx, r.ws, []siyu.EventInput{{Type: siyu.EventMessage, CustomerID: customer, OccurredAt: time.Now(), Props: map[string]any{"text": "面霜还有货吗"}}}); err != nil {
		t.Fatal(err)
	}
	if res, err := r.st.ProcessInbound(ctx, r.ws); err != nil || res.Tagged != 1 {
		t.Fatalf("process: %+v %v", res, err)
	}
	if _, err := r.svc.PushTags(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(emulatorTags(r.emu, account, ext), tagID) {
		t.Fatalf("rule %d's tag did not reach WeCom", rule.ID)
	}
}

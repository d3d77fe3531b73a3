package store_test

import (
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

func TestReachFacts(t *testing.T) {
	s := storetest.Open(t)
	ws := workspace(t, s, "reach")
	other := workspace(t, s, "other")
	for _, u := range []string{"alice", "bob"} {
		if _, err := s.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: u, Name: u, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	gone := base.Add(48 * time.Hour)
	ids, err := s.UpsertContacts(ctx, ws, []store.ContactInput{
		{AccountUserID: "alice", ExternalUserID: "wm1", Identifiers: []siyu.Identifier{phone("13800000001")}, AddedAt: base},
		{AccountUserID: "bob", ExternalUserID: "wm1", Identifiers: []siyu.Identifier{phone("13800000001")}, AddedAt: base.Add(time.Hour)},
		{AccountUserID: "alice", ExternalUserID: "wm2", AddedAt: base, DeletedAt: &gone},
	})
	if err != nil {
		t.Fatal(err)
	}
	me, left := ids[0], ids[2]
	if ids[1] != me {
		t.Fatalf("the two contacts of one phone are two customers: %v", ids)
	}
	accounts, _ := s.Accounts(ctx, ws)
	alice, bob := accounts[0].ID, accounts[1].ID
	record := func(ws int64, es ...store.ReachEntry) {
		t.Helper()
		if err := s.AdmitReach(ctx, ws, func(store.ReachReader) ([]store.ReachEntry, error) { return es, nil }); err != nil {
			t.Fatal(err)
		}
	}
	record(ws,
		store.ReachEntry{Key: "a", CustomerID: me, AccountID: alice, Channel: siyu.ReachSingle, At: base.Add(time.Hour)},
		store.ReachEntry{Key: "b", CustomerID: me, AccountID: bob, Channel: siyu.ReachGroup, At: base.Add(3 * time.Hour)},
		store.ReachEntry{Key: "c", CustomerID: left, AccountID: alice, Channel: siyu.ReachSingle, At: base.Add(2 * time.Hour)},
	)
	record(ws, store.ReachEntry{Key: "a", CustomerID: me, AccountID: alice, Channel: siyu.ReachSingle, At: base.Add(5 * time.Hour)}) // a retry: ignored
	record(other, store.ReachEntry{Key: "a", CustomerID: me, AccountID: alice, Channel: siyu.ReachSingle, At: base.Add(time.Hour)})

	r := s.Reach(ws)
	people, err := r.People(ctx, []int64{me, left, me}, base.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	mine := people[me]
	if len(mine.Contacts) != 2 || mine.Contacts[0].Sender != "bob" || mine.Contacts[1].Sender != "alice" || mine.Contacts[0].ExternalUserID != "wm1" {
		t.Fatalf("contacts: %+v (want bob's, the newest, first)", mine.Contacts)
	}
	if len(mine.Reaches) != 1 || mine.Reaches[0].Key != "b" || mine.Reaches[0].Channel != siyu.ReachGroup {
		t.Fatalf("reaches since: %+v", mine.Reaches)
	}
	if p := people[left]; len(p.Contacts) != 0 || len(p.Reaches) != 1 || p.OptedOut {
		t.Fatalf("deleted contact: %+v", p)
	}
	counts, err := r.AccountCounts(ctx, []int64{alice, bob}, base, base.Add(3*time.Hour))
	if err != nil || counts[alice] != 2 || counts[bob] != 0 {
		t.Fatalf("account counts [from, to): %v %v", counts, err)
	}
	known, err := r.KnownKeys(ctx, []string{"a", "z", "c"})
	if err != nil || !known["a"] || !known["c"] || known["z"] {
		t.Fatalf("known keys: %v %v", known, err)
	}
	// The retried key kept its first time.
	if got, _ := s.Reach(ws).People(ctx, []int64{me}, base.Add(4*time.Hour)); len(got[me].Reaches) != 0 {
		t.Fatalf("a retried key was logged again: %+v", got[me].Reaches)
	}
	// Another workspace sees none of this.
	if got, _ := s.Reach(other).People(ctx, []int64{me}, base); len(got[me].Contacts) != 0 {
		t.Fatalf("contacts leaked across workspaces: %+v", got[me])
	}
}

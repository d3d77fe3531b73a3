package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/fission"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// fissionRig is a workspace with an account, a group and an activity of
// the given target with one participant (customer "seed").
func fissionRig(t *testing.T, target fission.Target) (*store.Store, int64, fission.Activity, fission.Participant) {
	t.Helper()
	s := storetest.Open(t)
	ws := workspace(t, s, "fx")
	if _, err := s.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: "sales", Name: "小赵", Active: true}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-3 * time.Hour)
	if _, err := s.UpsertGroup(ctx, ws, store.GroupInput{ChatID: "wr-class", Name: "三年级家长群", OwnerUserID: "sales", CreatedAt: start}); err != nil {
		t.Fatal(err)
	}
	seed, err := s.UpsertContacts(ctx, ws, []store.ContactInput{{AccountUserID: "sales", ExternalUserID: "wm-seed", Name: "seed", AddedAt: start}})
	if err != nil {
		t.Fatal(err)
	}
	a := fission.Activity{Name: "试卷", Goal: 1, Reward: "试卷", Target: target, Accounts: []string{"sales"},
		StartAt: start, EndAt: start.Add(48 * time.Hour), ClawbackHours: 24}
	if target == fission.TargetGroup {
		a.GroupChatID = "wr-class"
	}
	a, err = s.CreateFissionActivity(ctx, ws, a)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateFissionParticipant(ctx, ws, fission.Participant{ActivityID: a.ID, CustomerID: seed[0], Code: fission.NewInviteCode(a.ID)})
	if err != nil {
		t.Fatal(err)
	}
	return s, ws, a, p
}

func TestCreateFissionActivityChecks(t *testing.T) {
	s, ws, a, p := fissionRig(t, fission.TargetContact)
	for _, tt := range []struct {
		name  string
		edit  func(*fission.Activity)
		field string
	}{
		{"unknown account", func(a *fission.Activity) { a.Accounts = []string{"nobody"} }, "accounts"},
		{"unknown group", func(a *fission.Activity) { a.Target, a.GroupChatID = fission.TargetGroup, "wr-none" }, "group_chat_id"},
		{"no goal", func(a *fission.Activity) { a.Goal = 0 }, "goal"},
	} {
		b := a
		b.ID = 0
		tt.edit(&b)
		_, err := s.CreateFissionActivity(ctx, ws, b)
		if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	got, err := s.FissionActivity(ctx, ws, a.ID)
	if err != nil || got.Name != a.Name || got.Rules.BurstCount != fission.DefaultBurstCount || !got.StartAt.Equal(a.StartAt) {
		t.Fatalf("read back %+v %v", got, err)
	}
	other := workspace(t, s, "other")
	if _, err := s.FissionActivity(ctx, other, a.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("another workspace sees the activity: %v", err)
	}
	if _, err := s.FissionParticipant(ctx, other, p.ID); !errors.Is(err, siyu.ErrNotFound) {
		t.Fatalf("another workspace sees the participant: %v", err)
	}
	if _, err := s.CreateFissionParticipant(ctx, ws, fission.Participant{ActivityID: a.ID, CustomerID: p.CustomerID, Code: fission.NewInviteCode(a.ID)}); !errors.Is(err, siyu.ErrConflict) {
		t.Fatalf("second participant for one customer: %v", err)
	}
	if _, err := s.CreateFissionParticipant(ctx, ws, fission.Participant{ActivityID: a.ID, CustomerID: p.CustomerID, Code: "mp"}); !errors.Is(err, siyu.ErrInvalid) {
		t.Fatalf("a code that is no invite code: %v", err)
	}
}

// The group target: adding through the code is not enough, the invitee
// must be in the group; quitting it within the window takes the reward
// back. Group changes reach the activity through FissionGroupChanged.
func TestFissionGroupTarget(t *testing.T) {
	s, ws, a, p := fissionRig(t, fission.TargetGroup)
	added := time.Now().Add(-50 * time.Minute)
	if _, err := s.UpsertContacts(ctx, ws, []store.ContactInput{{AccountUserID: "sales", ExternalUserID: "wm-kid", Name: "kid", State: p.Code, AddedAt: added}}); err != nil {
		t.Fatal(err)
	}
	if err := s.FissionContactChanged(ctx, ws, "sales", "wm-kid"); err != nil {
		t.Fatal(err)
	}
	snap, err := s.FissionSnapshot(ctx, ws, a.ID)
	if err != nil || len(snap.Invites) != 1 || snap.Invites[0].Status != fission.StatusPending || len(snap.Rewards) != 0 {
		t.Fatalf("before joining the group: %+v %v", snap.Invites, err)
	}
	member := store.GroupMemberInput{Identifiers: []siyu.Identifier{{Kind: siyu.KindExternalUser, Value: "wm-kid"}}, JoinedAt: added.Add(time.Minute)}
	group := store.GroupInput{ChatID: "wr-class", Name: "三年级家长群", OwnerUserID: "sales", CreatedAt: added, Members: []store.GroupMemberInput{member}, Complete: true}
	if _, err := s.UpsertGroup(ctx, ws, group); err != nil {
		t.Fatal(err)
	}
	if err := s.FissionGroupChanged(ctx, ws, "wr-class"); err != nil {
		t.Fatal(err)
	}
	snap, _ = s.FissionSnapshot(ctx, ws, a.ID)
	if snap.Invites[0].Status != fission.StatusCounted || len(snap.Rewards) != 1 || snap.Rewards[0].Status != fission.RewardIssued {
		t.Fatalf("in the group: %+v %+v", snap.Invites, snap.Rewards)
	}
	if snap.Rewards[0].TaskID != 0 {
		t.Fatalf("a reward that is not physical got a task: %+v", snap.Rewards[0])
	}
	group.Members, group.LeftAt = nil, time.Now()
	if _, err := s.UpsertGroup(ctx, ws, group); err != nil {
		t.Fatal(err)
	}
	if err := s.FissionGroupChanged(ctx, ws, "wr-class"); err != nil {
		t.Fatal(err)
	}
	snap, _ = s.FissionSnapshot(ctx, ws, a.ID)
	if snap.Invites[0].Status != fission.StatusLeft || snap.Rewards[0].Status != fission.RewardClawedBack {
		t.Fatalf("quit the group: %+v %+v", snap.Invites, snap.Rewards)
	}

	// Erasing the invitee takes their invite with them; the activity still evaluates.
	if err := s.EraseCustomer(ctx, ws, snap.Invites[0].CustomerID, "test"); err != nil {
		t.Fatal(err)
	}
	if snap, _, err = s.EvaluateFission(ctx, ws, a.ID); err != nil || len(snap.Invites) != 0 {
		t.Fatalf("after erasure: %+v %v", snap.Invites, err)
	}
	// So does erasing the participant.
	if err := s.EraseCustomer(ctx, ws, p.CustomerID, "test"); err != nil {
		t.Fatal(err)
	}
	if snap, _, err = s.EvaluateFission(ctx, ws, a.ID); err != nil || len(snap.Participants) != 0 {
		t.Fatalf("after erasing the participant: %+v %v", snap.Participants, err)
	}
}

func TestFissionContactChangedIgnoresOtherContacts(t *testing.T) {
	s, ws, a, _ := fissionRig(t, fission.TargetContact)
	if _, err := s.UpsertContacts(ctx, ws, []store.ContactInput{{AccountUserID: "sales", ExternalUserID: "wm-x", State: "fx999-abcdefghjk"}}); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"wm-seed", "wm-x", "wm-unknown"} {
		if err := s.FissionContactChanged(ctx, ws, "sales", ext); err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
	}
	snap, err := s.FissionSnapshot(ctx, ws, a.ID)
	if err != nil || len(snap.Invites) != 0 {
		t.Fatalf("%+v %v", snap.Invites, err)
	}
}

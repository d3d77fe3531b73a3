package fission

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func ptr(t time.Time) *time.Time { return &t }

func activity() Activity {
	return Activity{ID: 1, Name: "期中试卷", Goal: 2, Reward: "电子版试卷", Target: TargetContact, Accounts: []string{"sales"},
		StartAt: at(-60), EndAt: at(7 * 24 * 60), ClawbackHours: 72}
}

// inviter 10 is customer 100; inviter 20 is customer 200.
func participants() []Participant {
	return []Participant{{ID: 10, CustomerID: 100, JoinedAt: at(-30)}, {ID: 20, CustomerID: 200, JoinedAt: at(-30)}}
}

func TestEvaluateInviteRules(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Activity)
		invites []Invite
		// the verdict of the last invite
		status  string
		reasons []string
	}{
		{name: "a new contact counts",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0)}},
			status:  StatusCounted},
		{name: "before the start",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(-61)}},
			status:  StatusVoid, reasons: []string{ReasonOutsidePeriod}},
		{name: "after the end",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(7*24*60 + 1)}},
			status:  StatusVoid, reasons: []string{ReasonOutsidePeriod}},
		{name: "self invite: the inviter's own customer",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 100, ExternalUserID: "wm-own", AddedAt: at(0)}},
			status:  StatusFlagged, reasons: []string{ReasonSelfInvite}},
		{name: "already a contact before",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0), PriorContactAt: ptr(at(-5000))}},
			status:  StatusVoid, reasons: []string{ReasonExisting}},
		{name: "a contact made later does not make them old",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0), PriorContactAt: ptr(at(10))}},
			status:  StatusCounted},
		{name: "the same WeChat account through a second account of the code",
			invites: []Invite{
				{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0)},
				{ID: 2, InviterID: 20, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(5)}},
			status: StatusVoid, reasons: []string{ReasonDuplicate}},
		{name: "another WeChat account of a person already invited (one phone)",
			invites: []Invite{
				{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0)},
				{ID: 2, InviterID: 10, CustomerID: 501, ExternalUserID: "wm2", AddedAt: at(60)}},
			status: StatusFlagged, reasons: []string{ReasonSharedIdentity}},
		{name: "left at once",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0), LeftAt: ptr(at(29))}},
			status:  StatusFlagged, reasons: []string{ReasonQuickLeave}},
		{name: "left within the window",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0), LeftAt: ptr(at(30))}},
			status:  StatusLeft, reasons: []string{ReasonLeft}},
		{name: "left after the window",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0), LeftAt: ptr(at(72 * 60))}},
			status:  StatusCounted},
		{name: "no window: leaving later than quick does not matter",
			edit:    func(a *Activity) { a.ClawbackHours = 0 },
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0), LeftAt: ptr(at(31))}},
			status:  StatusCounted},
		{name: "group target: not in the group yet",
			edit:    func(a *Activity) { a.Target, a.GroupChatID = TargetGroup, "wr1" },
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0)}},
			status:  StatusPending, reasons: []string{ReasonNotInGroup}},
		{name: "group target: in the group",
			edit:    func(a *Activity) { a.Target, a.GroupChatID = TargetGroup, "wr1" },
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0), GroupJoinedAt: ptr(at(3))}},
			status:  StatusCounted},
		{name: "group target: quit the group the next day",
			edit: func(a *Activity) { a.Target, a.GroupChatID = TargetGroup, "wr1" },
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0),
				GroupJoinedAt: ptr(at(3)), GroupLeftAt: ptr(at(24 * 60))}},
			status: StatusLeft, reasons: []string{ReasonLeft}},
		{name: "group target: quit the group at once",
			edit: func(a *Activity) { a.Target, a.GroupChatID = TargetGroup, "wr1" },
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0),
				GroupJoinedAt: ptr(at(3)), GroupLeftAt: ptr(at(4))}},
			status: StatusFlagged, reasons: []string{ReasonQuickLeave}},
		{name: "abuse outranks the rest",
			invites: []Invite{{ID: 1, InviterID: 10, CustomerID: 100, ExternalUserID: "wm1", AddedAt: at(0), LeftAt: ptr(at(60)), PriorContactAt: ptr(at(-1))}},
			status:  StatusFlagged, reasons: []string{ReasonSelfInvite, ReasonExisting, ReasonLeft}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := activity()
			if tt.edit != nil {
				tt.edit(&a)
			}
			o := Evaluate(Snapshot{Activity: a, Participants: participants(), Invites: tt.invites})
			last := tt.invites[len(tt.invites)-1]
			v := o.Invites[last.ID]
			if v.Status != tt.status || !slices.Equal(v.Reasons, tt.reasons) {
				t.Fatalf("got %s %v, want %s %v", v.Status, v.Reasons, tt.status, tt.reasons)
			}
		})
	}
}

func TestEvaluateBursts(t *testing.T) {
	tests := []struct {
		name    string
		gaps    []int // seconds between consecutive adds through inviter 10
		flagged int
	}{
		{"four quick adds are no burst", []int{0, 10, 10, 10}, 0},
		{"five within three minutes are", []int{0, 10, 10, 10, 10}, 5},
		{"five spread over more than three minutes are not", []int{0, 50, 50, 50, 50}, 0},
		{"a burst inside a slow stream flags only the burst", []int{0, 600, 5, 5, 5, 5, 600}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var invs []Invite
			when := t0
			for i, g := range tt.gaps {
				when = when.Add(time.Duration(g) * time.Second)
				invs = append(invs, Invite{ID: int64(i + 1), InviterID: 10, CustomerID: int64(600 + i), ExternalUserID: "wm" + string(rune('a'+i)), AddedAt: when})
			}
			o := Evaluate(Snapshot{Activity: activity(), Participants: participants(), Invites: invs})
			n := 0
			for _, v := range o.Invites {
				if slices.Contains(v.Reasons, ReasonBurst) {
					n++
					if v.Status != StatusFlagged {
						t.Fatalf("a burst invite is %s", v.Status)
					}
				}
			}
			if n != tt.flagged {
				t.Fatalf("%d invites flagged as burst, want %d", n, tt.flagged)
			}
			st := o.Participants[10]
			if hasFlag(st.Flags, ReasonBurst) != (tt.flagged > 0) {
				t.Fatalf("participant flags %v", st.Flags)
			}
			if st.Counted != len(tt.gaps)-tt.flagged {
				t.Fatalf("counted %d, want %d", st.Counted, len(tt.gaps)-tt.flagged)
			}
		})
	}
}

func hasFlag(flags []Flag, reason string) bool {
	return slices.ContainsFunc(flags, func(f Flag) bool { return f.Reason == reason })
}

func TestQuickLeaversFlagTheInviterFromTheSecond(t *testing.T) {
	for _, tt := range []struct {
		leavers int
		flagged bool
	}{{0, false}, {1, false}, {2, true}, {3, true}} {
		var invs []Invite
		for i := range tt.leavers + 2 {
			inv := Invite{ID: int64(i + 1), InviterID: 10, CustomerID: int64(700 + i), ExternalUserID: "wm" + string(rune('a'+i)), AddedAt: at(i * 60)}
			if i < tt.leavers {
				inv.LeftAt = ptr(inv.AddedAt.Add(time.Minute))
			}
			invs = append(invs, inv)
		}
		o := Evaluate(Snapshot{Activity: activity(), Participants: participants(), Invites: invs})
		if got := hasFlag(o.Participants[10].Flags, ReasonQuickLeave); got != tt.flagged {
			t.Errorf("%d quick leavers: flagged %v, want %v", tt.leavers, got, tt.flagged)
		}
		if got := o.Participants[10].Counted; got != 2 {
			t.Errorf("%d quick leavers: %d counted, want 2", tt.leavers, got)
		}
	}
}

func TestRewardsAreIssuedAndClawedBack(t *testing.T) {
	two := []Invite{
		{ID: 1, InviterID: 10, CustomerID: 501, ExternalUserID: "wm1", AddedAt: at(0)},
		{ID: 2, InviterID: 10, CustomerID: 502, ExternalUserID: "wm2", AddedAt: at(60)},
	}
	issued := []Reward{{ParticipantID: 10, Status: RewardIssued}}
	clawed := []Reward{{ParticipantID: 10, Status: RewardClawedBack}}
	secondLeft := slices.Clone(two)
	secondLeft[1].LeftAt = ptr(at(24 * 60))
	thirdCame := append(slices.Clone(secondLeft), Invite{ID: 3, InviterID: 10, CustomerID: 503, ExternalUserID: "wm3", AddedAt: at(25 * 60)})
	tests := []struct {
		name            string
		invites         []Invite
		rewards         []Reward
		issue, clawBack []int64
	}{
		{"one invite is not enough", two[:1], nil, nil, nil},
		{"the goal reached: issue", two, nil, []int64{10}, nil},
		{"already issued: nothing new", two, issued, nil, nil},
		{"an invitee left within the window: claw back", secondLeft, issued, nil, []int64{10}},
		{"clawed back stays so", secondLeft, clawed, nil, nil},
		{"a new invitee makes up for it: issue again", thirdCame, clawed, []int64{10}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Evaluate(Snapshot{Activity: activity(), Participants: participants(), Invites: tt.invites, Rewards: tt.rewards})
			if !slices.Equal(o.Issue, tt.issue) || !slices.Equal(o.ClawBack, tt.clawBack) {
				t.Fatalf("issue %v claw back %v, want %v %v", o.Issue, o.ClawBack, tt.issue, tt.clawBack)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Activity)
		field string // "" = valid
	}{
		{"valid", func(*Activity) {}, ""},
		{"no name", func(a *Activity) { a.Name = "  " }, "name"},
		{"goal 0", func(a *Activity) { a.Goal = 0 }, "goal"},
		{"goal too big", func(a *Activity) { a.Goal = MaxGoal + 1 }, "goal"},
		{"no reward", func(a *Activity) { a.Reward = "" }, "reward"},
		{"bad target", func(a *Activity) { a.Target = "moments" }, "target"},
		{"group without chat", func(a *Activity) { a.Target = TargetGroup }, "group_chat_id"},
		{"no accounts", func(a *Activity) { a.Accounts = []string{" "} }, "accounts"},
		{"end before start", func(a *Activity) { a.EndAt = a.StartAt }, "end_at"},
		{"no dates", func(a *Activity) { a.StartAt = time.Time{} }, "start_at"},
		{"negative window", func(a *Activity) { a.ClawbackHours = -1 }, "clawback_hours"},
		{"bad burst", func(a *Activity) { a.Rules.BurstCount = 1 }, "rules.burst_count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := activity()
			tt.edit(&a)
			err := a.Normalize()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if a.Rules.BurstCount != DefaultBurstCount || a.Target != TargetContact {
					t.Fatalf("defaults not filled: %+v", a)
				}
				return
			}
			if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), tt.field+":") {
				t.Fatalf("error %v, want one naming %s", err, tt.field)
			}
		})
	}
}

func TestInviteCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := NewInviteCode(1234)
		if len(c) > 30 || seen[c] {
			t.Fatalf("code %q: too long or repeated", c)
		}
		seen[c] = true
		if id, ok := ActivityOfCode(c); !ok || id != 1234 {
			t.Fatalf("ActivityOfCode(%q) = %d %v", c, id, ok)
		}
	}
	for _, s := range []string{"", "fx", "fx-abcdefghjk", "fx12-short", "fx1a-abcdefghjk", "o:12", "fx0-abcdefghjk", "xx12-abcdefghjk"} {
		if _, ok := ActivityOfCode(s); ok {
			t.Errorf("%q taken for an invite code", s)
		}
	}
}

func FuzzActivityOfCode(f *testing.F) {
	f.Add("fx12-abcdefghjk")
	f.Add("fx99999999999999999999-abcdefghjk")
	f.Add("o:1")
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ActivityOfCode(s)
		if ok && (id <= 0 || !strings.HasPrefix(s, "fx")) {
			t.Fatalf("%q -> %d", s, id)
		}
	})
}

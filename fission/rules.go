package fission

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"siyu.dev/siyu"
)

// Rules are the abuse thresholds of an activity. Zero fields take the
// defaults (see docs/FISSION.md for why these values).
type Rules struct {
	// QuickLeaveMinutes: an invitee who leaves this soon after arriving
	// was never really there (flag quick_leave).
	QuickLeaveMinutes int `json:"quick_leave_minutes"`
	// QuickLeaversToFlag: quick leavers of one inviter that flag the
	// inviter (one is bad luck, several are a pattern).
	QuickLeaversToFlag int `json:"quick_leavers_to_flag"`
	// BurstCount invites through one code within BurstMinutes are a burst:
	// faster than people scan a poster shared in a chat (flag burst).
	BurstCount   int `json:"burst_count"`
	BurstMinutes int `json:"burst_minutes"`
}

// Default abuse thresholds.
const (
	DefaultQuickLeaveMinutes  = 30
	DefaultQuickLeaversToFlag = 2
	DefaultBurstCount         = 5
	DefaultBurstMinutes       = 3
)

func (r Rules) withDefaults() Rules {
	if r.QuickLeaveMinutes == 0 {
		r.QuickLeaveMinutes = DefaultQuickLeaveMinutes
	}
	if r.QuickLeaversToFlag == 0 {
		r.QuickLeaversToFlag = DefaultQuickLeaversToFlag
	}
	if r.BurstCount == 0 {
		r.BurstCount = DefaultBurstCount
	}
	if r.BurstMinutes == 0 {
		r.BurstMinutes = DefaultBurstMinutes
	}
	return r
}

func (r Rules) check() error {
	switch {
	case r.QuickLeaveMinutes < 0 || r.QuickLeaveMinutes > 7*24*60:
		return fmt.Errorf("%w: rules.quick_leave_minutes: 0..%d", siyu.ErrInvalid, 7*24*60)
	case r.QuickLeaversToFlag < 1:
		return fmt.Errorf("%w: rules.quick_leavers_to_flag: at least 1", siyu.ErrInvalid)
	case r.BurstCount < 2 || r.BurstCount > 1000:
		return fmt.Errorf("%w: rules.burst_count: 2..1000", siyu.ErrInvalid)
	case r.BurstMinutes < 1 || r.BurstMinutes > 24*60:
		return fmt.Errorf("%w: rules.burst_minutes: 1..%d", siyu.ErrInvalid, 24*60)
	}
	return nil
}

// Participant is someone taking part: a customer with an invite code.
type Participant struct {
	ID            int64     `json:"id"`
	ActivityID    int64     `json:"activity_id"`
	CustomerID    int64     `json:"customer_id"`
	CustomerName  string    `json:"customer_name,omitempty"`
	Code          string    `json:"code"` // the invite code: the channel code's state
	ChannelCodeID int64     `json:"channel_code_id,omitempty"`
	QRCode        string    `json:"qr_code,omitempty"`
	JoinedAt      time.Time `json:"joined_at"`
	// Derived by Evaluate and stored with the participant.
	Invites int    `json:"invites"` // every add through the code
	Counted int    `json:"counted"` // those that count towards the goal
	Flags   []Flag `json:"flags,omitempty"`
}

// Flag is a suspicion about a participant, with how many invites show it.
type Flag struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
}

// Reasons an invite does not count. The abuse ones flag the invite and the
// inviter; the others just void it.
const (
	ReasonSelfInvite     = "self_invite"     // the invitee is the inviter (same customer after identity resolution)
	ReasonSharedIdentity = "shared_identity" // another WeChat account of a person already invited (one phone, many accounts)
	ReasonQuickLeave     = "quick_leave"     // left within Rules.QuickLeaveMinutes
	ReasonBurst          = "burst"           // part of a burst of adds through the code
	ReasonDuplicate      = "duplicate"       // the same WeChat account was invited before
	ReasonExisting       = "existing_contact"
	ReasonOutsidePeriod  = "outside_period"
	ReasonLeft           = "left"         // left within the claw-back window
	ReasonNotInGroup     = "not_in_group" // TargetGroup: has not joined the group (yet)
)

// abuse lists the reasons that flag.
var abuse = map[string]bool{ReasonSelfInvite: true, ReasonSharedIdentity: true, ReasonQuickLeave: true, ReasonBurst: true}

// Invite statuses.
const (
	StatusCounted = "counted"
	StatusPending = "pending" // TargetGroup, not in the group yet
	StatusLeft    = "left"    // left within the window
	StatusVoid    = "void"    // not new, a duplicate, outside the period
	StatusFlagged = "flagged" // abuse
)

// Invite is one person who added the account through a participant's code.
type Invite struct {
	ID             int64      `json:"id"`
	ActivityID     int64      `json:"activity_id"`
	InviterID      int64      `json:"inviter_id"`  // participant
	CustomerID     int64      `json:"customer_id"` // the invitee
	CustomerName   string     `json:"customer_name,omitempty"`
	ExternalUserID string     `json:"external_userid"`
	Channel        string     `json:"channel"` // "contact:<account userid>"
	AddedAt        time.Time  `json:"added_at"`
	LeftAt         *time.Time `json:"left_at,omitempty"`
	// PriorContactAt is when the invitee first became a contact other than
	// through this activity, if ever.
	PriorContactAt *time.Time `json:"prior_contact_at,omitempty"`
	// GroupJoinedAt/GroupLeftAt: TargetGroup, the invitee's membership of
	// the activity's group.
	GroupJoinedAt *time.Time `json:"group_joined_at,omitempty"`
	GroupLeftAt   *time.Time `json:"group_left_at,omitempty"`
	// Derived by Evaluate.
	Status  string   `json:"status"`
	Reasons []string `json:"reasons,omitempty"`
}

// Reward statuses.
const (
	RewardIssued     = "issued"
	RewardClawedBack = "clawed_back"
)

// Reward is what a participant earned.
type Reward struct {
	ID            int64      `json:"id"`
	ActivityID    int64      `json:"activity_id"`
	ParticipantID int64      `json:"participant_id"`
	CustomerID    int64      `json:"customer_id"`
	Status        string     `json:"status"`
	IssuedAt      time.Time  `json:"issued_at"`
	ClawedBackAt  *time.Time `json:"clawed_back_at,omitempty"`
	Times         int        `json:"times"` // how often issued (again after a claw-back)
	TaskID        int64      `json:"task_id,omitempty"`
}

// Snapshot is everything recorded about one activity.
type Snapshot struct {
	Activity     Activity      `json:"activity"`
	Participants []Participant `json:"participants"`
	Invites      []Invite      `json:"invites"`
	Rewards      []Reward      `json:"rewards"`
}

// Verdict is Evaluate's judgement of one invite.
type Verdict struct {
	Status  string
	Reasons []string
}

// Standing is Evaluate's judgement of one participant.
type Standing struct {
	Invites, Counted int
	Flags            []Flag
	Qualifies        bool // reached the goal
}

// Outcome is what Evaluate decided.
type Outcome struct {
	Invites      map[int64]Verdict  // by invite id
	Participants map[int64]Standing // by participant id
	Issue        []int64            // participants to reward now
	ClawBack     []int64            // participants whose reward is taken back
}

// Evaluate applies the rules to a snapshot. It is a pure function of the
// snapshot: evaluating again after nothing changed decides nothing new.
func Evaluate(s Snapshot) Outcome {
	a := s.Activity
	rules := a.Rules.withDefaults()
	out := Outcome{Invites: map[int64]Verdict{}, Participants: map[int64]Standing{}}
	inviter := map[int64]Participant{}
	for _, p := range s.Participants {
		inviter[p.ID] = p
		out.Participants[p.ID] = Standing{}
	}
	invites := slices.Clone(s.Invites)
	slices.SortFunc(invites, func(x, y Invite) int {
		return cmp.Or(x.AddedAt.Compare(y.AddedAt), cmp.Compare(x.ID, y.ID))
	})
	burst := bursts(invites, rules.BurstCount, time.Duration(rules.BurstMinutes)*time.Minute)
	quick := time.Duration(rules.QuickLeaveMinutes) * time.Minute
	seenAccount := map[string]bool{} // external_userids already invited
	seenPerson := map[int64]string{} // invitee customer -> first external_userid
	for _, inv := range invites {
		var reasons []string
		add := func(r string) { reasons = append(reasons, r) }
		p, known := inviter[inv.InviterID]
		if !a.Running(inv.AddedAt) {
			add(ReasonOutsidePeriod)
		}
		if known && inv.CustomerID == p.CustomerID {
			add(ReasonSelfInvite)
		}
		if inv.PriorContactAt != nil && inv.PriorContactAt.Before(inv.AddedAt) {
			add(ReasonExisting)
		}
		switch first, ok := seenPerson[inv.CustomerID]; {
		case seenAccount[inv.ExternalUserID]:
			add(ReasonDuplicate)
		case ok && first != inv.ExternalUserID:
			add(ReasonSharedIdentity)
		}
		seenAccount[inv.ExternalUserID] = true
		if _, ok := seenPerson[inv.CustomerID]; !ok {
			seenPerson[inv.CustomerID] = inv.ExternalUserID
		}
		if burst[inv.ID] {
			add(ReasonBurst)
		}
		arrived, left := inv.AddedAt, inv.LeftAt
		if a.Target == TargetGroup {
			arrived, left = time.Time{}, inv.GroupLeftAt
			if inv.GroupJoinedAt != nil {
				arrived = *inv.GroupJoinedAt
			}
			if left == nil {
				left = inv.LeftAt // deleting the account ends it too
			}
		}
		switch {
		case a.Target == TargetGroup && inv.GroupJoinedAt == nil:
			add(ReasonNotInGroup)
		case left != nil && left.Sub(arrived) < quick:
			add(ReasonQuickLeave)
		case left != nil && left.Sub(arrived) < a.Clawback():
			add(ReasonLeft)
		}
		v := Verdict{Status: statusOf(reasons), Reasons: reasons}
		out.Invites[inv.ID] = v
		if !known {
			continue
		}
		st := out.Participants[p.ID]
		st.Invites++
		if v.Status == StatusCounted {
			st.Counted++
		}
		for _, r := range reasons {
			if abuse[r] {
				st.Flags = addFlag(st.Flags, r)
			}
		}
		out.Participants[p.ID] = st
	}
	for id, st := range out.Participants {
		st.Flags = slices.DeleteFunc(st.Flags, func(f Flag) bool {
			return f.Reason == ReasonQuickLeave && f.Count < rules.QuickLeaversToFlag
		})
		st.Qualifies = st.Counted >= a.Goal
		out.Participants[id] = st
	}
	live := map[int64]bool{}
	for _, r := range s.Rewards {
		if r.Status == RewardIssued {
			live[r.ParticipantID] = true
		}
	}
	for _, p := range s.Participants {
		switch q := out.Participants[p.ID].Qualifies; {
		case q && !live[p.ID]:
			out.Issue = append(out.Issue, p.ID)
		case !q && live[p.ID]:
			out.ClawBack = append(out.ClawBack, p.ID)
		}
	}
	return out
}

// statusOf orders the reasons: abuse first, then not new, then gone.
func statusOf(reasons []string) string {
	status := StatusCounted
	rank := map[string]int{StatusCounted: 0, StatusPending: 1, StatusLeft: 2, StatusVoid: 3, StatusFlagged: 4}
	for _, r := range reasons {
		s := StatusVoid
		switch {
		case abuse[r]:
			s = StatusFlagged
		case r == ReasonLeft:
			s = StatusLeft
		case r == ReasonNotInGroup:
			s = StatusPending
		}
		if rank[s] > rank[status] {
			status = s
		}
	}
	return status
}

func addFlag(flags []Flag, reason string) []Flag {
	for i := range flags {
		if flags[i].Reason == reason {
			flags[i].Count++
			return flags
		}
	}
	return append(flags, Flag{Reason: reason, Count: 1})
}

// bursts marks the invites (sorted by time) that are part of a burst: at
// least n adds through one inviter's code within window.
func bursts(sorted []Invite, n int, window time.Duration) map[int64]bool {
	byInviter := map[int64][]Invite{}
	for _, inv := range sorted {
		byInviter[inv.InviterID] = append(byInviter[inv.InviterID], inv)
	}
	out := map[int64]bool{}
	for _, list := range byInviter {
		start := 0
		for end := range list {
			for list[end].AddedAt.Sub(list[start].AddedAt) >= window {
				start++
			}
			if end-start+1 >= n {
				for _, inv := range list[start : end+1] {
					out[inv.ID] = true
				}
			}
		}
	}
	return out
}

package fission

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"siyu.dev/siyu"
)

// Target is what an invitee must do for the invite to count.
type Target string

const (
	// TargetContact: add one of the activity's WeCom accounts through the
	// inviter's code.
	TargetContact Target = "contact"
	// TargetGroup: add the account through the inviter's code and then be a
	// member of the activity's group (the welcome message carries the group
	// invitation). Leaving the group is leaving the activity.
	TargetGroup Target = "group"
)

// Activity is one invite-N activity.
type Activity struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"`
	Goal        int       `json:"goal"`            // invites that earn the reward
	Reward      string    `json:"reward"`          // what is given, as shown on the poster
	Physical    bool      `json:"reward_physical"` // handed over by an operator (a task), not sent
	Target      Target    `json:"target"`
	Accounts    []string  `json:"accounts"`                // WeCom userids the posters' codes add
	GroupChatID string    `json:"group_chat_id,omitempty"` // TargetGroup
	Welcome     string    `json:"welcome,omitempty"`       // sent to each invitee on adding
	StartAt     time.Time `json:"start_at"`
	EndAt       time.Time `json:"end_at"`
	// ClawbackHours is how long an invitee must stay: one who leaves
	// sooner stops counting, and a reward that depended on them is taken
	// back. 0: leaving never takes a reward back.
	ClawbackHours int       `json:"clawback_hours"`
	Rules         Rules     `json:"rules"`
	CreatedAt     time.Time `json:"created_at"`
}

// Clawback is the claw-back window.
func (a Activity) Clawback() time.Duration { return time.Duration(a.ClawbackHours) * time.Hour }

// Limits of an activity's fields.
const (
	MaxGoal        = 100
	MaxNameLen     = 60
	MaxRewardLen   = 200
	MaxClawbackHrs = 30 * 24
	// DefaultClawbackHours is the window the console and API propose.
	DefaultClawbackHours = 72
	maxWelcomeLen        = 1000
	inviteCodeRand       = 10
)

// Normalize fills defaults and checks an activity before it is stored. The
// error wraps siyu.ErrInvalid and names the field.
func (a *Activity) Normalize() error {
	a.Name = strings.TrimSpace(a.Name)
	a.Reward = strings.TrimSpace(a.Reward)
	a.GroupChatID = strings.TrimSpace(a.GroupChatID)
	if a.Target == "" {
		a.Target = TargetContact
	}
	a.Rules = a.Rules.withDefaults()
	var accounts []string
	for _, u := range a.Accounts {
		if u = strings.TrimSpace(u); u != "" {
			accounts = append(accounts, u)
		}
	}
	a.Accounts = accounts
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", siyu.ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	switch {
	case a.Name == "" || utf8.RuneCountInString(a.Name) > MaxNameLen:
		return bad("name", "1..%d characters", MaxNameLen)
	case a.Goal < 1 || a.Goal > MaxGoal:
		return bad("goal", "1..%d invites", MaxGoal)
	case a.Reward == "" || utf8.RuneCountInString(a.Reward) > MaxRewardLen:
		return bad("reward", "1..%d characters", MaxRewardLen)
	case a.Target != TargetContact && a.Target != TargetGroup:
		return bad("target", "%q: use %q or %q", a.Target, TargetContact, TargetGroup)
	case a.Target == TargetGroup && a.GroupChatID == "":
		return bad("group_chat_id", "required when the target is a group")
	case len(a.Accounts) == 0:
		return bad("accounts", "at least one WeCom account")
	case a.StartAt.IsZero() || a.EndAt.IsZero():
		return bad("start_at", "start and end are required")
	case !a.EndAt.After(a.StartAt):
		return bad("end_at", "must be after the start")
	case a.ClawbackHours < 0 || a.ClawbackHours > MaxClawbackHrs:
		return bad("clawback_hours", "0..%d hours", MaxClawbackHrs)
	case utf8.RuneCountInString(a.Welcome) > maxWelcomeLen:
		return bad("welcome", "at most %d characters", maxWelcomeLen)
	}
	return a.Rules.check()
}

// Running reports whether invites made at t can count.
func (a Activity) Running(t time.Time) bool { return !t.Before(a.StartAt) && !t.After(a.EndAt) }

// NewInviteCode returns a fresh invite code for a participant of activity:
// the state of their channel code, so it fits WeCom's 30 characters and
// tells at a glance which activity it belongs to ("fx12-k3j9a8qpzt").
func NewInviteCode(activityID int64) string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i
	b := make([]byte, inviteCodeRand)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return fmt.Sprintf("fx%d-%s", activityID, b)
}

// ActivityOfCode returns the activity id an invite code names, or false
// when s is not an invite code. It lets the add handling skip the database
// for the ordinary codes.
func ActivityOfCode(s string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, "fx")
	if !ok {
		return 0, false
	}
	num, tail, ok := strings.Cut(rest, "-")
	if !ok || len(tail) != inviteCodeRand || num == "" || len(num) > 18 {
		return 0, false
	}
	var id int64
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, false
		}
		id = id*10 + int64(c-'0')
	}
	return id, id > 0
}

// Package tasks holds the rules of operator tasks (人工增强): what each kind
// of task is given to be done in (its SLA), who may act on a task, whom a task
// goes to when its holder leaves, and how completion is measured. It has no
// storage of its own; the store keeps tasks and calls these rules.
package tasks

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// Statuses of a task.
const (
	StatusOpen      = "open"
	StatusDone      = "done"
	StatusCancelled = "cancelled"
)

// ValidStatus reports whether s is a task status.
func ValidStatus(s string) bool {
	return s == StatusOpen || s == StatusDone || s == StatusCancelled
}

// DefaultSLA is how long each system kind gives its assignee. A mass send
// waits on the member's phone and WeCom drops unconfirmed ones; a hot comment
// goes cold within the hour; a follow-up can wait a working day.
var DefaultSLA = map[string]time.Duration{
	siyu.TaskConfirmMassSend: 2 * time.Hour,
	siyu.TaskFollowUp:        24 * time.Hour,
	siyu.TaskReplyComment:    30 * time.Minute,
}

// FallbackSLA applies to kinds without a default or a setting (kinds that
// integrations make up, such as "call_back").
const FallbackSLA = 24 * time.Hour

// MaxSLA bounds a configured SLA: a task due in more than 90 days is a plan,
// not a task.
const MaxSLA = 90 * 24 * time.Hour

// SettingName is the workspace_settings document that configures tasks.
const SettingName = "tasks"

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ValidKind reports whether k is usable as a task kind: lower-case letters,
// digits and _, starting with a letter, at most 40 characters.
func ValidKind(k string) bool { return kindPattern.MatchString(k) }

// Settings are a workspace's task settings.
type Settings struct {
	// SLA overrides the default SLA per kind.
	SLA map[string]time.Duration
}

// SLAFor returns how long a task of kind has: the workspace's setting, else the
// kind's default, else FallbackSLA.
func (s Settings) SLAFor(kind string) time.Duration {
	if d, ok := s.SLA[kind]; ok && d > 0 {
		return d
	}
	if d, ok := DefaultSLA[kind]; ok {
		return d
	}
	return FallbackSLA
}

// settingsDoc is the stored form: {"sla": {"follow_up": "12h"}}.
type settingsDoc struct {
	SLA map[string]string `json:"sla"`
}

// ParseSettings reads the stored settings document. Errors name the field.
func ParseSettings(b []byte) (Settings, error) {
	var s Settings
	if len(strings.TrimSpace(string(b))) == 0 {
		return s, nil
	}
	var doc settingsDoc
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return s, fmt.Errorf("%w: tasks settings: %v", siyu.ErrInvalid, err)
	}
	for kind, v := range doc.SLA {
		if !ValidKind(kind) {
			return s, fmt.Errorf("%w: tasks settings: sla.%s: not a task kind", siyu.ErrInvalid, kind)
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return s, fmt.Errorf("%w: tasks settings: sla.%s: %q is not a duration like \"2h\" or \"30m\"", siyu.ErrInvalid, kind, v)
		}
		if d < time.Minute || d > MaxSLA {
			return s, fmt.Errorf("%w: tasks settings: sla.%s: %s is outside 1m..2160h", siyu.ErrInvalid, kind, d)
		}
		if s.SLA == nil {
			s.SLA = map[string]time.Duration{}
		}
		s.SLA[kind] = d
	}
	return s, nil
}

// Marshal returns the stored form of the settings.
func (s Settings) Marshal() []byte {
	doc := settingsDoc{SLA: map[string]string{}}
	for k, d := range s.SLA {
		doc.SLA[k] = d.String()
	}
	b, _ := json.Marshal(doc)
	return b
}

// Kinds lists the known kinds with their SLA under s, system kinds first.
func (s Settings) Kinds() []KindSLA {
	var out []KindSLA
	for _, k := range []string{siyu.TaskConfirmMassSend, siyu.TaskReplyComment, siyu.TaskFollowUp} {
		out = append(out, KindSLA{Kind: k, SLA: s.SLAFor(k)})
	}
	var extra []string
	for k := range s.SLA {
		if _, ok := DefaultSLA[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, KindSLA{Kind: k, SLA: s.SLA[k]})
	}
	return out
}

// KindSLA is a kind with its SLA.
type KindSLA struct {
	Kind string
	SLA  time.Duration
}

// Overdue reports whether an open task is past its due time at now.
func Overdue(t siyu.Task, now time.Time) bool {
	return t.Status == StatusOpen && !t.DueAt.IsZero() && now.After(t.DueAt)
}

// Actor is who acts on a task: a console user with their role and the
// accounts they operate, or an API token (UserID 0).
type Actor struct {
	UserID int64
	Role   siyu.Role
	// Operates holds the accounts (personas) the user acts as.
	Operates map[int64]bool
}

// CanSee reports whether the actor's inbox shows the task: admins see all;
// others see tasks assigned to them, and unassigned tasks of an account they
// operate or of no account (the pool).
func CanSee(a Actor, t siyu.Task) bool {
	switch {
	case a.Role == siyu.RoleAdmin:
		return true
	case t.AssigneeID != 0:
		return t.AssigneeID == a.UserID
	case t.AccountID != 0:
		return a.Operates[t.AccountID]
	default:
		return true
	}
}

// CanAct reports whether the actor may complete or cancel the task: someone
// who can write and sees it. An API token (no user) of a writing role acts
// for the integration.
func CanAct(a Actor, t siyu.Task) bool {
	if !a.Role.CanWrite() {
		return false
	}
	if a.UserID == 0 {
		return true
	}
	return CanSee(a, t)
}

// Candidate is someone a task could go to, with their current open load.
type Candidate struct {
	UserID int64
	Open   int
}

// Pick chooses whom a task goes to among candidates, leaving out exclude
// (the person who is leaving): the one with the fewest open tasks, the
// lowest id on a tie so that the choice is repeatable. 0 means nobody: the
// task goes back to the pool.
func Pick(cands []Candidate, exclude int64) int64 {
	best := Candidate{}
	for _, c := range cands {
		if c.UserID == 0 || c.UserID == exclude {
			continue
		}
		if best.UserID == 0 || c.Open < best.Open || (c.Open == best.Open && c.UserID < best.UserID) {
			best = c
		}
	}
	return best.UserID
}

// StrandedOnDeactivation reports whether a task cannot be done by anyone
// once its account is deactivated: a mass send waits for that member's own
// confirmation in their WeCom app, so it is cancelled rather than moved.
func StrandedOnDeactivation(kind string) bool { return kind == siyu.TaskConfirmMassSend }

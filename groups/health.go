package groups

import (
	"context"
	"slices"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// EventCheckIn is a member's check-in for one session of a layered
// activity: props chat_id (the group it was made in) and session.
const EventCheckIn = "group.checked_in"

// ActivityEventTypes are the events that make a member active in a group:
// messages and check-ins that name the group in props.chat_id.
var ActivityEventTypes = []string{siyu.EventMessage, EventCheckIn}

// DefaultActiveDays is the window of "active members".
const DefaultActiveDays = 7

// DayPoint is one Asia/Shanghai day of an activity's groups.
type DayPoint struct {
	Day      string `json:"day"`     // 2006-01-02
	Members  int    `json:"members"` // at the end of the day
	Joined   int    `json:"joined"`
	Left     int    `json:"left"`
	Messages int    `json:"messages"`
}

// GroupHealth is the health of one group.
type GroupHealth struct {
	GroupID       int64      `json:"group_id"`
	ChatID        string     `json:"chat_id"`
	Name          string     `json:"name"`
	Role          string     `json:"role"`
	CreatedAt     time.Time  `json:"created_at"`
	DismissedAt   *time.Time `json:"dismissed_at,omitempty"`
	LastActivity  time.Time  `json:"last_activity"`
	LifetimeDays  float64    `json:"lifetime_days"` // creation to dismissal, or to the last activity
	Members       int        `json:"members"`       // now
	Joined        int        `json:"joined"`        // ever
	Left          int        `json:"left"`
	JoinsPerDay   float64    `json:"joins_per_day"` // Joined over the lifetime (at least one day)
	QuitRate      float64    `json:"quit_rate"`     // Left / Joined
	Messages      int        `json:"messages"`
	ActiveMembers int        `json:"active_members"` // with a message or check-in in the window
}

// Health is an activity's group health.
type Health struct {
	At                  time.Time     `json:"at"`
	ActiveDays          int           `json:"active_days"`
	Groups              []GroupHealth `json:"groups"`
	Series              []DayPoint    `json:"series"`
	Members             int           `json:"members"`
	Joined              int           `json:"joined"`
	Left                int           `json:"left"`
	QuitRate            float64       `json:"quit_rate"`
	Messages            int           `json:"messages"`
	ActiveMembers       int           `json:"active_members"` // distinct customers
	DismissedGroups     int           `json:"dismissed_groups"`
	AverageLifetimeDays float64       `json:"average_lifetime_days"` // over dismissed groups
}

// Health computes an activity's group health at now, with active members
// over the last activeDays days (DefaultActiveDays when 0).
func (s *Service) Health(ctx context.Context, ws, activityID int64, activeDays int) (Health, error) {
	gs, err := s.Store.ActivityGroups(ctx, ws, activityID)
	if err != nil {
		return Health{}, err
	}
	spans, events, err := s.groupData(ctx, ws, gs)
	if err != nil {
		return Health{}, err
	}
	return ComputeHealth(gs, spans, events, s.now(), activeDays), nil
}

func (s *Service) groupData(ctx context.Context, ws int64, gs []store.ActivityGroup) ([]store.GroupSpan, []store.GroupEvent, error) {
	ids := make([]int64, len(gs))
	byChat := make(map[string]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.GroupID
		byChat[g.ChatID] = g.GroupID
	}
	spans, err := s.Store.GroupSpans(ctx, ws, ids)
	if err != nil {
		return nil, nil, err
	}
	events, err := s.Store.GroupEvents(ctx, ws, byChat, ActivityEventTypes, time.Time{})
	return spans, events, err
}

const day = 24 * time.Hour

// ComputeHealth computes health from the groups, their memberships and
// the events in them.
func ComputeHealth(gs []store.ActivityGroup, spans []store.GroupSpan, events []store.GroupEvent, now time.Time, activeDays int) Health {
	if activeDays <= 0 {
		activeDays = DefaultActiveDays
	}
	h := Health{At: now, ActiveDays: activeDays, Groups: []GroupHealth{}, Series: []DayPoint{}}
	activeFrom := now.Add(-time.Duration(activeDays) * day)
	active := map[int64]bool{}
	var lifetimes float64
	for _, g := range gs {
		gh := GroupHealth{GroupID: g.GroupID, ChatID: g.ChatID, Name: g.Name, Role: g.Role, CreatedAt: g.CreatedAt, DismissedAt: g.DismissedAt, LastActivity: g.CreatedAt}
		touch := func(t time.Time) {
			if t.After(gh.LastActivity) {
				gh.LastActivity = t
			}
		}
		for _, sp := range spans {
			if sp.GroupID != g.GroupID {
				continue
			}
			gh.Joined++
			touch(sp.JoinedAt)
			if sp.LeftAt != nil {
				gh.Left++
				touch(*sp.LeftAt)
			} else if g.DismissedAt == nil {
				gh.Members++
			}
		}
		groupActive := map[int64]bool{}
		for _, e := range events {
			if e.GroupID != g.GroupID {
				continue
			}
			touch(e.At)
			if e.Type == siyu.EventMessage {
				gh.Messages++
			}
			if e.At.After(activeFrom) && !e.At.After(now) {
				groupActive[e.CustomerID] = true
				active[e.CustomerID] = true
			}
		}
		gh.ActiveMembers = len(groupActive)
		end := gh.LastActivity
		if g.DismissedAt != nil {
			end = *g.DismissedAt
			h.DismissedGroups++
			lifetimes += days(end.Sub(g.CreatedAt))
		}
		gh.LifetimeDays = days(end.Sub(g.CreatedAt))
		gh.JoinsPerDay = float64(gh.Joined) / max(gh.LifetimeDays, 1)
		if gh.Joined > 0 {
			gh.QuitRate = float64(gh.Left) / float64(gh.Joined)
		}
		h.Members += gh.Members
		h.Joined += gh.Joined
		h.Left += gh.Left
		h.Messages += gh.Messages
		h.Groups = append(h.Groups, gh)
	}
	h.ActiveMembers = len(active)
	if h.Joined > 0 {
		h.QuitRate = float64(h.Left) / float64(h.Joined)
	}
	if h.DismissedGroups > 0 {
		h.AverageLifetimeDays = lifetimes / float64(h.DismissedGroups)
	}
	h.Series = series(gs, spans, events, now)
	return h
}

func days(d time.Duration) float64 { return d.Hours() / 24 }

// series is the day-by-day view from the first group's creation to now (or
// the last dismissal when every group is dismissed).
func series(gs []store.ActivityGroup, spans []store.GroupSpan, events []store.GroupEvent, now time.Time) []DayPoint {
	if len(gs) == 0 {
		return []DayPoint{}
	}
	dismissed := map[int64]*time.Time{}
	first, last := gs[0].CreatedAt, time.Time{}
	allGone := true
	for _, g := range gs {
		dismissed[g.GroupID] = g.DismissedAt
		if g.CreatedAt.Before(first) {
			first = g.CreatedAt
		}
		if g.DismissedAt == nil {
			allGone = false
		} else if g.DismissedAt.After(last) {
			last = *g.DismissedAt
		}
	}
	if !allGone || last.IsZero() {
		last = now
	}
	start := dayStart(first)
	out := []DayPoint{}
	for d := start; !d.After(last) && len(out) < 3660; d = d.AddDate(0, 0, 1) {
		next := d.AddDate(0, 0, 1)
		p := DayPoint{Day: d.Format(time.DateOnly)}
		for _, sp := range spans {
			if in(sp.JoinedAt, d, next) {
				p.Joined++
			}
			if sp.LeftAt != nil && in(*sp.LeftAt, d, next) {
				p.Left++
			}
			gone := dismissed[sp.GroupID]
			if sp.JoinedAt.Before(next) && (sp.LeftAt == nil || !sp.LeftAt.Before(next)) && (gone == nil || !gone.Before(next)) {
				p.Members++
			}
		}
		for _, e := range events {
			if e.Type == siyu.EventMessage && in(e.At, d, next) {
				p.Messages++
			}
		}
		out = append(out, p)
	}
	return out
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// dayStart is the start of t's Asia/Shanghai day.
func dayStart(t time.Time) time.Time {
	l := t.In(siyu.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, siyu.Shanghai)
}

// Attendance is a group's check-in rate over the activity's sessions.
type Attendance struct {
	GroupID  int64   `json:"group_id"`
	Name     string  `json:"name"`
	Role     string  `json:"role"`
	Members  int     `json:"members"`  // customers ever in the group
	Sessions int     `json:"sessions"` // sessions held in the activity
	CheckIns int     `json:"check_ins"`
	Rate     float64 `json:"rate"` // CheckIns / (Members × Sessions)
}

// Attendance computes the attendance of every group of an activity: a
// session is held when anyone checked in for it (in any group of the
// activity); a member attends a session by checking in for it anywhere in
// the activity, once however often they check in.
func (s *Service) Attendance(ctx context.Context, ws, activityID int64) ([]Attendance, error) {
	gs, err := s.Store.ActivityGroups(ctx, ws, activityID)
	if err != nil {
		return nil, err
	}
	spans, events, err := s.groupData(ctx, ws, gs)
	if err != nil {
		return nil, err
	}
	return ComputeAttendance(gs, spans, events), nil
}

// ComputeAttendance is Attendance over given data.
func ComputeAttendance(gs []store.ActivityGroup, spans []store.GroupSpan, events []store.GroupEvent) []Attendance {
	sessions := map[string]bool{}
	checked := map[int64]map[string]bool{}
	for _, e := range events {
		if e.Type != EventCheckIn || e.Session == "" {
			continue
		}
		sessions[e.Session] = true
		if checked[e.CustomerID] == nil {
			checked[e.CustomerID] = map[string]bool{}
		}
		checked[e.CustomerID][e.Session] = true
	}
	out := []Attendance{}
	for _, g := range gs {
		a := Attendance{GroupID: g.GroupID, Name: g.Name, Role: g.Role, Sessions: len(sessions)}
		var members []int64
		for _, sp := range spans {
			if sp.GroupID == g.GroupID {
				members = append(members, sp.CustomerID)
			}
		}
		slices.Sort(members)
		members = slices.Compact(members)
		a.Members = len(members)
		for _, id := range members {
			a.CheckIns += len(checked[id])
		}
		if n := a.Members * a.Sessions; n > 0 {
			a.Rate = float64(a.CheckIns) / float64(n)
		}
		out = append(out, a)
	}
	return out
}

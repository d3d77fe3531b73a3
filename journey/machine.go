package journey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// Step returns the step with that id.
func (d *Definition) Step(id string) (Step, bool) {
	for _, s := range d.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// Start is the first step of every walk.
func (d *Definition) Start() string {
	if len(d.Steps) == 0 {
		return ""
	}
	return d.Steps[0].ID
}

// follow turns a Next/Yes/No value into a step id ("" for the end). An
// empty value means the step after i in the list.
func (d *Definition) follow(i int, v string) string {
	switch v {
	case End:
		return ""
	case "":
		if i+1 < len(d.Steps) {
			return d.Steps[i+1].ID
		}
		return ""
	}
	return v
}

func (d *Definition) index(id string) int {
	for i, s := range d.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// Successors are the steps a step can lead to (without the end).
func (d *Definition) Successors(id string) []string {
	i := d.index(id)
	if i < 0 {
		return nil
	}
	s := d.Steps[i]
	var out []string
	add := func(v string) {
		if n := d.follow(i, v); n != "" {
			out = append(out, n)
		}
	}
	switch s.Type {
	case StepExit:
	case StepCondition:
		add(s.Yes)
		add(s.No)
	default:
		add(s.Next)
	}
	return out
}

// Outcome is what running a step gave, as the machine needs it.
type Outcome struct {
	Matched bool // a condition's answer
}

// Transition is where a walk goes after a step: the next step (empty at
// the end) and when it is due.
type Transition struct {
	Next string
	At   time.Time
}

// Done reports whether the walk ends.
func (t Transition) Done() bool { return t.Next == "" }

// Advance is the step machine: after step id ran at now with outcome o,
// which step comes next and when. A wait step makes the next step due when
// the wait ends; every other step makes it due at once.
func (d *Definition) Advance(id string, o Outcome, now time.Time) (Transition, error) {
	i := d.index(id)
	if i < 0 {
		return Transition{}, fmt.Errorf("journey: no step %q", id)
	}
	s := d.Steps[i]
	switch s.Type {
	case StepExit:
		return Transition{At: now}, nil
	case StepCondition:
		if o.Matched {
			return Transition{Next: d.follow(i, s.Yes), At: now}, nil
		}
		return Transition{Next: d.follow(i, s.No), At: now}, nil
	case StepWait:
		end, err := s.WaitEnd(now)
		if err != nil {
			return Transition{}, err
		}
		return Transition{Next: d.follow(i, s.Next), At: end}, nil
	}
	return Transition{Next: d.follow(i, s.Next), At: now}, nil
}

// WaitEnd is when a wait step that starts at now ends: now plus the
// duration, or the next moment the Shanghai clock shows Until (tomorrow's
// when that time has passed today, now itself when it is that time).
func (s Step) WaitEnd(now time.Time) (time.Time, error) {
	if s.Wait != "" {
		d, err := ParseDuration(s.Wait)
		if err != nil {
			return now, err
		}
		return now.Add(d), nil
	}
	clock, err := ParseClock(s.Until)
	if err != nil {
		return now, err
	}
	return nextClock(now, clock), nil
}

func nextClock(now time.Time, clock time.Duration) time.Time {
	local := now.In(siyu.Shanghai)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, siyu.Shanghai)
	at := day.Add(clock)
	if at.Before(now) {
		at = day.AddDate(0, 0, 1).Add(clock)
	}
	return at.UTC()
}

// NextRun is the first time at or after t at which a schedule trigger
// fires (the zero time for other triggers).
func (t Trigger) NextRun(after time.Time) time.Time {
	if t.Kind != TriggerSchedule {
		return time.Time{}
	}
	clock, err := ParseClock(t.At)
	if err != nil {
		return time.Time{}
	}
	at := nextClock(after, clock)
	if t.Every == "weekly" {
		for at.In(siyu.Shanghai).Weekday() != time.Weekday(t.Weekday) {
			local := at.In(siyu.Shanghai)
			at = time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, siyu.Shanghai).Add(clock).UTC()
		}
	}
	return at
}

// ParseDuration reads a whole number with a unit: m (minutes), h, d or w,
// e.g. 30m, 2h, 3d, 1w. Several parts add up: 1d12h.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q: write a whole number and a unit, e.g. 30m, 2h, 3d, 1w", s)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("%q: number too large", s)
		}
		var unit time.Duration
		switch rest[i] {
		case 'm':
			unit = time.Minute
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'w':
			unit = 7 * 24 * time.Hour
		default:
			return 0, fmt.Errorf("%q: unit %q; use m, h, d or w", s, rest[i])
		}
		total += time.Duration(n) * unit
		if total > 10*365*24*time.Hour {
			return 0, fmt.Errorf("%q: more than ten years", s)
		}
		rest = rest[i+1:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("%q: must be longer than zero", s)
	}
	return total, nil
}

// ParseClock reads a time of day, HH:MM (24-hour).
func ParseClock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("%q: write a time of day as HH:MM, e.g. 09:30", s)
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q: write a time of day as HH:MM, e.g. 09:30", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

package runner

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
)

// Report is a dry run: what a journey version would have done over a past
// window.
type Report struct {
	JourneyID int64     `json:"journey_id"`
	Version   int       `json:"version"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`

	Triggers   int            `json:"triggers"`    // trigger occurrences in the window
	NotMatched int            `json:"not_matched"` // the trigger's condition was false
	Reentry    int            `json:"reentry"`     // refused by the re-entry rule
	Entered    int            `json:"entered"`
	Completed  int            `json:"completed"`
	Exited     map[string]int `json:"exited"`  // by reason (converted, rule)
	Waiting    int            `json:"waiting"` // next step due after the window
	Steps      []StepReport   `json:"steps"`   // in the definition's order
}

// StepReport is one step in a dry run: how many walks reached it and what
// it did (yes/no for a condition; queued, deferred or skipped:<reason> for
// a send; exited:<reason> for walks that left before it).
type StepReport struct {
	ID       string           `json:"id"`
	Type     journey.StepType `json:"type"`
	Reached  int              `json:"reached"`
	Outcomes map[string]int   `json:"outcomes"`
}

// MaxDryRunWindow bounds a dry run's window.
const MaxDryRunWindow = 366 * 24 * time.Hour

// DryRun replays a journey version over the recorded history of [from, to):
// every trigger occurrence in the window (events, paid orders, new
// contacts, segment entries; for a schedule, each occurrence over the
// segment's current members) is walked through the steps on the person's
// facts as of each step's time, until the walk ends or its next step falls
// after the window. Sends ask the reach policy as of their time (read-only:
// simulated sends do not count against each other's caps). Nothing is sent
// or written.
func DryRun(ctx context.Context, st Store, pol Planner, ws, journeyID int64, version int, from, to time.Time) (Report, error) {
	rep := Report{JourneyID: journeyID, Version: version, From: from, To: to, Exited: map[string]int{}}
	if !to.After(from) {
		return rep, fmt.Errorf("%w: to: must be after from", siyu.ErrInvalid)
	}
	if to.Sub(from) > MaxDryRunWindow {
		return rep, fmt.Errorf("%w: window: at most 366 days", siyu.ErrInvalid)
	}
	def, err := st.JourneyDefinition(ctx, ws, journeyID, version)
	if err != nil {
		return rep, err
	}
	for _, s := range def.Steps {
		rep.Steps = append(rep.Steps, StepReport{ID: s.ID, Type: s.Type, Outcomes: map[string]int{}})
	}
	sim := &simulation{st: st, pol: pol, ws: ws, def: def, rep: &rep, to: to, walks: map[int64][]walk{}, rules: map[string]*segment.Rule{}}
	var occurrences []store.JourneyTrigger
	collect := func(tr store.JourneyTrigger) error {
		occurrences = append(occurrences, tr)
		return nil
	}
	t := def.Trigger
	switch t.Kind {
	case journey.TriggerEvent:
		err = st.JourneyHistory(ctx, ws, t.Event, 0, from, to, collect)
	case journey.TriggerSegment:
		err = st.JourneyHistory(ctx, ws, "", t.SegmentID, from, to, collect)
	case journey.TriggerSchedule:
		var members []int64
		if err = st.SegmentMembers(ctx, ws, t.SegmentID, func(id int64) error {
			members = append(members, id)
			return nil
		}); err != nil {
			return rep, err
		}
		for at := t.NextRun(from); at.Before(to); at = t.NextRun(at.Add(time.Minute)) {
			for _, id := range members {
				occurrences = append(occurrences, store.JourneyTrigger{Key: "schedule:" + strconv.FormatInt(at.UnixMilli(), 10), CustomerID: id, At: at})
			}
		}
	}
	if err != nil {
		return rep, err
	}
	for _, tr := range occurrences {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if err := sim.offer(ctx, tr); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

type walk struct {
	entered, ended time.Time // ended zero: still going at the end of the window
}

type simulation struct {
	st    Store
	pol   Planner
	ws    int64
	def   journey.Definition
	rep   *Report
	to    time.Time
	walks map[int64][]walk // by customer
	rules map[string]*segment.Rule
}

func (s *simulation) eval(ctx context.Context, src string, customer int64, at time.Time) (bool, error) {
	rule, ok := s.rules[src]
	if !ok {
		var err error
		if rule, err = segment.Parse(src); err != nil {
			return false, err
		}
		s.rules[src] = rule
	}
	f, err := s.st.PersonFactsAt(ctx, s.ws, customer, at)
	if err != nil {
		return false, err
	}
	return rule.Eval(f)
}

// allowed applies the re-entry rule to the walks simulated so far.
func (s *simulation) allowed(customer int64, at time.Time) bool {
	r := s.def.Reentry
	if r.Mode == journey.ReentryEvery {
		return true
	}
	for _, w := range s.walks[customer] {
		if r.Mode == journey.ReentryOnce {
			return false
		}
		if w.ended.IsZero() || w.ended.After(at) || w.entered.After(at.AddDate(0, 0, -r.Days)) {
			return false
		}
	}
	return true
}

func (s *simulation) offer(ctx context.Context, tr store.JourneyTrigger) error {
	s.rep.Triggers++
	if c := s.def.Trigger.Condition; c != "" {
		ok, err := s.eval(ctx, c, tr.CustomerID, tr.At)
		if err != nil {
			return err
		}
		if !ok {
			s.rep.NotMatched++
			return nil
		}
	}
	if !s.allowed(tr.CustomerID, tr.At) {
		s.rep.Reentry++
		return nil
	}
	s.rep.Entered++
	ended, err := s.walk(ctx, tr)
	if err != nil {
		return err
	}
	s.walks[tr.CustomerID] = append(s.walks[tr.CustomerID], walk{entered: tr.At, ended: ended})
	return nil
}

// walk follows one enrollment and returns when it ended (zero if its next
// step falls after the window).
func (s *simulation) walk(ctx context.Context, tr store.JourneyTrigger) (time.Time, error) {
	at, id := tr.At, s.def.Start()
	for id != "" {
		if !at.Before(s.to) {
			s.rep.Waiting++
			return time.Time{}, nil
		}
		i := s.index(id)
		sr := &s.rep.Steps[i]
		step := s.def.Steps[i]
		if reason, err := s.exitReason(ctx, tr, at); err != nil {
			return at, err
		} else if reason != "" {
			sr.Outcomes["exited:"+reason]++
			s.rep.Exited[reason]++
			return at, nil
		}
		sr.Reached++
		outcome, matched := "done", false
		switch step.Type {
		case journey.StepWait:
			outcome = "waited"
		case journey.StepExit:
			outcome = "exit"
		case journey.StepCondition:
			ok, err := s.eval(ctx, step.Rule, tr.CustomerID, at)
			if err != nil {
				return at, err
			}
			outcome, matched = "no", ok
			if ok {
				outcome = "yes"
			}
		case journey.StepSend, journey.StepGroup:
			o, err := s.send(ctx, tr.CustomerID, step, at)
			if err != nil {
				return at, err
			}
			outcome = o
		}
		sr.Outcomes[outcome]++
		next, err := s.def.Advance(id, journey.Outcome{Matched: matched}, at)
		if err != nil {
			return at, err
		}
		id, at = next.Next, next.At
	}
	s.rep.Completed++
	return at, nil
}

func (s *simulation) index(id string) int {
	for i, st := range s.def.Steps {
		if st.ID == id {
			return i
		}
	}
	return -1
}

func (s *simulation) exitReason(ctx context.Context, tr store.JourneyTrigger, at time.Time) (string, error) {
	if ev := s.def.Exit.OnEvent; ev != "" {
		conv, err := s.st.ConvertedSince(ctx, s.ws, tr.CustomerID, ev, tr.At, at)
		if err != nil || conv {
			return "converted", err
		}
	}
	if s.def.Exit.Rule != "" {
		ok, err := s.eval(ctx, s.def.Exit.Rule, tr.CustomerID, at)
		if err != nil || ok {
			return "rule", err
		}
	}
	return "", nil
}

func (s *simulation) send(ctx context.Context, customer int64, step journey.Step, at time.Time) (string, error) {
	if s.pol == nil {
		return "queued", nil
	}
	d := siyu.Delivery{Key: fmt.Sprintf("dryrun:%d:%s", customer, step.ID), WorkspaceID: s.ws, CustomerID: customer, Channel: siyu.ReachSingle,
		Message: siyu.Message{Text: "dry run"}}
	if step.Account != "" {
		accounts, err := s.st.Accounts(ctx, s.ws)
		if err != nil {
			return "", err
		}
		for _, a := range accounts {
			if a.WeComUserID == step.Account {
				d.AccountID, d.Sender = a.ID, a.WeComUserID
			}
		}
		if d.AccountID == 0 {
			return "skipped:unknown_account", nil
		}
	}
	ds, err := s.pol.Plan(ctx, s.ws, []siyu.Delivery{d}, at)
	if err != nil {
		return "", err
	}
	switch {
	case ds[0].Admitted():
		return "queued", nil
	case ds[0].Reason == siyu.SkipQuietHours:
		return "deferred", nil
	}
	return "skipped:" + string(ds[0].Reason), nil
}

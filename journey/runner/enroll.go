package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
)

// scanBatch is how many triggers one read of a stream takes.
const scanBatch = 500

// ScanResult is what one scan of a workspace did.
type ScanResult struct {
	Read     int `json:"read"`
	Enrolled int `json:"enrolled"`
}

// Scan reads what happened in a workspace since the last scan (events,
// paid orders, contacts) and enrols the people whose triggers fire. A
// workspace's first scan starts at the end of each stream: history does not
// enrol (the dry run replays it instead). A crash repeats at most one batch,
// and an enrollment is unique by (journey, trigger), so nobody is enrolled
// twice for one trigger.
func (r *Runner) Scan(ctx context.Context, ws int64) (ScanResult, error) {
	var res ScanResult
	journeys, err := r.st.ActiveJourneys(ctx, ws)
	if err != nil {
		return res, err
	}
	for _, stream := range store.JourneyStreams {
		cur, ok, err := r.st.JourneyCursorOf(ctx, ws, stream)
		if err != nil {
			return res, err
		}
		if !ok {
			if cur, err = r.st.JourneyStreamEnd(ctx, ws, stream); err != nil {
				return res, err
			}
			if err := r.st.SetJourneyCursor(ctx, ws, stream, cur); err != nil {
				return res, err
			}
			continue
		}
		for {
			trs, next, err := r.st.JourneyFeed(ctx, ws, stream, cur, scanBatch)
			if err != nil {
				return res, err
			}
			for _, tr := range trs {
				res.Read++
				n, err := r.offer(ctx, ws, journeys, tr)
				if err != nil {
					return res, err
				}
				res.Enrolled += n
			}
			if next == cur {
				break
			}
			if err := r.st.SetJourneyCursor(ctx, ws, stream, next); err != nil {
				return res, err
			}
			cur = next
		}
	}
	return res, nil
}

// offer enrols the person of a trigger in every active journey it fires.
func (r *Runner) offer(ctx context.Context, ws int64, journeys []store.Journey, tr store.JourneyTrigger) (int, error) {
	now := r.now()
	if tr.At.Before(now.Add(-r.opt.MaxTriggerAge)) {
		return 0, nil
	}
	n := 0
	var facts *segment.Facts
	for _, j := range journeys {
		if !Fires(j.Definition.Trigger, tr) {
			continue
		}
		if c := j.Definition.Trigger.Condition; c != "" {
			if facts == nil {
				f, err := r.st.PersonFacts(ctx, ws, tr.CustomerID)
				if err != nil {
					return n, err
				}
				f.At = now
				facts = &f
			}
			ok, err := evalRule(c, *facts)
			if err != nil {
				return n, fmt.Errorf("journey %d: trigger.condition: %w", j.ID, err)
			}
			if !ok {
				continue
			}
		}
		_, added, err := r.enrol(ctx, ws, j, tr.CustomerID, tr.Key, TriggerVars(tr), now)
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}

// Fires reports whether a trigger occurrence enrols in a journey with this
// trigger (its condition aside).
func Fires(t journey.Trigger, tr store.JourneyTrigger) bool {
	switch t.Kind {
	case journey.TriggerEvent:
		return tr.Type == t.Event
	case journey.TriggerSegment:
		return tr.Type == siyu.EventSegmentEnter && propInt(tr.Props["segment_id"]) == t.SegmentID
	}
	return false
}

func propInt(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	case json.Number:
		n, _ := x.Int64()
		return n
	}
	return 0
}

// TriggerVars are the variables a trigger gives the walk: the order's
// external id for an order.
func TriggerVars(tr store.JourneyTrigger) map[string]string {
	v := map[string]string{}
	if id, ok := tr.Props["external_id"].(string); ok {
		v["order_id"] = id
	}
	if id := propInt(tr.Props["order_id"]); id != 0 {
		v["order_ref"] = strconv.FormatInt(id, 10)
	}
	return v
}

func evalRule(src string, f segment.Facts) (bool, error) {
	rule, err := segment.Parse(src)
	if err != nil {
		return false, err
	}
	return rule.Eval(f)
}

func (r *Runner) enrol(ctx context.Context, ws int64, j store.Journey, customer int64, key string, vars map[string]string, at time.Time) (store.Enrollment, bool, error) {
	def := j.Definition
	return r.st.Enroll(ctx, ws, store.NewEnrollment{
		JourneyID: j.ID, Version: j.LiveVersion, CustomerID: customer, TriggerKey: key,
		Reentry: def.Reentry, Start: def.Start(), Vars: vars, At: at,
	}, func(id int64) store.NewJob { return stepJob(id, def.Start(), at) })
}

type schedulePayload struct {
	Journey int64 `json:"journey"`
	Version int   `json:"version"`
	At      int64 `json:"at"` // unix ms of the occurrence
}

// Schedule makes sure every active schedule journey of the workspace has a
// job for its next occurrence (unique by journey, version and time).
func (r *Runner) Schedule(ctx context.Context, ws int64) error {
	journeys, err := r.st.ActiveJourneys(ctx, ws)
	if err != nil {
		return err
	}
	var jobs []store.NewJob
	for _, j := range journeys {
		next := j.Definition.Trigger.NextRun(r.now())
		if next.IsZero() {
			continue
		}
		p, _ := json.Marshal(schedulePayload{Journey: j.ID, Version: j.LiveVersion, At: next.UnixMilli()})
		jobs = append(jobs, store.NewJob{Kind: KindSchedule, Key: fmt.Sprintf("%d:v%d:%d", j.ID, j.LiveVersion, next.UnixMilli()), Payload: p, RunAt: next})
	}
	if len(jobs) == 0 {
		return nil
	}
	return r.enqueue(ctx, ws, jobs)
}

func (r *Runner) enqueue(ctx context.Context, ws int64, jobs []store.NewJob) error {
	_, err := r.st.EnqueueJobs(ctx, ws, jobs)
	return err
}

// runSchedule enrols the members of a schedule journey's segment, if the
// journey is still active on the version the job was made for.
func (r *Runner) runSchedule(ctx context.Context, j store.Job) error {
	var p schedulePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.Journey == 0 {
		return fmt.Errorf("schedule job %d: bad payload %q", j.ID, j.Payload)
	}
	jr, err := r.st.Journey(ctx, j.WorkspaceID, p.Journey)
	if err != nil {
		return err
	}
	if jr.Status != store.JourneyActive || jr.LiveVersion != p.Version {
		return nil
	}
	def, err := r.definition(ctx, j.WorkspaceID, jr.ID, jr.LiveVersion)
	if err != nil {
		return err
	}
	jr.Definition = def
	var rule *segment.Rule
	if def.Trigger.Condition != "" {
		if rule, err = segment.Parse(def.Trigger.Condition); err != nil {
			return err
		}
	}
	var people []int64
	if err := r.st.SegmentMembers(ctx, j.WorkspaceID, def.Trigger.SegmentID, func(id int64) error {
		people = append(people, id)
		return nil
	}); err != nil {
		return err
	}
	now := r.now()
	for _, id := range people {
		if rule != nil {
			f, err := r.st.PersonFacts(ctx, j.WorkspaceID, id)
			if err != nil {
				return err
			}
			f.At = now
			if ok, _ := rule.Eval(f); !ok {
				continue
			}
		}
		key := fmt.Sprintf("schedule:%d:%d", p.At, id)
		if _, _, err := r.enrol(ctx, j.WorkspaceID, jr, id, key, nil, now); err != nil {
			return err
		}
	}
	return nil
}

package runner

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/store"
)

// pausedRetry is how often a step of a paused journey looks again.
const pausedRetry = 15 * time.Minute

// runStep runs one step of one enrollment: the exit checks, the step's
// effect (idempotent by the enrollment and step), then, in one transaction,
// the step's outcome, the move to the next step and the next step's job.
func (r *Runner) runStep(ctx context.Context, ws int64, p stepPayload) error {
	e, err := r.st.Enrollment(ctx, ws, p.Enrollment)
	if errors.Is(err, siyu.ErrNotFound) {
		return nil // erased with its person
	}
	if err != nil {
		return err
	}
	if e.Status != store.EnrollmentActive || e.Step != p.Step {
		return nil // a stale job: the walk has moved on
	}
	j, err := r.st.Journey(ctx, ws, e.JourneyID)
	if err != nil {
		return err
	}
	now := r.now()
	if j.Status == store.JourneyPaused {
		return snooze{until: now.Add(pausedRetry)}
	}
	def, err := r.definition(ctx, ws, e.JourneyID, e.Version)
	if err != nil {
		return err
	}
	step, ok := def.Step(p.Step)
	if !ok {
		return fmt.Errorf("journey %d v%d has no step %q", e.JourneyID, e.Version, p.Step)
	}
	if reason, err := r.exitReason(ctx, ws, e, def, now); err != nil {
		return err
	} else if reason != "" {
		return r.st.ExitEnrollment(ctx, ws, e.ID, step.ID, reason, now)
	}
	vars := e.Vars
	if vars == nil {
		vars = map[string]string{}
	}
	res, err := r.effect(ctx, ws, e, step, vars, now)
	if err != nil {
		return fmt.Errorf("journey %d enrollment %d step %s: %w", e.JourneyID, e.ID, step.ID, err)
	}
	if h := r.opt.BeforeAdvance; h != nil {
		if err := h(e.ID, step.ID); err != nil {
			return errCrash{err}
		}
	}
	tr, err := def.Advance(step.ID, journey.Outcome{Matched: res.matched}, now)
	if err != nil {
		return err
	}
	jobs := res.jobs
	if !tr.Done() {
		jobs = append(jobs, stepJob(e.ID, tr.Next, tr.At))
	}
	err = r.st.StepDone(ctx, ws, e.ID, step.ID, res.outcome, tr.Next, vars, jobs, now)
	if store.IsStepMoved(err) {
		return nil
	}
	return err
}

// exitReason says why a walk ends before its next step: a conversion since
// it entered, or the exit rule.
func (r *Runner) exitReason(ctx context.Context, ws int64, e store.Enrollment, def journey.Definition, now time.Time) (string, error) {
	if ev := def.Exit.OnEvent; ev != "" {
		conv, err := r.st.ConvertedSince(ctx, ws, e.CustomerID, ev, e.EnteredAt, now)
		if err != nil || conv {
			return "converted", err
		}
	}
	if def.Exit.Rule != "" {
		f, err := r.st.PersonFacts(ctx, ws, e.CustomerID)
		if err != nil {
			return "", err
		}
		f.At = now
		ok, err := evalRule(def.Exit.Rule, f)
		if err != nil || ok {
			return "rule", err
		}
	}
	return "", nil
}

type effectResult struct {
	outcome string
	matched bool
	jobs    []store.NewJob
}

// effect does what a step does. Every effect is safe to repeat: a crash
// after it and before StepDone runs it again.
func (r *Runner) effect(ctx context.Context, ws int64, e store.Enrollment, s journey.Step, vars map[string]string, now time.Time) (effectResult, error) {
	switch s.Type {
	case journey.StepWait:
		return effectResult{outcome: "waited"}, nil
	case journey.StepExit:
		return effectResult{outcome: "exit"}, nil
	case journey.StepCondition:
		f, err := r.st.PersonFacts(ctx, ws, e.CustomerID)
		if err != nil {
			return effectResult{}, err
		}
		f.At = now
		ok, err := evalRule(s.Rule, f)
		if err != nil {
			return effectResult{}, err
		}
		if ok {
			return effectResult{outcome: "yes", matched: true}, nil
		}
		return effectResult{outcome: "no"}, nil
	case journey.StepSend:
		out, err := r.send(ctx, ws, e, s.ID, s.Account, *s.Message, vars, now)
		return effectResult{outcome: out}, err
	case journey.StepGroup:
		vars["group_qr"] = s.Group.QRURL
		text := s.Group.Text
		if text == "" {
			name := s.Group.Name
			if name == "" {
				name = "会员群"
			}
			text = "{{name|你好}}，诚邀你加入「" + name + "」，扫码入群：{{group_qr}}"
		}
		out, err := r.send(ctx, ws, e, s.ID, s.Account, siyu.Message{Text: text}, vars, now)
		return effectResult{outcome: "invited:" + out}, err
	case journey.StepTag:
		source := "journey:" + strconv.FormatInt(e.JourneyID, 10)
		for _, t := range s.AddTags {
			if _, err := r.st.AddCustomerTag(ctx, ws, e.CustomerID, t, source); err != nil {
				return effectResult{}, err
			}
		}
		for _, t := range s.RemoveTags {
			if _, err := r.st.RemoveCustomerTag(ctx, ws, e.CustomerID, t); err != nil {
				return effectResult{}, err
			}
		}
		return effectResult{outcome: "tagged"}, nil
	case journey.StepTask:
		return r.task(ctx, ws, e, s, vars, now)
	case journey.StepCode:
		return r.code(ctx, ws, e, s, vars)
	case journey.StepWebhook:
		job, err := webhookJob(e, s, now)
		if err != nil {
			return effectResult{}, err
		}
		return effectResult{outcome: "queued", jobs: []store.NewJob{job}}, nil
	}
	return effectResult{}, fmt.Errorf("unknown step type %q", s.Type)
}

// personVars adds the person's own variables to the walk's.
func (r *Runner) personVars(ctx context.Context, ws, customer int64, vars map[string]string) (journey.Vars, error) {
	c, err := r.st.Customer(ctx, ws, customer)
	if err != nil {
		return nil, err
	}
	out := journey.Vars{"name": c.Name, "city": c.City, "province": c.Province}
	for k, v := range vars {
		out[k] = v
	}
	return out, nil
}

// send hands a 1:1 message to dispatch under the step's key, after asking
// the policy (read-only) whether the person can be reached now: a person
// who cannot (opted out, no contact, over a cap) is skipped here, one in
// quiet hours is queued for when they end. Dispatch asks again (Admit)
// right before sending, so the limits hold at send time too.
func (r *Runner) send(ctx context.Context, ws int64, e store.Enrollment, step, account string, m siyu.Message, vars map[string]string, now time.Time) (string, error) {
	if r.opt.Dispatch == nil || r.opt.Policy == nil {
		return "", errors.New("sending needs the dispatcher and the reach policy")
	}
	pv, err := r.personVars(ctx, ws, e.CustomerID, vars)
	if err != nil {
		return "", err
	}
	msg, err := journey.Render(m, pv)
	if err != nil {
		return "", err
	}
	d := siyu.Delivery{Key: SendKey(e.JourneyID, e.Version, e.ID, step), WorkspaceID: ws, CustomerID: e.CustomerID, Channel: siyu.ReachSingle, Message: msg}
	if account != "" {
		accounts, err := r.st.Accounts(ctx, ws)
		if err != nil {
			return "", err
		}
		for _, a := range accounts {
			if a.WeComUserID == account {
				d.AccountID, d.Sender = a.ID, a.WeComUserID
			}
		}
		if d.AccountID == 0 {
			return "skipped:unknown_account", nil
		}
	}
	decisions, err := r.opt.Policy.Plan(ctx, ws, []siyu.Delivery{d}, now)
	if err != nil {
		return "", err
	}
	if len(decisions) != 1 {
		return "", fmt.Errorf("policy answered %d decisions for one delivery", len(decisions))
	}
	dec := decisions[0]
	var notBefore time.Time
	outcome := "queued"
	switch {
	case dec.Admitted():
	case dec.Reason == siyu.SkipQuietHours:
		notBefore, outcome = dec.RetryAt, "deferred"
	default:
		return "skipped:" + string(dec.Reason), nil
	}
	if _, err := r.opt.Dispatch.Enqueue(ctx, ws, []siyu.Delivery{dec.Delivery}, notBefore); err != nil {
		return "", err
	}
	return outcome, nil
}

// TaskRef is the ref of a task step's task: one task per enrollment and
// step, however often the step runs.
func TaskRef(journeyID, enrollmentID int64, step string) string {
	return fmt.Sprintf("journey:%d:%d:%s", journeyID, enrollmentID, step)
}

func (r *Runner) task(ctx context.Context, ws int64, e store.Enrollment, s journey.Step, vars map[string]string, now time.Time) (effectResult, error) {
	pv, err := r.personVars(ctx, ws, e.CustomerID, vars)
	if err != nil {
		return effectResult{}, err
	}
	title, err := journey.RenderText(s.Task.Title, pv)
	if err != nil {
		return effectResult{}, err
	}
	detail, err := journey.RenderText(s.Task.Detail, pv)
	if err != nil {
		return effectResult{}, err
	}
	kind := s.Task.Kind
	if kind == "" {
		kind = siyu.TaskFollowUp
	}
	t := siyu.Task{Kind: kind, Title: title, Detail: detail, CustomerID: e.CustomerID, Ref: TaskRef(e.JourneyID, e.ID, s.ID), CreatedAt: now}
	if s.Task.Due != "" {
		d, err := journey.ParseDuration(s.Task.Due)
		if err != nil {
			return effectResult{}, err
		}
		t.DueAt = now.Add(d)
	}
	created, err := r.st.CreateTask(ctx, ws, t)
	if err != nil {
		return effectResult{}, err
	}
	return effectResult{outcome: "task:" + strconv.FormatInt(created.ID, 10)}, nil
}

// CodeState is the WeCom state of a channel_code step's code: short (WeCom
// allows 30 characters) and unique per enrollment and step, so that a
// repeated step finds the code it made.
func CodeState(enrollmentID int64, step string) string {
	s := "jr" + strconv.FormatInt(enrollmentID, 36) + "-" + step
	if len(s) > store.MaxStateLen {
		s = s[:store.MaxStateLen]
	}
	return s
}

func (r *Runner) code(ctx context.Context, ws int64, e store.Enrollment, s journey.Step, vars map[string]string) (effectResult, error) {
	state := CodeState(e.ID, s.ID)
	c, err := r.st.ChannelCodeByState(ctx, ws, state)
	if errors.Is(err, siyu.ErrNotFound) {
		if r.opt.Codes == nil {
			return effectResult{}, errors.New("channel codes need WeCom to be set up")
		}
		kind := s.Code.Kind
		if kind == "" {
			kind = siyu.CodeOrder
		}
		in := siyu.ChannelCode{Name: fmt.Sprintf("旅程 %d · %s", e.JourneyID, strings.TrimSpace(vars["order_id"]+" "+strconv.FormatInt(e.ID, 10))),
			Kind: kind, State: state, Accounts: s.Code.Accounts, Tags: s.Code.Tags, Welcome: s.Code.Welcome, CustomerID: e.CustomerID}
		if id, _ := strconv.ParseInt(vars["order_ref"], 10, 64); id != 0 && kind == siyu.CodeOrder {
			in.OrderID = id
		}
		c, err = r.opt.Codes.CreateChannelCode(ctx, ws, in)
		if errors.Is(err, siyu.ErrConflict) {
			c, err = r.st.ChannelCodeByState(ctx, ws, state)
		}
	}
	if err != nil {
		return effectResult{}, err
	}
	if c.QRCode == "" {
		return effectResult{}, fmt.Errorf("channel code %d has no WeCom QR yet", c.ID)
	}
	vars["code_url"] = c.QRCode
	vars["code_id"] = strconv.FormatInt(c.ID, 10)
	return effectResult{outcome: "code:" + strconv.FormatInt(c.ID, 10)}, nil
}

// Package runner runs journeys: it enrols people when their triggers
// happen (scanning new events, paid orders and contacts per workspace, and
// firing schedules), and walks each enrollment step by step through jobs in
// the store's durable queue, so that waits of days survive restarts and a
// crash between steps repeats nothing that was done (every side effect has
// an idempotency key derived from the enrollment and the step). It also
// replays a journey over recorded history: the dry run.
package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/journey"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
)

// Job kinds in the store's queue.
const (
	KindStep     = "journey.step"     // run one step of one enrollment
	KindWebhook  = "journey.webhook"  // POST one webhook
	KindSchedule = "journey.schedule" // enrol a schedule's segment
)

// Kinds are the job kinds a runner works.
var Kinds = []string{KindStep, KindWebhook, KindSchedule}

// Store is what the runner needs of the store; *store.Store has it.
type Store interface {
	JourneyWorkspaces(ctx context.Context) ([]int64, error)
	ActiveJourneys(ctx context.Context, workspaceID int64) ([]store.Journey, error)
	Journey(ctx context.Context, workspaceID, id int64) (store.Journey, error)
	JourneyDefinition(ctx context.Context, workspaceID, id int64, version int) (journey.Definition, error)
	JourneyCursorOf(ctx context.Context, workspaceID int64, stream string) (store.JourneyCursor, bool, error)
	SetJourneyCursor(ctx context.Context, workspaceID int64, stream string, c store.JourneyCursor) error
	JourneyStreamEnd(ctx context.Context, workspaceID int64, stream string) (store.JourneyCursor, error)
	JourneyFeed(ctx context.Context, workspaceID int64, stream string, after store.JourneyCursor, limit int) ([]store.JourneyTrigger, store.JourneyCursor, error)
	JourneyHistory(ctx context.Context, workspaceID int64, eventType string, segmentID int64, from, to time.Time, fn func(store.JourneyTrigger) error) error
	Enroll(ctx context.Context, workspaceID int64, in store.NewEnrollment, firstJob func(enrollmentID int64) store.NewJob) (store.Enrollment, bool, error)
	Enrollment(ctx context.Context, workspaceID, id int64) (store.Enrollment, error)
	StepDone(ctx context.Context, workspaceID, enrollmentID int64, step, outcome, next string, vars map[string]string, jobs []store.NewJob, at time.Time) error
	ExitEnrollment(ctx context.Context, workspaceID, enrollmentID int64, step, reason string, at time.Time) error
	EnqueueJobs(ctx context.Context, workspaceID int64, jobs []store.NewJob) (int, error)
	ClaimJourneyJobs(ctx context.Context, worker string, kinds []string, n int, lease time.Duration, now time.Time) ([]store.Job, error)
	CompleteJob(ctx context.Context, id int64, worker string) error
	SnoozeJob(ctx context.Context, id int64, worker string, at time.Time) error
	RetryJob(ctx context.Context, j store.Job, worker string, cause error, retryAt time.Time) (bool, error)
	PersonFacts(ctx context.Context, workspaceID, customerID int64) (segment.Facts, error)
	PersonFactsAt(ctx context.Context, workspaceID, customerID int64, at time.Time) (segment.Facts, error)
	ConvertedSince(ctx context.Context, workspaceID, customerID int64, eventType string, since, until time.Time) (bool, error)
	Customer(ctx context.Context, workspaceID, id int64) (siyu.Customer, error)
	Accounts(ctx context.Context, workspaceID int64) ([]siyu.Account, error)
	AddCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName, source string) (bool, error)
	RemoveCustomerTag(ctx context.Context, workspaceID, customerID int64, tagName string) (bool, error)
	CreateTask(ctx context.Context, workspaceID int64, in siyu.Task) (siyu.Task, error)
	ChannelCodeByState(ctx context.Context, workspaceID int64, state string) (siyu.ChannelCode, error)
	SegmentMembers(ctx context.Context, workspaceID, segmentID int64, fn func(customerID int64) error) error
}

// Enqueuer takes deliveries to send, idempotent by Delivery.Key;
// *dispatch.Dispatcher is one.
type Enqueuer interface {
	Enqueue(ctx context.Context, ws int64, ds []siyu.Delivery, notBefore time.Time) (int, error)
}

// Planner is the reach policy's read-only check; *policy.Policy is one.
// The dispatcher asks the policy again (Admit) right before sending.
type Planner interface {
	Plan(ctx context.Context, workspaceID int64, ds []siyu.Delivery, at time.Time) ([]policy.Decision, error)
}

// CodeMaker makes channel codes in WeCom and the store;
// *wecomsync.Service is one.
type CodeMaker interface {
	CreateChannelCode(ctx context.Context, workspaceID int64, c siyu.ChannelCode) (siyu.ChannelCode, error)
}

// Options configure a Runner. Zero values take the defaults.
type Options struct {
	Dispatch Enqueuer  // required for send and group steps
	Policy   Planner   // required for send and group steps
	Codes    CodeMaker // for channel_code steps; without it they fail (and retry)
	HTTP     *http.Client
	Logger   *slog.Logger

	Worker    string        // the name in job leases; default host-pid
	Lease     time.Duration // default 2 min
	Idle      time.Duration // between polls when there is nothing to do; default 1 s
	ScanEvery time.Duration // between trigger scans; default 5 s
	// MaxTriggerAge: a trigger older than this when it is scanned (an
	// import of last year's orders) enrols nobody; default 24 h.
	MaxTriggerAge time.Duration
	Now           func() time.Time

	// BeforeAdvance is a fault hook for crash tests: called after a step's
	// effects and before its completion is recorded. A non-nil error
	// stops RunDue at once, leaving the job leased, as a kill -9 would.
	BeforeAdvance func(enrollmentID int64, step string) error
}

// Runner enrols people and walks their steps.
type Runner struct {
	st  Store
	opt Options
	log *slog.Logger

	mu   sync.Mutex
	defs map[defKey]journey.Definition
}

type defKey struct {
	ws, id  int64
	version int
}

// New returns a runner.
func New(st Store, opt Options) *Runner {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Worker == "" {
		host, _ := os.Hostname()
		opt.Worker = host + "-" + strconv.Itoa(os.Getpid()) + "-journeys"
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.Idle <= 0 {
		opt.Idle = time.Second
	}
	if opt.ScanEvery <= 0 {
		opt.ScanEvery = 5 * time.Second
	}
	if opt.MaxTriggerAge <= 0 {
		opt.MaxTriggerAge = 24 * time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	return &Runner{st: st, opt: opt, log: opt.Logger, defs: map[defKey]journey.Definition{}}
}

func (r *Runner) now() time.Time { return r.opt.Now().UTC() }

// Run scans triggers and works the journey jobs of every workspace until
// ctx ends.
func (r *Runner) Run(ctx context.Context) {
	var lastScan time.Time
	for ctx.Err() == nil {
		if time.Since(lastScan) >= r.opt.ScanEvery {
			lastScan = time.Now()
			r.ScanAll(ctx)
		}
		n, err := r.RunDue(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("journeys: jobs", "err", err)
		}
		if n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(r.opt.Idle):
		}
	}
}

// ScanAll scans the triggers and schedules of every workspace with an
// active journey, logging failures.
func (r *Runner) ScanAll(ctx context.Context) {
	wss, err := r.st.JourneyWorkspaces(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("journeys: workspaces", "err", err)
		}
		return
	}
	for _, ws := range wss {
		if _, err := r.Scan(ctx, ws); err != nil && ctx.Err() == nil {
			r.log.Error("journeys: scan", "workspace", ws, "err", err)
		}
		if err := r.Schedule(ctx, ws); err != nil && ctx.Err() == nil {
			r.log.Error("journeys: schedule", "workspace", ws, "err", err)
		}
	}
}

// errCrash marks a failure injected by BeforeAdvance.
type errCrash struct{ err error }

func (e errCrash) Error() string { return "crash: " + e.err.Error() }

// snooze puts a job back for later without counting an attempt.
type snooze struct{ until time.Time }

func (s snooze) Error() string { return "waiting until " + s.until.Format(time.RFC3339) }

// RunDue runs the journey jobs that are due by the runner's clock until
// none is left, and returns how many it ran.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	ran := 0
	for ctx.Err() == nil {
		jobs, err := r.st.ClaimJourneyJobs(ctx, r.opt.Worker, Kinds, 16, r.opt.Lease, r.now())
		if err != nil {
			return ran, err
		}
		if len(jobs) == 0 {
			return ran, nil
		}
		for _, j := range jobs {
			err := r.runJob(ctx, j)
			var crash errCrash
			if errors.As(err, &crash) {
				return ran, err
			}
			ran++
			var sn snooze
			switch {
			case err == nil:
				err = r.st.CompleteJob(ctx, j.ID, r.opt.Worker)
			case errors.As(err, &sn):
				err = r.st.SnoozeJob(ctx, j.ID, r.opt.Worker, sn.until)
			default:
				r.log.Warn("journeys: job failed", "kind", j.Kind, "key", j.Key, "attempt", j.Attempts, "err", err)
				var dead bool
				dead, err = r.st.RetryJob(ctx, j, r.opt.Worker, err, r.now().Add(store.JobBackoff(j.Attempts)))
				if dead {
					r.log.Error("journeys: job is dead", "kind", j.Kind, "key", j.Key, "workspace", j.WorkspaceID)
				}
			}
			if err != nil && ctx.Err() == nil {
				r.log.Warn("journeys: could not report a job", "key", j.Key, "err", err)
			}
		}
	}
	return ran, ctx.Err()
}

func (r *Runner) runJob(ctx context.Context, j store.Job) error {
	switch j.Kind {
	case KindStep:
		var p stepPayload
		if err := json.Unmarshal(j.Payload, &p); err != nil || p.Enrollment == 0 {
			return fmt.Errorf("step job %d: bad payload %q", j.ID, j.Payload)
		}
		return r.runStep(ctx, j.WorkspaceID, p)
	case KindWebhook:
		return r.postWebhook(ctx, j)
	case KindSchedule:
		return r.runSchedule(ctx, j)
	}
	return fmt.Errorf("journeys: unknown job kind %q", j.Kind)
}

type stepPayload struct {
	Enrollment int64  `json:"enrollment"`
	Step       string `json:"step"`
}

// stepJob is the job that runs step of an enrollment at at. Its key makes
// it unique: a step is run once per enrollment.
func stepJob(enrollment int64, step string, at time.Time) store.NewJob {
	p, _ := json.Marshal(stepPayload{Enrollment: enrollment, Step: step})
	return store.NewJob{Kind: KindStep, Key: strconv.FormatInt(enrollment, 10) + ":" + step, Payload: p, RunAt: at}
}

func (r *Runner) definition(ctx context.Context, ws, id int64, version int) (journey.Definition, error) {
	k := defKey{ws, id, version}
	r.mu.Lock()
	d, ok := r.defs[k]
	r.mu.Unlock()
	if ok {
		return d, nil
	}
	d, err := r.st.JourneyDefinition(ctx, ws, id, version)
	if err != nil {
		return d, err
	}
	r.mu.Lock()
	r.defs[k] = d // versions never change once stored
	r.mu.Unlock()
	return d, nil
}

// SendKey is the idempotency key of a journey's delivery: one per
// enrollment and step, the same on every retry.
func SendKey(journeyID int64, version int, enrollmentID int64, step string) string {
	return fmt.Sprintf("journey:%d:v%d:%d:%s", journeyID, version, enrollmentID, step)
}

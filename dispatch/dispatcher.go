// Package dispatch delivers what campaigns and journeys decided to send,
// durably: deliveries are stored as sends (unique by idempotency key),
// grouped into WeCom mass-message tasks by a worker that takes its work from
// the store's job queue, admitted by the reach policy right before each task
// is created, and followed until WeCom reports each recipient's result.
// Every send reaches its recipient at most once, across crashes and
// restarts: see docs/DISPATCH.md for the argument.
package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
)

// Gate is the reach policy at send time: it re-checks deliveries just before
// they go out and records the admitted ones against the caps, idempotent by
// Delivery.Key. A skip with RetryAt means not yet (quiet hours).
type Gate interface {
	Admit(ctx context.Context, ws int64, ds []siyu.Delivery, at time.Time) (admitted []siyu.Delivery, skipped []siyu.Skip, err error)
}

// Clients gives the WeCom client of a workspace (wecomsync.Service does).
type Clients interface {
	Client(ctx context.Context, workspaceID int64) (*wecom.Client, siyu.WeComApp, error)
}

// Job kinds in the store's queue.
const (
	KindPlan  = "dispatch.plan"  // group due sends into batches
	KindBatch = "dispatch.batch" // admit and submit one batch
	KindPoll  = "dispatch.poll"  // fetch one batch's results
)

// Kinds are the job kinds a dispatcher works.
var Kinds = []string{KindPlan, KindBatch, KindPoll, KindMoment}

// Options tune a Dispatcher. Zero values take the defaults.
type Options struct {
	// Gate admits deliveries right before they are submitted. Nil admits
	// everything (tools and tests without a policy).
	Gate Gate
	// OnSubmitted is called after a mass-message task was created (or found
	// again after a crash): the sender has to confirm it on their phone.
	// It may be called twice for one task; make it idempotent by msgid.
	OnSubmitted func(ctx context.Context, ws, accountID int64, sender, msgid string, recipients int)
	Logger      *slog.Logger

	Worker  string        // this worker's name in job leases; default host-pid
	Workers int           // jobs run at once; default 4
	Lease   time.Duration // how long a claimed job is ours without a heartbeat; default 2 min
	Idle    time.Duration // wait between claims when there is nothing to do; default 1 s

	PollEvery time.Duration // between result polls of a submitted task; default 5 min
	PollFor   time.Duration // stop polling a task this long after it was submitted; default 72 h
	// DistributingWait is the wait after WeCom answered 41063 (a message
	// just created is still being dispatched); default 10 s.
	DistributingWait time.Duration
	// ReconcileSlack widens the time window searched for a task created
	// before a crash, for clock differences with WeCom; default 5 min.
	ReconcileSlack time.Duration
	// MomentWait is how long after a moment post was marked the job waits
	// before looking for the moment an interrupted attempt may have made
	// (WeCom makes moments asynchronously); default 2 min.
	MomentWait time.Duration
	Limits     store.BatchLimits // default 10,000 customers, 2,000 groups

	// Fault injection for crash tests: called after the submitting mark is
	// committed (before add_msg_template), and after add_msg_template
	// answered (before the msgid is recorded).
	AfterMark   func(batchID int64)
	AfterSubmit func(batchID int64, msgid string)
}

// Dispatcher stores deliveries and works the dispatch jobs.
type Dispatcher struct {
	st      *store.Store
	clients Clients
	opt     Options
	log     *slog.Logger
	now     func() time.Time
}

// New returns a dispatcher. clients may be nil for a dispatcher that only
// enqueues.
func New(st *store.Store, clients Clients, opt Options) *Dispatcher {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Worker == "" {
		host, _ := os.Hostname()
		opt.Worker = host + "-" + strconv.Itoa(os.Getpid())
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	if opt.Lease <= 0 {
		opt.Lease = 2 * time.Minute
	}
	if opt.Idle <= 0 {
		opt.Idle = time.Second
	}
	if opt.PollEvery <= 0 {
		opt.PollEvery = 5 * time.Minute
	}
	if opt.PollFor <= 0 {
		opt.PollFor = 72 * time.Hour
	}
	if opt.DistributingWait <= 0 {
		opt.DistributingWait = 10 * time.Second
	}
	if opt.ReconcileSlack <= 0 {
		opt.ReconcileSlack = 5 * time.Minute
	}
	if opt.MomentWait <= 0 {
		opt.MomentWait = 2 * time.Minute
	}
	if opt.Limits.Single <= 0 {
		opt.Limits.Single = wecom.MaxTemplateExternalUserIDs
	}
	if opt.Limits.Group <= 0 {
		opt.Limits.Group = wecom.MaxTemplateChatIDs
	}
	return &Dispatcher{st: st, clients: clients, opt: opt, log: opt.Logger, now: time.Now}
}

// Enqueue stores deliveries to go out from notBefore on (zero: now) and
// schedules them. It is idempotent by Delivery.Key: a key the workspace
// already has is not added again, whatever its state. It returns how many
// deliveries were new.
func (d *Dispatcher) Enqueue(ctx context.Context, ws int64, ds []siyu.Delivery, notBefore time.Time) (int, error) {
	if notBefore.IsZero() {
		notBefore = d.now()
	}
	return d.st.AddSends(ctx, ws, ds, notBefore, func(partKey string) store.NewJob {
		return planJob(notBefore, partKey)
	})
}

// planJob groups the sends due at at. Its key names the part of an Enqueue
// that made it, so enqueueing the same deliveries again adds no job.
func planJob(at time.Time, partKey string) store.NewJob {
	return store.NewJob{Kind: KindPlan, Key: strconv.FormatInt(at.UnixMilli(), 10) + ":" + partKey, RunAt: at}
}

type batchPayload struct {
	Batch int64 `json:"batch"`
}

func batchJob(kind string, id int64, at time.Time) store.NewJob {
	p, _ := json.Marshal(batchPayload{Batch: id})
	return store.NewJob{Kind: kind, Key: strconv.FormatInt(id, 10), Payload: p, RunAt: at}
}

// runJob does one job. An error of type snooze puts it back without counting
// an attempt.
func (d *Dispatcher) runJob(ctx context.Context, j store.Job) error {
	switch j.Kind {
	case KindPlan:
		n, err := d.st.PlanSendBatches(ctx, j.WorkspaceID, d.now(), d.opt.Limits, func(id int64) store.NewJob {
			return batchJob(KindBatch, id, time.Time{})
		})
		if n > 0 {
			d.log.Info("dispatch: batches planned", "workspace", j.WorkspaceID, "batches", n)
		}
		return err
	case KindMoment:
		return d.runMoment(ctx, j)
	case KindBatch, KindPoll:
		var p batchPayload
		if err := json.Unmarshal(j.Payload, &p); err != nil || p.Batch == 0 {
			return fmt.Errorf("%s job %d: bad payload %q", j.Kind, j.ID, j.Payload)
		}
		if j.Kind == KindBatch {
			return d.runBatch(ctx, j.WorkspaceID, p.Batch)
		}
		return d.poll(ctx, j.WorkspaceID, p.Batch)
	}
	return fmt.Errorf("dispatch: unknown job kind %q", j.Kind)
}

// snooze asks for the job to run again at a time, without counting the
// attempt as failed: the work is waiting for WeCom or for a person.
type snooze struct {
	until  time.Time
	reason string
}

func (s snooze) Error() string {
	return "waiting until " + s.until.Format(time.RFC3339) + ": " + s.reason
}

// jobDied is the end of a job that used up its attempts.
func (d *Dispatcher) jobDied(ctx context.Context, j store.Job, cause error) {
	d.log.Error("dispatch: job is dead", "kind", j.Kind, "key", j.Key, "workspace", j.WorkspaceID, "attempts", j.Attempts, "err", cause)
	if j.Kind != KindBatch {
		return
	}
	var p batchPayload
	if json.Unmarshal(j.Payload, &p) != nil {
		return
	}
	// Sends that never left are failed; a batch that may have reached
	// WeCom (submitting) stays for an operator to look at.
	if err := d.st.FinishBatch(ctx, j.WorkspaceID, p.Batch, store.BatchPending, store.BatchFailed, cause); err != nil {
		d.log.Warn("dispatch: dead batch left as is", "batch", p.Batch, "err", err)
	}
}

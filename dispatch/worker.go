package dispatch

import (
	"context"
	"errors"
	"sync"
	"time"

	"siyu.dev/siyu/store"
)

// Run works the dispatch jobs of every workspace until ctx ends. Several
// processes may run it on one database: each job is leased to one worker
// at a time, and a worker's jobs go to others when it stops renewing them.
func (d *Dispatcher) Run(ctx context.Context) error {
	return d.run(ctx, nil)
}

// RunUntilIdle works the jobs until no dispatch job is queued or running
// any more (including polls waiting for members to confirm), then returns.
// For tools and tests that drain the queue. While the database cannot be
// reached it keeps trying, until ctx ends.
func (d *Dispatcher) RunUntilIdle(ctx context.Context) error {
	return d.run(ctx, func() (bool, error) {
		counts, err := d.st.JobCounts(ctx, 0)
		if err != nil {
			return false, err
		}
		for _, c := range counts {
			if (c.State == store.JobQueued || c.State == store.JobRunning) && isDispatchKind(c.Kind) {
				return false, nil
			}
		}
		return true, nil
	})
}

func isDispatchKind(k string) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func (d *Dispatcher) run(ctx context.Context, done func() (bool, error)) error {
	slots := make(chan struct{}, d.opt.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if ctx.Err() != nil {
			return nil
		}
		free := d.opt.Workers - len(slots)
		var jobs []store.Job
		if free > 0 {
			var err error
			jobs, err = d.st.ClaimJobs(ctx, d.opt.Worker, Kinds, free, d.opt.Lease)
			if err != nil && ctx.Err() == nil {
				d.log.Warn("dispatch: claim failed", "err", err)
			}
		}
		for _, j := range jobs {
			slots <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				d.work(ctx, j)
			}()
		}
		if len(jobs) > 0 {
			continue
		}
		if done != nil && len(slots) == 0 {
			// A database that is away (restarting, failing over) is waited
			// for, as the claims above are: a drain stops when the queue
			// is empty, not when it cannot be read.
			idle, err := done()
			if err != nil && ctx.Err() == nil {
				d.log.Warn("dispatch: counting the queue failed", "err", err)
			}
			if err == nil && idle {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d.opt.Idle):
		}
	}
}

// work runs one claimed job, renewing its lease while it runs, and reports
// the outcome to the queue.
func (d *Dispatcher) work(parent context.Context, j store.Job) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		t := time.NewTicker(d.opt.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := d.st.ExtendJob(ctx, j.ID, d.opt.Worker, d.opt.Lease); err != nil && ctx.Err() == nil {
					// Another worker may have the job now: stop rather
					// than both working it.
					d.log.Warn("dispatch: lost the lease, stopping the job", "kind", j.Kind, "key", j.Key, "err", err)
					cancel()
					return
				}
			}
		}
	}()
	err := d.runJob(ctx, j)
	cancel()
	<-beat
	if parent.Err() != nil {
		// Shutting down: the lease runs out and another worker (or this
		// one after a restart) takes the job from where the store says.
		return
	}
	report := context.WithoutCancel(parent)
	var sn snooze
	switch {
	case err == nil:
		err = d.st.CompleteJob(report, j.ID, d.opt.Worker)
	case errors.As(err, &sn):
		d.log.Debug("dispatch: job waits", "kind", j.Kind, "key", j.Key, "until", sn.until, "reason", sn.reason)
		err = d.st.SnoozeJob(report, j.ID, d.opt.Worker, sn.until)
	default:
		d.log.Warn("dispatch: job failed", "kind", j.Kind, "key", j.Key, "attempt", j.Attempts, "err", err)
		dead, rerr := d.st.RetryJob(report, j, d.opt.Worker, err, time.Time{})
		if rerr == nil && dead {
			d.jobDied(report, j, err)
		}
		err = rerr
	}
	if err != nil {
		d.log.Warn("dispatch: could not report a job", "kind", j.Kind, "key", j.Key, "err", err)
	}
}

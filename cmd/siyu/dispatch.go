package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecomsync"
)

func dispatchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dispatch", Short: "Work and watch the durable send queue (WeCom mass messages)"}

	var db dbFlags
	var opt dispatch.Options
	var untilIdle bool
	var killAfterMark, killAfterSubmit int
	var noPolicy bool
	run := &cobra.Command{
		Use:   "run",
		Short: "Work the dispatch jobs of every workspace (siyu serve does this too); several may run at once",
		RunE: func(cmd *cobra.Command, args []string) error {
			log := newLogger()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			st, err := db.open(ctx, log)
			if err != nil {
				return err
			}
			defer st.Close()
			wopts := wecomsync.Options{Logger: log}
			if st.Dialect() == "postgres" {
				wopts.Limiter = st.NewRateLimiter(wecom.DefaultPerMinute, time.Minute)
			}
			opt.Logger = log
			if !noPolicy {
				opt.Gate = policy.New(st)
			}
			opt.AfterMark = killAfter(killAfterMark)
			if f := killAfter(killAfterSubmit); f != nil {
				opt.AfterSubmit = func(batch int64, _ string) { f(batch) }
			}
			d := dispatch.New(st, wecomsync.New(st, wopts), opt)
			if untilIdle {
				return d.RunUntilIdle(ctx)
			}
			return d.Run(ctx)
		},
	}
	db.register(run)
	run.Flags().BoolVar(&untilIdle, "until-idle", false, "exit once no dispatch job is queued or running (all results fetched)")
	run.Flags().IntVar(&opt.Workers, "workers", 4, "jobs run at once")
	run.Flags().DurationVar(&opt.Lease, "lease", 2*time.Minute, "how long a job stays ours without a heartbeat; a crashed worker's jobs wait this long")
	run.Flags().DurationVar(&opt.PollEvery, "poll-every", 5*time.Minute, "between polls of a mass message the sender has not confirmed yet")
	run.Flags().DurationVar(&opt.Idle, "idle", time.Second, "wait between looks at the queue when it is empty")
	run.Flags().DurationVar(&opt.DistributingWait, "distributing-wait", 10*time.Second, "wait after WeCom answered 41063")
	run.Flags().DurationVar(&opt.MomentWait, "moment-wait", 2*time.Minute, "after a crash, wait this long after a moment post was marked before looking for it in WeCom")
	run.Flags().StringVar(&opt.Worker, "worker", "", "worker name in job leases (default host-pid)")
	run.Flags().IntVar(&opt.Limits.Single, "batch-size", wecom.MaxTemplateExternalUserIDs, "customers per 1:1 mass-message task (at most 10000)")
	// Fault injection for the crash tests: die like kill -9 at the worst
	// moments of the n-th batch.
	run.Flags().IntVar(&killAfterMark, "kill-after-mark", 0, "")
	run.Flags().IntVar(&killAfterSubmit, "kill-after-submit", 0, "")
	run.Flags().MarkHidden("kill-after-mark")
	// Without the reach policy: for load tests against the emulator only.
	run.Flags().BoolVar(&noPolicy, "no-policy", false, "")
	run.Flags().MarkHidden("no-policy")
	run.Flags().MarkHidden("kill-after-submit")

	var sdb dbFlags
	var sws string
	status := &cobra.Command{
		Use:   "status",
		Short: "Show a workspace's queue: jobs by kind and state, sends by status, dead jobs",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := sdb.openWorkspace(cmd.Context(), newLogger(), sws)
			if err != nil {
				return err
			}
			defer st.Close()
			return printQueue(cmd.Context(), st, w.ID)
		},
	}
	sdb.register(status)
	status.Flags().StringVar(&sws, "workspace", "", "workspace slug (required)")
	status.MarkFlagRequired("workspace")

	var rdb dbFlags
	var rws, kind string
	retry := &cobra.Command{
		Use:   "retry-dead",
		Short: "Give a workspace's dead jobs a fresh set of attempts",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, w, err := rdb.openWorkspace(cmd.Context(), newLogger(), rws)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.RetryDeadJobs(cmd.Context(), w.ID, kind)
			if err != nil {
				return err
			}
			fmt.Printf("%d dead jobs queued again\n", n)
			return nil
		},
	}
	rdb.register(retry)
	retry.Flags().StringVar(&rws, "workspace", "", "workspace slug (required)")
	retry.Flags().StringVar(&kind, "kind", "", "only jobs of this kind (dispatch.plan, dispatch.batch, dispatch.poll)")
	retry.MarkFlagRequired("workspace")

	cmd.AddCommand(run, status, retry)
	return cmd
}

// killAfter returns a hook that kills this process with SIGKILL the n-th
// time it is called (nil for n <= 0).
func killAfter(n int) func(int64) {
	if n <= 0 {
		return nil
	}
	var calls atomic.Int64
	return func(batch int64) {
		if calls.Add(1) == int64(n) {
			fmt.Fprintf(os.Stderr, "fault injection: killing the worker at batch %d\n", batch)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}
}

func printQueue(ctx context.Context, st *store.Store, ws int64) error {
	jobs, err := st.JobCounts(ctx, ws)
	if err != nil {
		return err
	}
	fmt.Println("jobs:")
	for _, c := range jobs {
		fmt.Printf("  %-16s %-8s %d\n", c.Kind, c.State, c.N)
	}
	sends, err := st.SendStatusCounts(ctx, ws)
	if err != nil {
		return err
	}
	var names []string
	for s := range sends {
		names = append(names, s)
	}
	sort.Strings(names)
	fmt.Println("sends:")
	for _, s := range names {
		fmt.Printf("  %-24s %d\n", s, sends[s])
	}
	dead, err := st.DeadJobs(ctx, ws, 20)
	if err != nil {
		return err
	}
	if len(dead) > 0 {
		fmt.Println("dead jobs (siyu dispatch retry-dead queues them again):")
		for _, j := range dead {
			fmt.Printf("  %s %s after %d attempts: %s\n", j.Kind, j.Key, j.Attempts, j.LastError)
		}
	}
	return nil
}

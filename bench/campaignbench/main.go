// Command campaignbench measures planning a campaign and launching it (plan
// + enqueue into the dispatch queue) over a workspace of n customers, each
// a live WeCom contact of one of the accounts, against a baseline measured
// in the same run on the same store: streaming the audience's ids with one
// plain SELECT. It prints a Markdown table for docs/BENCHMARKS.md.
//
//	go run ./bench/campaignbench -customers 1000000 [-database-url postgres://...] [-runs 3]
//
// Peak memory is measured per phase: the kernel's peak RSS is reset before
// each (Linux clear_refs), and the Go heap is sampled while it runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/bench/benchutil"
	"siyu.dev/siyu/campaign"
	"siyu.dev/siyu/dispatch"
	"siyu.dev/siyu/policy"
	"siyu.dev/siyu/store"
)

func main() {
	customers := flag.Int("customers", 1000000, "customers, each a live contact")
	accounts := flag.Int("accounts", 200, "WeCom accounts the contacts are spread over")
	pgURL := flag.String("database-url", "", "PostgreSQL URL (a fresh database or schema); default SQLite in a temporary directory")
	runs := flag.Int("runs", 3, "repetitions")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "campaignbench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*customers, *accounts, *pgURL, *runs); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "campaignbench:", err)
		os.Exit(1)
	}
}

func run(n, nAccounts int, pgURL string, runs int) error {
	ctx := context.Background()
	dsn := pgURL
	if dsn == "" {
		dir, err := os.MkdirTemp("", "campaignbench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "bench.db")
	}
	key := benchutil.Key()
	st, err := store.Open(ctx, dsn, store.Options{SecretKey: key})
	if err != nil {
		return err
	}
	defer st.Close()
	ws, err := st.CreateWorkspace(ctx, "bench", "Bench")
	if err != nil {
		return err
	}
	start := time.Now()
	if err := seed(ctx, st, ws.ID, n, nAccounts); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seeded %d customers with contacts over %d accounts in %s\n", n, nAccounts, time.Since(start).Round(time.Millisecond))

	svc := campaign.New(st, dispatch.New(st, nil, dispatch.Options{}))
	set := policy.DefaultSettings()
	// Each account sends its share in one day.
	set.AccountDailyQuota = n/nAccounts + 1
	if err := svc.Policy.SetSettings(ctx, ws.ID, set); err != nil {
		return err
	}
	tomorrow := time.Now().In(siyu.Shanghai).AddDate(0, 0, 1)
	sendAt := time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 10, 0, 0, 0, siyu.Shanghai)

	var baseline, plan, launch []float64
	var baseMem, planMem, launchMem phaseMem
	var planned campaign.Plan
	var enqueued int
	for i := 0; i < runs; i++ {
		var count int
		m, secs, err := measure(func() error {
			return st.AllCustomers(ctx, ws.ID, func(int64) error { count++; return nil })
		})
		if err != nil {
			return err
		}
		if count != n {
			return fmt.Errorf("baseline streamed %d ids, want %d", count, n)
		}
		baseline, baseMem = append(baseline, secs), baseMem.max(m)

		c, err := svc.Create(ctx, ws.ID, campaign.Draft{Name: fmt.Sprint("bench ", i), Audience: "all", Channel: siyu.ReachSingle,
			HoldoutPct: 10, SendAt: sendAt, Variants: []store.CampaignVariant{
				{Name: "A", Weight: 1, Message: siyu.Message{Text: "{{name|朋友}}，春季新品到了"}},
				{Name: "B", Weight: 1, Message: siyu.Message{Text: "{{city|您那里}}的朋友都在买"}},
			}})
		if err != nil {
			return err
		}
		m, secs, err = measure(func() error {
			planned, err = svc.Plan(ctx, ws.ID, c.ID)
			return err
		})
		if err != nil {
			return err
		}
		plan, planMem = append(plan, secs), planMem.max(m)

		m, secs, err = measure(func() error {
			res, err := svc.Launch(ctx, ws.ID, c.ID)
			enqueued = res.Enqueued
			return err
		})
		if err != nil {
			return err
		}
		launch, launchMem = append(launch, secs), launchMem.max(m)
		if enqueued != planned.Receive {
			return fmt.Errorf("enqueued %d, plan receives %d", enqueued, planned.Receive)
		}
		fmt.Fprintf(os.Stderr, "run %d: baseline %.2fs, plan %.2fs, launch %.2fs (receive %d, holdout %d)\n",
			i+1, baseline[i], plan[i], launch[i], planned.Receive, planned.Skipped[siyu.SkipHoldout])
	}
	fmt.Printf("| step | median (s) | runs (s) | peak RSS (MB) | peak Go heap (MB) |\n|---|---|---|---|---|\n")
	row := func(name string, xs []float64, m phaseMem) {
		fmt.Printf("| %s | %.2f | %s | %d | %d |\n", name, benchutil.Median(xs), list(xs), m.rss, m.heap)
	}
	row(fmt.Sprintf("baseline: SELECT the %d ids", n), baseline, baseMem)
	row(fmt.Sprintf("plan (%d people, policy + campaign_recipients)", n), plan, planMem)
	row(fmt.Sprintf("launch = plan + enqueue %d sends", enqueued), launch, launchMem)
	fmt.Printf("\n%s, %d accounts; plan: receive %d, holdout %d.\n", st.Dialect(), nAccounts, planned.Receive, planned.Skipped[siyu.SkipHoldout])
	return nil
}

func list(xs []float64) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.2f", x)
	}
	return s
}

func seed(ctx context.Context, st *store.Store, ws int64, n, nAccounts int) error {
	var accounts []int64
	for i := 0; i < nAccounts; i++ {
		a, err := st.UpsertAccount(ctx, ws, siyu.Account{WeComUserID: fmt.Sprintf("sales%03d", i), Name: fmt.Sprintf("顾问%d", i), Active: true})
		if err != nil {
			return err
		}
		accounts = append(accounts, a.ID)
	}
	added := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 100000
	for done := 0; done < n; done += chunk {
		m := min(chunk, n-done)
		ids, err := st.NewCustomers(ctx, ws, m, added)
		if err != nil {
			return err
		}
		cs := make([]store.BulkContact, m)
		for i, id := range ids {
			cs[i] = store.BulkContact{Customer: id, Account: accounts[(done+i)%nAccounts], ExternalUserID: fmt.Sprintf("wm%09d", done+i), AddedAt: added}
		}
		if err := st.BulkContacts(ctx, ws, cs); err != nil {
			return err
		}
	}
	return nil
}

// phaseMem is the peak memory of a phase.
type phaseMem struct{ rss, heap int }

func (p phaseMem) max(o phaseMem) phaseMem {
	return phaseMem{rss: max(p.rss, o.rss), heap: max(p.heap, o.heap)}
}

// measure runs fn and returns its peak RSS (reset before it), peak Go heap
// (sampled every 20 ms) and duration in seconds.
func measure(fn func() error) (phaseMem, float64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM on Linux
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	err := fn()
	secs := time.Since(start).Seconds()
	close(stop)
	<-done
	return phaseMem{rss: benchutil.PeakRSSMB(), heap: int(peak.Load() >> 20)}, secs, err
}

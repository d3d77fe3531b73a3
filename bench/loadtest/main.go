// Command loadtest is a bounded load test of the whole server on loopback:
// order and event ingestion through the REST API, console pages after a
// real login, and WeCom callbacks signed and encrypted as WeCom sends them,
// each scenario alone and then mixed, at a fixed concurrency, against a
// store of a million seeded customers. It prints a Markdown table for
// docs/BENCHMARKS.md: requests, errors by status, throughput, latency
// percentiles, and the server process's CPU and peak RSS, with GET /healthz
// at the same concurrency as the baseline.
//
//	go run ./bench/loadtest [-customers 1000000] [-db FILE | -database-url postgres://...]
//	    [-concurrency 8] [-duration 3s] [-timeout 8s] [-runs 3] [-scenarios orders,events,...]
//
// The first run seeds the store (identity resolution of one order per
// customer, then an analytics refresh); later runs with the same -db or
// -database-url reuse it. See bench/loadtest.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

type options struct {
	customers   int
	dbPath      string
	databaseURL string
	lim         limits
	runs        int
	orderBatch  int
	eventBatch  int
	repeatShare float64
	dupShare    float64
	contacts    int
	only        []string
	seed        uint64
	workers     bool
	timeout     time.Duration
	wecomRate   int
}

func main() {
	var o options
	var only string
	var serveChild bool
	flag.IntVar(&o.customers, "customers", 1000000, "seeded customers, each with a phone and one order")
	flag.StringVar(&o.dbPath, "db", "", "SQLite file of the prepared store, reused when it exists (default siyu-loadtest-<customers>.db in the temporary directory)")
	flag.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL URL instead of SQLite (prepared on the first run, reused after)")
	flag.IntVar(&o.lim.concurrency, "concurrency", 8, "concurrent clients (each sends its next request when the previous one is answered)")
	flag.DurationVar(&o.lim.duration, "duration", 3*time.Second, "length of each scenario run")
	flag.DurationVar(&o.timeout, "timeout", 8*time.Second, "give up on a request after this long (counted as failed, its latency as the timeout); bounds each run to -duration plus this")
	flag.IntVar(&o.lim.max, "requests", 0, "stop a scenario run after this many requests (0: only -duration)")
	flag.IntVar(&o.runs, "runs", 3, "runs of each scenario (interleaved); the table gives medians")
	flag.IntVar(&o.orderBatch, "orders-per-request", 100, "orders in one POST /api/v1/orders")
	flag.IntVar(&o.eventBatch, "events-per-request", 100, "events in one POST /api/v1/events")
	flag.Float64Var(&o.repeatShare, "repeat-share", 0.5, "share of orders by seeded (repeat) buyers")
	flag.Float64Var(&o.dupShare, "duplicate-share", 0.1, "share of callbacks that repeat the previous event (WeCom's retries)")
	flag.IntVar(&o.contacts, "contacts", 20000, "WeCom contacts in the emulator that callbacks are about")
	flag.StringVar(&only, "scenarios", "", "comma-separated scenarios to run (default all; healthz always runs)")
	flag.Uint64Var(&o.seed, "seed", 20261123, "seed of the data and of every request stream")
	flag.BoolVar(&o.workers, "workers", false, "also run the server's background workers (off: measure the request paths alone)")
	flag.IntVar(&o.wecomRate, "wecom-per-minute", 0, "the server's pace of WeCom API calls per API and minute (0: WeCom's documented 10,000, as in production)")
	flag.BoolVar(&serveChild, "serve", false, "internal: be the server process")
	flag.Parse()

	if serveChild {
		if err := serve(os.Getenv("LOADTEST_DSN"), o.seed, o.workers, o.wecomRate); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest server:", err)
			os.Exit(1)
		}
		return
	}
	if only != "" {
		o.only = strings.Split(only, ",")
	}
	if o.dbPath == "" {
		o.dbPath = filepath.Join(os.TempDir(), fmt.Sprintf("siyu-loadtest-%d.db", o.customers))
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

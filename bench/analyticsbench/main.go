// Command analyticsbench measures the full analytics refresh (RFM,
// lifecycle, cohorts, CLV fit and predictions, funnels) of a workspace
// against a baseline measured in the same run on the same store: the same
// RFM values computed by one SQL aggregate. It prints a Markdown table for
// docs/BENCHMARKS.md.
//
//	go run ./bench/gen -customers 300000 -orders 1000000 -out /tmp/orders.csv
//	go run ./bench/analyticsbench -file /tmp/orders.csv [-database-url postgres://...] [-runs 3]
//
// The orders are imported once (with identity resolution, as in real use);
// then baseline and refresh alternate, runs times each.
package main

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/bench/benchutil"
	"siyu.dev/siyu/importer"
	"siyu.dev/siyu/orderfile"
	"siyu.dev/siyu/store"
)

func main() {
	file := flag.String("file", "", "generic order CSV (from bench/gen)")
	db := flag.String("db", "", "an existing SQLite database with workspace \"bench\" (skips the import)")
	pgURL := flag.String("database-url", "", "PostgreSQL URL (a fresh database or schema); default SQLite")
	runs := flag.Int("runs", 3, "repetitions")
	genCustomers := flag.Int("customers", 0, "instead of -file: generate this many customers (seeded, skewed) and bulk-load them")
	genOrders := flag.Int("orders", 0, "with -customers: about this many orders")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the refreshes to this file")
	cold := flag.Bool("cold", false, "fit CLV from scratch in every refresh, as in a workspace's first (default: from the last refresh's fit, as in scheduled refreshes)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "analyticsbench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	gen = generation{customers: *genCustomers, orders: *genOrders}
	if err := run(*file, *db, *pgURL, *runs, *cold); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "analyticsbench:", err)
		os.Exit(1)
	}
}

func run(file, dbPath, pgURL string, runs int, cold bool) error {
	ctx := context.Background()
	key := benchutil.Key()
	dsn := pgURL
	if dsn == "" {
		dsn = dbPath
		if dsn == "" {
			dir, err := os.MkdirTemp("", "analyticsbench")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			dsn = filepath.Join(dir, "bench.db")
		}
	}
	st, err := store.Open(ctx, dsn, store.Options{SecretKey: key})
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := st.WorkspaceBySlug(ctx, "bench")
	if err != nil {
		if w, err = st.CreateWorkspace(ctx, "bench", "bench"); err != nil {
			return err
		}
		switch {
		case gen.customers > 0:
			if err := generate(ctx, st, w.ID, gen); err != nil {
				return err
			}
		case file != "":
			res, err := importer.File(ctx, st, w.ID, file, importer.Options{Format: orderfile.FormatGeneric, Progress: os.Stderr})
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "imported %d orders, %d customers in %.1fs\n", res.Inserted, res.NewCustomers, res.Elapsed.Seconds())
		default:
			return fmt.Errorf("-file or -customers is required for a new database")
		}
	}
	asOf := time.Now()
	var base, full []float64
	var snap *analytics.Snapshot
	for range runs {
		start := time.Now()
		n := 0
		if err := st.RFMBaseline(ctx, w.ID, asOf, func(store.RFMBaselineRow) error { n++; return nil }); err != nil {
			return err
		}
		base = append(base, time.Since(start).Seconds())
		fmt.Fprintf(os.Stderr, "baseline SQL RFM: %d customers, %.2fs\n", n, base[len(base)-1])

		start = time.Now()
		snap, err = analytics.Refresh(ctx, st, w.ID, analytics.Config{ColdStart: cold})
		if err != nil {
			return err
		}
		full = append(full, time.Since(start).Seconds())
		fmt.Fprintf(os.Stderr, "full refresh: %d buyers, %d orders, %.2fs\n", snap.Buyers, snap.Orders, full[len(full)-1])
	}
	host, _ := os.Hostname()
	start := "CLV fit from the last refresh's"
	if cold {
		start = "CLV fit from scratch"
	}
	fmt.Printf("Analytics refresh: %s, %d customers (%d buyers), %d orders, %s, %d CPU, %s, %s, runs=%d, %s, peak RSS %d MB\n\n",
		st.Dialect(), snap.Customers, snap.Buyers, snap.Orders, runtime.Version(), runtime.NumCPU(), host, time.Now().Format("2006-01-02"), runs, start, benchutil.PeakRSSMB())
	fmt.Println("| what | median s | vs SQL RFM |")
	fmt.Println("|---|---:|---:|")
	b := benchutil.Median(base)
	fmt.Printf("| RFM in one SQL query (baseline) | %.2f | 1.00× |\n", b)
	fmt.Printf("| full refresh | %.2f | %.2f× |\n", benchutil.Median(full), benchutil.Median(full)/b)
	fmt.Println()
	fmt.Println("Last refresh by step:")
	fmt.Println()
	for _, k := range slices.Sorted(maps.Keys(snap.Timings)) {
		fmt.Printf("- %s: %.2fs\n", k, snap.Timings[k].Seconds())
	}
	return nil
}

// Command importbench measures order import with identity resolution against
// a raw-insert baseline of the same rows into the same kind of store, in one
// run, and prints a Markdown table for docs/BENCHMARKS.md.
//
//	go run ./bench/gen -customers 300000 -orders 1000000 -out /tmp/orders.csv
//	go run ./bench/importbench -file /tmp/orders.csv [-database-url postgres://...] [-runs 3]
//
// Phases, each on a fresh database:
//
//	parse     read and validate the file only (no database)
//	raw       insert the parsed rows for one customer: no resolution, no
//	          idempotency check (the baseline)
//	resolve   store.ImportOrders on the parsed rows: identity resolution,
//	          customer creation, merges, summaries
//	file      the whole CLI path: importer.File (parse + resolve + store)
//	reimport  the same file again into the database of "file" (idempotent)
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/bench/benchutil"
	"siyu.dev/siyu/importer"
	"siyu.dev/siyu/orderfile"
	"siyu.dev/siyu/store"
)

func main() {
	file := flag.String("file", "", "generic order CSV (from bench/gen)")
	format := flag.String("format", "generic", "file format")
	pgURL := flag.String("database-url", "", "PostgreSQL URL; default SQLite in a temporary directory")
	runs := flag.Int("runs", 1, "repetitions of each phase (medians are reported)")
	flag.Parse()
	if *file == "" {
		fmt.Fprintln(os.Stderr, "importbench: -file is required")
		os.Exit(2)
	}
	if err := run(*file, *format, *pgURL, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

type result struct {
	phase string
	secs  []float64
	rows  int
}

func run(path, format, pgURL string, runs int) error {
	ctx := context.Background()
	f, err := orderfile.ParseFormat(format)
	if err != nil {
		return err
	}
	key := benchutil.Key()
	tmp, err := os.MkdirTemp("", "importbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	n := 0
	fresh := func() (*store.Store, int64, func(), error) {
		n++
		dsn := filepath.Join(tmp, fmt.Sprintf("b%d.db", n))
		drop := func() { os.Remove(dsn); os.Remove(dsn + "-wal"); os.Remove(dsn + "-shm") }
		if pgURL != "" {
			dsn, drop, err = pgSchema(pgURL, n)
			if err != nil {
				return nil, 0, nil, err
			}
		}
		s, err := store.Open(ctx, dsn, store.Options{SecretKey: key})
		if err != nil {
			return nil, 0, nil, err
		}
		w, err := s.CreateWorkspace(ctx, "bench", "bench")
		if err != nil {
			return nil, 0, nil, err
		}
		return s, w.ID, func() { s.Close(); drop() }, nil
	}

	var rows []siyu.OrderInput
	results := map[string]*result{}
	order := []string{"parse", "raw", "resolve", "file", "reimport"}
	for _, p := range order {
		results[p] = &result{phase: p}
	}
	record := func(phase string, d time.Duration, count int) {
		r := results[phase]
		r.secs = append(r.secs, d.Seconds())
		r.rows = count
		fmt.Fprintf(os.Stderr, "%-8s %8d rows %7.2fs %9.0f rows/s\n", phase, count, d.Seconds(), float64(count)/d.Seconds())
	}

	for run := 0; run < runs; run++ {
		start := time.Now()
		rows, err = parseAll(path, f)
		if err != nil {
			return err
		}
		record("parse", time.Since(start), len(rows))

		s, ws, done, err := fresh()
		if err != nil {
			return err
		}
		c, err := s.CreateCustomer(ctx, ws, "baseline")
		if err != nil {
			return err
		}
		start = time.Now()
		for i := 0; i < len(rows); i += 5000 {
			if err := s.InsertOrdersRaw(ctx, ws, c, rows[i:min(i+5000, len(rows))]); err != nil {
				return err
			}
		}
		record("raw", time.Since(start), len(rows))
		done()

		s, ws, done, err = fresh()
		if err != nil {
			return err
		}
		start = time.Now()
		for i := 0; i < len(rows); i += 5000 {
			if _, err := s.ImportOrders(ctx, ws, rows[i:min(i+5000, len(rows))], "bench"); err != nil {
				return err
			}
		}
		record("resolve", time.Since(start), len(rows))
		done()

		rows = nil
		runtime.GC()
		s, ws, done, err = fresh()
		if err != nil {
			return err
		}
		res, err := importer.File(ctx, s, ws, path, importer.Options{Format: f})
		if err != nil {
			return err
		}
		record("file", res.Elapsed, res.Rows)
		fmt.Fprintf(os.Stderr, "         customers %d, merges %d, rejected %d\n", res.NewCustomers, res.Merges, res.Rejected)
		res, err = importer.File(ctx, s, ws, path, importer.Options{Format: f})
		if err != nil {
			return err
		}
		if res.Inserted != 0 {
			return fmt.Errorf("re-import inserted %d rows: not idempotent", res.Inserted)
		}
		record("reimport", res.Elapsed, res.Rows)
		done()
	}

	store := "SQLite (modernc, WAL)"
	if pgURL != "" {
		store = "PostgreSQL"
	}
	host, _ := os.Hostname()
	fmt.Printf("Import benchmark: %s, %s, %d CPU, %s, %s, runs=%d, peak RSS %d MB\n\n",
		store, runtime.Version(), runtime.NumCPU(), host, time.Now().Format("2006-01-02"), runs, benchutil.PeakRSSMB())
	fmt.Println("| phase | rows | median s | rows/s | vs raw insert |")
	fmt.Println("|---|---:|---:|---:|---:|")
	raw := benchutil.Median(results["raw"].secs)
	for _, p := range order {
		r := results[p]
		m := benchutil.Median(r.secs)
		ratio := "—"
		if p != "parse" {
			ratio = fmt.Sprintf("%.2f×", m/raw)
		}
		fmt.Printf("| %s | %d | %.2f | %.0f | %s |\n", p, r.rows, m, float64(r.rows)/m, ratio)
	}
	return nil
}

func parseAll(path string, f orderfile.Format) ([]siyu.OrderInput, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r, err := orderfile.NewReader(fh, f)
	if err != nil {
		return nil, err
	}
	var rows []siyu.OrderInput
	for {
		o, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		var re siyu.RowError
		if errors.As(err, &re) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, o)
	}
}

// pgSchema makes a fresh schema for one phase.
func pgSchema(base string, n int) (string, func(), error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	schema := fmt.Sprintf("bench_%d_%d", os.Getpid(), n)
	if _, err := db.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema); err != nil {
		db.Close()
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		db.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() { db.Exec("DROP SCHEMA " + schema + " CASCADE"); db.Close() }, nil
}

// Command segmentbench measures segments over a large workspace: counting
// the members of a typical rule (profile, RFM, tag, an event window and
// consent), a broad rule, and a saved segment's refresh (first, when
// everyone enters, and steady, when nothing changed), against a baseline
// in the same run on the same store: COUNT(*) of the workspace's live
// customers. It prints a Markdown table for docs/BENCHMARKS.md.
//
//	go run ./bench/segmentbench -customers 1000000 [-database-url postgres://...] [-runs 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"siyu.dev/siyu/bench/benchutil"
	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
)

// The rules measured.
const (
	typicalRule = `stage == "silent" and monetary >= 500元 and has_tag("护肤") and count("moment.liked", 30d, "topic", "skincare") >= 1 and not opted_out`
	profileRule = `stage == "silent" and monetary >= 500元 and has_tag("护肤")`
	broadRule   = `stage in ["silent", "churned"] or count("moment.liked", 30d) >= 2`
)

func main() {
	customers := flag.Int("customers", 1000000, "customers to generate in a new database")
	dbPath := flag.String("db", "", "SQLite database to use or create (default: a temporary one)")
	pgURL := flag.String("database-url", "", "PostgreSQL URL (a fresh database or schema); default SQLite")
	runs := flag.Int("runs", 3, "repetitions of each measurement")
	flag.Parse()
	if err := run(*customers, *dbPath, *pgURL, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "segmentbench:", err)
		os.Exit(1)
	}
}

func run(n int, dbPath, pgURL string, runs int) error {
	ctx := context.Background()
	dsn := pgURL
	if dsn == "" {
		dsn = dbPath
		if dsn == "" {
			dir, err := os.MkdirTemp("", "segmentbench")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			dsn = filepath.Join(dir, "bench.db")
		}
	}
	key := benchutil.Key()
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
		if err := generate(ctx, st, dsn, w.ID, n, 20261124); err != nil {
			return err
		}
	}
	type row struct {
		what    string
		secs    []float64
		members int
	}
	var rows []*row
	measure := func(what string, fn func() (int, error)) error {
		rw := &row{what: what}
		rows = append(rows, rw)
		for range runs {
			start := time.Now()
			m, err := fn()
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			rw.secs = append(rw.secs, time.Since(start).Seconds())
			rw.members = m
			fmt.Fprintf(os.Stderr, "%s: %d in %.3fs\n", what, m, rw.secs[len(rw.secs)-1])
		}
		return nil
	}
	count := func(src string) func() (int, error) {
		rule, err := segment.Parse(src)
		if err != nil {
			panic(err)
		}
		return func() (int, error) { return st.CountRule(ctx, w.ID, rule, time.Now()) }
	}
	live := 0
	if err := measure("baseline: COUNT(*) of live customers", func() (int, error) {
		err := st.DB().QueryRowContext(ctx, rebind(st, `SELECT COUNT(*) FROM customers WHERE workspace_id = ? AND merged_into IS NULL`), w.ID).Scan(&live)
		return live, err
	}); err != nil {
		return err
	}
	for _, m := range []struct{ what, rule string }{
		{"count: profile + RFM + tag", profileRule},
		{"count: typical (+ 30-day event window with props, consent)", typicalRule},
		{"count: broad (stage or event count)", broadRule},
	} {
		if err := measure(m.what, count(m.rule)); err != nil {
			return err
		}
	}
	for _, m := range []struct{ name, rule string }{{"typical", typicalRule}, {"broad", broadRule}} {
		g, err := st.CreateSegment(ctx, w.ID, store.Segment{Name: fmt.Sprintf("bench %s %d", m.name, time.Now().UnixNano()), Rule: m.rule, Tag: "bench-" + m.name})
		if err != nil {
			return err
		}
		first := &row{what: "refresh " + m.name + ": first (everyone enters: rows, events, tags)"}
		start := time.Now()
		res, err := st.RefreshSegment(ctx, w.ID, g.ID)
		if err != nil {
			return err
		}
		first.secs, first.members = []float64{time.Since(start).Seconds()}, res.Entered
		rows = append(rows, first)
		fmt.Fprintf(os.Stderr, "%s: %+v\n", first.what, res)
		if err := measure("refresh "+m.name+": steady (nothing changed)", func() (int, error) {
			res, err := st.RefreshSegment(ctx, w.ID, g.ID)
			return res.Members, err
		}); err != nil {
			return err
		}
	}
	host, _ := os.Hostname()
	fmt.Printf("Segments: %s, %d live customers, %s, %d CPU, %s, %s, runs=%d, peak RSS %d MB\n\n",
		st.Dialect(), live, runtime.Version(), runtime.NumCPU(), host, time.Now().Format("2006-01-02"), runs, benchutil.PeakRSSMB())
	fmt.Println("| what | members | median s | vs baseline |")
	fmt.Println("|---|---:|---:|---:|")
	base := benchutil.Median(rows[0].secs)
	for _, r := range rows {
		fmt.Printf("| %s | %d | %.3f | %.1f× |\n", r.what, r.members, benchutil.Median(r.secs), benchutil.Median(r.secs)/base)
	}
	fmt.Printf("\nRules: typical `%s`; broad `%s`.\n", typicalRule, broadRule)
	return nil
}

func rebind(st *store.Store, q string) string {
	if st.Dialect() != "postgres" {
		return q
	}
	out := []byte{}
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, fmt.Sprintf("$%d", n)...)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}

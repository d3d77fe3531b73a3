// Command duckbench measures the analytics refresh against two baselines in
// the same run: RFM in one SQL query on the store, and the same RFM in
// DuckDB over a columnar copy of the paid orders (the copy's load time is
// reported apart). It is its own module, so DuckDB (cgo, a large library)
// never enters the main build:
//
//	cd bench/duckbench && CGO_ENABLED=1 go run . -db bench.db -runs 3
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/bench/benchutil"
	"siyu.dev/siyu/store"
)

func main() {
	dbPath := flag.String("db", "", "an existing SQLite database with workspace \"bench\" (see bench/analyticsbench)")
	pgURL := flag.String("database-url", "", "or a PostgreSQL URL holding workspace \"bench\"")
	runs := flag.Int("runs", 3, "repetitions")
	flag.Parse()
	if err := run(*dbPath, *pgURL, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "duckbench:", err)
		os.Exit(1)
	}
}

func run(dbPath, pgURL string, runs int) error {
	ctx := context.Background()
	dsn := pgURL
	if dsn == "" {
		dsn = dbPath
	}
	if dsn == "" {
		return fmt.Errorf("-db or -database-url is required")
	}
	st, err := store.Open(ctx, dsn, store.Options{SecretKey: benchutil.Key()})
	if err != nil {
		return err
	}
	defer st.Close()
	w, err := st.WorkspaceBySlug(ctx, "bench")
	if err != nil {
		return fmt.Errorf("workspace bench: %w", err)
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return err
	}
	defer connector.Close()
	duck := sql.OpenDB(connector)
	defer duck.Close()

	asOf := time.Now()
	var base, full, load, query []float64
	customers := 0
	for r := range runs {
		start := time.Now()
		n := 0
		if err := st.RFMBaseline(ctx, w.ID, asOf, func(store.RFMBaselineRow) error { n++; return nil }); err != nil {
			return err
		}
		base = append(base, time.Since(start).Seconds())

		start = time.Now()
		if _, err := analytics.Refresh(ctx, st, w.ID, analytics.Config{}); err != nil {
			return err
		}
		full = append(full, time.Since(start).Seconds())

		start = time.Now()
		rows, err := copyOrders(ctx, st, w.ID, connector, duck)
		if err != nil {
			return err
		}
		load = append(load, time.Since(start).Seconds())

		start = time.Now()
		if customers, err = duckRFM(ctx, duck, asOf); err != nil {
			return err
		}
		query = append(query, time.Since(start).Seconds())
		fmt.Fprintf(os.Stderr, "run %d: SQL RFM %.2fs (%d customers), refresh %.2fs, DuckDB copy %.2fs (%d orders), DuckDB RFM %.3fs (%d customers)\n",
			r+1, base[r], n, full[r], load[r], rows, query[r], customers)
	}
	host, _ := os.Hostname()
	fmt.Printf("Refresh vs baselines: %s, %d customers with orders, %s, %d CPU, %s, %s, runs=%d, peak RSS %d MB (DuckDB included)\n\n",
		st.Dialect(), customers, runtime.Version(), runtime.NumCPU(), host, time.Now().Format("2006-01-02"), runs, benchutil.PeakRSSMB())
	fmt.Println("| what | median s | refresh ÷ this |")
	fmt.Println("|---|---:|---:|")
	f := benchutil.Median(full)
	for _, row := range []struct {
		name string
		s    []float64
	}{
		{"RFM in one SQL query on the store", base},
		{"DuckDB: copy the paid orders from the store (Appender)", load},
		{"DuckDB: RFM query on the copy", query},
	} {
		m := benchutil.Median(row.s)
		fmt.Printf("| %s | %.3f | %.2f× |\n", row.name, m, f/m)
	}
	fmt.Printf("| DuckDB: copy + query | %.3f | %.2f× |\n", benchutil.Median(load)+benchutil.Median(query), f/(benchutil.Median(load)+benchutil.Median(query)))
	fmt.Printf("| full refresh (RFM, lifecycle, cohorts, CLV fit and predictions, scores saved) | %.3f | 1.00× |\n", f)
	return nil
}

// copyOrders puts the workspace's paid orders into a fresh DuckDB table,
// read from the store the way the refresh reads them.
func copyOrders(ctx context.Context, st *store.Store, ws int64, connector *duckdb.Connector, duck *sql.DB) (int, error) {
	if _, err := duck.ExecContext(ctx, `CREATE OR REPLACE TABLE orders (customer_id BIGINT, paid_at_ms BIGINT, net BIGINT)`); err != nil {
		return 0, err
	}
	conn, err := connector.Connect(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	app, err := duckdb.NewAppenderFromConn(conn, "", "orders")
	if err != nil {
		return 0, err
	}
	lo, hi, err := st.OrderIDRange(ctx, ws)
	if err != nil {
		return 0, err
	}
	n := 0
	err = st.ScanPaidOrders(ctx, ws, lo, hi+1, func(o store.PaidOrderRow) error {
		n++
		return app.AppendRow(o.Customer, o.PaidMS, o.Net)
	})
	if err != nil {
		app.Close()
		return 0, err
	}
	return n, app.Close()
}

// duckRFM is the store's baseline query in DuckDB: recency in whole
// Shanghai days, frequency and monetary per customer.
func duckRFM(ctx context.Context, duck *sql.DB, asOf time.Time) (int, error) {
	const day = 86400000
	shanghai := int64(8 * 3600 * 1000)
	asOfDay := (asOf.UnixMilli() + shanghai) / day
	rows, err := duck.QueryContext(ctx, `SELECT customer_id, ? - MAX((paid_at_ms + ?) // ?), COUNT(*), SUM(net) FROM orders GROUP BY customer_id`,
		asOfDay, shanghai, day)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	var c, r, f, m int64
	for rows.Next() {
		if err := rows.Scan(&c, &r, &f, &m); err != nil {
			return 0, err
		}
		n++
	}
	return n, rows.Err()
}

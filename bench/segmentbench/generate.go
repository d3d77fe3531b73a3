package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"siyu.dev/siyu/store"
)

// generate fills workspace ws with n customers and what segments select on:
// analytics scores (as the analytics refresh writes them), tags, two
// events per person on average over the last 90 days (half moment likes,
// 40% of them about skincare), and a few opt-outs. Seeded: the same n
// gives the same data. Rows go straight into the tables (COPY on
// PostgreSQL): this measures segments, not the writers of those tables.
func generate(ctx context.Context, st *store.Store, dsn string, ws int64, n int, seed uint64) error {
	start := time.Now()
	r := rand.New(rand.NewPCG(seed, 2))
	now := time.Now()
	ids, err := st.NewCustomers(ctx, ws, n, now.Add(-400*24*time.Hour))
	if err != nil {
		return err
	}
	// An empty save first: on PostgreSQL it makes the workspace's scores
	// partition, as its first analytics refresh would, so that the rows
	// below land where a refresh puts them.
	if err := st.SaveScores(ctx, ws, now, func(func(store.CustomerScore) bool) {}); err != nil {
		return err
	}
	ld, err := openLoader(ctx, dsn)
	if err != nil {
		return err
	}
	defer ld.close()

	stages := []string{"new", "new", "new", "first_order", "first_order", "repeat", "repeat", "silent", "silent", "churned"}
	var scores, tagRows, events, optOuts [][]any
	if err := ld.load(ctx, "tags", []string{"id", "workspace_id", "name"}, [][]any{{int64(900001), ws, "护肤"}, {int64(900002), ws, "彩妆"}}); err != nil {
		return err
	}
	eventID := int64(1)
	topics := []string{"skincare", "skincare", "makeup", "tea", "travel"}
	types := []string{"moment.liked", "moment.liked", "moment.commented", "message.received"}
	flush := func(force bool) error {
		for _, b := range []struct {
			table string
			cols  []string
			rows  *[][]any
		}{
			{"customer_scores", []string{"customer_id", "workspace_id", "stage", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_segment", "p_alive", "expected_purchases", "clv", "computed_at"}, &scores},
			{"customer_tags", []string{"customer_id", "tag_id", "source", "created_at"}, &tagRows},
			{"events", []string{"id", "workspace_id", "customer_id", "type", "source", "occurred_at", "props"}, &events},
			{"opt_outs", []string{"workspace_id", "customer_id", "at", "source"}, &optOuts},
		} {
			if len(*b.rows) == 0 || (!force && len(*b.rows) < 50000) {
				continue
			}
			if err := ld.load(ctx, b.table, b.cols, *b.rows); err != nil {
				return fmt.Errorf("%s: %w", b.table, err)
			}
			*b.rows = (*b.rows)[:0]
		}
		return nil
	}
	for i, id := range ids {
		stage := stages[r.IntN(len(stages))]
		monetary := int64(0)
		var recency, rs, fs, ms, clv, alive, expected any
		freq := 0
		if stage != "new" {
			monetary = int64(math.Round(math.Exp(math.Log(30000)+r.NormFloat64()*0.9)/100) * 100)
			freq = 1 + r.IntN(6)
			recency = int64(r.IntN(400))
			rs, fs, ms = int64(1+r.IntN(5)), int64(1+r.IntN(5)), int64(1+r.IntN(5))
			clv = monetary / 2
			alive, expected = r.Float64(), r.Float64()*3
		}
		scores = append(scores, []any{id, ws, stage, recency, int64(freq), monetary, rs, fs, ms, "", alive, expected, clv, now.UnixMilli()})
		if r.IntN(4) == 0 {
			tagRows = append(tagRows, []any{id, int64(900001), "bench", now.UnixMilli()})
		}
		if r.IntN(7) == 0 {
			tagRows = append(tagRows, []any{id, int64(900002), "bench", now.UnixMilli()})
		}
		for range r.IntN(5) {
			props, _ := json.Marshal(map[string]any{"topic": topics[r.IntN(len(topics))], "moment_id": r.IntN(1000)})
			at := now.Add(-time.Duration(r.Int64N(int64(90 * 24 * time.Hour))))
			events = append(events, []any{eventID, ws, id, types[r.IntN(len(types))], "bench", at.UnixMilli(), string(props)})
			eventID++
		}
		if r.IntN(50) == 0 {
			optOuts = append(optOuts, []any{ws, id, now.UnixMilli(), "bench"})
		}
		if err := flush(false); err != nil {
			return err
		}
		if (i+1)%100000 == 0 {
			fmt.Fprintf(os.Stderr, "\rgenerated %d customers (%.0f/s)   ", i+1, float64(i+1)/time.Since(start).Seconds())
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	if err := ld.analyze(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\ngenerated %d customers, %d events in %.1fs\n", n, eventID-1, time.Since(start).Seconds())
	return nil
}

// loader writes rows in bulk: COPY on PostgreSQL, multi-row INSERTs in
// large transactions on SQLite.
type loader struct {
	pg  *pgx.Conn
	lit *sql.DB
}

func openLoader(ctx context.Context, dsn string) (*loader, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		c, err := pgx.Connect(ctx, dsn)
		return &loader{pg: c}, err
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &loader{lit: db}, nil
}

func (l *loader) close() {
	if l.pg != nil {
		l.pg.Close(context.Background())
	}
	if l.lit != nil {
		l.lit.Close()
	}
}

func (l *loader) load(ctx context.Context, table string, cols []string, rows [][]any) error {
	if l.pg != nil {
		_, err := l.pg.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	}
	tx, err := l.lit.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	const per = 200
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for startRow := 0; startRow < len(rows); startRow += per {
		part := rows[startRow:min(startRow+per, len(rows))]
		q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", ")
		args := make([]any, 0, len(part)*len(cols))
		for _, row := range part {
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// analyze refreshes the planner's statistics after the load.
func (l *loader) analyze(ctx context.Context) error {
	if l.pg != nil {
		// Rows came with their ids: move the sequences past them.
		for _, t := range []string{"events", "tags"} {
			if _, err := l.pg.Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT MAX(id) FROM "+t+"))"); err != nil {
				return err
			}
		}
		_, err := l.pg.Exec(ctx, "ANALYZE")
		return err
	}
	_, err := l.lit.ExecContext(ctx, "ANALYZE")
	return err
}

package segment_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

var ctx = context.Background()

// raw writes test data straight into the tables, as the other parts of the
// system (analytics, WeCom sync, consent) would have.
type raw struct {
	t  testing.TB
	db *sql.DB
	pg bool
}

func openRaw(t testing.TB, dsn string) raw {
	pg := storetest.Postgres()
	driver, src := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(30000)&_pragma=foreign_keys(ON)"
	if pg {
		driver, src = "pgx", dsn
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return raw{t: t, db: db, pg: pg}
}

func (r raw) exec(q string, args ...any) {
	r.t.Helper()
	if r.pg {
		n := 0
		var b strings.Builder
		for _, c := range q {
			if c == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(c)
		}
		q = b.String()
	}
	if _, err := r.db.Exec(q, args...); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
}

// dataset is a generated workspace (and a neighbour with look-alike data
// that must never leak in).
type dataset struct {
	ws, other int64
	live      []int64
	now       time.Time
}

var (
	names     = []string{"张三", "李四", "王五", "赵六", "O'Brien"}
	places    = [][2]string{{"上海", "上海"}, {"浙江", "杭州"}, {"广东", "深圳"}, {"", ""}}
	stages    = segment.Stages
	rfmSegs   = []string{"champions", "at_risk", "hibernating", ""}
	tagNames  = []string{"护肤", "彩妆", "VIP", "新客"}
	groups    = []string{"VIP 群", "新品群", "旧群"}
	accounts  = []string{"zhangsan", "lisi"}
	evTypes   = []string{"moment.liked", "moment.commented", "message.received"}
	topics    = []any{"skincare", "makeup", 5, true, nil}
	windowsMS = []time.Duration{time.Hour, 20 * time.Hour, 3 * 24 * time.Hour, 10 * 24 * time.Hour, 40 * 24 * time.Hour, 200 * 24 * time.Hour}
)

func generate(t testing.TB, s *store.Store, dsn string, seed uint64, n int) dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	r := openRaw(t, dsn)
	now := time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
	d := dataset{now: now}
	a, err := s.CreateWorkspace(ctx, "a", "A")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateWorkspace(ctx, "b", "B")
	if err != nil {
		t.Fatal(err)
	}
	d.ws, d.other = a.ID, b.ID
	id := int64(1000)
	next := func() int64 { id++; return id }
	pick := func(n int) int { return rng.IntN(n) }
	for _, ws := range []int64{a.ID, b.ID} {
		tagIDs := map[string]int64{}
		for _, name := range tagNames {
			tid := next()
			r.exec(`INSERT INTO tags (id, workspace_id, name) VALUES (?, ?, ?)`, tid, ws, name)
			tagIDs[name] = tid
		}
		accIDs := map[string]int64{}
		for _, u := range accounts {
			aid := next()
			r.exec(`INSERT INTO accounts (id, workspace_id, wecom_userid, name, created_at) VALUES (?, ?, ?, ?, ?)`, aid, ws, u, u, now.UnixMilli())
			accIDs[u] = aid
		}
		groupIDs := map[string]int64{}
		for i, g := range groups {
			gid := next()
			var dismissed any
			if i == 2 {
				dismissed = now.Add(-time.Hour).UnixMilli()
			}
			r.exec(`INSERT INTO chat_groups (id, workspace_id, chat_id, name, created_at, dismissed_at) VALUES (?, ?, ?, ?, ?, ?)`,
				gid, ws, fmt.Sprintf("chat%d", gid), g, now.UnixMilli(), dismissed)
			groupIDs[g] = gid
		}
		var prev int64
		for i := range n {
			cid := next()
			place := places[pick(len(places))]
			created := now.Add(-time.Duration(pick(700*24)) * time.Hour)
			orders := pick(6)
			var first, last any
			if orders > 0 {
				first = now.Add(-time.Duration(pick(600*24)) * time.Hour).UnixMilli()
				last = now.Add(-time.Duration(pick(100*24)) * time.Hour).UnixMilli()
			}
			var merged any
			if i > 0 && pick(30) == 0 {
				merged = prev
			}
			r.exec(`INSERT INTO customers (id, workspace_id, name, province, city, merged_into, created_at, updated_at, order_count, total_paid, first_order_at, last_order_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cid, ws, names[pick(len(names))], place[0], place[1], merged,
				created.UnixMilli(), created.UnixMilli(), orders, orders*pick(40000), first, last)
			if merged == nil {
				prev = cid
				if ws == a.ID {
					d.live = append(d.live, cid)
				}
			}
			if pick(5) > 0 {
				nullable := func(v int64) any {
					if pick(4) == 0 {
						return nil
					}
					return v
				}
				nullableF := func(v float64) any {
					if pick(4) == 0 {
						return nil
					}
					return v
				}
				r.exec(`INSERT INTO customer_scores (customer_id, workspace_id, stage, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_segment, p_alive, expected_purchases, clv, computed_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cid, ws, stages[pick(len(stages))], nullable(int64(pick(400))), pick(8),
					pick(100000), nullable(int64(1+pick(5))), nullable(int64(1+pick(5))), nullable(int64(1+pick(5))), rfmSegs[pick(len(rfmSegs))],
					nullableF(float64(pick(101))/100), nullableF(rng.Float64()*4), nullable(int64(pick(300000))), now.UnixMilli())
			}
			for _, name := range tagNames {
				if pick(3) == 0 {
					r.exec(`INSERT INTO customer_tags (customer_id, tag_id, source, created_at) VALUES (?, ?, 'manual', ?)`, cid, tagIDs[name], now.UnixMilli())
				}
			}
			for _, u := range accounts {
				if pick(3) == 0 {
					var deleted any
					if pick(3) == 0 {
						deleted = now.Add(-time.Hour).UnixMilli()
					}
					r.exec(`INSERT INTO contacts (id, workspace_id, customer_id, account_id, external_userid, added_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
						next(), ws, cid, accIDs[u], fmt.Sprintf("wm%d", cid), now.Add(-24*time.Hour).UnixMilli(), deleted)
				}
			}
			for _, g := range groups {
				if pick(3) == 0 {
					var left any
					if pick(3) == 0 {
						left = now.Add(-time.Hour).UnixMilli()
					}
					r.exec(`INSERT INTO group_members (id, group_id, customer_id, joined_at, left_at) VALUES (?, ?, ?, ?, ?)`,
						next(), groupIDs[g], cid, now.Add(-48*time.Hour).UnixMilli(), left)
				}
			}
			if pick(6) == 0 {
				r.exec(`INSERT INTO opt_outs (workspace_id, customer_id, at, source) VALUES (?, ?, ?, 'test')`, ws, cid, now.UnixMilli())
			}
			for range pick(8) {
				props := ""
				switch topic := topics[pick(len(topics))]; topic {
				case nil:
				default:
					b, _ := json.Marshal(map[string]any{"topic": topic, "n": pick(3)})
					props = string(b)
				}
				// Mostly the past, a few at the window edges and in the future.
				at := now.Add(-time.Duration(pick(60*24)) * time.Hour)
				switch pick(10) {
				case 0:
					at = now.Add(-windowsMS[pick(len(windowsMS))])
				case 1:
					at = now.Add(time.Hour)
				}
				r.exec(`INSERT INTO events (id, workspace_id, customer_id, type, source, occurred_at, props) VALUES (?, ?, ?, ?, 'test', ?, ?)`,
					next(), ws, cid, evTypes[pick(len(evTypes))], at.UnixMilli(), props)
			}
		}
	}
	return d
}

// atoms are conditions over every field and function; randomRule combines them.
var atoms = []string{
	`name == "张三"`, `name != "O'Brien"`, `province == ""`, `city in ["上海", "杭州"]`, `city not in ["深圳"]`,
	`created_at >= "2025-12-01"`, `created_at < ago(100d)`, `order_count >= 3`, `order_count in [0, 2]`,
	`total_paid >= 500元`, `total_paid < 30000`, `first_order_at < "2026-01-01 12:00"`, `last_order_at >= ago(30d)`,
	`stage == "silent"`, `stage != "new"`, `stage in ["repeat", "churned"]`, `recency_days <= 90`, `frequency > 3`,
	`monetary >= 500元`, `r_score >= 4`, `f_score == 2`, `m_score != 3`, `rfm_segment == "champions"`, `rfm_segment != ""`,
	`p_alive < 0.5`, `p_alive >= 0.5`, `expected_purchases > 1.5`, `clv >= 1000元`, `clv not in [0]`,
	`has_tag("护肤")`, `has_tag("VIP")`, `in_group("VIP 群")`, `in_group("旧群")`, `is_contact`, `contact_of("zhangsan")`,
	`opted_out`, `is_contact == false`,
	`count("moment.liked", 30d) >= 2`, `count("moment.liked") == 0`, `count("moment.commented", 3d) < 1`,
	`count("message.received", 20h) > 0`, `count("moment.liked", 10d, "topic", "skincare") >= 1`,
	`count("moment.liked", 40d, "topic", "5") == 0`, `count("moment.commented", 200d) in [1, 3]`,
	`count("message.received", 2w) not in [0, 1]`,
}

func randomRule(rng *rand.Rand, depth int) string {
	if depth == 0 || rng.IntN(3) == 0 {
		return atoms[rng.IntN(len(atoms))]
	}
	switch rng.IntN(3) {
	case 0:
		return "not (" + randomRule(rng, depth-1) + ")"
	case 1:
		return "(" + randomRule(rng, depth-1) + " and " + randomRule(rng, depth-1) + ")"
	}
	return "(" + randomRule(rng, depth-1) + " or " + randomRule(rng, depth-1) + ")"
}

// TestSQLAndGoAgree checks, on a generated dataset, that every rule selects
// the same people in the database as it does in Go, one person at a time.
func TestSQLAndGoAgree(t *testing.T) {
	s, dsn := storetest.OpenDSN(t)
	d := generate(t, s, dsn, 42, 150)
	facts := map[int64]segment.Facts{}
	for _, id := range d.live {
		f, err := s.PersonFacts(ctx, d.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		f.At = d.now
		facts[id] = f
	}
	rules := slices.Clone(atoms)
	rng := rand.New(rand.NewPCG(7, 7))
	for range 60 {
		rules = append(rules, randomRule(rng, 3))
	}
	nonTrivial := 0
	for _, src := range rules {
		r, err := segment.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var fromSQL []int64
		if err := s.StreamRule(ctx, d.ws, r, d.now, func(id int64) error {
			fromSQL = append(fromSQL, id)
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var fromGo []int64
		for _, id := range d.live {
			ok, err := r.Eval(facts[id])
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				fromGo = append(fromGo, id)
			}
		}
		if !slices.Equal(fromSQL, fromGo) {
			t.Errorf("%s: SQL and Go disagree\nonly SQL: %v\nonly Go:  %v", src, minus(fromSQL, fromGo), minus(fromGo, fromSQL))
		}
		n, err := s.CountRule(ctx, d.ws, r, d.now)
		if err != nil || n != len(fromSQL) {
			t.Errorf("%s: CountRule = %d, %v; the stream had %d", src, n, err, len(fromSQL))
		}
		if len(fromGo) > 0 && len(fromGo) < len(d.live) {
			nonTrivial++
		}
	}
	// The data must give the rules something to decide.
	if nonTrivial < len(rules)*3/4 {
		t.Errorf("only %d of %d rules split the customers; the generator is too uniform", nonTrivial, len(rules))
	}
}

func minus(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

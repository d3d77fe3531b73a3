package segment

import (
	"fmt"
	"strings"
	"time"
)

// Dialect is the SQL dialect to compile to.
type Dialect string

// Dialects, named as store.Store.Dialect names them.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Query is compiled SQL with ? placeholders (the store rebinds them for
// PostgreSQL) and its arguments. User values are only ever arguments.
type Query struct {
	SQL  string
	Args []any
}

// Where compiles the rule to a condition on the live customers of one
// workspace: customers are aliased c and, when Scores is true, must be
// LEFT JOINed with customer_scores aliased s. Time windows count back from
// now.
func (r *Rule) Where(d Dialect, workspaceID int64, now time.Time) (cond Query, scores bool) {
	c := &compiler{d: d, ws: workspaceID, now: now.UnixMilli()}
	c.cond(r.root)
	return Query{SQL: c.b.String(), Args: c.args}, r.usesScores
}

// Select compiles the rule to a query of the ids of the workspace's live
// customers who match, in id order.
func (r *Rule) Select(d Dialect, workspaceID int64, now time.Time) Query {
	return r.selectWith(d, workspaceID, now, "c.id", " ORDER BY c.id")
}

// Count compiles the rule to a query of how many live customers match.
func (r *Rule) Count(d Dialect, workspaceID int64, now time.Time) Query {
	return r.selectWith(d, workspaceID, now, "COUNT(*)", "")
}

func (r *Rule) selectWith(d Dialect, ws int64, now time.Time, what, tail string) Query {
	cond, scores := r.Where(d, ws, now)
	var b strings.Builder
	b.WriteString("SELECT " + what + " FROM customers c")
	if scores {
		b.WriteString(" LEFT JOIN customer_scores s ON s.customer_id = c.id AND s.workspace_id = c.workspace_id")
	}
	b.WriteString(" WHERE c.workspace_id = ? AND c.merged_into IS NULL AND (" + cond.SQL + ")" + tail)
	return Query{SQL: b.String(), Args: append([]any{ws}, cond.Args...)}
}

type compiler struct {
	d    Dialect
	ws   int64
	now  int64 // unix ms
	b    strings.Builder
	args []any
}

func (c *compiler) w(s string)     { c.b.WriteString(s) }
func (c *compiler) arg(v any)      { c.b.WriteByte('?'); c.args = append(c.args, v) }
func (c *compiler) text(v string)  { c.w("CAST("); c.arg(v); c.w(" AS TEXT)") }
func (c *compiler) bigint(v int64) { c.w("CAST("); c.arg(v); c.w(" AS BIGINT)") }

// Every comparison is two-valued: a missing (NULL) value makes it false, as
// in Go, so that not(...) means the same in both.
func (c *compiler) cond(x cond) {
	switch x := x.(type) {
	case logicCond:
		op := " OR "
		if x.and {
			op = " AND "
		}
		c.w("(")
		c.cond(x.l)
		c.w(op)
		c.cond(x.r)
		c.w(")")
	case notCond:
		c.w("NOT (")
		c.cond(x.x)
		c.w(")")
	case truthCond:
		c.membership(x.t)
	case cmpCond:
		if x.t.kind == termCount {
			c.count(x)
			return
		}
		c.compare(x)
	}
}

// membership is c.id IN (the people for whom the true/false term holds).
// Uncorrelated subqueries let both databases build the set once.
func (c *compiler) membership(t term) {
	c.w("c.id IN (")
	switch t.kind {
	case termIsContact:
		c.w("SELECT k.customer_id FROM contacts k WHERE k.workspace_id = ")
		c.bigint(c.ws)
		c.w(" AND k.deleted_at IS NULL")
	case termContactOf:
		c.w("SELECT k.customer_id FROM contacts k JOIN accounts a ON a.id = k.account_id WHERE k.workspace_id = ")
		c.bigint(c.ws)
		c.w(" AND k.deleted_at IS NULL AND a.wecom_userid = ")
		c.text(t.arg)
	case termOptedOut:
		c.w("SELECT o.customer_id FROM opt_outs o WHERE o.workspace_id = ")
		c.bigint(c.ws)
	case termTag:
		c.w("SELECT ct.customer_id FROM customer_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.workspace_id = ")
		c.bigint(c.ws)
		c.w(" AND t.name = ")
		c.text(t.arg)
	case termGroup:
		c.w("SELECT gm.customer_id FROM group_members gm JOIN chat_groups g ON g.id = gm.group_id WHERE g.workspace_id = ")
		c.bigint(c.ws)
		c.w(" AND g.name = ")
		c.text(t.arg)
		c.w(" AND g.dismissed_at IS NULL AND gm.left_at IS NULL")
	default:
		panic(fmt.Sprintf("segment: term %d is not true/false", t.kind))
	}
	c.w(")")
}

// compare is a field compared with values.
func (c *compiler) compare(x cmpCond) {
	f := x.t.field
	col := f.Table + "." + f.Column
	if f.Nullable {
		c.w("(" + col + " IS NOT NULL AND ")
	}
	c.w(col)
	switch x.op {
	case "in", "not in":
		c.w(" " + strings.ToUpper(x.op) + " (")
		for i, v := range x.vals {
			if i > 0 {
				c.w(", ")
			}
			c.value(f.Type, v)
		}
		c.w(")")
	default:
		c.w(" " + sqlOp(x.op) + " ")
		c.value(f.Type, x.vals[0])
	}
	if f.Nullable {
		c.w(")")
	}
}

func sqlOp(op string) string {
	if op == "==" {
		return "="
	}
	if op == "!=" {
		return "<>"
	}
	return op
}

func (c *compiler) value(t Type, v value) {
	switch t {
	case Int, Money:
		c.bigint(v.i)
	case Time:
		if v.rel {
			c.bigint(c.now - v.ago.Milliseconds())
		} else {
			c.bigint(v.i)
		}
	case Float:
		c.w("CAST(")
		c.arg(v.f)
		c.w(" AS DOUBLE PRECISION)")
	case Text:
		c.text(v.s)
	default:
		panic(fmt.Sprintf("segment: no SQL value for %s", t))
	}
}

// count compiles count(...) op n. The people with a count of zero have no
// events to group, so the set is written by whether zero matches: when it
// does not, the matching people are those whose group passes; when it does,
// they are everyone but those whose group fails.
func (c *compiler) count(x cmpCond) {
	zeroMatches := matchInt(0, x.op, x.vals)
	if zeroMatches {
		c.w("c.id NOT IN (")
	} else {
		c.w("c.id IN (")
	}
	t := x.t
	c.w("SELECT e.customer_id FROM events e WHERE e.workspace_id = ")
	c.bigint(c.ws)
	c.w(" AND e.type = ")
	c.text(t.arg)
	if t.window > 0 {
		c.w(" AND e.occurred_at >= ")
		c.bigint(c.now - t.window.Milliseconds())
	}
	if t.propKey != "" {
		c.propFilter(t.propKey, t.propVal)
	}
	c.w(" GROUP BY e.customer_id HAVING ")
	if zeroMatches {
		c.w("NOT (")
	}
	c.w("COUNT(*)")
	if x.op == "in" || x.op == "not in" {
		c.w(" " + strings.ToUpper(x.op) + " (")
		for i, v := range x.vals {
			if i > 0 {
				c.w(", ")
			}
			c.bigint(v.i)
		}
		c.w(")")
	} else {
		c.w(" " + sqlOp(x.op) + " ")
		c.bigint(x.vals[0].i)
	}
	if zeroMatches {
		c.w(")")
	}
	c.w(")")
}

// propFilter keeps events whose props has key as a JSON string equal to val.
// props is JSON text, or ” for none; CASE keeps the JSON functions away
// from the empty ones. The key is checked to be a plain name and still goes
// in as an argument.
func (c *compiler) propFilter(key, val string) {
	if c.d == Postgres {
		c.w(" AND (CASE WHEN e.props = '' THEN FALSE ELSE jsonb_typeof(e.props::jsonb -> ")
		c.text(key)
		c.w(") = 'string' AND (e.props::jsonb ->> ")
		c.text(key)
		c.w(") = ")
		c.text(val)
		c.w(" END)")
		return
	}
	path := `$."` + key + `"`
	c.w(" AND (CASE WHEN e.props = '' THEN 0 ELSE json_type(e.props, ")
	c.text(path)
	c.w(") = 'text' AND json_extract(e.props, ")
	c.text(path)
	c.w(") = ")
	c.text(val)
	c.w(" END)")
}

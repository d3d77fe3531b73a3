package segment

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// Rule is a parsed and checked rule. It is immutable and safe for
// concurrent use.
type Rule struct {
	src        string
	root       cond
	usesScores bool
}

// Source returns the rule as written.
func (r *Rule) Source() string { return r.src }

// Parse parses and checks a rule. Its error is an *Error with the line and
// column of the first problem.
func Parse(src string) (*Rule, error) {
	e, err := parse(src)
	if err != nil {
		return nil, err
	}
	c := &checker{}
	root, err := c.cond(e)
	if err != nil {
		return nil, err
	}
	return &Rule{src: src, root: root, usesScores: c.usesScores}, nil
}

// The checked tree.
type (
	cond interface{ isCond() }

	logicCond struct {
		and  bool
		l, r cond
	}
	notCond   struct{ x cond }
	truthCond struct{ t term } // a true/false term is true
	cmpCond   struct {
		t    term
		op   string // == != < <= > >= in "not in"
		vals []value
	}
)

func (logicCond) isCond() {}
func (notCond) isCond()   {}
func (truthCond) isCond() {}
func (cmpCond) isCond()   {}

type termKind int

const (
	termField termKind = iota
	termIsContact
	termOptedOut
	termTag
	termGroup
	termContactOf
	termCount
)

// term is what a comparison is about: a field, or a function of the person.
type term struct {
	kind    termKind
	field   Field  // termField
	arg     string // tag, group name, account userid, event type
	window  time.Duration
	propKey string // count: the props key to filter on, if any
	propVal string
}

func (t term) typ() Type {
	switch t.kind {
	case termField:
		return t.field.Type
	case termCount:
		return Int
	}
	return Bool
}

// value is a checked literal of the term's type.
type value struct {
	i   int64   // Int, Money (fen), Time (unix ms), Bool (1 = true)
	f   float64 // Float
	s   string  // Text
	ago time.Duration
	rel bool // Time: now - ago rather than i
}

type checker struct {
	usesScores bool
}

func (c *checker) cond(e expr) (cond, error) {
	switch e := e.(type) {
	case *logicExpr:
		l, err := c.cond(e.l)
		if err != nil {
			return nil, err
		}
		r, err := c.cond(e.r)
		if err != nil {
			return nil, err
		}
		return logicCond{and: e.op == "and", l: l, r: r}, nil
	case *notExpr:
		x, err := c.cond(e.x)
		if err != nil {
			return nil, err
		}
		return notCond{x}, nil
	case *compareExpr:
		return c.compare(e)
	case *nameExpr, *callExpr:
		t, err := c.term(e)
		if err != nil {
			return nil, err
		}
		if t.typ() != Bool {
			return nil, errorf(e.at(), "%s is a %s, not a condition: compare it, e.g. %s", describeTerm(e), t.typ(), example(t))
		}
		return truthCond{t}, nil
	case *litExpr:
		return nil, errorf(e.at(), "a value alone is not a condition: compare a field with it")
	}
	return nil, errorf(e.at(), "not a condition")
}

func describeTerm(e expr) string {
	switch e := e.(type) {
	case *nameExpr:
		return e.name
	case *callExpr:
		return e.name + "(…)"
	}
	return "this"
}

func example(t term) string {
	switch t.typ() {
	case Text:
		return t.field.Name + ` == "…"`
	case Time:
		return t.field.Name + ` >= "2026-01-01"`
	case Money:
		return t.field.Name + " >= 500元"
	}
	if t.kind == termCount {
		return `count("…", 30d) >= 3`
	}
	return t.field.Name + " >= 3"
}

// isTerm reports whether e names a field or calls a function (rather than
// being a literal).
func isTerm(e expr) bool {
	switch e.(type) {
	case *nameExpr, *callExpr:
		return true
	}
	return false
}

// flipped mirrors an operator for when the value is written first.
var flipped = map[string]string{"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

func (c *checker) compare(e *compareExpr) (cond, error) {
	left, op, right := e.l, e.op, e.r
	if len(right) == 1 && op != "in" && op != "not in" && !isTerm(left) && isTerm(right[0]) {
		left, right, op = right[0], []expr{left}, flipped[op] // 3 <= r_score reads as r_score >= 3
	}
	if !isTerm(left) {
		if _, ok := left.(*litExpr); ok {
			return nil, errorf(e.pos, "compare a field or function with a value; here %s has no field", op)
		}
		return nil, errorf(left.at(), "the left side of %s must be a field or function", op)
	}
	if call, ok := left.(*callExpr); ok && call.name == "ago" {
		return nil, errorf(left.at(), "ago(…) is a value: compare a time field with it, e.g. created_at >= ago(30d)")
	}
	t, err := c.term(left)
	if err != nil {
		return nil, err
	}
	typ := t.typ()
	switch {
	case typ == Bool && op != "==" && op != "!=":
		return nil, errorf(e.pos, "%s is true or false: use it alone, with not, or with == / !=", describeTerm(left))
	case (typ == Text) && op != "==" && op != "!=" && op != "in" && op != "not in":
		return nil, errorf(e.pos, "text can only be compared with ==, !=, in and not in, not %s", op)
	case (op == "in" || op == "not in") && typ != Text && typ != Int && typ != Money:
		return nil, errorf(e.pos, "in works on text and whole numbers, not on a %s", typ)
	}
	vals := make([]value, len(right))
	for i, r := range right {
		if vals[i], err = c.value(t, left, r); err != nil {
			return nil, err
		}
	}
	if typ == Bool {
		// x == true is x; x == false and x != true are not x.
		var cd cond = truthCond{t}
		if (vals[0].i == 1) != (op == "==") {
			cd = notCond{cd}
		}
		return cd, nil
	}
	return cmpCond{t: t, op: op, vals: vals}, nil
}

func (c *checker) term(e expr) (term, error) {
	switch e := e.(type) {
	case *nameExpr:
		f, ok := fieldByName(e.name)
		if !ok {
			if _, isFn := functionByName(e.name); isFn {
				return term{}, errorf(e.pos, "%s is a function: call it, e.g. %s(…)", e.name, e.name)
			}
			return term{}, errorf(e.pos, "unknown field %q%s", e.name, suggest(e.name))
		}
		switch f.Name {
		case "is_contact":
			return term{kind: termIsContact}, nil
		case "opted_out":
			return term{kind: termOptedOut}, nil
		}
		if f.Table == "s" {
			c.usesScores = true
		}
		return term{kind: termField, field: f}, nil
	case *callExpr:
		return c.call(e)
	}
	return term{}, errorf(e.at(), "expected a field or function")
}

// propKeyPattern keeps props keys to plain names, which are safe inside a
// JSON path on both databases.
var propKeyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

func (c *checker) call(e *callExpr) (term, error) {
	fn, ok := functionByName(e.name)
	if !ok {
		if _, isField := fieldByName(e.name); isField {
			return term{}, errorf(e.pos, "%s is a field, not a function: drop the parentheses", e.name)
		}
		return term{}, errorf(e.pos, "unknown function %q%s", e.name, suggest(e.name))
	}
	text := func(i int, what string) (string, error) {
		if l, ok := e.args[i].(*litExpr); ok && l.tok.kind == tokString {
			if strings.TrimSpace(l.tok.text) == "" {
				return "", errorf(l.at(), "%s: the %s is empty", e.name, what)
			}
			return l.tok.text, nil
		}
		return "", errorf(e.args[i].at(), "%s: the %s must be text in quotes", e.name, what)
	}
	arity := func(lo, hi int) error {
		if len(e.args) < lo || len(e.args) > hi {
			return errorf(e.pos, "%s takes %s; write %s", e.name, argCount(lo, hi), fn.Signature)
		}
		return nil
	}
	switch e.name {
	case "has_tag", "in_group", "contact_of":
		if err := arity(1, 1); err != nil {
			return term{}, err
		}
		s, err := text(0, map[string]string{"has_tag": "tag name", "in_group": "group name", "contact_of": "account's WeCom userid"}[e.name])
		if err != nil {
			return term{}, err
		}
		kind := map[string]termKind{"has_tag": termTag, "in_group": termGroup, "contact_of": termContactOf}[e.name]
		return term{kind: kind, arg: s}, nil
	case "count":
		if err := arity(1, 4); err != nil {
			return term{}, err
		}
		if len(e.args) == 3 {
			return term{}, errorf(e.args[2].at(), `count: a props filter needs a key and a value, e.g. count("moment.liked", 30d, "topic", "skincare")`)
		}
		typ, err := text(0, "event type")
		if err != nil {
			return term{}, err
		}
		t := term{kind: termCount, arg: typ}
		if len(e.args) >= 2 {
			if t.window, err = durationArg(e.name, e.args[1]); err != nil {
				return term{}, err
			}
		}
		if len(e.args) == 4 {
			if t.propKey, err = text(2, "props key"); err != nil {
				return term{}, err
			}
			if !propKeyPattern.MatchString(t.propKey) {
				return term{}, errorf(e.args[2].at(), "count: the props key %q must be letters, digits and _", t.propKey)
			}
			if t.propVal, err = text(3, "props value"); err != nil {
				return term{}, err
			}
		}
		return t, nil
	case "ago":
		return term{}, errorf(e.pos, "ago(…) is a value: compare a time field with it, e.g. created_at >= ago(30d)")
	}
	return term{}, errorf(e.pos, "unknown function %q", e.name)
}

func argCount(lo, hi int) string {
	switch {
	case lo == hi && lo == 1:
		return "one argument"
	case lo == hi:
		return strconv.Itoa(lo) + " arguments"
	}
	return strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + " arguments"
}

// maxWindow bounds durations: ten years.
const maxWindow = 10 * 366 * 24 * time.Hour

func durationArg(fn string, e expr) (time.Duration, error) {
	l, ok := e.(*litExpr)
	if !ok || l.tok.kind != tokDuration || l.neg {
		return 0, errorf(e.at(), "%s: expected a duration such as 30d, 12h or 2w", fn)
	}
	n, err := strconv.ParseInt(l.tok.text, 10, 64)
	unit := map[string]time.Duration{"h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[l.tok.unit]
	if err != nil || n <= 0 || n > int64(maxWindow/unit) {
		return 0, errorf(e.at(), "%s: the duration must be more than zero and at most ten years", fn)
	}
	return time.Duration(n) * unit, nil
}

// dateLayouts are the accepted forms of a time literal, read in Asia/Shanghai
// unless they carry a zone.
var dateLayouts = []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05"}

func (c *checker) value(t term, left, e expr) (value, error) {
	name := describeTerm(left)
	typ := t.typ()
	if call, ok := e.(*callExpr); ok && call.name == "ago" {
		if typ != Time {
			return value{}, errorf(e.at(), "ago(…) is a time; %s is a %s", name, typ)
		}
		if len(call.args) != 1 {
			return value{}, errorf(e.at(), "ago takes one argument; write ago(30d)")
		}
		d, err := durationArg("ago", call.args[0])
		if err != nil {
			return value{}, err
		}
		return value{ago: d, rel: true}, nil
	}
	l, ok := e.(*litExpr)
	if !ok {
		return value{}, errorf(e.at(), "compare %s with a value, not with another field or function", name)
	}
	tok := l.tok
	mismatch := func() (value, error) {
		return value{}, errorf(tok.pos, "%s is a %s; %s is not", name, typ, tok.describe())
	}
	switch typ {
	case Bool:
		if tok.kind != tokIdent {
			return mismatch()
		}
		if tok.text == "true" {
			return value{i: 1}, nil
		}
		return value{}, nil
	case Int:
		if tok.kind != tokInt {
			if tok.kind == tokDecimal {
				return value{}, errorf(tok.pos, "%s is a whole number; %s has decimals", name, tok.describe())
			}
			return mismatch()
		}
		n, err := strconv.ParseInt(tok.text, 10, 64)
		if err != nil {
			return value{}, errorf(tok.pos, "%s is too large", tok.text)
		}
		if l.neg {
			n = -n
		}
		return value{i: n}, nil
	case Float:
		if tok.kind != tokInt && tok.kind != tokDecimal {
			return mismatch()
		}
		f, err := strconv.ParseFloat(tok.text, 64)
		if err != nil {
			return value{}, errorf(tok.pos, "%s is not a number", tok.text)
		}
		if l.neg {
			f = -f
		}
		return value{f: f}, nil
	case Money:
		var fen siyu.Fen
		switch tok.kind {
		case tokMoney:
			v, err := siyu.ParseYuan(tok.text)
			if err != nil {
				return value{}, errorf(tok.pos, "%s: %v", tok.describe(), err)
			}
			fen = v
		case tokInt:
			n, err := strconv.ParseInt(tok.text, 10, 64)
			if err != nil {
				return value{}, errorf(tok.pos, "%s is too large", tok.text)
			}
			fen = siyu.Fen(n)
		case tokDecimal:
			return value{}, errorf(tok.pos, "%s is money: a plain number is fen (whole); write yuan with a unit, e.g. %s元", name, tok.text)
		default:
			return mismatch()
		}
		if l.neg {
			fen = -fen
		}
		return value{i: int64(fen)}, nil
	case Text:
		if tok.kind != tokString {
			return mismatch()
		}
		if t.kind == termField && len(t.field.Values) > 0 && !slices.Contains(t.field.Values, tok.text) {
			return value{}, errorf(tok.pos, "%s is one of %s; not %q", name, strings.Join(t.field.Values, ", "), tok.text)
		}
		return value{s: tok.text}, nil
	case Time:
		if tok.kind != tokString {
			return value{}, errorf(tok.pos, `%s is a time: compare it with a date such as "2026-01-01" or with ago(30d)`, name)
		}
		for _, layout := range dateLayouts {
			if at, err := time.ParseInLocation(layout, tok.text, siyu.Shanghai); err == nil {
				return value{i: at.UnixMilli()}, nil
			}
		}
		if at, err := time.Parse(time.RFC3339, tok.text); err == nil {
			return value{i: at.UnixMilli()}, nil
		}
		return value{}, errorf(tok.pos, `%q is not a date: write "2026-01-01" or "2026-01-01 20:00" (Asia/Shanghai)`, tok.text)
	}
	return mismatch()
}

// suggest offers the closest known name, if one is close.
func suggest(name string) string {
	best, bestD := "", 3
	try := func(n string) {
		if d := distance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	for _, f := range Fields {
		try(f.Name)
	}
	for _, f := range Functions {
		try(f.Name)
	}
	if best == "" {
		return ""
	}
	return "; did you mean " + best + "?"
}

// distance is the Levenshtein distance, for short names.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

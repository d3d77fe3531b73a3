package segment

// The grammar, loosest binding first:
//
//	rule    = or
//	or      = and { ("or" | "||") and }
//	and     = not { ("and" | "&&") not }
//	not     = ("not" | "!") not | compare
//	compare = operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
//	                  | ["not"] "in" "[" operand { "," operand } "]" ]
//	operand = literal | name | name "(" [ operand { "," operand } ] ")" | "(" or ")"
//	literal = ["-"] number | money | duration | string | "true" | "false"

// expr is a node of the parsed, not yet checked, rule.
type expr interface{ at() Pos }

type (
	logicExpr struct { // and, or
		op   string
		l, r expr
		pos  Pos
	}
	notExpr struct {
		x   expr
		pos Pos
	}
	compareExpr struct {
		op  string // == != < <= > >= in "not in"
		l   expr
		r   []expr // one operand, or the list of in
		pos Pos    // of the operator
	}
	nameExpr struct {
		name string
		pos  Pos
	}
	callExpr struct {
		name string
		args []expr
		pos  Pos
	}
	litExpr struct {
		tok token
		neg bool
	}
)

func (e *logicExpr) at() Pos   { return e.l.at() }
func (e *notExpr) at() Pos     { return e.pos }
func (e *compareExpr) at() Pos { return e.l.at() }
func (e *nameExpr) at() Pos    { return e.pos }
func (e *callExpr) at() Pos    { return e.pos }
func (e *litExpr) at() Pos     { return e.tok.pos }

// maxDepth bounds nesting so that a hostile rule cannot exhaust the stack.
const maxDepth = 100

type parser struct {
	toks  []token
	i     int
	depth int
}

func parse(src string) (expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tokEOF {
		return nil, errorf(p.peek().pos, "the rule is empty")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf(t.pos, "unexpected %s: join conditions with and / or", t.describe())
	}
	return e, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) take() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// isWord reports whether the next token is the keyword or operator w (or
// its symbolic alias).
func (p *parser) isWord(words ...string) bool {
	t := p.peek()
	if t.kind != tokIdent && t.kind != tokOp {
		return false
	}
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

func (p *parser) enter(pos Pos) error {
	p.depth++
	if p.depth > maxDepth {
		return errorf(pos, "the rule nests deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *parser) or() (expr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord("or", "||") {
		op := p.take()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &logicExpr{op: "or", l: l, r: r, pos: op.pos}
	}
	return l, nil
}

func (p *parser) and() (expr, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isWord("and", "&&") {
		op := p.take()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &logicExpr{op: "and", l: l, r: r, pos: op.pos}
	}
	return l, nil
}

func (p *parser) not() (expr, error) {
	if p.isWord("not", "!") {
		t := p.take()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		x, err := p.not()
		p.depth--
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x, pos: t.pos}, nil
	}
	return p.compare()
}

func (p *parser) compare() (expr, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tokOp && (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.take()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		return &compareExpr{op: t.text, l: l, r: []expr{r}, pos: t.pos}, nil
	case p.isWord("in"):
		p.take()
		return p.list(l, "in", t.pos)
	case p.isWord("not") && p.toks[p.i+1].kind == tokIdent && p.toks[p.i+1].text == "in":
		p.take()
		p.take()
		return p.list(l, "not in", t.pos)
	}
	return l, nil
}

func (p *parser) list(l expr, op string, pos Pos) (expr, error) {
	if t := p.take(); t.kind != tokLBrack {
		return nil, errorf(t.pos, "expected [ after %s, found %s", op, t.describe())
	}
	var items []expr
	for {
		if p.peek().kind == tokRBrack && len(items) == 0 {
			return nil, errorf(p.peek().pos, "the list after %s is empty", op)
		}
		x, err := p.operand()
		if err != nil {
			return nil, err
		}
		items = append(items, x)
		switch t := p.take(); t.kind {
		case tokComma:
		case tokRBrack:
			return &compareExpr{op: op, l: l, r: items, pos: pos}, nil
		default:
			return nil, errorf(t.pos, "expected , or ] in the list, found %s", t.describe())
		}
	}
}

func (p *parser) operand() (expr, error) {
	t := p.take()
	switch t.kind {
	case tokLParen:
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		x, err := p.or()
		p.depth--
		if err != nil {
			return nil, err
		}
		if c := p.take(); c.kind != tokRParen {
			return nil, errorf(c.pos, "expected ) to close the ( at %s, found %s", t.pos, c.describe())
		}
		return x, nil
	case tokInt, tokDecimal, tokMoney, tokDuration, tokString:
		return &litExpr{tok: t}, nil
	case tokMinus:
		n := p.take()
		if n.kind != tokInt && n.kind != tokDecimal && n.kind != tokMoney {
			return nil, errorf(t.pos, "- must be followed by a number")
		}
		return &litExpr{tok: n, neg: true}, nil
	case tokIdent:
		switch t.text {
		case "true", "false":
			return &litExpr{tok: t}, nil
		case "and", "or", "not", "in":
			return nil, errorf(t.pos, "expected a field, function or value, found %s", t.describe())
		}
		if p.peek().kind != tokLParen {
			return &nameExpr{name: t.text, pos: t.pos}, nil
		}
		p.take()
		call := &callExpr{name: t.text, pos: t.pos}
		if p.peek().kind == tokRParen {
			p.take()
			return call, nil
		}
		for {
			if err := p.enter(t.pos); err != nil {
				return nil, err
			}
			a, err := p.operand()
			p.depth--
			if err != nil {
				return nil, err
			}
			call.args = append(call.args, a)
			switch c := p.take(); c.kind {
			case tokComma:
			case tokRParen:
				return call, nil
			default:
				return nil, errorf(c.pos, "expected , or ) in the arguments of %s, found %s", t.text, c.describe())
			}
		}
	}
	return nil, errorf(t.pos, "expected a field, function or value, found %s", t.describe())
}

package segment

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a place in a rule's source: 1-based line and column, counting
// characters (a Chinese character is one column), not bytes.
type Pos struct {
	Line int `json:"line"`
	Col  int `json:"column"`
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Error is a parse or type error of a rule.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

func errorf(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokInt      // 42
	tokDecimal  // 0.5
	tokMoney    // 500元, 12.5yuan
	tokDuration // 30d, 12h, 2w
	tokString   // "护肤" or '护肤'
	tokOp       // == != < <= > >= && || !
	tokLParen
	tokRParen
	tokLBrack
	tokRBrack
	tokComma
	tokMinus
)

type token struct {
	kind tokenKind
	text string // the literal's text without quotes or unit; the operator
	unit string // of a money or duration literal
	pos  Pos
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of rule"
	case tokString:
		return fmt.Sprintf("string %q", t.text)
	}
	return fmt.Sprintf("%q", t.text+t.unit)
}

// maxRuleLen bounds a rule's source; a segment rule is a line or a few.
const maxRuleLen = 10000

// lex splits src into tokens.
func lex(src string) ([]token, error) {
	if len(src) > maxRuleLen {
		return nil, errorf(Pos{1, 1}, "rule is longer than %d bytes", maxRuleLen)
	}
	if !utf8.ValidString(src) {
		return nil, errorf(Pos{1, 1}, "rule is not valid UTF-8")
	}
	l := &lexer{src: src, line: 1, col: 1}
	var out []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.kind == tokEOF {
			return out, nil
		}
	}
}

type lexer struct {
	src       string
	i         int
	line, col int
}

func (l *lexer) peek() rune {
	if l.i >= len(l.src) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.i:])
	return r
}

func (l *lexer) advance() rune {
	r, n := utf8.DecodeRuneInString(l.src[l.i:])
	l.i += n
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

func (l *lexer) pos() Pos { return Pos{l.line, l.col} }

func (l *lexer) next() (token, error) {
	for l.i < len(l.src) && unicode.IsSpace(l.peek()) {
		l.advance()
	}
	p := l.pos()
	if l.i >= len(l.src) {
		return token{kind: tokEOF, pos: p}, nil
	}
	r := l.peek()
	switch {
	case r == '_' || isLetter(r):
		start := l.i
		for l.i < len(l.src) && (isLetter(l.peek()) || isDigit(l.peek()) || l.peek() == '_') {
			l.advance()
		}
		return token{kind: tokIdent, text: l.src[start:l.i], pos: p}, nil
	case isDigit(r):
		return l.number(p)
	case r == '"' || r == '\'':
		return l.str(p)
	case r == '“' || r == '”' || r == '‘' || r == '’':
		return token{}, errorf(p, "use straight quotes \" or ' around text, not %c", r)
	}
	l.advance()
	two := func(second rune, op string) (token, bool) {
		if l.peek() == second {
			l.advance()
			return token{kind: tokOp, text: op, pos: p}, true
		}
		return token{}, false
	}
	switch r {
	case '(':
		return token{kind: tokLParen, text: "(", pos: p}, nil
	case ')':
		return token{kind: tokRParen, text: ")", pos: p}, nil
	case '[':
		return token{kind: tokLBrack, text: "[", pos: p}, nil
	case ']':
		return token{kind: tokRBrack, text: "]", pos: p}, nil
	case ',':
		return token{kind: tokComma, text: ",", pos: p}, nil
	case '-':
		return token{kind: tokMinus, text: "-", pos: p}, nil
	case '=':
		if t, ok := two('=', "=="); ok {
			return t, nil
		}
		return token{}, errorf(p, "use == to compare, not =")
	case '!':
		if t, ok := two('=', "!="); ok {
			return t, nil
		}
		return token{kind: tokOp, text: "!", pos: p}, nil
	case '<':
		if t, ok := two('=', "<="); ok {
			return t, nil
		}
		return token{kind: tokOp, text: "<", pos: p}, nil
	case '>':
		if t, ok := two('=', ">="); ok {
			return t, nil
		}
		return token{kind: tokOp, text: ">", pos: p}, nil
	case '&':
		if t, ok := two('&', "&&"); ok {
			return t, nil
		}
		return token{}, errorf(p, "use && or and, not &")
	case '|':
		if t, ok := two('|', "||"); ok {
			return t, nil
		}
		return token{}, errorf(p, "use || or or, not |")
	case '（', '）', '，', '＝':
		return token{}, errorf(p, "full-width %q: switch the input method to half-width", r)
	}
	return token{}, errorf(p, "unexpected character %q", r)
}

func isLetter(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }
func isDigit(r rune) bool  { return r >= '0' && r <= '9' }

// number reads 42, 0.5, 500元, 12.5yuan, 30d, 12h, 2w.
func (l *lexer) number(p Pos) (token, error) {
	start := l.i
	for l.i < len(l.src) && isDigit(l.peek()) {
		l.advance()
	}
	kind := tokInt
	if l.peek() == '.' {
		l.advance()
		if !isDigit(l.peek()) {
			return token{}, errorf(l.pos(), "a digit must follow the decimal point")
		}
		for l.i < len(l.src) && isDigit(l.peek()) {
			l.advance()
		}
		kind = tokDecimal
	}
	text := l.src[start:l.i]
	unitStart := l.i
	for l.i < len(l.src) && (isLetter(l.peek()) || l.peek() == '元') {
		l.advance()
	}
	unit := l.src[unitStart:l.i]
	switch {
	case unit == "":
		return token{kind: kind, text: text, pos: p}, nil
	case unit == "元" || strings.EqualFold(unit, "yuan"):
		return token{kind: tokMoney, text: text, unit: unit, pos: p}, nil
	case unit == "d" || unit == "h" || unit == "w":
		if kind != tokInt {
			return token{}, errorf(p, "a duration is a whole number of days, hours or weeks, like 30d")
		}
		return token{kind: tokDuration, text: text, unit: unit, pos: p}, nil
	}
	return token{}, errorf(p, "unknown unit %q after %s: use d, h or w for durations and 元 or yuan for money", unit, text)
}

// str reads a quoted string with the escapes \\ \" \' \n \t.
func (l *lexer) str(p Pos) (token, error) {
	quote := l.advance()
	var b strings.Builder
	for {
		if l.i >= len(l.src) {
			return token{}, errorf(p, "text is missing its closing %c", quote)
		}
		r := l.advance()
		switch r {
		case quote:
			return token{kind: tokString, text: b.String(), pos: p}, nil
		case '\n':
			return token{}, errorf(p, "text is missing its closing %c before the end of the line", quote)
		case '\\':
			ep := l.pos()
			if l.i >= len(l.src) {
				return token{}, errorf(p, "text is missing its closing %c", quote)
			}
			switch e := l.advance(); e {
			case '\\', '"', '\'':
				b.WriteRune(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				return token{}, errorf(Pos{ep.Line, ep.Col - 1}, "unknown escape \\%c", e)
			}
		default:
			b.WriteRune(r)
		}
	}
}

package orderfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"siyu.dev/siyu"
)

// cleanCell undoes the tricks exports use to stop Excel turning long numbers
// into floats: ="123", a leading tab, a leading apostrophe. It also trims
// spaces, including the full-width one.
func cleanCell(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; c != '=' && c != '\'' && c > ' ' && c < 0x80 {
		if c := s[len(s)-1]; c > ' ' && c < 0x80 {
			return s // fast path: nothing to strip
		}
	}
	s = strings.TrimSpace(s)
	if len(s) >= 3 && s[0] == '=' && s[1] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[2 : len(s)-1])
	}
	if strings.HasPrefix(s, "'") {
		s = strings.TrimSpace(s[1:])
	}
	return s
}

// unwrapExcelText removes only the ="..." wrapper and surrounding spaces: the
// generic format keeps a leading apostrophe as data.
func unwrapExcelText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && s[0] == '=' && s[1] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[2 : len(s)-1])
	}
	return s
}

// isExcelFloat reports whether s is what Excel makes of a long number it was
// allowed to treat as one, such as 3.36502812911234E+18. The digits are lost.
func isExcelFloat(s string) bool {
	mant, exp, ok := strings.Cut(strings.ToUpper(s), "E+")
	if !ok || mant == "" || exp == "" || !isDigits(exp) {
		return false
	}
	whole, frac, _ := strings.Cut(mant, ".")
	return whole != "" && isDigits(whole) && (frac == "" || isDigits(frac))
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

var errTimeFormat = errors.New("bad time")

// parseLocalTime parses a wall-clock time without zone, in the spellings
// exports and Excel produce: 2024-03-01 12:34:56, 2024/3/1 12:34,
// 2024-03-01T12:34:56, 2024-03-01. The time is taken to be in loc.
func parseLocalTime(s string, loc *time.Location) (time.Time, error) {
	p := numScanner{s: s}
	year := p.num(4, 4)
	sep := p.peek()
	if sep != '-' && sep != '/' {
		return time.Time{}, errTimeFormat
	}
	p.skip()
	month := p.num(1, 2)
	if !p.expect(sep) {
		return time.Time{}, errTimeFormat
	}
	day := p.num(1, 2)
	hour, minute, sec := 0, 0, 0
	if !p.done() {
		if c := p.peek(); c != ' ' && c != 'T' {
			return time.Time{}, errTimeFormat
		}
		for p.peek() == ' ' || p.peek() == 'T' {
			p.skip()
		}
		hour = p.num(1, 2)
		if !p.expect(':') {
			return time.Time{}, errTimeFormat
		}
		minute = p.num(2, 2)
		if p.peek() == ':' {
			p.skip()
			sec = p.num(2, 2)
		}
	}
	if p.bad || !p.done() || month < 1 || month > 12 || day < 1 || day > 31 ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, errTimeFormat
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	if t.Day() != day { // 2024-02-30 would silently become March 1
		return time.Time{}, errTimeFormat
	}
	return t, nil
}

// numScanner reads small decimal numbers from a string without allocating.
type numScanner struct {
	s   string
	i   int
	bad bool
}

func (p *numScanner) done() bool { return p.i >= len(p.s) }

func (p *numScanner) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *numScanner) skip() { p.i++ }

func (p *numScanner) expect(c byte) bool {
	if p.peek() != c {
		p.bad = true
		return false
	}
	p.i++
	return true
}

// num reads between min and max digits.
func (p *numScanner) num(min, max int) int {
	n, v := 0, 0
	for n < max && !p.done() && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	if n < min {
		p.bad = true
	}
	return v
}

// parseShanghaiTime parses a Taobao export time (Asia/Shanghai) into UTC.
func parseShanghaiTime(s string) (time.Time, error) {
	t, err := parseLocalTime(s, siyu.Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q (want 2024-03-01 12:34:56)", s)
	}
	return t.UTC(), nil
}

// parseGenericTime accepts RFC 3339 (with an offset) or a wall-clock time,
// which is then taken to be Asia/Shanghai.
func parseGenericTime(s string) (time.Time, error) {
	if t, err := parseLocalTime(s, siyu.Shanghai); err == nil {
		return t.UTC(), nil
	}
	r := s
	if len(r) > 10 && r[10] == ' ' {
		r = r[:10] + "T" + r[11:]
	}
	t, err := time.Parse(time.RFC3339, r)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time %q (want RFC 3339 like 2024-03-01T12:34:56+08:00, or 2024-03-01 12:34:56 in China time)", s)
	}
	return t.UTC(), nil
}

// parseCount parses a non-negative item quantity. Excel sometimes writes
// whole numbers as "2.00", which is accepted.
func parseCount(s string) (int, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if hasDot && strings.Trim(frac, "0") != "" {
		return 0, fmt.Errorf("invalid quantity %q: want a whole number", s)
	}
	n, err := strconv.Atoi(whole)
	if err != nil || n < 0 || !isDigits(whole) {
		return 0, fmt.Errorf("invalid quantity %q: want a whole number", s)
	}
	return n, nil
}

// parseFen parses an integer amount of fen.
func parseFen(s string) (siyu.Fen, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid amount in fen %q: want a whole number", s)
	}
	return siyu.Fen(n), nil
}

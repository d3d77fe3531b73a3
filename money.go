package siyu

import (
	"fmt"
	"strconv"
	"strings"
)

// Fen is an amount of money in fen (1/100 yuan). Money is never a float.
type Fen int64

// String renders the amount in yuan with two decimals, e.g. "1234.50".
func (f Fen) String() string {
	sign := ""
	v := int64(f)
	if v < 0 {
		sign = "-"
		v = -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// ParseYuan parses a decimal yuan amount such as "12", "12.3", "12.30",
// "¥1,234.50" or "-5.00" into fen without going through floating point.
// More than two decimals is an error rather than a silent rounding.
func ParseYuan(s string) (Fen, error) {
	orig := s
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "￥")
	s = strings.ReplaceAll(s, ",", "")
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("invalid amount %q", orig)
	}
	if len(frac) > 2 {
		// Accept trailing zeros ("12.500") but refuse real sub-fen precision.
		if strings.Trim(frac[2:], "0") != "" {
			return 0, fmt.Errorf("invalid amount %q: more than two decimals", orig)
		}
		frac = frac[:2]
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	if !allDigits(whole) || !allDigits(frac) || len(whole) > 15 {
		return 0, fmt.Errorf("invalid amount %q", orig)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid amount %q", orig)
	}
	fr, _ := strconv.ParseInt(frac, 10, 64)
	v := w*100 + fr
	if neg {
		v = -v
	}
	return Fen(v), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

package web

import (
	"strings"
	"time"

	"siyu.dev/siyu"
)

const dateTimeLayout = "2006-01-02 15:04"

// formatMoney renders fen as "¥1,234.50" (negative: "-¥1,234.50").
func formatMoney(f siyu.Fen) string {
	s := f.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return sign + "¥" + b.String() + "." + frac
}

// formatTime shows a time in Asia/Shanghai; missing times show as a dash.
// It takes time.Time or *time.Time, which is what the domain types hold.
func formatTime(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return "—"
		}
		t = *x
	default:
		return "—"
	}
	if t.IsZero() {
		return "—"
	}
	return t.In(siyu.Shanghai).Format(dateTimeLayout)
}

// formatDate is formatTime without the clock.
func formatDate(v any) string {
	s := formatTime(v)
	if d, _, ok := strings.Cut(s, " "); ok {
		return d
	}
	return s
}

package web

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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

// formatRate shows part/whole as a percentage with one decimal ("12.5%"),
// rounded half up in integer arithmetic; a dash when whole is not positive.
func formatRate(part, whole int) string {
	if whole <= 0 || part < 0 {
		return "—"
	}
	tenths := (int64(part)*1000 + int64(whole)/2) / int64(whole)
	return fmt.Sprintf("%d.%d%%", tenths/10, tenths%10)
}

// perCustomer divides a cost among the customers it brought, rounded half
// up to the fen; false when there is no cost or no customer to divide by.
func perCustomer(cost siyu.Fen, customers int) (siyu.Fen, bool) {
	if cost <= 0 || customers <= 0 {
		return 0, false
	}
	n := siyu.Fen(customers)
	return (cost + n/2) / n, true
}

// truncate shortens s to at most n characters, marking the cut with "…".
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max(n-1, 0)])) + "…"
}

// shortID shows a long opaque id (a WeCom external_userid) by its ends,
// which is enough to tell ids apart at a glance.
func shortID(s string) string {
	const head, tail = 6, 4
	r := []rune(s)
	if len(r) <= head+tail+4 { // cutting would hide little
		return s
	}
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

package lifecycle

import (
	"errors"
	"testing"

	"siyu.dev/siyu/analytics/rfm"
)

func TestParseRange(t *testing.T) {
	day := func(s string) rfm.Day {
		d, err := rfm.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	today := day("2026-12-03")
	for _, tc := range []struct {
		period, from, to string
		want             Range
		badField         string
	}{
		{"", "", "", Range{From: day("2026-11-04"), To: today, Period: Daily}, ""},
		{"week", "2026-01-01", "", Range{From: day("2026-01-01"), To: today, Period: Weekly}, ""},
		{"month", "", "2026-06-30", Range{From: day("2026-06-01"), To: day("2026-06-30"), Period: Monthly}, ""},
		{"day", "2026-06-30", "2026-06-01", Range{From: day("2026-06-30"), To: day("2026-06-01"), Period: Daily}, ""}, // order is the caller's
		{"hour", "", "", Range{}, "period"},
		{"", "2026-13-01", "", Range{}, "from"},
		{"", "", "yesterday", Range{}, "to"},
	} {
		got, err := ParseRange(tc.period, tc.from, tc.to, today)
		var bad *RangeError
		switch {
		case tc.badField != "":
			if !errors.As(err, &bad) || bad.Field != tc.badField {
				t.Errorf("%q %q %q: %v, want an error naming %s", tc.period, tc.from, tc.to, err, tc.badField)
			}
		case err != nil || got != tc.want:
			t.Errorf("%q %q %q: %+v %v, want %+v", tc.period, tc.from, tc.to, got, err, tc.want)
		}
	}
}

package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
)

// sh is a Shanghai wall-clock time.
func sh(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, siyu.Shanghai)
}

func TestQuietUntil(t *testing.T) {
	night := [2]time.Duration{21 * time.Hour, 9 * time.Hour}
	lunch := [2]time.Duration{12 * time.Hour, 13*time.Hour + 30*time.Minute}
	cases := []struct {
		name  string
		hours [2]time.Duration
		at    time.Time
		quiet bool
		retry time.Time
	}{
		{"afternoon", night, sh(2026, 3, 10, 15, 0, 0), false, time.Time{}},
		{"one second before start", night, sh(2026, 3, 10, 20, 59, 59), false, time.Time{}},
		{"exactly at start", night, sh(2026, 3, 10, 21, 0, 0), true, sh(2026, 3, 11, 9, 0, 0)},
		{"just before midnight", night, sh(2026, 3, 10, 23, 59, 59), true, sh(2026, 3, 11, 9, 0, 0)},
		{"exactly midnight", night, sh(2026, 3, 11, 0, 0, 0), true, sh(2026, 3, 11, 9, 0, 0)},
		{"one second before end", night, sh(2026, 3, 11, 8, 59, 59), true, sh(2026, 3, 11, 9, 0, 0)},
		{"exactly at end", night, sh(2026, 3, 11, 9, 0, 0), false, time.Time{}},
		{"evening on the last day of a month", night, sh(2026, 2, 28, 22, 0, 0), true, sh(2026, 3, 1, 9, 0, 0)},
		{"evening on new year's eve", night, sh(2026, 12, 31, 21, 30, 0), true, sh(2027, 1, 1, 9, 0, 0)},
		{"daytime window inside", lunch, sh(2026, 3, 10, 12, 0, 0), true, sh(2026, 3, 10, 13, 30, 0)},
		{"daytime window end", lunch, sh(2026, 3, 10, 13, 30, 0), false, time.Time{}},
		{"none", [2]time.Duration{9 * time.Hour, 9 * time.Hour}, sh(2026, 3, 10, 3, 0, 0), false, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The same instant given in UTC must give the same answer.
			quiet, retry := quietUntil(c.at.UTC(), c.hours[0], c.hours[1])
			if quiet != c.quiet || !retry.Equal(c.retry) {
				t.Fatalf("quietUntil(%s) = %v, %s; want %v, %s", c.at, quiet, retry.In(siyu.Shanghai), c.quiet, c.retry)
			}
		})
	}
}

func TestWeComWindow(t *testing.T) {
	cases := []struct {
		name     string
		mode     WeComCapMode
		at       time.Time
		from, to time.Time
		limit    int
	}{
		{"february has 28 days", CapDaysInMonth, sh(2026, 2, 14, 10, 0, 0), sh(2026, 2, 1, 0, 0, 0), sh(2026, 3, 1, 0, 0, 0), 28},
		{"leap february has 29", CapDaysInMonth, sh(2028, 2, 29, 23, 59, 59), sh(2028, 2, 1, 0, 0, 0), sh(2028, 3, 1, 0, 0, 0), 29},
		{"april has 30", CapDaysInMonth, sh(2026, 4, 1, 0, 0, 0), sh(2026, 4, 1, 0, 0, 0), sh(2026, 5, 1, 0, 0, 0), 30},
		{"january has 31", CapDaysInMonth, sh(2026, 1, 31, 12, 0, 0), sh(2026, 1, 1, 0, 0, 0), sh(2026, 2, 1, 0, 0, 0), 31},
		// 23:30 UTC on the 31st is already the 1st in Shanghai.
		{"month by the Shanghai calendar", CapFourPerMonth, time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC), sh(2026, 4, 1, 0, 0, 0), sh(2026, 5, 1, 0, 0, 0), 4},
		{"week from Monday", CapSevenPerWeek, sh(2026, 3, 15, 23, 0, 0), sh(2026, 3, 9, 0, 0, 0), sh(2026, 3, 16, 0, 0, 0), 7}, // a Sunday
		{"Monday starts a week", CapSevenPerWeek, sh(2026, 3, 16, 0, 0, 0), sh(2026, 3, 16, 0, 0, 0), sh(2026, 3, 23, 0, 0, 0), 7},
		{"day", CapOnePerDay, sh(2026, 3, 16, 23, 59, 59), sh(2026, 3, 16, 0, 0, 0), sh(2026, 3, 17, 0, 0, 0), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, to, limit := wecomWindow(c.mode, c.at)
			if !from.Equal(c.from) || !to.Equal(c.to) || limit != c.limit {
				t.Fatalf("wecomWindow(%s, %s) = [%s, %s) %d; want [%s, %s) %d", c.mode, c.at,
					from.In(siyu.Shanghai), to.In(siyu.Shanghai), limit, c.from, c.to, c.limit)
			}
		})
	}
}

func TestSettingsValidate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cases := []struct {
		field  string
		change func(*Settings)
	}{
		{"frequency_cap", func(s *Settings) { s.FrequencyCap = -1 }},
		{"frequency_window_days", func(s *Settings) { s.FrequencyWindowDays = 0 }},
		{"quiet_start", func(s *Settings) { s.QuietStart = "25:00" }},
		{"quiet_end", func(s *Settings) { s.QuietEnd = "9am" }},
		{"account_daily_quota", func(s *Settings) { s.AccountDailyQuota = -5 }},
		{"wecom_cap", func(s *Settings) { s.WeComCap = "twice_a_fortnight" }},
	}
	for _, c := range cases {
		s := DefaultSettings()
		c.change(&s)
		err := s.Validate()
		if !errors.Is(err, siyu.ErrInvalid) || !strings.Contains(err.Error(), c.field+":") {
			t.Errorf("%s: got %v, want an invalid-input error naming the field", c.field, err)
		}
	}
	// No cap needs no window.
	s := DefaultSettings()
	s.FrequencyCap, s.FrequencyWindowDays = 0, 0
	if err := s.Validate(); err != nil {
		t.Errorf("no frequency cap: %v", err)
	}
}

func FuzzClock(f *testing.F) {
	for _, s := range []string{"21:00", "09:00", "00:00", "23:59", "24:00", "9:00", "", "12:3x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := clock(s)
		if err != nil {
			return
		}
		if d < 0 || d >= 24*time.Hour || d%time.Minute != 0 {
			t.Fatalf("clock(%q) = %s", s, d)
		}
	})
}

package rfm

import (
	"testing"
	"time"

	"siyu.dev/siyu"
)

func TestDayOfShanghaiMidnight(t *testing.T) {
	tests := []struct {
		utc  string
		want string
	}{
		{"2024-06-30T15:59:59Z", "2024-06-30"}, // 23:59:59 in Shanghai
		{"2024-06-30T16:00:00Z", "2024-07-01"}, // midnight in Shanghai
		{"2024-12-31T16:00:00Z", "2025-01-01"},
		{"2024-02-28T16:00:00Z", "2024-02-29"},
		{"1970-01-01T00:00:00Z", "1970-01-01"},
		{"1969-12-31T15:59:59Z", "1969-12-31"},
		{"1969-12-31T16:00:00Z", "1970-01-01"},
	}
	for _, tt := range tests {
		at, err := time.Parse(time.RFC3339, tt.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := DayOf(at).String(); got != tt.want {
			t.Errorf("DayOf(%s) = %s, want %s", tt.utc, got, tt.want)
		}
	}
}

func TestDayOfSummerTime(t *testing.T) {
	if siyu.Shanghai.String() != "Asia/Shanghai" {
		t.Skip("no tzdata: Shanghai is a fixed zone")
	}
	// China kept summer time (UTC+9) in 1988: 15:30 UTC was 00:30 the next day.
	at := time.Date(1988, 7, 1, 15, 30, 0, 0, time.UTC)
	if got := DayOf(at).String(); got != "1988-07-02" {
		t.Errorf("DayOf(%s) = %s, want 1988-07-02", at, got)
	}
}

func TestDayOfMatchesTimePackage(t *testing.T) {
	rng := newRand(1)
	lo := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for range 100000 {
		at := time.Unix(lo+rng.int63n(hi-lo), 0)
		y, m, d := at.In(siyu.Shanghai).Date()
		day := DayOf(at)
		gy, gm, gd := day.Date()
		if gy != y || gm != m || gd != d {
			t.Fatalf("DayOf(%s) = %s, want %04d-%02d-%02d", at.UTC(), day, y, m, d)
		}
		if day.Time().Year() != y || day.Time().YearDay() != at.In(siyu.Shanghai).YearDay() {
			t.Fatalf("%s.Time() = %s", day, day.Time())
		}
		if day.Weekday() != at.In(siyu.Shanghai).Weekday() {
			t.Fatalf("%s.Weekday() = %s, want %s", day, day.Weekday(), at.In(siyu.Shanghai).Weekday())
		}
	}
}

func TestDateAndParse(t *testing.T) {
	if got := Date(1970, 1, 1); got != 0 {
		t.Errorf("Date(1970-01-01) = %d", got)
	}
	if got := Date(1969, 12, 31); got != -1 {
		t.Errorf("Date(1969-12-31) = %d", got)
	}
	if got := Date(2024, 3, 1) - Date(2024, 2, 28); got != 2 {
		t.Errorf("leap February: %d days", got)
	}
	for _, s := range []string{"2024-02-29", "1999-12-31", "1960-07-04"} {
		d, err := ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != s {
			t.Errorf("ParseDay(%q).String() = %q", s, d)
		}
		b, _ := d.MarshalText()
		var back Day
		if err := back.UnmarshalText(b); err != nil || back != d {
			t.Errorf("text round trip of %s: %s, %v", d, back, err)
		}
	}
	for _, s := range []string{"", "2024-2-29", "2023-02-29", "2024/02/01", "x"} {
		if _, err := ParseDay(s); err == nil {
			t.Errorf("ParseDay(%q) accepted", s)
		}
	}
}

func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2024-02-29", "0001-01-01", "9999-12-31", "2024-13-01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDay(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Errorf("ParseDay(%q) = %s", s, d)
		}
	})
}

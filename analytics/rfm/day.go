package rfm

import (
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// Day is a calendar day in Asia/Shanghai, counted from 1970-01-01 (day 0).
// Times are stored in UTC, but a shop's day is Beijing time: an order paid at
// 17:30 UTC belongs to the next Shanghai day. All day arithmetic of the
// analytics packages (recency, gaps, windows) is done on Day values.
type Day int32

const secondsPerDay = 86400

// Asia/Shanghai kept summer time until 1991 and has been a plain UTC+8 since,
// so later times (all real orders) take the fast path without a zone lookup.
var fixedOffsetSince = time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

const shanghaiOffset = 8 * 3600

// DayOf returns the Shanghai calendar day that contains t.
func DayOf(t time.Time) Day {
	u := t.Unix()
	if u >= fixedOffsetSince {
		return Day((u + shanghaiOffset) / secondsPerDay)
	}
	y, m, d := t.In(siyu.Shanghai).Date()
	return Date(y, m, d)
}

// Date returns the Day of a calendar date. Out-of-range months and days are
// normalised the way time.Date does (Date(2024, 2, 30) is 2024-03-01).
func Date(year int, month time.Month, day int) Day {
	u := time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix()
	return Day(floorDiv(u, secondsPerDay))
}

// Date returns the year, month and day of d.
func (d Day) Date() (year int, month time.Month, day int) {
	return time.Unix(int64(d)*secondsPerDay, 0).UTC().Date()
}

// Time returns midnight at the start of d in Asia/Shanghai.
func (d Day) Time() time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, siyu.Shanghai)
}

// Weekday returns the day of the week of d.
func (d Day) Weekday() time.Weekday {
	// Day 0, 1970-01-01, was a Thursday.
	return time.Weekday(floorMod(int64(d)+int64(time.Thursday), 7))
}

// String formats d as 2006-01-02.
func (d Day) String() string {
	y, m, dd := d.Date()
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// MarshalText formats d as 2006-01-02, so that JSON shows a date.
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a 2006-01-02 date.
func (d *Day) UnmarshalText(b []byte) error {
	v, err := ParseDay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDay parses a date written as 2006-01-02.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return Date(t.Date()), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

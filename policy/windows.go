package policy

import (
	"time"

	"siyu.dev/siyu"
)

// quietUntil reports whether at falls in the quiet hours [start, end) on the
// Shanghai clock, and if so when they end. start > end means the quiet
// hours span midnight (21:00–09:00); start == end means none.
func quietUntil(at time.Time, start, end time.Duration) (bool, time.Time) {
	if start == end {
		return false, time.Time{}
	}
	local := at.In(siyu.Shanghai)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, siyu.Shanghai)
	since := local.Sub(midnight)
	if start < end {
		if since >= start && since < end {
			return true, midnight.Add(end).UTC()
		}
		return false, time.Time{}
	}
	switch {
	case since >= start: // evening: quiet until tomorrow's end
		return true, time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, siyu.Shanghai).Add(end).UTC()
	case since < end: // early morning
		return true, midnight.Add(end).UTC()
	}
	return false, time.Time{}
}

// shanghaiDay returns the Shanghai calendar day holding at, as [from, to).
func shanghaiDay(at time.Time) (time.Time, time.Time) {
	l := at.In(siyu.Shanghai)
	from := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, siyu.Shanghai)
	return from.UTC(), from.AddDate(0, 0, 1).UTC()
}

// wecomWindow returns the calendar period of the mode that holds at, as
// [from, to), and how many 1:1 mass messages a customer may get in it.
func wecomWindow(mode WeComCapMode, at time.Time) (time.Time, time.Time, int) {
	l := at.In(siyu.Shanghai)
	switch mode {
	case CapOnePerDay:
		from, to := shanghaiDay(at)
		return from, to, 1
	case CapSevenPerWeek:
		back := (int(l.Weekday()) + 6) % 7 // days since Monday
		from := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, siyu.Shanghai)
		return from.UTC(), from.AddDate(0, 0, 7).UTC(), 7
	case CapFourPerMonth:
		from := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, siyu.Shanghai)
		return from.UTC(), from.AddDate(0, 1, 0).UTC(), 4
	default: // CapDaysInMonth
		from := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, siyu.Shanghai)
		to := from.AddDate(0, 1, 0)
		return from.UTC(), to.UTC(), int(to.Sub(from).Hours() / 24)
	}
}

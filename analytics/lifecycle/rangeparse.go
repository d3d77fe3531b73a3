package lifecycle

import "siyu.dev/siyu/analytics/rfm"

// RangeError names the field of a typed range that does not read.
type RangeError struct {
	Field string // period, from or to
	Err   error
}

func (e *RangeError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *RangeError) Unwrap() error { return e.Err }

// ParseRange reads a range as people type it (a query string, a form, a
// command line): period "day", "week" or "month", empty meaning day; to
// and from as YYYY-MM-DD, an empty to meaning today and an empty from the
// 29 days before to (30 days in all). It does not check the order or the
// length of the range: each caller bounds those its own way. Its errors
// are *RangeError.
func ParseRange(period, from, to string, today rfm.Day) (Range, error) {
	r := Range{To: today, Period: Daily}
	if period != "" {
		if err := r.Period.UnmarshalText([]byte(period)); err != nil {
			return r, &RangeError{Field: "period", Err: err}
		}
	}
	if to != "" {
		d, err := rfm.ParseDay(to)
		if err != nil {
			return r, &RangeError{Field: "to", Err: err}
		}
		r.To = d
	}
	r.From = r.To - 29
	if from != "" {
		d, err := rfm.ParseDay(from)
		if err != nil {
			return r, &RangeError{Field: "from", Err: err}
		}
		r.From = d
	}
	return r, nil
}

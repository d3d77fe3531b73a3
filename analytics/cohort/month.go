package cohort

import (
	"fmt"
	"time"

	"siyu.dev/siyu/analytics/rfm"
)

// Month is a calendar month (in Asia/Shanghai days), counted as
// year×12 + month−1.
type Month int32

// MonthOf returns the month of a day.
func MonthOf(d rfm.Day) Month {
	y, m, _ := d.Date()
	return MonthFor(y, m)
}

// MonthFor returns the month of a year and month.
func MonthFor(year int, month time.Month) Month { return Month(year*12 + int(month) - 1) }

// Year and Month of m.
func (m Month) Date() (int, time.Month) {
	return int(m) / 12, time.Month(int(m)%12 + 1)
}

// FirstDay is the first day of the month.
func (m Month) FirstDay() rfm.Day {
	y, mm := m.Date()
	return rfm.Date(y, mm, 1)
}

// String formats m as 2006-01.
func (m Month) String() string {
	y, mm := m.Date()
	return fmt.Sprintf("%04d-%02d", y, int(mm))
}

// MarshalText formats m as 2006-01.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses 2006-01.
func (m *Month) UnmarshalText(b []byte) error {
	t, err := time.Parse("2006-01", string(b))
	if err != nil {
		return fmt.Errorf("cohort: bad month %q", b)
	}
	*m = MonthFor(t.Year(), t.Month())
	return nil
}

// monthCache maps days to months; consecutive days of one customer mostly
// fall in one month, which then costs two comparisons.
type monthCache struct {
	start, end rfm.Day // [start, end) is month
	month      Month
}

func (c *monthCache) of(d rfm.Day) Month {
	if d < c.start || d >= c.end {
		c.month = MonthOf(d)
		c.start = c.month.FirstDay()
		c.end = (c.month + 1).FirstDay()
	}
	return c.month
}

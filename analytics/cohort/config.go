package cohort

import (
	"fmt"
	"slices"
	"time"
)

// DefaultWindows are the repurchase windows, in days, used when
// Config.Windows is nil.
var DefaultWindows = []int{30, 60, 90, 180, 365}

// DefaultGapBounds are the upper bounds (days, inclusive) of the
// inter-purchase histogram used when Config.GapBounds is nil: buckets 0
// (same day), 1–7, 8–14, 15–30, 31–60, 61–90, 91–180, 181–365, 366+.
var DefaultGapBounds = []int{0, 7, 14, 30, 60, 90, 180, 365}

// maxDays bounds windows and gaps; a century is plenty.
const maxDays = 36600

// Config says how cohorts are computed. The zero Config is the default.
type Config struct {
	// Through is the last moment counted: orders paid after its Shanghai day
	// are left out, and the last cohort month is that day's month. Zero:
	// the day of the last order.
	Through time.Time
	// Windows are the repurchase windows in days, strictly increasing.
	// Nil: DefaultWindows.
	Windows []int
	// GapBounds are the inclusive upper bounds of the inter-purchase
	// histogram in days, strictly increasing; a last open bucket takes the
	// rest. Nil: DefaultGapBounds.
	GapBounds []int
}

func (c Config) resolve() (Config, error) {
	if c.Windows == nil {
		c.Windows = DefaultWindows
	}
	if c.GapBounds == nil {
		c.GapBounds = DefaultGapBounds
	}
	c.Windows, c.GapBounds = slices.Clone(c.Windows), slices.Clone(c.GapBounds)
	for i, w := range c.Windows {
		if w < 1 || w > maxDays {
			return c, fmt.Errorf("cohort: repurchase window %d days: want 1 to %d", w, maxDays)
		}
		if i > 0 && w <= c.Windows[i-1] {
			return c, fmt.Errorf("cohort: repurchase windows must increase (%d after %d)", w, c.Windows[i-1])
		}
	}
	for i, b := range c.GapBounds {
		if b < 0 || b > maxDays {
			return c, fmt.Errorf("cohort: gap bound %d days: want 0 to %d", b, maxDays)
		}
		if i > 0 && b <= c.GapBounds[i-1] {
			return c, fmt.Errorf("cohort: gap bounds must increase (%d after %d)", b, c.GapBounds[i-1])
		}
	}
	return c, nil
}

// Validate reports a configuration that cannot be used.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

package rfm

import (
	"fmt"
	"time"

	"siyu.dev/siyu"
)

// Scoring says how values become scores 1..5.
type Scoring int

const (
	// Quintiles scores each customer by how many customers are strictly
	// worse: 1 + floor(5 × worse / N). Ties share a score; the best get 5.
	Quintiles Scoring = iota
	// Fixed scores by per-metric thresholds (Config.Thresholds).
	Fixed
)

// MarshalText writes the name.
func (s Scoring) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s Scoring) String() string {
	switch s {
	case Quintiles:
		return "quintiles"
	case Fixed:
		return "fixed"
	}
	return fmt.Sprintf("Scoring(%d)", int(s))
}

// Thresholds are the bounds of the fixed scoring. Element i is the bound for
// score i+2: a customer scores 1 plus the number of bounds met.
type Thresholds struct {
	// RecencyDays[i] is the largest recency (days) that scores at least i+2;
	// strictly decreasing, e.g. {365, 180, 90, 30}: ≤30 days scores 5.
	RecencyDays [4]int
	// Orders[i] is the smallest number of orders that scores at least i+2;
	// strictly increasing, e.g. {2, 3, 5, 10}: 10 orders or more score 5.
	Orders [4]int
	// Monetary[i] is the smallest total that scores at least i+2; strictly
	// increasing.
	Monetary [4]siyu.Fen
}

// DefaultThresholds are the thresholds used by the fixed scoring when
// Config.Thresholds is zero: recency 365/180/90/30 days, orders 2/3/5/10,
// monetary ¥100/¥300/¥1,000/¥3,000.
func DefaultThresholds() Thresholds {
	return Thresholds{
		RecencyDays: [4]int{365, 180, 90, 30},
		Orders:      [4]int{2, 3, 5, 10},
		Monetary:    [4]siyu.Fen{100_00, 300_00, 1_000_00, 3_000_00},
	}
}

// Config says how RFM is computed. The zero Config is the default: as of the
// day after the last order, quintile scoring.
type Config struct {
	// AsOf is the moment the analysis looks from; its Shanghai day is the
	// as-of day. Orders paid on or after the as-of day are left out, and
	// recency is counted to it. Zero: the day after the last order.
	AsOf time.Time
	// Scoring is Quintiles (default) or Fixed.
	Scoring Scoring
	// Thresholds for Fixed scoring; zero means DefaultThresholds.
	Thresholds Thresholds
}

func (c Config) thresholds() Thresholds {
	if c.Thresholds == (Thresholds{}) {
		return DefaultThresholds()
	}
	return c.Thresholds
}

// Validate reports a configuration that cannot be used.
func (c Config) Validate() error {
	switch c.Scoring {
	case Quintiles:
		return nil
	case Fixed:
	default:
		return fmt.Errorf("rfm: unknown scoring %d", int(c.Scoring))
	}
	t := c.thresholds()
	for i := range 4 {
		if t.RecencyDays[i] < 0 || t.Orders[i] < 1 || t.Monetary[i] < 0 {
			return fmt.Errorf("rfm: thresholds for score %d must not be negative (orders at least 1)", i+2)
		}
		if i == 0 {
			continue
		}
		if t.RecencyDays[i] >= t.RecencyDays[i-1] {
			return fmt.Errorf("rfm: recency thresholds must decrease: score %d allows %d days, score %d allows %d", i+1, t.RecencyDays[i-1], i+2, t.RecencyDays[i])
		}
		if t.Orders[i] <= t.Orders[i-1] {
			return fmt.Errorf("rfm: order thresholds must increase: score %d needs %d orders, score %d needs %d", i+1, t.Orders[i-1], i+2, t.Orders[i])
		}
		if t.Monetary[i] <= t.Monetary[i-1] {
			return fmt.Errorf("rfm: monetary thresholds must increase: score %d needs %s, score %d needs %s", i+1, t.Monetary[i-1], i+2, t.Monetary[i])
		}
	}
	return nil
}

// UnmarshalText reads the name MarshalText writes.
func (s *Scoring) UnmarshalText(b []byte) error {
	switch string(b) {
	case "quintiles":
		*s = Quintiles
	case "fixed":
		*s = Fixed
	default:
		return fmt.Errorf("rfm: unknown scoring %q", b)
	}
	return nil
}

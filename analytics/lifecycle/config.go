package lifecycle

import "fmt"

// Default thresholds, in days since the last order.
const (
	DefaultSilentAfter  = 90
	DefaultChurnedAfter = 180
)

// maxDays bounds the thresholds and date ranges so that day arithmetic
// cannot overflow; a century is plenty.
const maxDays = 36600

// Config holds the thresholds of the stages. The zero Config means the
// defaults.
type Config struct {
	// SilentAfter: a customer whose last order is more than this many days
	// old is silent. Zero means DefaultSilentAfter (90).
	SilentAfter int
	// ChurnedAfter: more than this many days is churned; it must be larger
	// than SilentAfter. Zero means DefaultChurnedAfter (180).
	ChurnedAfter int
}

func (c Config) resolve() (Config, error) {
	if c.SilentAfter == 0 {
		c.SilentAfter = DefaultSilentAfter
	}
	if c.ChurnedAfter == 0 {
		c.ChurnedAfter = DefaultChurnedAfter
	}
	if c.SilentAfter < 1 || c.ChurnedAfter > maxDays {
		return c, fmt.Errorf("lifecycle: thresholds must be between 1 and %d days (silent after %d, churned after %d)", maxDays, c.SilentAfter, c.ChurnedAfter)
	}
	if c.ChurnedAfter <= c.SilentAfter {
		return c, fmt.Errorf("lifecycle: churned after %d days must be more than silent after %d days", c.ChurnedAfter, c.SilentAfter)
	}
	return c, nil
}

// Validate reports thresholds that cannot be used.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

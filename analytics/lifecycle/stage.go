package lifecycle

import (
	"encoding/json"
	"fmt"
)

// Stage is a customer's lifecycle stage on a day.
type Stage uint8

// The stages. None is not a stage of a customer but the state before the
// customer is known; flows use it for customers coming in.
const (
	None       Stage = iota // not known yet
	New                     // 新用户: known, no paid order yet
	FirstOrder              // 首单: one order, the last within SilentAfter days
	Repeat                  // 回购: two or more orders, the last within SilentAfter days
	Silent                  // 沉默: last order more than SilentAfter days ago, at most ChurnedAfter
	Churned                 // 流失: last order more than ChurnedAfter days ago
)

// NumStages is the number of Stage values, None included.
const NumStages = 6

// Stages lists the stages in order, None first.
var Stages = [NumStages]Stage{None, New, FirstOrder, Repeat, Silent, Churned}

var stageNames = [NumStages]struct{ code, label string }{
	None:       {"none", "未知"},
	New:        {"new", "新用户"},
	FirstOrder: {"first_order", "首单"},
	Repeat:     {"repeat", "回购"},
	Silent:     {"silent", "沉默"},
	Churned:    {"churned", "流失"},
}

// String is the stage's code, e.g. "first_order".
func (s Stage) String() string {
	if s >= NumStages {
		return fmt.Sprintf("Stage(%d)", uint8(s))
	}
	return stageNames[s].code
}

// Label is the stage's Chinese name, e.g. "首单".
func (s Stage) Label() string {
	if s >= NumStages {
		return ""
	}
	return stageNames[s].label
}

// MarshalText writes the code.
func (s Stage) MarshalText() ([]byte, error) {
	if s >= NumStages {
		return nil, fmt.Errorf("lifecycle: invalid stage %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a code.
func (s *Stage) UnmarshalText(b []byte) error {
	for _, x := range Stages {
		if x.String() == string(b) {
			*s = x
			return nil
		}
	}
	return fmt.Errorf("lifecycle: unknown stage %q", b)
}

// Counts holds a number per stage, indexed by Stage.
type Counts [NumStages]int

// Total is the sum over all stages, None included.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// MarshalJSON writes an object keyed by stage code.
func (c Counts) MarshalJSON() ([]byte, error) {
	m := make(map[string]int, NumStages)
	for _, s := range Stages {
		m[s.String()] = c[s]
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Counts) UnmarshalJSON(b []byte) error {
	var m map[string]int
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*c = Counts{}
	for code, n := range m {
		var s Stage
		if err := s.UnmarshalText([]byte(code)); err != nil {
			return err
		}
		c[s] = n
	}
	return nil
}

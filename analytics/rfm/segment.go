package rfm

import "fmt"

// Segment is a named group of R×F cells.
type Segment uint8

// The segments, best first. The zero Segment is no segment (scores out of
// range).
const (
	Champions Segment = iota + 1
	Loyal
	PotentialLoyalists
	NewCustomers
	Promising
	NeedAttention
	AboutToSleep
	AtRisk
	CantLose
	Hibernating
)

// Segments lists every segment, best first.
var Segments = []Segment{Champions, Loyal, PotentialLoyalists, NewCustomers, Promising, NeedAttention, AboutToSleep, AtRisk, CantLose, Hibernating}

var segmentNames = [...]struct{ code, label string }{
	Champions:          {"champions", "冠军客户"},
	Loyal:              {"loyal", "忠诚客户"},
	PotentialLoyalists: {"potential_loyalists", "潜在忠诚客户"},
	NewCustomers:       {"new_customers", "新客户"},
	Promising:          {"promising", "有潜力客户"},
	NeedAttention:      {"need_attention", "需要关注客户"},
	AboutToSleep:       {"about_to_sleep", "即将沉睡客户"},
	AtRisk:             {"at_risk", "有流失风险客户"},
	CantLose:           {"cant_lose", "不能失去的客户"},
	Hibernating:        {"hibernating", "沉睡客户"},
}

func (s Segment) valid() bool { return s >= Champions && s <= Hibernating }

// String is the segment's code, e.g. "at_risk".
func (s Segment) String() string {
	if !s.valid() {
		return fmt.Sprintf("Segment(%d)", uint8(s))
	}
	return segmentNames[s].code
}

// Label is the segment's Chinese name, e.g. "有流失风险客户".
func (s Segment) Label() string {
	if !s.valid() {
		return ""
	}
	return segmentNames[s].label
}

// MarshalText writes the code.
func (s Segment) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("rfm: invalid segment %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a code.
func (s *Segment) UnmarshalText(b []byte) error {
	for _, x := range Segments {
		if x.String() == string(b) {
			*s = x
			return nil
		}
	}
	return fmt.Errorf("rfm: unknown segment %q", b)
}

// segmentRule gives a segment to the cells rMin..rMax × fMin..fMax.
type segmentRule struct {
	segment    Segment
	rMin, rMax int
	fMin, fMax int
}

// segmentRules is the widely used ten-segment map on R and F scores. Every
// one of the 25 cells belongs to exactly one rule (tested).
var segmentRules = []segmentRule{
	{Hibernating, 1, 2, 1, 2},
	{AtRisk, 1, 2, 3, 4},
	{CantLose, 1, 2, 5, 5},
	{AboutToSleep, 3, 3, 1, 2},
	{NeedAttention, 3, 3, 3, 3},
	{Loyal, 3, 4, 4, 5},
	{Promising, 4, 4, 1, 1},
	{NewCustomers, 5, 5, 1, 1},
	{PotentialLoyalists, 4, 5, 2, 3},
	{Champions, 5, 5, 4, 5},
}

var segmentGrid = func() (g [5][5]Segment) {
	for _, rule := range segmentRules {
		for r := rule.rMin; r <= rule.rMax; r++ {
			for f := rule.fMin; f <= rule.fMax; f++ {
				g[r-1][f-1] = rule.segment
			}
		}
	}
	return g
}()

// SegmentOf returns the segment of an R score and an F score (1..5 each);
// out-of-range scores give the zero Segment.
func SegmentOf(r, f int) Segment {
	if r < 1 || r > 5 || f < 1 || f > 5 {
		return 0
	}
	return segmentGrid[r-1][f-1]
}

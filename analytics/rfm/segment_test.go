package rfm

import "testing"

func TestSegmentRulesCoverEveryCellOnce(t *testing.T) {
	var hits [5][5]int
	for _, rule := range segmentRules {
		if rule.rMin < 1 || rule.rMax > 5 || rule.fMin < 1 || rule.fMax > 5 || rule.rMin > rule.rMax || rule.fMin > rule.fMax {
			t.Fatalf("rule %+v out of range", rule)
		}
		for r := rule.rMin; r <= rule.rMax; r++ {
			for f := rule.fMin; f <= rule.fMax; f++ {
				hits[r-1][f-1]++
			}
		}
	}
	for r := range 5 {
		for f := range 5 {
			if hits[r][f] != 1 {
				t.Errorf("cell R%d F%d is covered by %d rules, want 1", r+1, f+1, hits[r][f])
			}
		}
	}
	seen := map[Segment]bool{}
	for _, rule := range segmentRules {
		seen[rule.segment] = true
	}
	for _, s := range Segments {
		if !seen[s] {
			t.Errorf("segment %s has no rule", s)
		}
	}
}

func TestSegmentOf(t *testing.T) {
	tests := []struct {
		r, f int
		want Segment
	}{
		{1, 1, Hibernating}, {2, 2, Hibernating}, {1, 3, AtRisk}, {2, 4, AtRisk}, {1, 5, CantLose}, {2, 5, CantLose},
		{3, 1, AboutToSleep}, {3, 2, AboutToSleep}, {3, 3, NeedAttention}, {3, 4, Loyal}, {4, 5, Loyal},
		{4, 1, Promising}, {5, 1, NewCustomers}, {4, 2, PotentialLoyalists}, {5, 3, PotentialLoyalists},
		{5, 4, Champions}, {5, 5, Champions}, {0, 3, 0}, {3, 6, 0},
	}
	for _, tt := range tests {
		if got := SegmentOf(tt.r, tt.f); got != tt.want {
			t.Errorf("SegmentOf(%d, %d) = %s, want %s", tt.r, tt.f, got, tt.want)
		}
	}
}

func TestSegmentText(t *testing.T) {
	for _, s := range Segments {
		b, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Segment
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("round trip of %s: %s, %v", s, back, err)
		}
		if s.Label() == "" {
			t.Errorf("segment %s has no label", s)
		}
	}
	var s Segment
	if err := s.UnmarshalText([]byte("vip")); err == nil {
		t.Error("unknown segment accepted")
	}
	if _, err := Segment(0).MarshalText(); err == nil {
		t.Error("zero segment marshalled")
	}
}

func FuzzSegmentUnmarshalText(f *testing.F) {
	for _, s := range Segments {
		f.Add(s.String())
	}
	f.Add("")
	f.Fuzz(func(t *testing.T, code string) {
		var s Segment
		if err := s.UnmarshalText([]byte(code)); err != nil {
			return
		}
		if s.String() != code {
			t.Errorf("%q read as %s", code, s)
		}
	})
}

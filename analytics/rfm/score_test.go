package rfm

import (
	"fmt"
	"testing"
)

func TestQuintileScore(t *testing.T) {
	tests := []struct{ worse, n, want int }{
		{0, 1, 1}, {0, 5, 1}, {1, 5, 2}, {4, 5, 5}, {1, 2, 3},
		{0, 10, 1}, {1, 10, 1}, {2, 10, 2}, {9, 10, 5}, {7, 10, 4},
	}
	for _, tt := range tests {
		if got := QuintileScore(tt.worse, tt.n); int(got) != tt.want {
			t.Errorf("QuintileScore(%d, %d) = %d, want %d", tt.worse, tt.n, got, tt.want)
		}
	}
}

func TestQuintilesByHand(t *testing.T) {
	tests := []struct {
		values         []int64
		higherIsBetter bool
		want           []uint8
	}{
		// Ten distinct values: two per score.
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true, []uint8{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false, []uint8{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}},
		// Seven customers with one order, three with more: the ones share
		// score 1, two orders has 7 worse → 1+floor(35/10) = 4.
		{[]int64{1, 1, 1, 1, 1, 1, 1, 2, 2, 5}, true, []uint8{1, 1, 1, 1, 1, 1, 1, 4, 4, 5}},
		// All tied: nobody is worse than anybody.
		{[]int64{3, 3, 3}, true, []uint8{1, 1, 1}},
		{[]int64{3, 3, 3}, false, []uint8{1, 1, 1}},
		// Recency with a tie at the best value: 2 worse of 4 → 1+floor(10/4) = 3.
		{[]int64{1, 1, 7, 30}, false, []uint8{3, 3, 2, 1}},
		{[]int64{42}, true, []uint8{1}},
	}
	for _, tt := range tests {
		for _, wide := range []bool{false, true} {
			values := tt.values
			if wide {
				// Spread the values so that the sorting path runs.
				values = make([]int64, len(tt.values))
				for i, v := range tt.values {
					values[i] = v * 1_000_000_000
				}
			}
			got := make([]uint8, len(values))
			quintiles(values, tt.higherIsBetter, got)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("quintiles(%v, higherIsBetter=%v) = %v, want %v", values, tt.higherIsBetter, got, tt.want)
			}
		}
	}
}

// bruteQuintiles is the definition, counted pair by pair.
func bruteQuintiles(values []int64, higherIsBetter bool) []uint8 {
	out := make([]uint8, len(values))
	for i, v := range values {
		worse := 0
		for _, w := range values {
			if higherIsBetter && w < v || !higherIsBetter && w > v {
				worse++
			}
		}
		out[i] = uint8(1 + 5*worse/len(values))
	}
	return out
}

func TestQuintilesMatchBruteForce(t *testing.T) {
	rng := newRand(7)
	for round := range 300 {
		n := 1 + rng.intn(400)
		spread := []int64{3, 50, 1_000, 1 << 40}[round%4] // small spreads count, large ones sort
		values := make([]int64, n)
		for i := range values {
			values[i] = rng.int63n(spread)
		}
		for _, higher := range []bool{true, false} {
			got := make([]uint8, n)
			quintiles(values, higher, got)
			want := bruteQuintiles(values, higher)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("round %d, higherIsBetter=%v: value %d scored %d, want %d", round, higher, values[i], got[i], want[i])
				}
			}
			checkScoreProperties(t, values, higher, got)
		}
	}
}

// checkScoreProperties: scores are 1..5, equal values score the same, a
// better value never scores lower, and the best value scores 5 once a
// fifth or more of the customers are strictly worse.
func checkScoreProperties(t *testing.T, values []int64, higherIsBetter bool, scores []uint8) {
	t.Helper()
	best := values[0]
	for _, v := range values {
		if higherIsBetter && v > best || !higherIsBetter && v < best {
			best = v
		}
	}
	notBest := 0
	for _, v := range values {
		if v != best {
			notBest++
		}
	}
	for i := range values {
		if scores[i] < 1 || scores[i] > 5 {
			t.Fatalf("score %d out of range", scores[i])
		}
		if values[i] == best && 5*notBest >= 4*len(values) && scores[i] != 5 {
			t.Fatalf("best value %d scored %d with %d of %d worse", best, scores[i], notBest, len(values))
		}
		for j := range values {
			better := higherIsBetter && values[i] > values[j] || !higherIsBetter && values[i] < values[j]
			if values[i] == values[j] && scores[i] != scores[j] {
				t.Fatalf("tie %d scored %d and %d", values[i], scores[i], scores[j])
			}
			if better && scores[i] < scores[j] {
				t.Fatalf("value %d scored %d, worse value %d scored %d", values[i], scores[i], values[j], scores[j])
			}
		}
	}
}

func TestFixedScore(t *testing.T) {
	th := DefaultThresholds()
	for _, tt := range []struct{ days, want int }{{0, 5}, {30, 5}, {31, 4}, {90, 4}, {91, 3}, {180, 3}, {365, 2}, {366, 1}} {
		if got := fixedScore(tt.days, th.RecencyDays, false); int(got) != tt.want {
			t.Errorf("recency %d days scored %d, want %d", tt.days, got, tt.want)
		}
	}
	for _, tt := range []struct{ orders, want int }{{1, 1}, {2, 2}, {3, 3}, {4, 3}, {5, 4}, {9, 4}, {10, 5}, {100, 5}} {
		if got := fixedScore(tt.orders, th.Orders, true); int(got) != tt.want {
			t.Errorf("%d orders scored %d, want %d", tt.orders, got, tt.want)
		}
	}
	for _, tt := range []struct {
		fen  int64
		want int
	}{{0, 1}, {99_99, 1}, {100_00, 2}, {299_99, 2}, {300_00, 3}, {1_000_00, 4}, {3_000_00, 5}} {
		if got := fixedScore(tt.fen, [4]int64{100_00, 300_00, 1_000_00, 3_000_00}, true); int(got) != tt.want {
			t.Errorf("%d fen scored %d, want %d", tt.fen, got, tt.want)
		}
	}
}

package rfm

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
)

func TestTopMatchesFullSort(t *testing.T) {
	orders := randomOrders(newRand(11), 2000)
	rep, err := FromOrders(slices.Values(orders), Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rank := range []struct {
		name string
		fn   Ranking
	}{{"score", ByScore}, {"monetary", ByMonetary}, {"default", nil}} {
		fn := rank.fn
		if fn == nil {
			fn = ByScore
		}
		all := slices.Clone(rep.Results)
		slices.SortFunc(all, func(a, b Result) int {
			if c := fn(&a, &b); c != 0 {
				return c
			}
			return int(a.Customer - b.Customer)
		})
		for _, n := range []int{1, 7, 500, len(all), len(all) + 10} {
			got := Top(rep.Results, n, rank.fn)
			want := all[:min(n, len(all))]
			if !slices.Equal(got, want) {
				t.Errorf("%s: Top(%d) differs from the full sort", rank.name, n)
			}
		}
	}
	if Top(rep.Results, 0, nil) != nil || Top(nil, 5, nil) != nil {
		t.Error("Top of nothing is not empty")
	}
}

func TestTopRule(t *testing.T) {
	results := []Result{
		{Customer: 4, Recency: 3, Frequency: 2, Monetary: 100, R: 5, F: 5, M: 5},
		{Customer: 2, Recency: 3, Frequency: 2, Monetary: 100, R: 5, F: 5, M: 5}, // tie with 4: lower id first
		{Customer: 3, Recency: 9, Frequency: 9, Monetary: 900, R: 4, F: 5, M: 5}, // lower score, more money
		{Customer: 1, Recency: 1, Frequency: 2, Monetary: 100, R: 5, F: 5, M: 5}, // more recent than 2 and 4
		{Customer: 5, Recency: 1, Frequency: 3, Monetary: 100, R: 5, F: 5, M: 5}, // more orders than 1
	}
	ids := func(rs []Result) (out []int64) {
		for _, r := range rs {
			out = append(out, r.Customer)
		}
		return out
	}
	if got := ids(Top(results, 5, ByScore)); !slices.Equal(got, []int64{5, 1, 2, 4, 3}) {
		t.Errorf("ByScore: %v", got)
	}
	if got := ids(Top(results, 2, ByMonetary)); !slices.Equal(got, []int64{3, 5}) {
		t.Errorf("ByMonetary: %v", got)
	}
}

func TestWriteCSV(t *testing.T) {
	rep, err := FromOrders(slices.Values(handOrders), Config{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, Top(rep.Results, 2, nil)); err != nil {
		t.Fatal(err)
	}
	text, ok := strings.CutPrefix(buf.String(), "\uFEFF")
	if !ok {
		t.Fatal("no byte order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CSVHeader,
		{"1", "5", "need_attention", "需要关注客户", "334", "3", "3", "4", "2", "2024-06-30", "2", "200.00"},
		{"2", "2", "about_to_sleep", "即将沉睡客户", "315", "3", "1", "5", "2", "2024-06-30", "1", "300.00"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}
}

package segment_test

import (
	"testing"

	"siyu.dev/siyu/segment"
	"siyu.dev/siyu/store/storetest"
)

// BenchmarkCount counts a typical rule's members on a generated workspace
// (see generate) next to the baseline of counting every live customer, in
// the same run. The 1M-customer figures come from bench/segmentbench.
func BenchmarkCount(b *testing.B) {
	s, dsn := storetest.OpenDSN(b)
	d := generate(b, s, dsn, 1, 3000)
	for _, bc := range []struct{ name, rule string }{
		{"baseline", `order_count >= 0`},
		{"typical", `stage == "silent" and monetary >= 500元 and has_tag("护肤") and count("moment.liked", 30d, "topic", "skincare") >= 1 and not opted_out`},
		{"broad", `stage in ["silent", "churned"] or count("moment.liked", 30d) >= 2`},
	} {
		r, err := segment.Parse(bc.rule)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountRule(ctx, d.ws, r, d.now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEval is one person's evaluation in Go, as on an incoming event.
func BenchmarkEval(b *testing.B) {
	r, err := segment.Parse(`stage == "silent" and monetary >= 500元 and has_tag("护肤") and count("moment.liked", 30d, "topic", "skincare") >= 1 and not opted_out`)
	if err != nil {
		b.Fatal(err)
	}
	f := segment.Facts{Scores: &segment.Scores{Stage: "silent", Monetary: 80000}, Tags: []string{"彩妆", "护肤"}}
	for range 20 {
		f.Events = append(f.Events, segment.Event{Type: "moment.liked", Props: map[string]any{"topic": "skincare"}})
	}
	for b.Loop() {
		if _, err := r.Eval(f); err != nil {
			b.Fatal(err)
		}
	}
}

package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"siyu.dev/siyu/bench/benchutil"
)

// report prints the Markdown table: one row per scenario (and per kind of
// call within the mixed one), each figure the median of the runs, failures
// summed over them.
func report(w io.Writer, o options, dialect string, selected []scenario, results map[string][]runResult) error {
	fmt.Fprintf(w, "%s, %d seeded customers, %d concurrent clients, %d runs of %s per scenario (interleaved), request timeout %s; medians of the runs, failures summed.\n\n",
		dialect, o.customers, o.lim.concurrency, o.runs, o.lim.duration, o.timeout)
	fmt.Fprintln(w, "| scenario | requests | failed (status × n) | req/s | rows/s | p50 ms | p90 ms | p99 ms | max ms | p50 ÷ healthz p50 | server CPU (cores) | server peak RSS (MB) |")
	fmt.Fprintln(w, "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	base := 0.0
	if rs := results["healthz"]; len(rs) > 0 {
		base = median(rs, func(r runResult, o *outcome) float64 { return ms(o.lat.percentile(50)) }, "")
	}
	for _, sc := range selected {
		rs := results[sc.name]
		writeRow(w, sc.name, rs, "", base, true)
		kinds := map[string]bool{}
		for _, r := range rs {
			for k := range r.byKind {
				kinds[k] = true
			}
		}
		if len(kinds) > 1 {
			for _, kind := range sortedKeys(kinds) {
				writeRow(w, sc.name+" · "+kind, rs, kind, base, false)
			}
		}
	}
	fmt.Fprintln(w)
	for _, sc := range selected {
		fmt.Fprintf(w, "- **%s**: %s\n", sc.name, sc.what)
	}
	fmt.Fprintf(w, "\nOrders per request %d (%.0f%% by seeded buyers), events per request %d, callbacks: %.0f%% retries of the previous event (answered as done, 200), over %d emulator contacts.\n",
		o.orderBatch, 100*o.repeatShare, o.eventBatch, 100*o.dupShare, o.contacts)
	return nil
}

// writeRow writes the row of one scenario, or of one kind of call within
// it (kind ""): the whole scenario). CPU and RSS belong to whole runs.
func writeRow(w io.Writer, name string, rs []runResult, kind string, base float64, whole bool) {
	failed, failedBy := 0, map[int]int{}
	for _, r := range rs {
		o := pick(r, kind)
		failed += o.failed
		for k, v := range o.failedBy {
			failedBy[k] += v
		}
	}
	p := func(q float64) float64 {
		return median(rs, func(r runResult, o *outcome) float64 { return ms(o.lat.percentile(q)) }, kind)
	}
	reqs := median(rs, func(r runResult, o *outcome) float64 { return float64(o.requests) }, kind)
	rps := median(rs, func(r runResult, o *outcome) float64 { return float64(o.requests) / r.elapsed.Seconds() }, kind)
	rows := median(rs, func(r runResult, o *outcome) float64 { return float64(o.rows) / r.elapsed.Seconds() }, kind)
	rowsText := "—"
	if rows > 0 {
		rowsText = fmt.Sprintf("%.0f", rows)
	}
	ratio := "—"
	if base > 0 {
		ratio = fmt.Sprintf("%.1f×", p(50)/base)
	}
	cpu, rss := "", ""
	if whole {
		cpu = fmt.Sprintf("%.2f", median(rs, func(r runResult, _ *outcome) float64 { return r.cpu.Seconds() / r.elapsed.Seconds() }, kind))
		rss = fmt.Sprintf("%.0f", median(rs, func(r runResult, _ *outcome) float64 { return float64(r.rssMB) }, kind))
	}
	fmt.Fprintf(w, "| %s | %.0f | %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		name, reqs, failures(failed, failedBy), rps, rowsText, num(p(50)), num(p(90)), num(p(99)), num(p(100)), ratio, cpu, rss)
}

func pick(r runResult, kind string) *outcome {
	if kind == "" {
		return total(r.byKind)
	}
	if o := r.byKind[kind]; o != nil {
		return o
	}
	return newOutcome()
}

func median(rs []runResult, f func(runResult, *outcome) float64, kind string) float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = f(r, pick(r, kind))
	}
	return benchutil.Median(xs)
}

func failures(n int, by map[int]int) string {
	if n == 0 {
		return "0"
	}
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(by)) {
		label := fmt.Sprint(status)
		if status == 0 {
			label = "timeout or no answer"
		}
		parts = append(parts, fmt.Sprintf("%s × %d", label, by[status]))
	}
	return fmt.Sprintf("%d (%s)", n, strings.Join(parts, ", "))
}

// num prints a latency with three significant digits or so.
func num(x float64) string {
	switch {
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a bar on a terminal and prints a line every few seconds
// elsewhere (CI logs, pipes), so long imports always show they are alive.
type progress struct {
	w      io.Writer
	tty    bool
	label  string
	size   int64
	read   *countingReader
	start  time.Time
	last   time.Time
	rows   int
	closed bool
}

func newProgress(w io.Writer, label string, size int64, read *countingReader) *progress {
	p := &progress{w: w, label: label, size: size, read: read, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) report(rows int, final bool) {
	if p == nil || p.w == nil || p.closed {
		return
	}
	now := time.Now()
	every := 3 * time.Second
	if p.tty {
		every = 150 * time.Millisecond
	}
	if !final && now.Sub(p.last) < every {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(rows) / elapsed
	}
	frac := 0.0
	if p.size > 0 {
		frac = min(float64(p.read.n)/float64(p.size), 1)
	}
	if final {
		frac = 1
	}
	if p.tty {
		const width = 30
		full := int(frac * width)
		bar := strings.Repeat("█", full) + strings.Repeat("░", width-full)
		fmt.Fprintf(p.w, "\r%s %s %3.0f%% %d rows %.0f rows/s ", p.label, bar, frac*100, rows, rate)
		if final {
			fmt.Fprintln(p.w)
		}
	} else {
		fmt.Fprintf(p.w, "%s: %3.0f%% %d rows, %.0f rows/s, %.1fs\n", p.label, frac*100, rows, rate, elapsed)
	}
	if final {
		p.closed = true
	}
}

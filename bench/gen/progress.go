package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress reports rows written and the rate on stderr at a fixed interval,
// and a summary at the end.
type progress struct {
	w     io.Writer
	rows  atomic.Int64
	start time.Time
	done  chan struct{}
	wg    sync.WaitGroup
}

func startProgress(w io.Writer, every time.Duration) *progress {
	p := &progress{w: w, start: time.Now(), done: make(chan struct{})}
	if every <= 0 {
		return p
	}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.report("")
			}
		}
	})
	return p
}

func (p *progress) add(n int)  { p.rows.Add(int64(n)) }
func (p *progress) count() int { return int(p.rows.Load()) }

func (p *progress) report(suffix string) {
	rows := p.rows.Load()
	elapsed := time.Since(p.start)
	fmt.Fprintf(p.w, "gen: %d rows, %.0f rows/s, %s%s\n", rows, float64(rows)/elapsed.Seconds(), elapsed.Round(time.Millisecond), suffix)
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
	p.report(" (done)")
}

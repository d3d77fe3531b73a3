package main

import (
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// outcome counts the answers of one kind of call.
type outcome struct {
	requests int
	ok       int
	rows     int         // orders or events in successful calls
	statuses map[int]int // 0: no answer (a transport error)
	failed   int         // calls without the status they want
	failedBy map[int]int // their statuses
	lat      latencies
}

func newOutcome() *outcome { return &outcome{statuses: map[int]int{}, failedBy: map[int]int{}} }

func (o *outcome) record(c call, status int, d time.Duration) {
	o.requests++
	o.statuses[status]++
	if status == c.want {
		o.ok++
		o.rows += c.rows
	} else {
		o.failed++
		o.failedBy[status]++
	}
	o.lat.add(d)
}

func (o *outcome) merge(p *outcome) {
	o.requests += p.requests
	o.ok += p.ok
	o.rows += p.rows
	o.failed += p.failed
	for k, v := range p.statuses {
		o.statuses[k] += v
	}
	for k, v := range p.failedBy {
		o.failedBy[k] += v
	}
	o.lat.merge(&p.lat)
}

// clients sends the calls: the API and callbacks without cookies, the
// console with the logged-in session. Redirects are not followed, so a lost
// session shows as a 303 rather than as a fast login page.
type clients struct {
	api, console *http.Client
}

// limits bounds a run: it ends at its deadline or after max requests,
// whichever comes first (max 0: no count limit).
type limits struct {
	concurrency int
	duration    time.Duration
	max         int
}

// drive runs a scenario with a fixed number of workers, each sending its
// next call as soon as the previous one is answered (a closed loop).
// Calls under way at the deadline finish; elapsed includes them.
func drive(cl clients, t *target, sc scenario, lim limits, seed uint64, run int) (map[string]*outcome, time.Duration, error) {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sent     atomic.Int64
	)
	byKind := map[string]*outcome{}
	start := time.Now()
	deadline := start.Add(lim.duration)
	for w := range lim.concurrency {
		r := rand.New(rand.NewPCG(seed, uint64(run)<<32|uint64(w)))
		next := sc.worker(t, w, r)
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := map[string]*outcome{}
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				for k, o := range mine {
					if byKind[k] == nil {
						byKind[k] = newOutcome()
					}
					byKind[k].merge(o)
				}
			}()
			for time.Now().Before(deadline) && (lim.max == 0 || sent.Add(1) <= int64(lim.max)) {
				c, err := next()
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				o := mine[c.kind]
				if o == nil {
					o = newOutcome()
					mine[c.kind] = o
				}
				client := cl.api
				if c.console {
					client = cl.console
				}
				t0 := time.Now()
				resp, err := client.Do(c.req)
				status := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				o.record(c, status, time.Since(t0))
			}
		}()
	}
	wg.Wait()
	return byKind, time.Since(start), firstErr
}

// total merges the kinds of a run.
func total(byKind map[string]*outcome) *outcome {
	all := newOutcome()
	for _, k := range sortedKeys(byKind) {
		all.merge(byKind[k])
	}
	return all
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

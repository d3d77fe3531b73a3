package main

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

func TestPercentiles(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var ds []time.Duration
		for _, x := range xs {
			ds = append(ds, time.Duration(x)*time.Millisecond)
		}
		return ds
	}
	oneToHundred := make([]int, 100)
	for i := range oneToHundred {
		oneToHundred[i] = 100 - i // unsorted on purpose
	}
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one sample p50", ms(7), 50, 7 * time.Millisecond},
		{"one sample p99", ms(7), 99, 7 * time.Millisecond},
		{"1..100 p50", ms(oneToHundred...), 50, 50 * time.Millisecond},
		{"1..100 p90", ms(oneToHundred...), 90, 90 * time.Millisecond},
		{"1..100 p99", ms(oneToHundred...), 99, 99 * time.Millisecond},
		{"1..100 max", ms(oneToHundred...), 100, 100 * time.Millisecond},
		{"1..100 p0 is the minimum", ms(oneToHundred...), 0, time.Millisecond},
		{"tail of ten: p90 is the ninth", ms(1, 1, 1, 1, 1, 1, 1, 1, 2, 500), 90, 2 * time.Millisecond},
		{"tail of ten: p99 is the outlier", ms(1, 1, 1, 1, 1, 1, 1, 1, 2, 500), 99, 500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l latencies
			for _, d := range tc.samples {
				l.add(d)
			}
			if got := l.percentile(tc.p); got != tc.want {
				t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestMergeKeepsEverySample(t *testing.T) {
	var a, b latencies
	for i := 1; i <= 50; i++ {
		a.add(time.Duration(2*i) * time.Millisecond)   // even
		b.add(time.Duration(2*i-1) * time.Millisecond) // odd
	}
	a.percentile(50) // sorts a; the merge must sort again
	a.merge(&b)
	if a.count() != 100 || a.percentile(50) != 50*time.Millisecond || a.max() != 100*time.Millisecond {
		t.Errorf("merged: %d samples, p50 %v, max %v; want 100, 50ms, 100ms", a.count(), a.percentile(50), a.max())
	}
}

// receiverTarget serves the real WeCom receiver on loopback with the load
// test's callback settings and records the events it handles.
func receiverTarget(t *testing.T, contacts [][2]string, dupShare float64) (*target, func() []wecom.Event) {
	t.Helper()
	app := newCallbackApp(1)
	const corpID = "wwloadtest"
	var mu sync.Mutex
	var handled []wecom.Event
	probe, err := newSealer(app, corpID, "")
	if err != nil {
		t.Fatal(err)
	}
	rc := wecom.NewReceiver(probe.crypt, func(ctx context.Context, ev wecom.Event) error {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, ev)
		return nil
	}, wecom.ReceiverOptions{})
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	seal, err := newSealer(app, corpID, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{concurrency: 1, corpID: corpID, sealer: seal, contacts: contacts, dupShare: dupShare, firstEventTime: time.Now().Unix()}
	return tg, func() []wecom.Event {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(handled)
	}
}

func post(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestSealedCallbackPassesTheRealReceiver(t *testing.T) {
	tg, handled := receiverTarget(t, nil, 0)
	ev := contactEvent(tg.corpID, wecom.ChangeAddExternalContact, "store_hz01", "wmLoadTest01", 1764000000)
	req, err := tg.sealer.request(ev, time.Now(), "nonce0000000001")
	if err != nil {
		t.Fatal(err)
	}
	if got := post(t, req); got != http.StatusOK {
		t.Fatalf("sealed add event: HTTP %d, want 200", got)
	}
	got := handled()
	if len(got) != 1 || got[0].ChangeType != ev.ChangeType || got[0].UserID != ev.UserID ||
		got[0].ExternalUserID != ev.ExternalUserID || got[0].CreateTime != ev.CreateTime {
		t.Fatalf("receiver handled %+v, want the event sent: %+v", got, ev)
	}

	// WeCom's retry: the same event under a new nonce and signature,
	// answered as done and not handled again (the count below).
	req, _ = tg.sealer.request(ev, time.Now(), "nonce0000000002")
	if got := post(t, req); got != http.StatusOK {
		t.Errorf("retried event: HTTP %d, want 200", got)
	}
	// A signature made with another token is refused.
	other, _ := newSealer(newCallbackApp(2), tg.corpID, tg.sealer.url)
	ev.CreateTime++
	req, _ = other.request(ev, time.Now(), "nonce0000000003")
	if got := post(t, req); got != http.StatusForbidden {
		t.Errorf("foreign signature: HTTP %d, want 403", got)
	}
	// A push older than the receiver's window is refused.
	req, _ = tg.sealer.request(ev, time.Now().Add(-time.Hour), "nonce0000000004")
	if got := post(t, req); got != http.StatusForbidden {
		t.Errorf("stale timestamp: HTTP %d, want 403", got)
	}
	if n := len(handled()); n != 1 {
		t.Errorf("receiver handled %d events, want 1", n)
	}
}

// The callback stream's own expectations (200 for new events and for
// retries, which are not handled again) must be what the real receiver
// answers.
func TestCallbackStreamMatchesTheReceiver(t *testing.T) {
	contacts := [][2]string{{"founder", "wmA"}, {"founder", "wmB"}, {"store_hz01", "wmC"}}
	tg, handled := receiverTarget(t, contacts, 0.3)
	next := callbacks(tg, 0, rand.New(rand.NewPCG(1, 2)))
	fresh, retries := 0, 0
	state := map[string]string{}
	for range 200 {
		c, err := next()
		if err != nil {
			t.Fatal(err)
		}
		if got := post(t, c.req); got != c.want {
			t.Fatalf("call %d: HTTP %d, the stream wanted %d", fresh+retries, got, c.want)
		}
		if c.retry {
			retries++
		} else {
			fresh++
		}
	}
	if fresh == 0 || retries == 0 {
		t.Fatalf("%d new events, %d retries; want both", fresh, retries)
	}
	evs := handled()
	if len(evs) != fresh {
		t.Fatalf("receiver handled %d events, stream sent %d new ones", len(evs), fresh)
	}
	// Each contact goes add → (edit)* → del → add ...: never an edit or
	// del of a contact that is not added.
	for _, ev := range evs {
		prev := state[ev.ExternalUserID]
		if ev.ChangeType != wecom.ChangeAddExternalContact && (prev == "" || prev == wecom.ChangeDelExternalContact) {
			t.Fatalf("%s after %q for %s", ev.ChangeType, prev, ev.ExternalUserID)
		}
		state[ev.ExternalUserID] = ev.ChangeType
	}
}

func TestOrderStreamNewBuyersAreNew(t *testing.T) {
	tg := &target{seeded: 1000, newBuyers: 5000, concurrency: 2, orderBatch: 50, repeatShare: 0.5, epoch: seedEpoch}
	seen := map[string]bool{}
	ids := map[string]bool{}
	repeat := 0
	for w := range 2 {
		next := orders(tg, w, rand.New(rand.NewPCG(3, uint64(w))))
		for range 10 {
			c, err := next()
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Orders []siyu.OrderInput }
			if err := json.NewDecoder(c.req.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if len(body.Orders) != 50 || c.rows != 50 {
				t.Fatalf("batch of %d orders (rows %d), want 50", len(body.Orders), c.rows)
			}
			for _, o := range body.Orders {
				if err := o.Prepare(); err != nil {
					t.Fatalf("generated order does not prepare: %v", err)
				}
				if ids[o.ExternalID] {
					t.Fatalf("order id %s sent twice", o.ExternalID)
				}
				ids[o.ExternalID] = true
				phone := o.Identifiers[0].Value
				if phone < phoneOf(tg.seeded) {
					repeat++
					continue
				}
				if phone < phoneOf(tg.newBuyers) || seen[phone] {
					t.Fatalf("new buyer %s: seen before or outside this run's range", phone)
				}
				seen[phone] = true
			}
		}
	}
	if repeat < 400 || repeat > 600 {
		t.Errorf("%d of 1000 orders by seeded buyers, want about half", repeat)
	}
}

// drive counts every answer, by status, against what the call wanted.
func TestDriveCountsStatuses(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	tg := &target{base: srv.URL}
	cl := clients{api: srv.Client(), console: srv.Client()}
	byKind, elapsed, err := drive(cl, tg, scenarios()[0], limits{concurrency: 4, duration: time.Minute, max: 200}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	o := total(byKind)
	if o.requests != 200 || o.ok != 150 || o.failed != 50 || o.failedBy[503] != 50 || o.lat.count() != 200 {
		t.Errorf("requests %d, ok %d, failed %d (%v), samples %d; want 200, 150, 50 (503 × 50), 200",
			o.requests, o.ok, o.failed, o.failedBy, o.lat.count())
	}
	if elapsed >= time.Minute {
		t.Errorf("the request limit did not end the run (%v)", elapsed)
	}
}

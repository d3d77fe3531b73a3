package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/wecom"
)

// call is one request of a scenario.
type call struct {
	req     *http.Request
	console bool   // sent with the logged-in console client
	kind    string // the scenario it belongs to (a mixed run has several)
	want    int    // the status that counts as success
	rows    int    // orders or events it carries
	retry   bool   // a callback repeating one already answered
}

// scenario makes each worker's stream of calls. A worker's stream depends
// only on the seed, the run and the worker's number.
type scenario struct {
	name string
	what string // one line for the report
	// worker returns worker w's generator; r is its own seeded source.
	worker func(t *target, w int, r *rand.Rand) func() (call, error)
}

// target is what the scenarios need to know about the server and the data.
type target struct {
	base        string // http://127.0.0.1:port
	token       string // API token
	seeded      int    // customers 0..seeded-1 exist, with phones
	newBuyers   int    // phone number of this run's first new buyer
	generation  int    // runs on this store before this one
	concurrency int
	orderBatch  int
	eventBatch  int
	repeatShare float64 // share of orders by seeded customers
	dupShare    float64 // share of callbacks that are WeCom's retries
	ids         []int64 // sampled ids of seeded customers
	corpID      string
	sealer      *sealer
	contacts    [][2]string  // (member userid, external_userid) live in the emulator
	created     atomic.Int64 // callback events so far
	newSeq      atomic.Int64 // new buyers so far
	epoch       time.Time
	// firstEventTime is the CreateTime (unix s) of the run's first callback
	// event; runs on the same store take disjoint ranges, because the store
	// remembers events it has seen.
	firstEventTime int64
	runs           atomic.Int64 // scenario runs so far, to keep their orders apart
}

func (t *target) get(path string) (*http.Request, error) {
	return http.NewRequest(http.MethodGet, t.base+path, nil)
}

func (t *target) postJSON(path string, v any) (*http.Request, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, t.base+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+t.token)
	return req, nil
}

func scenarios() []scenario {
	return []scenario{
		{name: "healthz", what: "GET /healthz (baseline: routing, metrics middleware, a database ping)", worker: healthz},
		{name: "orders", what: "POST /api/v1/orders, a batch of orders, new and repeat buyers by phone", worker: orders},
		{name: "events", what: "POST /api/v1/events, a batch of events of seeded customers by phone", worker: events},
		{name: "list", what: "console GET /customers, the landing page after login: everyone, latest buyers first, 50 a page", worker: customerListPage},
		{name: "search-phone", what: "console GET /customers?q=<phone of a seeded customer>", worker: searchPhone},
		{name: "search-name", what: "console GET /customers?q=<name>, each name shared by about 1 in 600 customers", worker: searchName},
		{name: "customer", what: "console GET /customers/{id} (the 360 page)", worker: customerPage},
		{name: "dashboard", what: "console GET /dashboard (the stored analytics snapshot)", worker: dashboard},
		{name: "callback", what: "POST /wecom/callback/{ws}: signed, encrypted add/edit/del events, some retried", worker: callbacks},
		{name: "mixed", what: "all of the above but healthz at once, weighted", worker: mixed},
	}
}

func healthz(t *target, w int, r *rand.Rand) func() (call, error) {
	return func() (call, error) {
		req, err := t.get("/healthz")
		return call{req: req, kind: "healthz", want: http.StatusOK}, err
	}
}

// orders sends batches in which repeatShare of the buyers are seeded
// customers (found by phone) and the others new. New buyers' phones are
// numbered from newBuyers, which differs for each run on the same store, so
// a new buyer is never one seen before.
func orders(t *target, w int, r *rand.Rand) func() (call, error) {
	run := t.runs.Add(1)
	k := 0
	return func() (call, error) {
		batch := make([]siyu.OrderInput, t.orderBatch)
		for j := range batch {
			buyer := r.IntN(t.seeded)
			if r.Float64() >= t.repeatShare {
				buyer = t.newBuyers + int(t.newSeq.Add(1)) - 1
			}
			paid := t.epoch.Add(time.Duration(k) * time.Second)
			place := places[r.IntN(len(places))]
			batch[j] = siyu.OrderInput{
				Channel:     channels[r.IntN(len(channels))],
				ExternalID:  fmt.Sprintf("load-%d-%d-%d-%d", t.generation, run, w, k),
				Status:      siyu.StatusPaid,
				PlacedAt:    paid,
				PaidAt:      &paid,
				Amount:      siyu.Fen(1900 + r.IntN(60000)),
				BuyerName:   nameOf(buyer),
				Province:    place[0],
				City:        place[1],
				Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: phoneOf(buyer)}},
				Items:       []siyu.OrderItem{{Title: "春季新品", Quantity: 1 + r.IntN(3), Price: siyu.Fen(1900 + r.IntN(20000))}},
			}
			k++
		}
		req, err := t.postJSON("/api/v1/orders", map[string]any{"orders": batch})
		return call{req: req, kind: "orders", want: http.StatusOK, rows: len(batch)}, err
	}
}

var eventTypes = []string{"page.viewed", "page.viewed", "product.viewed", "cart.added", "coupon.claimed"}

func events(t *target, w int, r *rand.Rand) func() (call, error) {
	return func() (call, error) {
		batch := make([]siyu.EventInput, t.eventBatch)
		for j := range batch {
			batch[j] = siyu.EventInput{
				Type:        eventTypes[r.IntN(len(eventTypes))],
				Source:      "mini_program",
				OccurredAt:  t.epoch.Add(-time.Duration(r.IntN(86400)) * time.Second),
				Identifiers: []siyu.Identifier{{Kind: siyu.KindPhone, Value: phoneOf(r.IntN(t.seeded))}},
				Props:       map[string]any{"page": fmt.Sprintf("/products/%d", r.IntN(500))},
			}
		}
		req, err := t.postJSON("/api/v1/events", map[string]any{"events": batch})
		return call{req: req, kind: "events", want: http.StatusOK, rows: len(batch)}, err
	}
}

func customerListPage(t *target, w int, r *rand.Rand) func() (call, error) {
	return func() (call, error) {
		req, err := t.get("/customers")
		return call{req: req, console: true, kind: "list", want: http.StatusOK}, err
	}
}

func searchPhone(t *target, w int, r *rand.Rand) func() (call, error) {
	return func() (call, error) {
		req, err := t.get("/customers?q=" + phoneOf(r.IntN(t.seeded)))
		return call{req: req, console: true, kind: "search-phone", want: http.StatusOK}, err
	}
}

func searchName(t *target, w int, r *rand.Rand) func() (call, error) {
	return func() (call, error) {
		req, err := t.get("/customers?q=" + url.QueryEscape(nameOf(r.IntN(t.seeded))))
		return call{req: req, console: true, kind: "search-name", want: http.StatusOK}, err
	}
}

func customerPage(t *target, w int, r *rand.Rand) func() (call, error) {
	return func() (call, error) {
		req, err := t.get(fmt.Sprintf("/customers/%d", t.ids[r.IntN(len(t.ids))]))
		return call{req: req, console: true, kind: "customer", want: http.StatusOK}, err
	}
}

func dashboard(t *target, w int, r *rand.Rand) func() (call, error) {
	return func() (call, error) {
		req, err := t.get("/dashboard")
		return call{req: req, console: true, kind: "dashboard", want: http.StatusOK}, err
	}
}

// callbacks walks each of the worker's own contacts through add, edit and
// del. Every event is new (its CreateTime is unique), except the retries:
// dupShare of the pushes repeat the previous event under a new signature,
// as WeCom does when it did not see a 200: the worker's previous call was
// answered, so the retry must be answered as done (200) and not handled
// again.
func callbacks(t *target, w int, r *rand.Rand) func() (call, error) {
	var mine [][2]string
	for i := w; i < len(t.contacts); i += t.concurrency {
		mine = append(mine, t.contacts[i])
	}
	added := make([]bool, len(mine))
	var last *wecom.Event
	nonce := func() string {
		const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
		b := make([]byte, 16)
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
		}
		return string(b)
	}
	return func() (call, error) {
		if last != nil && r.Float64() < t.dupShare {
			req, err := t.sealer.request(*last, time.Now(), nonce())
			last = nil
			return call{req: req, kind: "callback", want: http.StatusOK, retry: true}, err
		}
		if len(mine) == 0 {
			return call{}, fmt.Errorf("callback worker %d has no contacts (raise -contacts)", w)
		}
		i := r.IntN(len(mine))
		change := wecom.ChangeAddExternalContact
		if added[i] {
			change = wecom.ChangeEditExternalContact
			if r.IntN(5) < 2 {
				change = wecom.ChangeDelExternalContact
			}
		}
		added[i] = change != wecom.ChangeDelExternalContact
		created := t.firstEventTime + t.created.Add(1)
		ev := contactEvent(t.corpID, change, mine[i][0], mine[i][1], created)
		last = &ev
		req, err := t.sealer.request(ev, time.Now(), nonce())
		return call{req: req, kind: "callback", want: http.StatusOK}, err
	}
}

// mixWeights is the mixed scenario: ingestion and callbacks in the
// background of console use.
var mixWeights = []struct {
	weight int
	worker func(*target, int, *rand.Rand) func() (call, error)
}{
	{20, orders}, {30, events}, {20, callbacks}, {8, searchPhone}, {2, customerListPage}, {4, searchName}, {10, customerPage}, {6, dashboard},
}

func mixed(t *target, w int, r *rand.Rand) func() (call, error) {
	var gens []func() (call, error)
	total := 0
	for _, m := range mixWeights {
		gens = append(gens, m.worker(t, w, r))
		total += m.weight
	}
	return func() (call, error) {
		x := r.IntN(total)
		for i, m := range mixWeights {
			if x < m.weight {
				return gens[i]()
			}
			x -= m.weight
		}
		panic("unreachable")
	}
}

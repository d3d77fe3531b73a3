package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"siyu.dev/siyu"
	"siyu.dev/siyu/store"
)

// metrics is the Prometheus registry of one server (not the global one, so
// tests can run several servers in one process).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	imported *prometheus.CounterVec
	merges   prometheus.Counter
}

func newMetrics(st *store.Store) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "siyu_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "siyu_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		imported: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "siyu_orders_imported_total", Help: "Order rows by outcome (inserted, updated, unchanged, rejected).",
		}, []string{"outcome"}),
		merges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "siyu_customer_merges_total", Help: "Customers merged by identity resolution.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.imported, m.merges,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "siyu_database_up", Help: "1 when the database answers a ping.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if st.Ping(ctx) != nil {
				return 0
			}
			return 1
		}))
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// instrument counts requests by the mux pattern that served them, never by
// raw path (ids would explode the label set).
func (m *metrics) instrument(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		_, pattern := mux.Handler(r)
		mux.ServeHTTP(rec, r)
		if pattern == "" {
			pattern = "unmatched"
		}
		m.requests.WithLabelValues(pattern, strconv.Itoa(rec.code)).Inc()
		m.latency.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// countingStore is the store with import outcomes counted for /metrics.
type countingStore struct {
	*store.Store
	m *metrics
}

func (c countingStore) ImportOrders(ctx context.Context, ws int64, rows []siyu.OrderInput, source string) (siyu.ImportResult, error) {
	res, err := c.Store.ImportOrders(ctx, ws, rows, source)
	c.m.imported.WithLabelValues("inserted").Add(float64(res.Inserted))
	c.m.imported.WithLabelValues("updated").Add(float64(res.Updated))
	c.m.imported.WithLabelValues("unchanged").Add(float64(res.Unchanged))
	c.m.imported.WithLabelValues("rejected").Add(float64(res.Rejected))
	c.m.merges.Add(float64(res.Merges))
	return res, err
}

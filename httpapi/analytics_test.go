package httpapi

import (
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/analytics/lifecycle"
)

func TestAnalyticsEndpoints(t *testing.T) {
	a := newTestAPI(t)
	h := New(Config{Store: a.store, Analytics: analytics.NewService(a.store), Logger: slog.New(slog.DiscardHandler)})
	a.srv = httptest.NewServer(h)
	t.Cleanup(a.srv.Close)
	_, tok := a.workspace("brand")
	_, other := a.workspace("other")
	for i, buyer := range []string{"13800000001", "13800000002", "13800000002", "13800000003"} {
		a.importOrders(tok[siyu.RoleOperator], paidOrder(siyu.ChannelJD, "J"+strings.Repeat("1", i+1), siyu.Fen(1000*(i+1)), "买家", siyu.Identifier{Kind: siyu.KindPhone, Value: buyer}))
	}
	var snap analytics.Snapshot
	r := a.get("/api/v1/analytics", tok[siyu.RoleAnalyst])
	r.decode(t, &snap)
	if r.Status != 200 || snap.Buyers != 3 || snap.Orders != 4 {
		t.Fatalf("snapshot: %d %+v", r.Status, snap)
	}
	var empty analytics.Snapshot
	a.get("/api/v1/analytics", other[siyu.RoleAnalyst]).decode(t, &empty)
	if empty.Buyers != 0 {
		t.Fatal("another workspace sees these buyers")
	}
	if r := a.do("POST", "/api/v1/analytics/refresh", tok[siyu.RoleAnalyst], nil); r.Status != http.StatusForbidden {
		t.Fatalf("analyst refresh: %d", r.Status)
	}
	if r := a.do("POST", "/api/v1/analytics/refresh", tok[siyu.RoleOperator], nil); r.Status != 200 {
		t.Fatalf("refresh: %d %s", r.Status, r.Body)
	}
	r = a.get("/api/v1/analytics/rfm/top?n=2&format=csv", tok[siyu.RoleAnalyst])
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\uFEFF"))).ReadAll()
	if r.Status != 200 || err != nil || len(recs) != 3 {
		t.Fatalf("top csv: %d %v %q", r.Status, err, r.Body)
	}
	if r := a.get("/api/v1/analytics/rfm/top?n=zero", tok[siyu.RoleAnalyst]); r.Status != 400 {
		t.Fatalf("bad n: %d", r.Status)
	}
}

func TestAnalyticsSettingsPerWorkspace(t *testing.T) {
	a := newTestAPI(t)
	h := New(Config{Store: a.store, Analytics: analytics.NewService(a.store), Logger: slog.New(slog.DiscardHandler)})
	a.srv = httptest.NewServer(h)
	t.Cleanup(a.srv.Close)
	_, tok := a.workspace("brand")
	_, other := a.workspace("other")
	a.importOrders(tok[siyu.RoleOperator], paidOrder(siyu.ChannelJD, "J1", 1000, "买家", siyu.Identifier{Kind: siyu.KindPhone, Value: "13800000001"}))

	body := `{"rfm_scoring":"fixed","silent_after_days":30,"churned_after_days":60}`
	put := func(token, body string) response {
		return a.do("PUT", "/api/v1/analytics/settings", token, strings.NewReader(body), "Content-Type", "application/json")
	}
	if r := put(tok[siyu.RoleOperator], body); r.Status != http.StatusForbidden {
		t.Fatalf("operator PUT: %d", r.Status)
	}
	if r := put(tok[siyu.RoleAdmin], `{"silent_after_days":90,"churned_after_days":30}`); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("churned before silent: %d %s", r.Status, r.Body)
	}
	if r := put(tok[siyu.RoleAdmin], `{"rfm_scoring":"deciles"}`); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown scoring: %d", r.Status)
	}
	if r := put(tok[siyu.RoleAdmin], body); r.Status != 200 {
		t.Fatalf("PUT: %d %s", r.Status, r.Body)
	}
	var snap analytics.Snapshot
	a.do("POST", "/api/v1/analytics/refresh", tok[siyu.RoleOperator], nil).decode(t, &snap)
	if snap.RFM.Scoring.String() != "fixed" {
		t.Fatalf("the workspace's scoring was not used: %v", snap.RFM.Scoring)
	}
	var theirs analytics.Settings
	a.get("/api/v1/analytics/settings", other[siyu.RoleAnalyst]).decode(t, &theirs)
	if theirs.RFMScoring != "" || theirs.SilentAfterDays != 0 {
		t.Fatalf("another workspace got these settings: %+v", theirs)
	}
}

// Daily lifecycle transitions over a chosen range: each first order and
// each return on its own day, the days chained (one day's close is the
// next day's open), other workspaces' customers invisible, bad parameters
// named.
func TestLifecycleFlowsByDay(t *testing.T) {
	a := newTestAPI(t)
	h := New(Config{Store: a.store, Analytics: analytics.NewService(a.store), Logger: slog.New(slog.DiscardHandler)})
	a.srv = httptest.NewServer(h)
	t.Cleanup(a.srv.Close)
	_, tok := a.workspace("brand")
	_, other := a.workspace("other")
	for _, o := range []struct {
		ext   string
		phone string
		days  int
	}{{"A1", "13800000001", 0}, {"B1", "13800000002", 2}, {"A2", "13800000001", 3}} {
		in := paidOrder(siyu.ChannelJD, o.ext, 5000, "买家", phone(o.phone))
		at := paidAt.AddDate(0, 0, o.days)
		in.PaidAt, in.PlacedAt = &at, at.Add(-time.Minute)
		a.importOrders(tok[siyu.RoleOperator], in)
	}
	var got struct {
		Flow        lifecycle.Flow         `json:"flow"`
		Transitions []lifecycle.Transition `json:"transitions"`
	}
	r := a.get("/api/v1/analytics/lifecycle?period=day&from=2024-06-17&to=2024-06-23", tok[siyu.RoleAnalyst])
	r.decode(t, &got)
	if r.Status != 200 || len(got.Flow.Buckets) != 7 {
		t.Fatalf("%d: %d buckets: %s", r.Status, len(got.Flow.Buckets), r.Body)
	}
	var moves []string
	for _, tr := range got.Transitions {
		moves = append(moves, fmt.Sprintf("%s %s→%s %d", tr.Start, tr.From, tr.To, tr.Count))
	}
	want := []string{"2024-06-18 none→first_order 1", "2024-06-20 none→first_order 1", "2024-06-21 first_order→repeat 1"}
	if !slices.Equal(moves, want) {
		t.Fatalf("transitions %q, want %q", moves, want)
	}
	for i := 1; i < len(got.Flow.Buckets); i++ {
		if got.Flow.Buckets[i].Open != got.Flow.Buckets[i-1].Close {
			t.Fatalf("day %d opens with %v, the day before closed with %v", i, got.Flow.Buckets[i].Open, got.Flow.Buckets[i-1].Close)
		}
	}
	var theirs struct {
		Transitions []lifecycle.Transition `json:"transitions"`
	}
	a.get("/api/v1/analytics/lifecycle?from=2024-06-17&to=2024-06-23", other[siyu.RoleAnalyst]).decode(t, &theirs)
	if len(theirs.Transitions) != 0 {
		t.Fatalf("another workspace sees %v", theirs.Transitions)
	}
	for _, tc := range []struct{ query, field string }{
		{"period=hour", "period"},
		{"from=2024-13-01", "from"},
		{"from=2024-06-23&to=2024-06-17", "to"},
		{"from=2010-01-01&to=2024-06-17", "from"},
	} {
		r := a.get("/api/v1/analytics/lifecycle?"+tc.query, tok[siyu.RoleAnalyst])
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.query, r.Status, r.Body, tc.field)
		}
	}
}

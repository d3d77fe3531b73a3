package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/server"
	"siyu.dev/siyu/store/storetest"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthMetricsAndAPIOnOneServer(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	srv, err := server.New(server.Config{Store: st, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	if code, body := get(t, ts.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", code, body)
	}
	w, _ := st.CreateWorkspace(ctx, "brand", "Brand")
	tok := auth.NewToken("siyu_")
	if _, err := st.CreateAPIToken(ctx, w.ID, "test", siyu.RoleOperator, auth.HashToken(tok), auth.TokenPrefix(tok)); err != nil {
		t.Fatal(err)
	}
	body := `{"orders":[{"channel":"jd","external_id":"J1","status":"completed","placed_at":"2025-06-18T10:00:00+08:00","paid_at":"2025-06-18T10:00:05+08:00","amount_fen":19900,"identifiers":[{"kind":"phone","value":"13800138000"}]}]}`
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/orders", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST orders: %d", resp.StatusCode)
	}
	code, metrics := get(t, ts.URL+"/metrics")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{
		`siyu_orders_imported_total{outcome="inserted"} 1`,
		`siyu_http_requests_total{code="200",route="GET /healthz"} 1`,
		`siyu_http_requests_total{code="200",route="/api/"} 1`,
		`siyu_database_up 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The console answers on the same server.
	if code, page := get(t, ts.URL+"/login"); code != 200 || !strings.Contains(page, "<form") {
		t.Fatalf("login page: %d", code)
	}
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	log := slog.New(slog.DiscardHandler)
	if err := server.SeedDemo(ctx, st, log); err != nil {
		t.Fatal(err)
	}
	w, err := st.WorkspaceBySlug(ctx, server.DemoWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := st.SearchCustomers(ctx, w.ID, siyu.CustomerQuery{})
	// Thousands of people. Some cannot be joined (a WeCom contact whose only
	// purchases carry a masked phone stays a separate customer, as it would
	// with real data), so there are more customers than people.
	if first.Total < server.DemoCustomers/2 || first.Total > 2*server.DemoCustomers {
		t.Fatalf("demo has %d customers, want thousands", first.Total)
	}
	var merges int
	st.DB().QueryRow(`SELECT COUNT(*) FROM merges`).Scan(&merges)
	if merges == 0 {
		t.Fatal("demo orders arrive over time, so some customers must get merged")
	}
	var contacts int
	st.DB().QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&contacts)
	if contacts == 0 {
		t.Fatal("demo has no WeCom contacts")
	}
	if err := server.SeedDemo(ctx, st, log); err != nil {
		t.Fatal(err)
	}
	again, _ := st.SearchCustomers(ctx, w.ID, siyu.CustomerQuery{})
	if again.Total != first.Total {
		t.Fatalf("second seed changed the data: %d -> %d customers", first.Total, again.Total)
	}
	u, err := st.UserByLogin(ctx, server.DemoLogin)
	if err != nil || !auth.CheckPassword(u.PasswordHash, server.DemoPassword) {
		t.Fatalf("demo login does not work: %v", err)
	}
}

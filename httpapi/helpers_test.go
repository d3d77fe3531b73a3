package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/store/storetest"
)

// testAPI is the API on a loopback server over a fresh store.
type testAPI struct {
	t     *testing.T
	store *store.Store
	srv   *httptest.Server
	logs  *syncBuffer
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	st := storetest.Open(t)
	logs := &syncBuffer{}
	h := New(Config{Store: st, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testAPI{t: t, store: st, srv: srv, logs: logs}
}

// workspace creates a workspace and returns it with one token per role.
func (a *testAPI) workspace(slug string) (siyu.Workspace, map[siyu.Role]string) {
	a.t.Helper()
	ctx := context.Background()
	ws, err := a.store.CreateWorkspace(ctx, slug, "品牌 "+slug)
	if err != nil {
		a.t.Fatal(err)
	}
	tokens := map[siyu.Role]string{}
	for _, role := range []siyu.Role{siyu.RoleAdmin, siyu.RoleOperator, siyu.RoleAnalyst} {
		secret := auth.NewToken("siyu_")
		if _, err := a.store.CreateAPIToken(ctx, ws.ID, string(role)+" token", role, auth.HashToken(secret), auth.TokenPrefix(secret)); err != nil {
			a.t.Fatal(err)
		}
		tokens[role] = secret
	}
	return ws, tokens
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// errorBody is the error response as a client sees it.
type errorBody struct {
	Error struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Field   string          `json:"field"`
		Errors  []siyu.RowError `json:"errors"`
	} `json:"error"`
}

func (r response) apiError(t *testing.T) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code == "" {
		t.Fatalf("status %d: body is not a JSON error: %s", r.Status, r.Body)
	}
	return e
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("status %d: %v in %s", r.Status, err, r.Body)
	}
}

// do sends a request. A non-empty body is sent as application/json unless
// header says otherwise.
func (a *testAPI) do(method, path, token string, body io.Reader, header ...string) response {
	a.t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (a *testAPI) get(path, token string) response { return a.do("GET", path, token, nil) }

func (a *testAPI) postJSON(path, token string, v any) response {
	a.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.do("POST", path, token, bytes.NewReader(b))
}

// importOrders posts orders and requires a 200.
func (a *testAPI) importOrders(token string, orders ...siyu.OrderInput) siyu.ImportResult {
	a.t.Helper()
	r := a.postJSON("/api/v1/orders", token, map[string]any{"orders": orders})
	if r.Status != http.StatusOK {
		a.t.Fatalf("POST /api/v1/orders: %d %s", r.Status, r.Body)
	}
	var res siyu.ImportResult
	r.decode(a.t, &res)
	return res
}

func (a *testAPI) customer360(token string, id int64) siyu.Customer360 {
	a.t.Helper()
	r := a.get(fmt.Sprintf("/api/v1/customers/%d", id), token)
	if r.Status != http.StatusOK {
		a.t.Fatalf("GET customer %d: %d %s", id, r.Status, r.Body)
	}
	var c siyu.Customer360
	r.decode(a.t, &c)
	return c
}

func (a *testAPI) search(token, query string) siyu.CustomerPage {
	a.t.Helper()
	r := a.get("/api/v1/customers?query="+query, token)
	if r.Status != http.StatusOK {
		a.t.Fatalf("search %q: %d %s", query, r.Status, r.Body)
	}
	var p siyu.CustomerPage
	r.decode(a.t, &p)
	return p
}

// findOne searches for a query that must match exactly one customer.
func (a *testAPI) findOne(token, query string) siyu.Customer {
	a.t.Helper()
	p := a.search(token, query)
	if len(p.Customers) != 1 {
		a.t.Fatalf("search %q found %d customers, want 1: %+v", query, len(p.Customers), p.Customers)
	}
	return p.Customers[0]
}

// syncBuffer collects log output written from server goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) contains(s string) bool { return strings.Contains(b.String(), s) }

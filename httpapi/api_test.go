package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"siyu.dev/siyu"
)

func TestAuthentication(t *testing.T) {
	a := newTestAPI(t)
	ws, tokens := a.workspace("alpha")
	ctx := context.Background()

	toks, err := a.store.ListAPITokens(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	revoked := tokens[siyu.RoleOperator]
	for _, tok := range toks {
		if tok.Role == siyu.RoleOperator {
			if err := a.store.RevokeAPIToken(ctx, ws.ID, tok.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	tests := []struct {
		name   string
		header string
		status int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"other scheme", "Basic " + tokens[siyu.RoleAdmin], http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"unknown token", "Bearer siyu_" + strings.Repeat("x", 43), http.StatusUnauthorized},
		{"token with a character changed", "Bearer " + tokens[siyu.RoleAdmin][:10] + "?" + tokens[siyu.RoleAdmin][11:], http.StatusUnauthorized},
		{"revoked token", "Bearer " + revoked, http.StatusUnauthorized},
		{"good token", "Bearer " + tokens[siyu.RoleAdmin], http.StatusOK},
		{"lower-case scheme", "bearer " + tokens[siyu.RoleAnalyst], http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do("GET", "/api/v1/workspace", "", nil, "Authorization", tt.header)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if tt.status == http.StatusUnauthorized {
				if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
				}
				if e := r.apiError(t); e.Error.Code != "unauthorized" {
					t.Errorf("code %q, want unauthorized", e.Error.Code)
				}
				return
			}
			var got siyu.Workspace
			r.decode(t, &got)
			if got.ID != ws.ID || got.Slug != "alpha" || got.Name != ws.Name {
				t.Errorf("workspace = %+v, want %+v", got, ws)
			}
		})
	}

	// Every endpoint needs the token, not only /workspace.
	for _, ep := range []struct{ method, path string }{
		{"POST", "/api/v1/orders"}, {"POST", "/api/v1/events"}, {"GET", "/api/v1/customers"},
		{"GET", "/api/v1/customers/1"}, {"POST", "/api/v1/merges/1/undo"}, {"GET", "/api/v1/nope"},
	} {
		if r := a.do(ep.method, ep.path, "", strings.NewReader(`{"orders":[]}`)); r.Status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d, want 401", ep.method, ep.path, r.Status)
		}
	}

	if log := a.logs.String(); strings.Contains(log, tokens[siyu.RoleAdmin]) || strings.Contains(log, revoked) {
		t.Errorf("a token was logged:\n%s", log)
	}
}

func TestRoles(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	body := `{"orders":[{"channel":"jd","external_id":"R1","placed_at":"2024-06-18T20:30:00+08:00","identifiers":[{"kind":"jd_buyer_id","value":"buyer-r1"}]}]}`
	events := `{"events":[{"type":"page.viewed","identifiers":[{"kind":"jd_buyer_id","value":"buyer-r1"}]}]}`

	tests := []struct {
		role   siyu.Role
		method string
		path   string
		body   string
		status int
	}{
		{siyu.RoleAnalyst, "POST", "/api/v1/orders", body, http.StatusForbidden},
		{siyu.RoleAnalyst, "POST", "/api/v1/events", events, http.StatusForbidden},
		{siyu.RoleAnalyst, "POST", "/api/v1/merges/1/undo", "", http.StatusForbidden},
		{siyu.RoleAnalyst, "GET", "/api/v1/customers", "", http.StatusOK},
		{siyu.RoleAnalyst, "GET", "/api/v1/workspace", "", http.StatusOK},
		{siyu.RoleOperator, "POST", "/api/v1/orders", body, http.StatusOK},
		{siyu.RoleOperator, "POST", "/api/v1/events", events, http.StatusOK},
		{siyu.RoleAdmin, "POST", "/api/v1/orders", body, http.StatusOK},
		{siyu.RoleAdmin, "GET", "/api/v1/customers", "", http.StatusOK},
	}
	for _, tt := range tests {
		var r response
		if tt.body == "" {
			r = a.do(tt.method, tt.path, tokens[tt.role], nil)
		} else {
			r = a.do(tt.method, tt.path, tokens[tt.role], strings.NewReader(tt.body))
		}
		if r.Status != tt.status {
			t.Errorf("%s %s %s: %d, want %d: %s", tt.role, tt.method, tt.path, r.Status, tt.status, r.Body)
			continue
		}
		if tt.status == http.StatusForbidden {
			if e := r.apiError(t); e.Error.Code != "forbidden" {
				t.Errorf("%s %s: code %q", tt.method, tt.path, e.Error.Code)
			}
		}
	}

	// The analyst's refused import stored nothing; the operator's did.
	if p := a.search(tokens[siyu.RoleAnalyst], "buyer-r1"); len(p.Customers) != 1 {
		t.Errorf("found %d customers for buyer-r1, want 1", len(p.Customers))
	}
}

func TestRoutingErrorsAreJSON(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleAdmin]

	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/nothing", http.StatusNotFound, "not_found", ""},
		{"GET", "/api/v2/customers", http.StatusNotFound, "not_found", ""},
		{"DELETE", "/api/v1/customers", http.StatusMethodNotAllowed, "method_not_allowed", "GET, HEAD"},
		{"GET", "/api/v1/orders", http.StatusMethodNotAllowed, "method_not_allowed", "POST"},
		{"PUT", "/api/v1/customers/3", http.StatusMethodNotAllowed, "method_not_allowed", "GET, HEAD, DELETE"},
		{"GET", "/api/v1/merges/3/undo", http.StatusMethodNotAllowed, "method_not_allowed", "POST"},
		{"GET", "/api/v1/customers/abc", http.StatusBadRequest, "invalid_parameter", ""},
		{"GET", "/api/v1/customers/0", http.StatusBadRequest, "invalid_parameter", ""},
		{"POST", "/api/v1/merges/x/undo", http.StatusBadRequest, "invalid_parameter", ""},
	}
	for _, tt := range tests {
		r := a.do(tt.method, tt.path, tok, nil)
		if r.Status != tt.status {
			t.Errorf("%s %s: %d, want %d: %s", tt.method, tt.path, r.Status, tt.status, r.Body)
			continue
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, ct)
		}
		if e := r.apiError(t); e.Error.Code != tt.code {
			t.Errorf("%s %s: code %q, want %q", tt.method, tt.path, e.Error.Code, tt.code)
		}
		if got := r.Header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
}

func TestContentType(t *testing.T) {
	a := newTestAPI(t)
	_, tokens := a.workspace("alpha")
	tok := tokens[siyu.RoleOperator]
	body := `{"orders":[]}`
	tests := []struct {
		contentType string
		status      int
	}{
		{"application/json", http.StatusOK},
		{"application/json; charset=utf-8", http.StatusOK},
		{"Application/JSON; charset=UTF-8", http.StatusOK},
		{"", http.StatusUnsupportedMediaType},
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"text/plain", http.StatusUnsupportedMediaType},
		{"application/json; charset=gbk", http.StatusUnsupportedMediaType},
		{"application/json;;;", http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		for _, path := range []string{"/api/v1/orders", "/api/v1/events"} {
			b := strings.Replace(body, "orders", strings.TrimPrefix(path, "/api/v1/"), 1)
			r := a.do("POST", path, tok, strings.NewReader(b), "Content-Type", tt.contentType)
			if r.Status != tt.status {
				t.Errorf("POST %s as %q: %d, want %d: %s", path, tt.contentType, r.Status, tt.status, r.Body)
			} else if tt.status != http.StatusOK && r.apiError(t).Error.Code != "unsupported_media_type" {
				t.Errorf("POST %s as %q: %s", path, tt.contentType, r.Body)
			}
		}
	}
}

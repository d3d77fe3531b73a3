// Package httpapi is the JSON REST API under /api/v1: order and event intake
// for integrators, customer search and the customer 360 view.
//
// Every request carries an API token (Authorization: Bearer ...). The token
// fixes the workspace and the role, so a request can never name another
// workspace: ids of other workspaces simply do not exist for it.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/fission"
	"siyu.dev/siyu/groups"
)

// Store is the part of the store the API uses. *store.Store satisfies it.
type Store interface {
	APITokenByHash(ctx context.Context, hash string) (siyu.APIToken, error)
	Workspace(ctx context.Context, id int64) (siyu.Workspace, error)
	SearchCustomers(ctx context.Context, workspaceID int64, q siyu.CustomerQuery) (siyu.CustomerPage, error)
	Customer360(ctx context.Context, workspaceID, customerID int64) (siyu.Customer360, error)
	Unmerge(ctx context.Context, workspaceID, mergeID int64) error
	ImportOrders(ctx context.Context, workspaceID int64, rows []siyu.OrderInput, source string) (siyu.ImportResult, error)
	RecordEvents(ctx context.Context, workspaceID int64, evs []siyu.EventInput) (int, error)
	ExportCustomer(ctx context.Context, workspaceID, customerID int64) (siyu.PersonalData, error)
	EraseCustomer(ctx context.Context, workspaceID, customerID int64, who string) error
}

// Config configures the API handler.
type Config struct {
	Store        Store
	Analytics    Analytics         // optional
	Campaigns    Campaigns         // optional
	FissionCodes fission.CodeMaker // makes fission participants' channel codes; nil: joining answers 404
	Groups       *groups.Service   // campaign groups; nil: their endpoints answer 404
	Logger       *slog.Logger      // nil discards logs
}

// Limits of one request.
const (
	MaxBodyBytes     = 20 << 20 // 20 MB
	MaxRowsPerBatch  = 10000    // orders or events per request
	DefaultPageLimit = 50
	MaxPageLimit     = 500
	maxQueryLen      = 200
)

type api struct {
	store        Store
	log          *slog.Logger
	analytics    Analytics
	campaigns    Campaigns
	fissionCodes fission.CodeMaker
	groups       *groups.Service
	routes       []Route // every endpoint, as registered
	handler      http.Handler
}

// Route is one endpoint: a method and a net/http pattern.
type Route struct {
	Method  string
	Pattern string
}

// Routes lists every endpoint of the API in registration order, so that
// security sweeps (authentication, roles, tenant isolation, audit) cover each
// one, including those added later.
func Routes() []Route {
	return build(Config{}).routes
}

// New returns the handler for /api/v1/... . It expects the full request path
// (mount it at "/api/" without stripping the prefix).
func New(cfg Config) http.Handler {
	return build(cfg).handler
}

func build(cfg Config) *api {
	a := &api{store: cfg.Store, log: cfg.Logger, analytics: cfg.Analytics}
	a.campaigns = cfg.Campaigns
	a.fissionCodes = cfg.FissionCodes
	a.groups = cfg.Groups
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}

	mux := http.NewServeMux()
	route := func(method, path string, h handlerFunc) {
		a.routes = append(a.routes, Route{Method: method, Pattern: path})
		mux.Handle(method+" "+path, a.serve(h))
	}
	route("POST", "/api/v1/orders", writer(a.postOrders))
	route("POST", "/api/v1/events", writer(a.postEvents))
	route("GET", "/api/v1/customers", a.listCustomers)
	route("GET", "/api/v1/customers/{id}", a.getCustomer)
	route("GET", "/api/v1/customers/{id}/export", adminOnly(a.exportCustomer))
	route("DELETE", "/api/v1/customers/{id}", adminOnly(a.eraseCustomer))
	route("POST", "/api/v1/merges/{id}/undo", writer(a.undoMerge))
	route("GET", "/api/v1/workspace", a.getWorkspace)
	route("GET", "/api/v1/analytics", a.getAnalytics)
	route("POST", "/api/v1/analytics/refresh", writer(a.refreshAnalytics))
	route("GET", "/api/v1/analytics/rfm/top", a.topRFM)
	route("GET", "/api/v1/analytics/lifecycle", a.lifecycleFlows)
	route("GET", "/api/v1/analytics/settings", a.getAnalyticsSettings)
	route("PUT", "/api/v1/analytics/settings", adminOnly(a.putAnalyticsSettings))
	a.taskRoutes(route)
	a.campaignRoutes(route)
	a.segmentRoutes(route)
	a.tagRoutes(route)
	a.douyinRoutes(route)
	a.fissionRoutes(route)
	a.journeyRoutes(route)
	a.groupRoutes(route)

	// The mux's own 404 and 405 answers are plain text; API clients get JSON.
	allowed := map[string][]string{
		"/api/v1/orders":                {"POST"},
		"/api/v1/events":                {"POST"},
		"/api/v1/customers":             {"GET", "HEAD"},
		"/api/v1/customers/{id}":        {"GET", "HEAD", "DELETE"},
		"/api/v1/customers/{id}/export": {"GET", "HEAD"},
		"/api/v1/merges/{id}/undo":      {"POST"},
		"/api/v1/workspace":             {"GET", "HEAD"},
	}
	for path, methods := range allowed {
		mux.Handle(path, a.serve(methodNotAllowed(strings.Join(methods, ", "))))
	}
	mux.Handle("/api/", a.serve(func(w http.ResponseWriter, r *http.Request) error {
		return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path}
	}))

	a.handler = a.recoverPanics(a.logRequests(a.authenticate(mux)))
	return a
}

func methodNotAllowed(allow string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", allow)
		return &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Message: "method " + r.Method + " not allowed here; use " + allow}
	}
}

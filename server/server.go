// Package server assembles the running program: the REST API, the web
// console, health and metrics endpoints and the background workers, on one
// http.Server.
package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/httpapi"
	"siyu.dev/siyu/importer"
	"siyu.dev/siyu/orderfile"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
	"siyu.dev/siyu/wecom"
	"siyu.dev/siyu/wecomsync"
)

// Config is what serve needs.
type Config struct {
	Store         *store.Store
	Logger        *slog.Logger
	SecureCookies bool
	// WeCom is the WeCom integration; New makes one when nil.
	WeCom *wecomsync.Service
	// SyncInterval is how often every workspace's WeCom data is reconciled
	// by a full sync (default 1 h).
	SyncInterval time.Duration
	// AnalyticsInterval is how often every workspace's analytics snapshot
	// is recomputed (default 1 h); the console can also refresh on demand.
	AnalyticsInterval time.Duration
}

// Server is the assembled program.
type Server struct {
	cfg       Config
	handler   http.Handler
	metrics   *metrics
	wecom     *wecomsync.Service
	analytics *analytics.Service
}

// New wires the handlers.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.WeCom == nil {
		opts := wecomsync.Options{Logger: cfg.Logger}
		if cfg.Store.Dialect() == "postgres" {
			// Several nodes share one corp's quota: count it in the database.
			opts.Limiter = cfg.Store.NewRateLimiter(wecom.DefaultPerMinute, time.Minute)
		}
		cfg.WeCom = wecomsync.New(cfg.Store, opts)
	}
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = time.Hour
	}
	if cfg.AnalyticsInterval <= 0 {
		cfg.AnalyticsInterval = time.Hour
	}
	m := newMetrics(cfg.Store)
	s := &Server{cfg: cfg, metrics: m, wecom: cfg.WeCom, analytics: analytics.NewService(cfg.Store)}
	console, err := web.New(web.Config{
		Store:         cfg.Store,
		Import:        s.importUpload,
		Codes:         s.wecom,
		Analytics:     s.analytics,
		Contacts:      s.listContacts,
		Campaigns:     s.campaignService(),
		SecureCookies: cfg.SecureCookies,
		Logger:        cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	api := httpapi.New(httpapi.Config{Store: countingStore{cfg.Store, m}, Analytics: s.analytics, Campaigns: s.campaignService(), FissionCodes: s.wecom, Groups: s.groupService(), Logger: cfg.Logger})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", m.handler())
	mux.Handle("/api/", api)
	mux.HandleFunc("/wecom/callback/{workspace}", s.wecomCallback)
	mux.HandleFunc("/douyin/webhook/{workspace}", s.douyinWebhook)
	mux.Handle("/", console)
	s.handler = m.instrument(mux)
	return s, nil
}

// WeCom is the server's WeCom integration.
func (s *Server) WeCom() *wecomsync.Service { return s.wecom }

// RunWorkers runs the background work until ctx ends: the periodic WeCom
// reconciliation and analytics refresh.
func (s *Server) RunWorkers(ctx context.Context) {
	go s.wecom.Reconcile(ctx, s.cfg.SyncInterval)
	go s.analytics.Schedule(ctx, s.cfg.AnalyticsInterval, func(msg string, args ...any) { s.cfg.Logger.Info(msg, args...) })
	go s.runSegmentWorker(ctx)
	go s.runDispatch(ctx)
	go s.runGroups(ctx)
	go s.runJourneys(ctx)
	go s.runDouyinRefresh(ctx)
	s.runTagWorkers(ctx)
}

// Handler is the root handler (for tests on httptest servers).
func (s *Server) Handler() http.Handler { return s.handler }

// Serve listens on addr until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Store.Ping(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// listContacts adapts the store's contact list to the console's.
func (s *Server) listContacts(ctx context.Context, workspaceID int64, state string, accountID int64, deleted *bool, limit, offset int) ([]web.ContactListItem, int, error) {
	page, err := s.cfg.Store.ListContacts(ctx, workspaceID, store.ContactQuery{State: state, AccountID: accountID, Deleted: deleted, Limit: limit, Offset: offset})
	if err != nil {
		return nil, 0, err
	}
	items := make([]web.ContactListItem, len(page.Contacts))
	for i, c := range page.Contacts {
		items[i] = web.ContactListItem(c)
	}
	return items, page.Total, nil
}

// importUpload is the console's import: the uploaded file goes through the
// same importer as the CLI.
func (s *Server) importUpload(ctx context.Context, workspaceID int64, format, filename string, r io.Reader, strict bool) (siyu.ImportResult, error) {
	f, err := orderfile.ParseFormat(format)
	if err != nil {
		return siyu.ImportResult{}, err
	}
	size := int64(-1)
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
	}
	return importer.Reader(ctx, countingStore{s.cfg.Store, s.metrics}, workspaceID, filename, r, size, importer.Options{Format: f, Strict: strict})
}

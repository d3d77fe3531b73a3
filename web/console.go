// Package web is the server-rendered web console: login, the analytics
// dashboard, the customer list and 360 page, WeCom channel codes and
// contacts, order imports, API tokens. Templates, styles and message
// catalogues are embedded, so the binary needs nothing at run time and the
// build needs nothing but Go.
package web

import (
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"siyu.dev/siyu/auth"
)

// Config configures a Console.
type Config struct {
	Store  Store
	Import ImportFunc
	// Codes makes channel codes. Without it the console shows codes but
	// cannot make new ones (WeCom is not set up).
	Codes CodeCreator
	// Contacts lists contacts for the contacts page and a code's page.
	// Without it those lists say that contacts are not available.
	Contacts ContactLister
	// Analytics gives the dashboard its snapshot. Without it the dashboard
	// says that analytics are not available.
	Analytics AnalyticsSource
	// Campaigns runs campaigns and the reach limits' page.
	Campaigns CampaignService
	// SecureCookies marks cookies Secure and expects https origins. Set it
	// whenever the console is reached over TLS (also behind a proxy).
	SecureCookies bool
	Logger        *slog.Logger
}

// Console is the web console. It is an http.Handler.
type Console struct {
	store     Store
	importF   ImportFunc
	codes     CodeCreator
	contacts  ContactLister
	analytics AnalyticsSource
	campaigns CampaignService
	secure    bool
	log       *slog.Logger
	cats      map[string]catalogue // by language
	pages     map[string]pageSet   // by language
	mux       *http.ServeMux
	routeList []Route
	static    http.Handler
	limiter   *loginLimiter

	dummyOnce sync.Once
	dummyHash string
}

// New builds a console.
func New(cfg Config) (*Console, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is nil")
	}
	if cfg.Import == nil {
		return nil, errors.New("web: Config.Import is nil")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cats, err := loadCatalogues()
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(cats)
	if err != nil {
		return nil, err
	}
	staticFS, err := fs.Sub(embedded, "static")
	if err != nil {
		return nil, err
	}
	c := &Console{
		store:     cfg.Store,
		importF:   cfg.Import,
		codes:     cfg.Codes,
		contacts:  cfg.Contacts,
		analytics: cfg.Analytics,
		campaigns: cfg.Campaigns,
		secure:    cfg.SecureCookies,
		log:       log,
		cats:      cats,
		pages:     pages,
		static:    http.StripPrefix("/static/", http.FileServerFS(staticFS)),
		limiter:   newLoginLimiter(cfg.Store),
	}
	c.routes()
	return c, nil
}

// Route is one registered console route: a method ("" for any) and a
// net/http pattern.
type Route struct {
	Method  string
	Pattern string
}

// Routes lists every route of the console in registration order, so that
// security sweeps (login, CSRF, roles, tenant isolation, audit) cover each
// one, including those added later.
func (c *Console) Routes() []Route { return append([]Route(nil), c.routeList...) }

// recordingMux is a ServeMux that remembers its patterns for Routes.
type recordingMux struct {
	*http.ServeMux
	routes []Route
}

func (m *recordingMux) Handle(pattern string, h http.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	m.routes = append(m.routes, Route{Method: method, Pattern: path})
	m.ServeMux.Handle(pattern, h)
}

func (m *recordingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

func (c *Console) routes() {
	m := &recordingMux{ServeMux: http.NewServeMux()}
	m.Handle("GET /static/", c.staticFiles())
	m.HandleFunc("GET /login", c.loginPage)
	m.HandleFunc("POST /login", c.loginSubmit)
	m.HandleFunc("GET /lang", c.switchLang)
	m.Handle("POST /logout", c.authed(anyRole, c.logout))
	m.Handle("POST /workspace", c.authed(anyRole, c.switchWorkspace))

	m.Handle("GET /{$}", http.RedirectHandler("/customers", http.StatusSeeOther))
	m.Handle("GET /dashboard", c.authed(anyRole, c.dashboard))
	m.Handle("POST /dashboard/refresh", c.authed(canWrite, c.dashboardRefresh))

	m.Handle("GET /customers", c.authed(anyRole, c.customerList))
	m.Handle("GET /customers/{id}", c.authed(anyRole, c.customerPage))
	m.Handle("POST /customers/{id}/merges/{merge}/undo", c.authed(canWrite, c.undoMerge))
	m.Handle("POST /customers/{id}/tags", c.authed(canWrite, c.customerTagAdd))
	m.Handle("POST /customers/{id}/tags/remove", c.authed(canWrite, c.customerTagRemove))
	m.Handle("POST /customers/{id}/opt-out", c.authed(canWrite, c.customerOptOut))
	m.Handle("POST /customers/{id}/opt-in", c.authed(canWrite, c.customerOptIn))
	m.Handle("GET /tags", c.authed(anyRole, c.tagsPage))
	m.Handle("POST /tags", c.authed(canWrite, c.tagCreate))
	m.Handle("POST /tags/rules", c.authed(canWrite, c.tagRuleCreate))
	m.Handle("POST /tags/rules/{id}/refresh", c.authed(canWrite, c.tagRuleRefresh))
	m.Handle("POST /tags/rules/{id}/delete", c.authed(canWrite, c.tagRuleDelete))

	m.Handle("GET /codes", c.authed(anyRole, c.codeList))
	m.Handle("GET /codes/new", c.authed(canWrite, c.codeNew))
	m.Handle("POST /codes", c.authed(canWrite, c.codeCreate))
	m.Handle("GET /codes/{id}", c.authed(anyRole, c.codePage))
	m.Handle("GET /contacts", c.authed(anyRole, c.contactList))
	m.Handle("GET /segments", c.authed(anyRole, c.segmentList))
	m.Handle("GET /segments/new", c.authed(canWrite, c.segmentNew))
	m.Handle("POST /segments", c.authed(canWrite, c.segmentCreate))
	m.Handle("POST /segments/preview", c.authed(anyRole, c.segmentPreview))
	m.Handle("GET /segments/{id}", c.authed(anyRole, c.segmentPage))
	m.Handle("POST /segments/{id}", c.authed(canWrite, c.segmentUpdate))
	m.Handle("POST /segments/{id}/refresh", c.authed(canWrite, c.segmentRefresh))
	m.Handle("POST /segments/{id}/delete", c.authed(canWrite, c.segmentDelete))

	m.Handle("GET /campaigns", c.authed(anyRole, c.campaignList))
	m.Handle("GET /campaigns/new", c.authed(canWrite, c.campaignNew))
	m.Handle("POST /campaigns", c.authed(canWrite, c.campaignCreate))
	m.Handle("GET /campaigns/settings", c.authed(adminOnly, c.reachSettingsPage))
	m.Handle("POST /campaigns/settings", c.authed(adminOnly, c.reachSettingsSave))
	m.Handle("GET /campaigns/{id}", c.authed(anyRole, c.campaignPage))
	m.Handle("POST /campaigns/{id}/plan", c.authed(canWrite, c.campaignPlan))
	m.Handle("POST /campaigns/{id}/launch", c.authed(canWrite, c.campaignLaunch))
	m.Handle("GET /fission", c.authed(anyRole, c.fissionList))
	m.Handle("GET /fission/new", c.authed(canWrite, c.fissionNew))
	m.Handle("POST /fission", c.authed(canWrite, c.fissionCreate))
	m.Handle("GET /fission/{id}", c.authed(anyRole, c.fissionPage))
	m.Handle("POST /fission/{id}/evaluate", c.authed(canWrite, c.fissionEvaluate))
	m.Handle("POST /fission/{id}/participants", c.authed(canWrite, c.fissionJoin))
	m.Handle("GET /fission/participants/{id}/poster.svg", c.authed(anyRole, c.fissionPoster))
	m.Handle("GET /groups", c.authed(anyRole, c.groupsList))
	m.Handle("POST /groups", c.authed(canWrite, c.groupActivityCreate))
	m.Handle("POST /groups/templates", c.authed(canWrite, c.groupTemplateCreate))
	m.Handle("GET /groups/{id}", c.authed(anyRole, c.groupActivityPage))
	m.Handle("POST /groups/{id}/messages", c.authed(canWrite, c.groupMessageCreate))
	m.Handle("POST /groups/{id}/end", c.authed(canWrite, c.groupEnd))
	m.Handle("POST /groups/{id}/dissolve", c.authed(canWrite, c.groupDissolve))
	m.Handle("POST /groups/{id}/rebuild", c.authed(canWrite, c.groupRebuild))
	m.Handle("GET /journeys", c.authed(anyRole, c.journeyList))
	m.Handle("GET /journeys/new", c.authed(canWrite, c.journeyNew))
	m.Handle("POST /journeys", c.authed(canWrite, c.journeyCreate))
	m.Handle("GET /journeys/{id}", c.authed(anyRole, c.journeyPage))
	m.Handle("POST /journeys/{id}", c.authed(canWrite, c.journeyUpdate))
	m.Handle("POST /journeys/{id}/activate", c.authed(canWrite, c.journeyStatusChange("active")))
	m.Handle("POST /journeys/{id}/pause", c.authed(canWrite, c.journeyStatusChange("paused")))
	m.Handle("POST /journeys/{id}/dry-run", c.authed(anyRole, c.journeyDryRun))
	m.Handle("GET /tasks", c.authed(anyRole, c.taskList))
	m.Handle("GET /tasks/count", c.authed(anyRole, c.taskCount))
	m.Handle("POST /tasks/{id}/complete", c.authed(canWrite, c.taskComplete))
	m.Handle("POST /tasks/{id}/assign", c.authed(canWrite, c.taskAssign))
	m.Handle("GET /audit", c.authed(adminOnly, c.auditPage))
	m.Handle("GET /douyin", c.authed(anyRole, c.douyinPage))

	m.Handle("GET /import", c.authed(canWrite, c.importPage))
	m.Handle("POST /import", c.authedMultipart(canWrite, c.importSubmit))

	m.Handle("GET /settings", http.RedirectHandler("/settings/tokens", http.StatusSeeOther))
	m.Handle("GET /settings/tokens", c.authed(adminOnly, c.tokensPage))
	m.Handle("POST /settings/tokens", c.authed(adminOnly, c.tokenCreate))
	m.Handle("POST /settings/tokens/{id}/revoke", c.authed(adminOnly, c.tokenRevoke))

	m.HandleFunc("/", c.notFound)
	c.mux = m.ServeMux
	c.routeList = m.routes
}

// ServeHTTP serves the console with its security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	c.mux.ServeHTTP(w, r)
}

func (c *Console) staticFiles() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			c.notFound(w, r) // no directory listings
			return
		}
		// The files change only with the binary. A link with the file's
		// hash (assetURL) may be kept for good; a plain link for an hour, a
		// fair trade between speed and picking up a new release.
		path := strings.TrimPrefix(r.URL.Path, "/static/")
		w.Header().Set("Cache-Control", staticCacheControl(path, r.URL.Query().Get("v")))
		c.static.ServeHTTP(w, r)
	})
}

// dummyPasswordHash is compared against when a login does not exist, so that
// unknown and known logins take the same time to refuse.
func (c *Console) dummyPasswordHash() string {
	c.dummyOnce.Do(func() {
		h, err := auth.HashPassword(auth.NewToken("")[:32])
		if err != nil {
			panic("web: hashing a dummy password: " + err.Error())
		}
		c.dummyHash = h
	})
	return c.dummyHash
}

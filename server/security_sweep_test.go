package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
	"siyu.dev/siyu/httpapi"
	"siyu.dev/siyu/store"
	"siyu.dev/siyu/web"
)

// TestSecuritySweep walks every route the program registers (the API's
// and the console's own lists, so a new route is swept the day it is
// added) and checks, for each one: authentication, tenant isolation, CSRF,
// roles, and that a state-changing action leaves an audit row naming who
// did it.

// route is one swept route.
type route struct {
	surface string // "api" or "console"
	method  string
	pattern string
}

func (rt route) String() string { return rt.method + " " + rt.pattern }
func (rt route) key() string    { return rt.method + " " + rt.pattern }
func (rt route) safe() bool     { return rt.method == "GET" || rt.method == "HEAD" }

// Routes that answer without a login, each for a reason.
var publicRoutes = map[string]string{
	"GET /static/":  "embedded styles, scripts and images",
	"GET /login":    "the login form",
	"POST /login":   "the login itself (its own double-submit CSRF token, tested below)",
	"GET /lang":     "a display preference, also before login",
	"GET /{$}":      "redirects to /customers, which needs a login",
	"GET /settings": "redirects to /settings/tokens, which needs a login",
}

// The program's own routes beside the API and the console (server.New).
// None takes a session or a token, each for a reason.
var serverRoutes = map[string]string{
	"GET /healthz":                "load balancer probe: answers ok or 503, nothing else",
	"GET /metrics":                "Prometheus: counters by route pattern and status, no workspace data; restrict at the proxy",
	"/wecom/callback/{workspace}": "WeCom callbacks: SHA1 signature, timestamp window, replay guard, AES (wecom.Receiver)",
	"/douyin/webhook/{workspace}": "Douyin webhooks: HMAC signature of the body (douyin.Receiver)",
}

// POSTs that only read (previews, dry runs): every role may call them.
var readOnlyPosts = map[string]bool{
	"POST /api/v1/segments/preview":      true,
	"POST /api/v1/journeys/{id}/dry-run": true,
	"POST /segments/preview":             true,
	"POST /journeys/{id}/dry-run":        true,
}

// Console routes about the session itself, open to every logged-in role and
// not audited: they change nothing of the workspace.
var sessionRoutes = map[string]string{
	"POST /logout":    "ends the caller's own session",
	"POST /workspace": "moves the caller's own session to another workspace of theirs",
}

// adminOnly is the set of routes only an admin may use, as the code declares
// it (httpapi: adminOnly and the audit reader; web: adminOnly). The sweep
// checks it both ways: an operator is refused exactly these.
var adminOnly = map[string]bool{
	"GET /api/v1/customers/{id}/export": true,
	"DELETE /api/v1/customers/{id}":     true,
	"PUT /api/v1/analytics/settings":    true,
	"PUT /api/v1/reach/settings":        true,
	"PUT /api/v1/consent/settings":      true,
	"GET /api/v1/audit":                 true,
	"GET /campaigns/settings":           true,
	"POST /campaigns/settings":          true,
	"GET /audit":                        true,
	"GET /settings/tokens":              true,
	"POST /settings/tokens":             true,
	"POST /settings/tokens/{id}/revoke": true,
}

// writerForms are console pages that only show a form to change something:
// analysts are refused them like the change itself.
var writerForms = map[string]bool{
	"GET /codes/new":     true,
	"GET /segments/new":  true,
	"GET /campaigns/new": true,
	"GET /fission/new":   true,
	"GET /journeys/new":  true,
	"GET /import":        true,
}

// notAudited are state-changing routes that write no audit row, each for a
// reason. Everything else that changes state must.
var notAudited = map[string]string{
	"POST /api/v1/orders":                           "data intake by integrations, thousands a day: the rows carry their source and the import result is returned",
	"POST /api/v1/events":                           "data intake by integrations, as orders",
	"POST /api/v1/analytics/refresh":                "recomputes the analytics snapshot, as the hourly refresh does",
	"POST /dashboard/refresh":                       "recomputes the analytics snapshot, as the hourly refresh does",
	"POST /api/v1/segments/{id}/refresh":            "recomputes membership, as the segment worker does",
	"POST /segments/{id}/refresh":                   "recomputes membership, as the segment worker does",
	"POST /api/v1/tag-rules/{id}/refresh":           "re-applies a rule's tags, as the tag worker does",
	"POST /tags/rules/{id}/refresh":                 "re-applies a rule's tags, as the tag worker does",
	"POST /api/v1/campaigns/{id}/plan":              "a preview of who would be reached and why not; the launch is audited",
	"POST /campaigns/{id}/plan":                     "a preview of who would be reached and why not; the launch is audited",
	"POST /api/v1/fission/activities/{id}/evaluate": "idempotent re-evaluation, run after every event anyway",
	"POST /fission/{id}/evaluate":                   "idempotent re-evaluation, run after every event anyway",
	"POST /api/v1/groups/activities/{id}/sync":      "reconciles the activity with WeCom, as the groups worker does",
}

func sweptRoutes(t *testing.T, r *rig) []route {
	t.Helper()
	var out []route
	for _, rt := range httpapi.Routes() {
		out = append(out, route{"api", rt.Method, rt.Pattern})
	}
	c, err := web.New(web.Config{Store: r.st, Import: func(context.Context, int64, string, string, io.Reader, bool) (siyu.ImportResult, error) {
		return siyu.ImportResult{}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range c.Routes() {
		if rt.Method == "" && rt.Pattern == "/" {
			continue // the not-found page
		}
		if rt.Method == "" {
			t.Errorf("console route %s answers every method: give it one", rt.Pattern)
			continue
		}
		out = append(out, route{"console", rt.Method, rt.Pattern})
	}
	if len(out) < 100 {
		t.Fatalf("only %d routes: the registries are incomplete", len(out))
	}
	return out
}

func (r *rig) fixed(tn *tenant, cache map[string]map[string]string, pattern string) map[string]string {
	r.t.Helper()
	key := tn.ws.Slug + " " + pattern
	if v, ok := cache[key]; ok {
		return v
	}
	v, err := r.values(tn, pattern)
	if err != nil {
		r.t.Fatal(err)
	}
	cache[key] = v
	return v
}

func TestSecuritySweep(t *testing.T) {
	r := newRig(t)
	routes := sweptRoutes(t, r)
	t.Logf("%d routes", len(routes))
	for k, why := range publicRoutes {
		t.Logf("public: %s — %s", k, why)
	}
	for k, why := range serverRoutes {
		t.Logf("server route without session or token: %s — %s", k, why)
	}

	// Objects of B, made once: every probe with them must be refused.
	cache := map[string]map[string]string{}
	for _, rt := range routes {
		if len(pathParams(rt.pattern)) > 0 {
			v, err := r.values(r.b, rt.pattern)
			if err != nil {
				t.Error(err)
			}
			cache[r.b.ws.Slug+" "+rt.pattern] = v
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	t.Run("authentication", func(t *testing.T) { sweepAuthentication(t, r, routes) })
	t.Run("csrf", func(t *testing.T) { sweepCSRF(t, r, routes, cache) })
	t.Run("roles", func(t *testing.T) { sweepRoles(t, r, routes, cache) })
	t.Run("isolation", func(t *testing.T) { sweepIsolation(t, r, routes, cache) })
	t.Run("audit", func(t *testing.T) { sweepAudit(t, r, routes) })
}

// concrete is a path of the route with every value set to v.
func concrete(rt route, v string) string {
	vals := map[string]string{}
	for _, p := range pathParams(rt.pattern) {
		vals[p] = v
	}
	p := fill(rt.pattern, vals)
	if p == "/{$}" {
		return "/"
	}
	if strings.HasSuffix(p, "/") && rt.pattern == "/static/" {
		return "/static/app.js"
	}
	return p
}

func sweepAuthentication(t *testing.T, r *rig, routes []route) {
	anon := r.browser()
	for _, rt := range routes {
		path := concrete(rt, "1")
		switch rt.surface {
		case "api":
			p := r.api(rt.method, path, "", "")
			if p.status != http.StatusUnauthorized || p.header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s without a token: %s", rt, p)
			}
			p = r.api(rt.method, path, "siyu_notatokenatallnotatokenatall000000", "")
			if p.status != http.StatusUnauthorized {
				t.Errorf("%s with an unknown token: %s", rt, p)
			}
		case "console":
			if _, ok := publicRoutes[rt.key()]; ok {
				continue
			}
			p := anon.do(rt.method, path, url.Values{"csrf": {""}}, nil)
			if rt.safe() {
				if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/login?next=") {
					t.Errorf("%s without a session: %s, location %q (want a redirect to the login)", rt, p, p.location)
				}
			} else if p.status != http.StatusForbidden {
				// A form posted without a session cannot be replayed after a
				// login: it is refused.
				t.Errorf("%s without a session: %s (want 403)", rt, p)
			}
		}
	}
	// A session cookie that was never issued is no session.
	forged := r.browser()
	u, _ := url.Parse(r.ts.URL)
	forged.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "siyu_session", Value: "0123456789abcdef0123456789abcdef0123456789a"}})
	if p := forged.do("GET", "/customers", nil, nil); p.status != http.StatusSeeOther {
		t.Errorf("forged session cookie: %s", p)
	}
}

func sweepCSRF(t *testing.T, r *rig, routes []route, cache map[string]map[string]string) {
	admin := r.login(r.a.users[siyu.RoleAdmin])
	adminID := r.a.users[siyu.RoleAdmin].ID
	before := r.actedBy(r.a.ws.ID, adminID, "")
	for _, rt := range routes {
		if rt.surface != "console" || rt.safe() || rt.key() == "POST /login" {
			continue
		}
		path := fill(rt.pattern, r.fixed(r.a, cache, rt.pattern))
		form := consoleForm(r, r.a, rt, nil)
		noToken := url.Values{}
		for k, v := range form {
			noToken[k] = v
		}
		noToken["csrf"] = []string{""}
		if p := admin.do(rt.method, path, noToken, nil); p.status != http.StatusForbidden {
			t.Errorf("%s without the CSRF token: %s", rt, p)
		}
		if p := admin.do(rt.method, path, form, map[string]string{"Origin": "https://evil.example"}); p.status != http.StatusForbidden {
			t.Errorf("%s from another origin: %s", rt, p)
		}
		if p := admin.do(rt.method, path, form, map[string]string{"Origin": r.ts.URL, "Sec-Fetch-Site": "cross-site"}); p.status != http.StatusForbidden {
			t.Errorf("%s as a cross-site request: %s", rt, p)
		}
	}
	if after := r.actedBy(r.a.ws.ID, adminID, ""); after != before {
		t.Errorf("refused requests wrote %d audit rows", after-before)
	}
	// The login form has its own token.
	b := r.browser()
	b.do("GET", "/login", nil, nil)
	if p := b.do("POST", "/login", url.Values{"login": {r.a.users[siyu.RoleAdmin].Login}, "password": {sweepPassword}}, nil); p.status != http.StatusForbidden {
		t.Errorf("login without its CSRF token: %s", p)
	}
}

// changes reports whether a route may change state.
func changes(rt route) bool {
	return !rt.safe() && !readOnlyPosts[rt.key()]
}

func sweepRoles(t *testing.T, r *rig, routes []route, cache map[string]map[string]string) {
	analyst := r.login(r.a.users[siyu.RoleAnalyst])
	operator := r.login(r.a.users[siyu.RoleOperator])
	refused := func() int {
		return r.actedBy(r.a.ws.ID, r.a.users[siyu.RoleAnalyst].ID, r.a.tokens[siyu.RoleAnalyst]) +
			r.actedBy(r.a.ws.ID, r.a.users[siyu.RoleOperator].ID, r.a.tokens[siyu.RoleOperator])
	}
	before := refused()
	seenAdmin := map[string]bool{}
	for _, rt := range routes {
		if _, ok := publicRoutes[rt.key()]; ok {
			continue
		}
		if _, ok := sessionRoutes[rt.key()]; ok {
			continue
		}
		vals := r.fixed(r.a, cache, rt.pattern)
		path := fill(rt.pattern, vals)
		if path == "/{$}" {
			path = "/"
		}
		if adminOnly[rt.key()] {
			seenAdmin[rt.key()] = true
		}
		refuseAnalyst := changes(rt) || writerForms[rt.key()] || adminOnly[rt.key()]
		var asAnalyst, asOperator reply
		switch rt.surface {
		case "api":
			body := apiBody(r, r.a, rt, vals)
			asAnalyst = r.api(rt.method, path, r.a.tokens[siyu.RoleAnalyst], body)
			if adminOnly[rt.key()] {
				asOperator = r.api(rt.method, path, r.a.tokens[siyu.RoleOperator], body)
			}
		case "console":
			form := consoleForm(r, r.a, rt, vals)
			asAnalyst = analyst.do(rt.method, path, form, nil)
			if adminOnly[rt.key()] {
				asOperator = operator.do(rt.method, path, form, nil)
			}
		}
		if refuseAnalyst && asAnalyst.status != http.StatusForbidden {
			t.Errorf("analyst %s: %s (want 403)", rt, asAnalyst)
		}
		if !refuseAnalyst && rt.safe() && asAnalyst.status == http.StatusForbidden {
			t.Errorf("analyst refused a read: %s: %s", rt, asAnalyst)
		}
		if adminOnly[rt.key()] && asOperator.status != http.StatusForbidden {
			t.Errorf("operator %s: %s (want 403: admin only)", rt, asOperator)
		}
	}
	for k := range adminOnly {
		if !seenAdmin[k] {
			t.Errorf("admin-only route %s is not registered any more", k)
		}
	}
	if after := refused(); after != before {
		t.Errorf("refused requests wrote %d audit rows", after-before)
	}
}

func sweepIsolation(t *testing.T, r *rig, routes []route, cache map[string]map[string]string) {
	admin := r.login(r.a.users[siyu.RoleAdmin])
	bAudit := len(r.auditRows(r.b.ws.ID))
	for _, rt := range routes {
		if len(pathParams(rt.pattern)) == 0 {
			continue
		}
		own := r.fixed(r.a, cache, rt.pattern)
		foreign := r.fixed(r.b, cache, rt.pattern)
		var probes []map[string]string
		probes = append(probes, foreign)
		// Mixed: A's object with B's sub-object (a merge of B under A's customer).
		if len(own) > 1 {
			for p := range own {
				if p == "tag" {
					continue // a tag name, not an id: any name is A's own
				}
				mixed := map[string]string{}
				for k, v := range own {
					mixed[k] = v
				}
				mixed[p] = foreign[p]
				probes = append(probes, mixed)
			}
		}
		for _, vals := range probes {
			path := fill(rt.pattern, vals)
			var p reply
			switch rt.surface {
			case "api":
				p = r.api(rt.method, path, r.a.tokens[siyu.RoleAdmin], apiBody(r, r.a, rt, own))
			case "console":
				p = admin.do(rt.method, path, consoleForm(r, r.a, rt, own), nil)
			}
			if p.status != http.StatusNotFound {
				t.Errorf("A's admin %s %s with B's objects %v: %s (want 404)", rt.method, path, vals, p)
			}
			for _, name := range []string{"品牌 bravo", "bravo"} {
				if strings.Contains(p.body, name) {
					t.Errorf("%s %s shows %q", rt.method, path, name)
				}
			}
		}
		// The route works for A's own objects, so the 404 above is about the
		// workspace and not a broken route.
		if rt.safe() {
			path := fill(rt.pattern, own)
			var p reply
			switch rt.surface {
			case "api":
				p = r.api(rt.method, path, r.a.tokens[siyu.RoleAdmin], "")
			case "console":
				p = admin.do(rt.method, path, nil, nil)
			}
			if p.status != http.StatusOK {
				t.Errorf("A's admin %s %s with A's own objects: %s (want 200)", rt.method, path, p)
			}
		}
	}
	if n := len(r.auditRows(r.b.ws.ID)); n != bAudit {
		t.Errorf("B's audit log grew by %d during A's probes", n-bAudit)
	}
}

func sweepAudit(t *testing.T, r *rig, routes []route) {
	users := map[siyu.Role]*browser{
		siyu.RoleOperator: r.login(r.a.users[siyu.RoleOperator]),
		siyu.RoleAdmin:    r.login(r.a.users[siyu.RoleAdmin]),
	}
	var missing []string
	for _, rt := range routes {
		if !changes(rt) {
			continue
		}
		if _, ok := publicRoutes[rt.key()]; ok {
			continue
		}
		if _, ok := sessionRoutes[rt.key()]; ok {
			continue
		}
		role := siyu.RoleOperator
		if adminOnly[rt.key()] {
			role = siyu.RoleAdmin
		}
		vals, err := r.values(r.a, rt.pattern)
		if err != nil {
			t.Error(err)
			continue
		}
		prepare(r, r.a, rt, vals)
		path := fill(rt.pattern, vals)
		before := r.auditRows(r.a.ws.ID)
		var p reply
		var actor func(store.AuditEntry) bool
		switch rt.surface {
		case "api":
			tok := r.a.tokens[role]
			p = r.api(rt.method, path, tok, apiBody(r, r.a, rt, vals))
			prefix := auth.TokenPrefix(tok)
			actor = func(e store.AuditEntry) bool { return strings.Contains(e.Actor, prefix) }
		case "console":
			u := r.a.users[role]
			p = users[role].do(rt.method, path, consoleForm(r, r.a, rt, vals), nil)
			actor = func(e store.AuditEntry) bool { return e.UserID == u.ID || e.Actor == u.Login }
		}
		if p.status >= 400 {
			if i := strings.Index(p.body, `class="error`); i >= 0 {
				p.body = p.body[i:]
			}
			t.Errorf("%s %s as %s: %s", rt.method, path, role, p)
			continue
		}
		after := r.auditRows(r.a.ws.ID)
		var added []store.AuditEntry
		for _, e := range after {
			if len(before) == 0 || e.ID > before[0].ID {
				added = append(added, e)
			}
		}
		_, exempt := notAudited[rt.key()]
		switch {
		case exempt && len(added) > 0:
			t.Errorf("%s is on the not-audited list but wrote %d audit rows: take it off", rt, len(added))
		case exempt:
		case len(added) == 0:
			missing = append(missing, rt.String())
		default:
			ok := false
			for _, e := range added {
				if actor(e) {
					ok = true
				}
			}
			if !ok {
				t.Errorf("%s: audit rows %+v do not name the %s who acted", rt, added, role)
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("no audit row: %s", m)
	}
}

// apiBody is a valid request body for a route (tenant tn, path values vals),
// so that refusals are about who asks, not what.
func apiBody(r *rig, tn *tenant, rt route, vals map[string]string) string {
	b := func(v any) string {
		out, err := json.Marshal(v)
		if err != nil {
			r.t.Fatal(err)
		}
		return string(out)
	}
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	n := next()
	switch rt.key() {
	case "POST /api/v1/orders":
		return b(map[string]any{"orders": []any{map[string]any{"channel": "jd", "external_id": fmt.Sprint("J", n), "status": "paid",
			"placed_at": at.Add(-48 * time.Hour), "paid_at": at.Add(-48 * time.Hour), "amount_fen": 100,
			"identifiers": []any{map[string]any{"kind": "jd_buyer_id", "value": fmt.Sprint("jd-", n)}}}}})
	case "POST /api/v1/events":
		return b(map[string]any{"events": []any{map[string]any{"type": "page.viewed",
			"identifiers": []any{map[string]any{"kind": "taobao_nick", "value": fmt.Sprint("viewer-", n)}}}}})
	case "PUT /api/v1/analytics/settings", "PUT /api/v1/reach/settings", "PUT /api/v1/consent/settings":
		p := r.api("GET", rt.pattern, tn.tokens[siyu.RoleAdmin], "")
		if p.status != http.StatusOK {
			r.t.Fatalf("GET %s: %s", rt.pattern, p)
		}
		return p.body
	case "POST /api/v1/campaigns":
		return b(map[string]any{"name": fmt.Sprint("活动 ", n), "audience": "all", "channel": "single", "send_at": at,
			"variants": []map[string]any{{"name": "A", "weight": 1, "message": map[string]any{"text": "{{name}} 你好"}}}})
	case "POST /api/v1/fission/activities":
		start := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
		return b(map[string]any{"name": fmt.Sprint("裂变 ", n), "goal": 2, "reward": "试卷", "accounts": []string{r.account(tn)},
			"start_at": start, "end_at": start.Add(72 * time.Hour)})
	case "POST /api/v1/fission/activities/{id}/participants":
		return b(map[string]any{"customer_id": r.customer(tn, fmt.Sprintf("joiner-%d", n), "")})
	case "POST /api/v1/groups/templates":
		acc, err := r.st.UpsertAccount(context.Background(), tn.ws.ID, siyu.Account{WeComUserID: r.account(tn), Active: true})
		if err != nil {
			r.t.Fatal(err)
		}
		return b(map[string]any{"name": fmt.Sprint("模板 ", n), "name_pattern": "群{{n}}", "owner_account_id": acc.ID})
	case "POST /api/v1/groups/activities":
		var tmpl map[string]any
		r.apiJSON(tn, "POST", "/api/v1/groups/templates", json.RawMessage(apiBody(r, tn, route{"api", "POST", "/api/v1/groups/templates"}, nil)), &tmpl)
		return b(map[string]any{"name": fmt.Sprint("活动 ", n), "template_id": tmpl["id"]})
	case "POST /api/v1/groups/activities/{id}/messages", "POST /api/v1/groups/activities/{id}/end":
		return b(map[string]any{"message": map[string]any{"text": "今晚答疑"}})
	case "POST /api/v1/groups/activities/{id}/rebuild":
		return b(map[string]any{"name": fmt.Sprint("新群 ", n)})
	case "POST /api/v1/groups/activities/{id}/invite":
		return b(map[string]any{"text": "进群领资料"})
	case "POST /api/v1/journeys":
		return b(map[string]any{"template": "contact_welcome"})
	case "PUT /api/v1/journeys/{id}":
		var j struct {
			Name       string          `json:"name"`
			Definition json.RawMessage `json:"definition"`
		}
		r.apiJSON(tn, "GET", fill(rt.pattern, vals), nil, &j)
		return b(map[string]any{"name": j.Name + " v2", "definition": j.Definition})
	case "POST /api/v1/segments", "PUT /api/v1/segments/{id}":
		return b(map[string]any{"name": fmt.Sprint("人群 ", n), "rule": "total_paid >= 100元"})
	case "POST /api/v1/segments/preview":
		return b(map[string]any{"rule": "total_paid >= 100元"})
	case "POST /api/v1/tags":
		return b(map[string]any{"name": fmt.Sprint("新标签", n)})
	case "POST /api/v1/tag-rules", "PUT /api/v1/tag-rules/{id}":
		return b(map[string]any{"name": fmt.Sprint("规则 ", n), "tag": "兴趣", "keywords": []string{"面霜"}, "window_days": 30})
	case "POST /api/v1/customers/{id}/opt-out", "DELETE /api/v1/customers/{id}/opt-out":
		return b(map[string]any{"note": "客户来电"})
	case "POST /api/v1/tasks":
		return b(map[string]any{"kind": "follow_up", "title": fmt.Sprint("任务 ", n)})
	case "POST /api/v1/tasks/{id}/assign":
		return b(map[string]any{"assignee_id": tn.users[siyu.RoleOperator].ID})
	case "POST /api/v1/tasks/{id}/complete", "POST /api/v1/tasks/{id}/cancel":
		return b(map[string]any{"reason": "done"})
	case "POST /api/v1/journeys/{id}/dry-run":
		return "{}"
	}
	return ""
}

// consoleForm is a valid form for a console route.
func consoleForm(r *rig, tn *tenant, rt route, vals map[string]string) url.Values {
	n := next()
	switch rt.key() {
	case "POST /customers/{id}/tags", "POST /customers/{id}/tags/remove":
		return url.Values{"tag": {"老客"}}
	case "POST /customers/{id}/opt-out", "POST /customers/{id}/opt-in":
		return url.Values{"note": {"客户来电"}}
	case "POST /tags":
		return url.Values{"name": {fmt.Sprint("控制台标签", n)}}
	case "POST /tags/rules":
		return url.Values{"name": {fmt.Sprint("规则", n)}, "tag": {"兴趣"}, "keywords": {"面霜"}, "window_days": {"30"}}
	case "POST /codes":
		return url.Values{"name": {fmt.Sprint("活码", n)}, "kind": {"channel"}, "state": {fmt.Sprintf("c%d", n)}, "accounts": {r.account(tn)}}
	case "POST /segments", "POST /segments/{id}":
		return url.Values{"name": {fmt.Sprint("控制台人群", n)}, "rule": {"total_paid >= 100元"}}
	case "POST /segments/preview":
		return url.Values{"rule": {"total_paid >= 100元"}}
	case "POST /campaigns":
		return url.Values{"name": {fmt.Sprint("控制台活动", n)}, "audience_kind": {"all"}, "text_a": {"你好"}, "channel": {"single"},
			"send_at": {time.Now().Add(2 * time.Hour).In(siyu.Shanghai).Format("2006-01-02T15:04")}}
	case "POST /campaigns/settings":
		var s map[string]any
		r.apiJSON(tn, "GET", "/api/v1/reach/settings", nil, &s)
		v := url.Values{}
		for k, x := range s {
			v.Set(k, fmt.Sprint(x))
		}
		return v
	case "POST /fission":
		start := time.Now().Add(-time.Hour).In(siyu.Shanghai)
		return url.Values{"name": {fmt.Sprint("控制台裂变", n)}, "goal": {"3"}, "reward": {"试卷"}, "accounts": {r.account(tn)}, "clawback_hours": {"48"},
			"start_at": {start.Format("2006-01-02T15:04")}, "end_at": {start.Add(72 * time.Hour).Format("2006-01-02T15:04")}}
	case "POST /fission/{id}/participants":
		return url.Values{"customer_id": {strconv.FormatInt(r.customer(tn, fmt.Sprintf("console-joiner-%d", n), ""), 10)}}
	case "POST /groups/templates":
		acc, err := r.st.UpsertAccount(context.Background(), tn.ws.ID, siyu.Account{WeComUserID: r.account(tn), Active: true})
		if err != nil {
			r.t.Fatal(err)
		}
		return url.Values{"name": {fmt.Sprint("控制台模板", n)}, "name_pattern": {"群{{n}}"}, "member_cap": {"200"}, "owner_account_id": {strconv.FormatInt(acc.ID, 10)}}
	case "POST /groups":
		var tmpl map[string]any
		r.apiJSON(tn, "POST", "/api/v1/groups/templates", json.RawMessage(apiBody(r, tn, route{"api", "POST", "/api/v1/groups/templates"}, nil)), &tmpl)
		return url.Values{"name": {fmt.Sprint("控制台活动", n)}, "template_id": {fmt.Sprint(tmpl["id"])}}
	case "POST /groups/{id}/messages", "POST /groups/{id}/end":
		return url.Values{"text": {"今晚答疑"}}
	case "POST /groups/{id}/rebuild":
		return url.Values{"name": {fmt.Sprint("新群", n)}}
	case "POST /journeys":
		return url.Values{"template": {"contact_welcome"}}
	case "POST /journeys/{id}":
		var j struct {
			Name       string          `json:"name"`
			Definition json.RawMessage `json:"definition"`
		}
		if vals != nil {
			r.apiJSON(tn, "GET", "/api/v1/journeys/"+vals["id"], nil, &j)
		}
		return url.Values{"name": {j.Name + " v2"}, "definition": {string(j.Definition)}}
	case "POST /import":
		return url.Values{"format": {"generic"}}
	case "POST /tasks/{id}/assign":
		return url.Values{"assignee": {strconv.FormatInt(tn.users[siyu.RoleOperator].ID, 10)}}
	case "POST /settings/tokens":
		return url.Values{"name": {fmt.Sprint("同步", n)}, "role": {"operator"}}
	case "POST /workspace":
		return url.Values{"workspace_id": {strconv.FormatInt(tn.ws.ID, 10)}}
	}
	return url.Values{}
}

// prepare puts an object into the state a route acts on (a tag to remove,
// an opt-out to lift, an activity to dissolve).
func prepare(r *rig, tn *tenant, rt route, vals map[string]string) {
	switch rt.key() {
	case "POST /api/v1/groups/activities/{id}/dissolve", "POST /groups/{id}/dissolve":
		r.apiJSON(tn, "POST", "/api/v1/groups/activities/"+vals["id"]+"/end", map[string]any{"message": map[string]any{"text": "再见"}}, nil)
	case "POST /api/v1/groups/activities/{id}/invite":
		var rebuilt map[string]any
		r.apiJSON(tn, "POST", "/api/v1/groups/activities/"+vals["id"]+"/rebuild", map[string]any{"name": "新群"}, &rebuilt)
		vals["id"] = fmt.Sprint(rebuilt["id"])
		// Its first group, made on the owner's phone, adopted by a sync.
		if _, err := r.emu.CreateGroup("founder", "冲刺群1", nil); err != nil {
			r.t.Fatal(err)
		}
		r.flushCallbacks()
		r.apiJSON(tn, "POST", "/api/v1/groups/activities/"+vals["id"]+"/sync", nil, nil)
	case "DELETE /api/v1/customers/{id}/tags/{tag}":
		if p := r.api("PUT", fill(rt.pattern, vals), tn.tokens[siyu.RoleAdmin], ""); p.status/100 != 2 {
			r.t.Fatalf("prepare %s: %s", rt, p)
		}
	case "DELETE /api/v1/customers/{id}/opt-out", "POST /customers/{id}/opt-in":
		r.apiJSON(tn, "POST", "/api/v1/customers/"+vals["id"]+"/opt-out", map[string]any{"note": "x"}, nil)
	case "POST /customers/{id}/tags/remove":
		id, _ := strconv.ParseInt(vals["id"], 10, 64)
		if _, err := r.st.AddCustomerTag(context.Background(), tn.ws.ID, id, "老客", "manual"); err != nil {
			r.t.Fatal(err)
		}
	}
}

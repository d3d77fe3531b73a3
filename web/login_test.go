package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"siyu.dev/siyu/auth"
)

func TestLoginSetsASafeSessionCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	p := c.tryLogin("admin", testPassword)
	if p.status != http.StatusSeeOther || p.location() != "/customers" {
		t.Fatalf("status %d location %q", p.status, p.location())
	}
	var session *http.Cookie
	for _, ck := range (&http.Response{Header: p.header}).Cookies() {
		if ck.Name == "siyu_session" && ck.Value != "" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no siyu_session cookie")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Errorf("cookie attributes: %+v", session)
	}
	if session.MaxAge != 12*3600 {
		t.Errorf("MaxAge = %d, want 12h", session.MaxAge)
	}
	// The store knows only the hash of the cookie.
	s, err := f.store.SessionByHash(context.Background(), auth.HashToken(session.Value))
	if err != nil {
		t.Fatalf("session by hash of cookie: %v", err)
	}
	if s.UserID != f.logins["admin"].ID || s.WorkspaceID != f.wsA.ID || s.Lang != "zh-CN" {
		t.Errorf("session %+v", s)
	}
	if _, err := f.store.SessionByHash(context.Background(), session.Value); err == nil {
		t.Error("the raw cookie value is stored")
	}
	home := c.get("/customers")
	if home.status != http.StatusOK {
		t.Fatalf("GET /customers after login: %d", home.status)
	}
	mustContain(t, home.body, "用户 admin", "品牌甲", "客户")
}

func TestSecureCookiesOverTLS(t *testing.T) {
	t.Parallel()
	f := newFixtureTLS(t, true)
	c := f.client()
	p := c.tryLogin("admin", testPassword)
	if p.status != http.StatusSeeOther {
		t.Fatalf("login over https: %d", p.status)
	}
	for _, ck := range (&http.Response{Header: p.header}).Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s is not Secure", ck.Name)
		}
	}
	tok := c.csrf()
	// With Secure cookies an http origin is not ours, even with the same host.
	insecure := strings.Replace(f.srv.URL, "https://", "http://", 1)
	p = c.postWith("/settings/tokens", url.Values{"csrf": {tok}, "name": {"x"}, "role": {"analyst"}}, map[string]string{"Origin": insecure})
	if p.status != http.StatusForbidden {
		t.Fatalf("http origin: %d", p.status)
	}
	p = c.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {"x"}, "role": {"analyst"}})
	if p.status != http.StatusOK {
		t.Fatalf("https origin: %d", p.status)
	}
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct{ name, login, password string }{
		{"wrong password", "admin", "wrong-password-1"},
		{"unknown user", "nobody", testPassword},
		{"empty password", "admin", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client()
			p := c.tryLogin(tc.login, tc.password)
			if p.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", p.status)
			}
			mustContain(t, p.body, "账号或密码错误")
			if c.get("/customers").status != http.StatusSeeOther {
				t.Error("a failed login gave access")
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	for i := 0; i < 5; i++ {
		if p := c.tryLogin("operator", "not-the-password"); p.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d", i+1, p.status)
		}
	}
	// Now even the right password is refused for this login from here.
	p := c.tryLogin("operator", testPassword)
	if p.status != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: status %d, want 429", p.status)
	}
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	mustContain(t, p.body, "登录失败次数过多")
	// Another login from the same address is not locked out.
	f.client().login("admin")
}

func TestLoginNeedsItsCSRFCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	form := c.get("/login")
	tok := csrfOf(t, form.body)

	other := f.client() // has no login CSRF cookie: a forged cross-site post
	p := other.post("/login", url.Values{"csrf": {tok}, "login": {"admin"}, "password": {testPassword}})
	if p.status != http.StatusForbidden {
		t.Fatalf("post without the cookie: status %d, want 403", p.status)
	}
	p = c.post("/login", url.Values{"csrf": {tok + "x"}, "login": {"admin"}, "password": {testPassword}})
	if p.status != http.StatusForbidden {
		t.Fatalf("wrong token: status %d, want 403", p.status)
	}
	p = c.postWith("/login", url.Values{"csrf": {tok}, "login": {"admin"}, "password": {testPassword}},
		map[string]string{"Origin": "https://evil.example"})
	if p.status != http.StatusForbidden {
		t.Fatalf("foreign origin: status %d, want 403", p.status)
	}
	p = c.post("/login", url.Values{"csrf": {tok}, "login": {"admin"}, "password": {testPassword}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("good token: status %d", p.status)
	}
}

func TestLoginRotatesSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A session id planted in the victim's browser before login (fixation)
	// must not survive the login.
	planted := f.loggedIn("analyst")
	u, _ := url.Parse(f.srv.URL)
	old := sessionValue(planted.http.Jar.Cookies(u))
	if old == "" {
		t.Fatal("no session")
	}
	victim := f.client()
	tok := csrfOf(t, victim.get("/login").body)
	victim.http.Jar.SetCookies(u, []*http.Cookie{{Name: "siyu_session", Value: old, Path: "/"}})
	p := victim.post("/login", url.Values{"csrf": {tok}, "login": {"admin"}, "password": {testPassword}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("login: %d", p.status)
	}
	now := sessionValue(victim.http.Jar.Cookies(u))
	if now == "" || now == old {
		t.Fatalf("session not rotated: %q → %q", old, now)
	}
	if _, err := f.store.SessionByHash(context.Background(), auth.HashToken(old)); err == nil {
		t.Error("the planted session still works")
	}
}

func sessionValue(cks []*http.Cookie) string {
	for _, ck := range cks {
		if ck.Name == "siyu_session" {
			return ck.Value
		}
	}
	return ""
}

func TestLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	c.login("analyst")
	tok := c.csrf()
	if p := c.post("/logout", url.Values{}); p.status != http.StatusForbidden {
		t.Fatalf("logout without token: %d", p.status)
	}
	if p := c.post("/logout", url.Values{"csrf": {tok}}); p.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", p.status)
	}
	if p := c.get("/customers"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Fatalf("after logout: %d %q", p.status, p.location())
	}
}

func TestLoginRedirectsBackToThePageAsked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	p := c.get("/customers?q=abc")
	if p.status != http.StatusSeeOther || p.location() != "/login?next=%2Fcustomers%3Fq%3Dabc" {
		t.Fatalf("status %d location %q", p.status, p.location())
	}
	loginTo := func(next string) string {
		c := f.client()
		tok := csrfOf(t, c.get("/login").body)
		return c.post("/login", url.Values{"csrf": {tok}, "login": {"analyst"}, "password": {testPassword}, "next": {next}}).location()
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", ""} {
		if got := loginTo(next); got != "/customers" {
			t.Errorf("next %q: redirected to %q", next, got)
		}
	}
	if got := loginTo("/customers?q=abc"); got != "/customers?q=abc" {
		t.Errorf("redirected to %q", got)
	}
}

func TestUserWithoutWorkspaceCannotLogIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.store.CreateUser(context.Background(), "lonely", "孤独", passwordHash); err != nil {
		t.Fatal(err)
	}
	p := f.client().tryLogin("lonely", testPassword)
	if p.status != http.StatusForbidden {
		t.Fatalf("status %d", p.status)
	}
	mustContain(t, p.body, "没有加入任何工作区")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client()
	c.login("analyst")
	for _, path := range []string{"/login", "/customers", "/static/app.css", "/nope"} {
		p := c.get(path)
		h := p.header
		if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") ||
			strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, h.Get("Content-Security-Policy"))
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	if p := c.get("/customers"); p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("customer pages may be cached: %q", p.header.Get("Cache-Control"))
	}
	for _, path := range []string{"/nope", "/static/"} {
		if p := c.get(path); p.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.status)
		}
	}
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.seedOrders(f.wsA, "")
	seed := f.seedWeCom(f.wsA)
	c := f.client()
	c.login("admin")
	id := f.customerID(f.wsA, "13800138000")
	for _, path := range []string{"/customers", "/customers/" + itoa(id), "/import", "/settings/tokens",
		"/codes", "/codes/new", "/codes/" + itoa(seed.live.ID), "/contacts", "/dashboard"} {
		p := c.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
		// The CSP would block these; they must not be there at all.
		for _, bad := range []string{"<script>", " style=", "<style", "onclick=", "onchange=", "javascript:"} {
			if strings.Contains(p.body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
}

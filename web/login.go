package web

import (
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
)

type loginData struct {
	CSRF  string
	Login string
	Next  string
	Error string // message key
	Wait  int    // minutes to wait, for error.too_many_attempts
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	st, err := c.loadState(r)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	next := localPath(r.URL.Query().Get("next"))
	if st != nil {
		if next == "" {
			next = "/customers"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	c.showLogin(w, r, http.StatusOK, loginData{Next: next})
}

func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	d.CSRF = c.loginCSRF(w, r)
	c.render(w, r, status, "login", c.newView(r, "login.title", "", d))
}

func (c *Console) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if !c.sameOrigin(r) || !checkLoginCSRF(r) {
		// Most often a login form left open past its cookie: show a fresh one.
		c.showLogin(w, r, http.StatusForbidden, loginData{Error: "error.csrf"})
		return
	}
	login := strings.TrimSpace(r.PostFormValue("login"))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	d := loginData{Login: login, Next: next}
	ip := clientIP(r)
	key := strings.ToLower(login)

	wait, err := c.limiter.retryAfter(r.Context(), key, ip)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	if wait > 0 {
		d.Error = "error.too_many_attempts"
		d.Wait = int(math.Ceil(wait.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		c.showLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	user, err := c.store.UserByLogin(r.Context(), login)
	switch {
	case errors.Is(err, siyu.ErrNotFound):
		auth.CheckPassword(c.dummyPasswordHash(), password)
		user = siyu.User{}
	case err != nil:
		c.internalError(w, r, err)
		return
	}
	if user.ID == 0 || password == "" || !auth.CheckPassword(user.PasswordHash, password) {
		if err := c.limiter.fail(r.Context(), key, ip); err != nil {
			c.internalError(w, r, err)
			return
		}
		// An unknown login is not logged as typed: it is often a password
		// typed into the wrong field, or a phone number.
		c.log.InfoContext(r.Context(), "console login failed", "user", user.ID, "known_login", user.ID != 0, "ip", ip)
		d.Error = "error.bad_login"
		c.showLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	if err := c.limiter.succeed(r.Context(), key, ip); err != nil {
		c.internalError(w, r, err)
		return
	}

	ms, err := c.store.Memberships(r.Context(), user.ID)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	if len(ms) == 0 {
		d.Error = "error.no_workspace"
		c.showLogin(w, r, http.StatusForbidden, d)
		return
	}
	// A new session id at every login, so that a session id planted before
	// login is worth nothing after it.
	if err := c.dropSession(r); err != nil {
		c.internalError(w, r, err)
		return
	}
	if err := c.newSession(w, r, user.ID, ms[0].Workspace.ID, requestLang(r)); err != nil {
		c.internalError(w, r, err)
		return
	}
	c.clearCookie(w, loginCSRFCookie, "/login")
	c.log.InfoContext(r.Context(), "console login", "user", user.ID, "ip", ip)
	if next == "" {
		next = "/customers"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// clientIP is the address the connection comes from. Forwarding headers are
// not trusted: anyone can send them.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// parseID parses a positive decimal id.
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

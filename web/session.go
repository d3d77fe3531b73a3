package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
)

const (
	sessionCookie = "siyu_session"
	langCookie    = "siyu_lang"
	sessionTTL    = 12 * time.Hour
	maxFormBytes  = 1 << 20 // every form but the upload is small
)

// state is what a logged-in request knows about its user.
type state struct {
	sess        siyu.Session
	user        siyu.User
	role        siyu.Role
	workspace   siyu.Workspace
	memberships []siyu.Membership
}

type stateKey struct{}

func withState(r *http.Request, st *state) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
}

func stateFrom(r *http.Request) *state {
	st, _ := r.Context().Value(stateKey{}).(*state)
	return st
}

// loadState finds the session of the request's cookie. It returns nil (and
// no error) when there is no valid session. When the user lost the
// membership of the session's workspace, the session moves to another one
// of theirs, or ends when there is none.
func (c *Console) loadState(r *http.Request) (*state, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	ctx := r.Context()
	sess, err := c.store.SessionByHash(ctx, auth.HashToken(ck.Value))
	if errors.Is(err, siyu.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !time.Now().Before(sess.ExpiresAt) {
		return nil, nil
	}
	user, err := c.store.User(ctx, sess.UserID)
	if errors.Is(err, siyu.ErrNotFound) {
		return nil, c.store.DeleteSession(ctx, sess.IDHash)
	}
	if err != nil {
		return nil, err
	}
	ms, err := c.store.Memberships(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, c.store.DeleteSession(ctx, sess.IDHash)
	}
	st := &state{sess: sess, user: user, memberships: ms}
	if !st.useWorkspace(sess.WorkspaceID) {
		st.useWorkspace(ms[0].Workspace.ID)
		if err := c.store.UpdateSession(ctx, st.sess); err != nil {
			return nil, err
		}
	}
	if !validLang(st.sess.Lang) {
		st.sess.Lang = langZH
	}
	return st, nil
}

// useWorkspace points the state at one of the user's workspaces; false if
// the user is not a member of it.
func (st *state) useWorkspace(id int64) bool {
	for _, m := range st.memberships {
		if m.Workspace.ID == id {
			st.sess.WorkspaceID = id
			st.workspace = m.Workspace
			st.role = m.Role
			return true
		}
	}
	return false
}

// Role checks for the routes.
func anyRole(siyu.Role) bool    { return true }
func canWrite(r siyu.Role) bool { return r.CanWrite() }
func adminOnly(r siyu.Role) bool {
	return r == siyu.RoleAdmin
}

// authed wraps a handler that needs a session and a role. Every request
// with a body (anything but GET and HEAD) must also come from our own origin
// and carry the session's CSRF token.
func (c *Console) authed(allow func(siyu.Role) bool, h http.HandlerFunc) http.Handler {
	return c.guard(allow, h, false)
}

// authedMultipart is authed for a streamed multipart upload: the handler reads
// the CSRF token from the form itself (it must call checkCSRF before acting),
// because reading it here would buffer the upload.
func (c *Console) authedMultipart(allow func(siyu.Role) bool, h http.HandlerFunc) http.Handler {
	return c.guard(allow, h, true)
}

func (c *Console) guard(allow func(siyu.Role) bool, h http.HandlerFunc, multipart bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := c.loadState(r)
		if err != nil {
			c.internalError(w, r, err)
			return
		}
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		if st == nil {
			if safe {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
				return
			}
			c.errorPage(w, r, http.StatusForbidden, "error.session_expired")
			return
		}
		r = withState(r, st)
		if !safe {
			if !multipart {
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			}
			if !c.sameOrigin(r) {
				c.errorPage(w, r, http.StatusForbidden, "error.csrf")
				return
			}
			if !multipart && !c.checkCSRF(r, r.PostFormValue(csrfField)) {
				c.errorPage(w, r, http.StatusForbidden, "error.csrf")
				return
			}
		}
		if !allow(st.role) {
			c.errorPage(w, r, http.StatusForbidden, "error.forbidden")
			return
		}
		h(w, r)
	})
}

// newSession starts a session and sets its cookie. The cookie holds a fresh
// random value; the store sees only its hash.
func (c *Console) newSession(w http.ResponseWriter, r *http.Request, userID, workspaceID int64, lang string) error {
	token := auth.NewToken("")
	now := time.Now().UTC()
	s := siyu.Session{
		IDHash:      auth.HashToken(token),
		UserID:      userID,
		WorkspaceID: workspaceID,
		CSRF:        auth.NewToken(""),
		Lang:        lang,
		CreatedAt:   now,
		ExpiresAt:   now.Add(sessionTTL),
	}
	if err := c.store.CreateSession(r.Context(), s); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/",
		Expires:  s.ExpiresAt,
		MaxAge:   int(sessionTTL / time.Second),
		HttpOnly: true,
		Secure:   c.secure,
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// endSession deletes the request's session, if any, and clears its cookie.
func (c *Console) endSession(w http.ResponseWriter, r *http.Request) error {
	c.clearCookie(w, sessionCookie, "/")
	return c.dropSession(r)
}

// dropSession deletes the request's session from the store, if any.
func (c *Console) dropSession(r *http.Request) error {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	err = c.store.DeleteSession(r.Context(), auth.HashToken(ck.Value))
	if errors.Is(err, siyu.ErrNotFound) {
		return nil
	}
	return err
}

func (c *Console) clearCookie(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode})
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if err := c.endSession(w, r); err != nil {
		c.internalError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// switchWorkspace moves the session to another workspace of the user.
func (c *Console) switchWorkspace(w http.ResponseWriter, r *http.Request) {
	st := stateFrom(r)
	id, ok := parseID(r.PostFormValue("workspace_id"))
	if !ok || !st.useWorkspace(id) {
		c.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	}
	if err := c.store.UpdateSession(r.Context(), st.sess); err != nil {
		c.internalError(w, r, err)
		return
	}
	// Not back to the page we came from: its customer belongs to the old
	// workspace and would now be a 404.
	http.Redirect(w, r, "/customers", http.StatusSeeOther)
}

// switchLang sets the language for the session and, through a cookie, for
// the login page. It changes nothing but a display preference, so a plain
// link may do it.
func (c *Console) switchLang(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("to")
	if !validLang(lang) {
		c.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     langCookie,
		Value:    lang,
		Path:     "/",
		MaxAge:   365 * 24 * 3600,
		HttpOnly: true,
		Secure:   c.secure,
		SameSite: http.SameSiteLaxMode,
	})
	st, err := c.loadState(r)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	if st != nil && st.sess.Lang != lang {
		st.sess.Lang = lang
		if err := c.store.UpdateSession(r.Context(), st.sess); err != nil {
			c.internalError(w, r, err)
			return
		}
	}
	back := localPath(r.URL.Query().Get("back"))
	if back == "" {
		back = "/customers"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// requestLang is the language of a visitor without a session.
func requestLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && validLang(ck.Value) {
		return ck.Value
	}
	return langZH
}

// localPath returns p if it is a path on this site, "" otherwise, so that
// redirect targets taken from a request cannot send anyone elsewhere.
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return p
}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"siyu.dev/siyu/auth"
)

// CSRF protection has two independent layers:
//
//   - every request with a body must come from a page of this site: the
//     browser's Sec-Fetch-Site, else its Origin, else its Referer must say so;
//   - it must carry a secret token in the form (field "csrf") or in the
//     X-CSRF-Token header. After login the token belongs to the session;
//     before login (the login form itself) it is a double-submit cookie.

const (
	csrfField       = "csrf"
	csrfHeader      = "X-CSRF-Token"
	loginCSRFCookie = "siyu_login_csrf"
)

// sameOrigin reports whether the request was sent by a page of this site.
// A request that tells nothing about where it comes from is refused: every
// browser that can be abused sends Origin with a POST.
func (c *Console) sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default: // same-site, cross-site
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		return c.originMatches(r, o)
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		return c.originMatches(r, ref)
	}
	return false
}

func (c *Console) originMatches(r *http.Request, origin string) bool {
	if origin == "null" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if c.secure && u.Scheme != "https" {
		return false
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// checkCSRF compares the token sent with the request against the session's,
// in constant time. The header wins over the form field.
func (c *Console) checkCSRF(r *http.Request, formToken string) bool {
	st := stateFrom(r)
	if st == nil || st.sess.CSRF == "" {
		return false
	}
	sent := r.Header.Get(csrfHeader)
	if sent == "" {
		sent = formToken
	}
	return sent != "" && auth.Equal(sent, st.sess.CSRF)
}

// loginCSRF returns the token of the login form, setting the double-submit
// cookie when the visitor has none yet. An existing cookie is kept so that
// two open login tabs both work.
func (c *Console) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(loginCSRFCookie); err == nil && len(ck.Value) >= 32 {
		return ck.Value
	}
	tok := auth.NewToken("")
	http.SetCookie(w, &http.Cookie{
		Name:     loginCSRFCookie,
		Value:    tok,
		Path:     "/login",
		MaxAge:   12 * 3600,
		HttpOnly: true,
		Secure:   c.secure,
		SameSite: http.SameSiteStrictMode,
	})
	return tok
}

// checkLoginCSRF verifies the double submit of the login form.
func checkLoginCSRF(r *http.Request) bool {
	ck, err := r.Cookie(loginCSRFCookie)
	if err != nil || len(ck.Value) < 32 {
		return false
	}
	sent := r.Header.Get(csrfHeader)
	if sent == "" {
		sent = r.PostFormValue(csrfField)
	}
	return sent != "" && auth.Equal(sent, ck.Value)
}

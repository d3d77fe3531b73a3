package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"siyu.dev/siyu"
)

//go:embed templates static i18n
var embedded embed.FS

// pageNames are the templates under templates/ that render a whole page.
// Each is parsed together with layout.html and parts.html, which holds the
// pieces that several pages share.
var pageNames = []string{"login", "dashboard", "customers", "customer", "codes", "code", "code_new", "contacts", "import", "import_result", "tokens", "error"}

// pageSet holds the parsed pages of one language.
type pageSet map[string]*template.Template

// pageGroup is a feature's pages and the template functions only they
// use (two features may give the same name different meanings).
type pageGroup struct {
	names []string
	funcs func(catalogue) template.FuncMap
}

// pageGroups are the features' pages; each feature's file adds its own
// with addPages from an init function.
var pageGroups []pageGroup

func addPages(funcs func(catalogue) template.FuncMap, names ...string) {
	pageGroups = append(pageGroups, pageGroup{names: names, funcs: funcs})
}

func parsePages(cats map[string]catalogue) (map[string]pageSet, error) {
	out := map[string]pageSet{}
	for _, lang := range languages {
		set := pageSet{}
		for _, g := range append([]pageGroup{{names: pageNames}}, pageGroups...) {
			funcs := templateFuncs(cats[lang])
			if g.funcs != nil {
				for k, f := range g.funcs(cats[lang]) {
					funcs[k] = f
				}
			}
			for _, name := range g.names {
				if set[name] != nil {
					return nil, fmt.Errorf("web: page %s is registered twice", name)
				}
				t, err := template.New(name).Funcs(funcs).ParseFS(embedded, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
				if err != nil {
					return nil, fmt.Errorf("web: template %s: %w", name, err)
				}
				set[name] = t
			}
		}
		out[lang] = set
	}
	return out, nil
}

func templateFuncs(cat catalogue) template.FuncMap {
	return template.FuncMap{
		"t":     cat.translate,
		"money": formatMoney,
		"time":  formatTime,
		"date":  formatDate,
		"kind": func(k siyu.IdentityKind) string {
			return cat.optional("kind."+string(k), string(k))
		},
		"status": func(s siyu.OrderStatus) string {
			return cat.optional("status."+string(s), string(s))
		},
		"channel": func(ch siyu.Channel) string {
			return cat.optional("channel."+string(ch), string(ch))
		},
		"event": func(typ string) string {
			return cat.optional("event."+typ, typ)
		},
		"role": func(r siyu.Role) string {
			return cat.optional("role."+string(r), string(r))
		},
		"deletedBy": func(who string) string {
			return cat.optional("deleted_by."+who, who)
		},
		"codeKind": func(k string) string {
			return cat.optional("code_kind."+k, k)
		},
		"contactStatus": func(s string) string {
			return cat.optional("contacts.status_"+s, s)
		},
		"truncate": truncate,
		"shortID":  shortID,
		"props":    func(p map[string]any) string { return formatProps(cat, p) },
		"source": func(src string) string {
			return cat.optional("channel."+src, cat.optional("source."+src, src))
		},
		"initial":   initial,
		"asset":     assetURL,
		"chartSlot": chartSlot,
	}
}

// initial is the first character of a name, for the avatar circle.
func initial(name string) string {
	for _, r := range strings.TrimSpace(name) {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// view is what every page template receives.
type view struct {
	Lang        string
	Title       string // message key
	Nav         string // the active sidebar item
	User        siyu.User
	Role        siyu.Role
	Workspace   siyu.Workspace
	Memberships []siyu.Membership
	CSRF        string
	Back        string // this page's path, to return to after switching language
	Notice      string // message key of a notice shown above the content
	Data        any
}

func (v view) LoggedIn() bool { return v.User.ID != 0 }
func (v view) CanWrite() bool { return v.Role.CanWrite() }
func (v view) IsAdmin() bool  { return v.Role == siyu.RoleAdmin }

// newView fills the common part of a page from the request's session, if any.
func (c *Console) newView(r *http.Request, title, nav string, data any) view {
	v := view{Lang: requestLang(r), Title: title, Nav: nav, Data: data, Back: localPath(r.URL.RequestURI())}
	if st := stateFrom(r); st != nil {
		v.Lang = st.sess.Lang
		v.User = st.user
		v.Role = st.role
		v.Workspace = st.workspace
		v.Memberships = st.memberships
		v.CSRF = st.sess.CSRF
	}
	if !validLang(v.Lang) {
		v.Lang = langZH
	}
	return v
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t := c.pages[v.Lang][page]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.ErrorContext(r.Context(), "rendering page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages carry customer data: never keep them in a shared or disk cache.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage renders a short page for an error status. msg is a message key.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	v := c.newView(r, "error.title", "", struct {
		Status  int
		Message string
	}{status, msg})
	c.render(w, r, status, "error", v)
}

// internalError logs err and shows a generic error page.
func (c *Console) internalError(w http.ResponseWriter, r *http.Request, err error) {
	c.log.ErrorContext(r.Context(), "console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	c.errorPage(w, r, http.StatusInternalServerError, "error.internal")
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	// Show the page in the user's language and with the sidebar when the
	// visitor is logged in; an unknown path reveals nothing either way.
	if st, _ := c.loadState(r); st != nil {
		r = withState(r, st)
	}
	c.errorPage(w, r, http.StatusNotFound, "error.not_found")
}

package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"sync"
)

// ownPageNames are the pages of tasks and the audit log. They are parsed
// here, on first use, with the same layout, parts and functions as the
// other pages plus a few of their own.
var ownPageNames = []string{"tasks", "audit"}

// ownPages caches the parsed pages per console (its catalogues) and language.
var ownPages sync.Map // *Console -> map[string]pageSet

func (c *Console) ownPageSet(lang string) (pageSet, error) {
	if v, ok := ownPages.Load(c); ok {
		return v.(map[string]pageSet)[lang], nil
	}
	out := map[string]pageSet{}
	for _, l := range languages {
		cat := c.cats[l]
		funcs := templateFuncs(cat)
		funcs["share"] = sharePercent
		funcs["took"] = taskDuration
		funcs["taskKind"] = func(k string) string { return cat.optional("tasks.kind_"+k, k) }
		funcs["taskScope"] = func(s string) string { return cat.optional("tasks.scope_"+s, s) }
		funcs["taskStatus"] = func(s string) string { return cat.optional("tasks.status_"+s, s) }
		set := pageSet{}
		for _, name := range ownPageNames {
			t, err := template.New(name).Funcs(funcs).ParseFS(embedded, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			set[name] = t
		}
		out[l] = set
	}
	v, _ := ownPages.LoadOrStore(c, out)
	return v.(map[string]pageSet)[lang], nil
}

// renderOwn is render for the pages of ownPageNames.
func (c *Console) renderOwn(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	set, err := c.ownPageSet(v.Lang)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := set[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.ErrorContext(r.Context(), "rendering page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"siyu.dev/siyu/store"
)

const auditPerPage = 100

type auditData struct {
	Action  string
	Entries []store.AuditEntry
	NextURL string
}

// auditPage lists the workspace's audit log, newest first, a hundred at a
// time (admins only).
func (c *Console) auditPage(w http.ResponseWriter, r *http.Request) {
	ts, ok := c.taskStore(w, r)
	if !ok {
		return
	}
	st := stateFrom(r)
	q := r.URL.Query()
	d := auditData{Action: strings.TrimSpace(q.Get("action"))}
	f := store.AuditFilter{Action: d.Action, Limit: auditPerPage}
	if v := q.Get("before"); v != "" {
		id, ok := parseID(v)
		if !ok {
			c.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
			return
		}
		f.BeforeID = id
	}
	entries, err := ts.AuditLog(r.Context(), st.workspace.ID, f)
	if err != nil {
		c.internalError(w, r, err)
		return
	}
	d.Entries = entries
	if len(entries) == auditPerPage {
		v := url.Values{"before": {strconv.FormatInt(entries[len(entries)-1].ID, 10)}}
		if d.Action != "" {
			v.Set("action", d.Action)
		}
		d.NextURL = "/audit?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "audit", c.newView(r, "audit.title", "audit", d))
}

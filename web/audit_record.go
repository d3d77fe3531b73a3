package web

import (
	"context"
	"net/http"

	"siyu.dev/siyu/store"
)

// auditor is the store's audit log (*store.Store has it).
type auditor interface {
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

// record writes an audit row for an action of the signed-in user. The action
// has happened by then, so a failure to record it is logged, not shown.
func (c *Console) record(r *http.Request, action, target, detail string) {
	st := stateFrom(r)
	au, ok := c.store.(auditor)
	if !ok {
		c.log.ErrorContext(r.Context(), "audit: the store keeps no audit log", "action", action)
		return
	}
	e := store.AuditEntry{UserID: st.user.ID, Actor: st.user.Login, Action: action, Target: target, Detail: detail}
	if err := au.Audit(r.Context(), st.workspace.ID, e); err != nil {
		c.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

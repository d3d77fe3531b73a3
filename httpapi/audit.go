package httpapi

import (
	"context"
	"net/http"

	"siyu.dev/siyu/store"
)

// auditor is the store's audit log (*store.Store has it).
type auditor interface {
	Audit(ctx context.Context, workspaceID int64, e store.AuditEntry) error
}

// record writes an audit row for an action done with the request's token. The action has
// happened by then, so a failure to record it is logged, not answered.
func (a *api) record(r *http.Request, action, target, detail string) {
	tok := tokenFrom(r.Context())
	au, ok := a.store.(auditor)
	if !ok {
		a.log.ErrorContext(r.Context(), "audit: the store keeps no audit log", "action", action)
		return
	}
	e := store.AuditEntry{Actor: tokenActor(tok, 0).Name, Action: action, Target: target, Detail: detail}
	if err := au.Audit(r.Context(), tok.WorkspaceID, e); err != nil {
		a.log.ErrorContext(r.Context(), "audit", "action", action, "err", err)
	}
}

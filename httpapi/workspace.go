package httpapi

import (
	"net/http"
)

// getWorkspace returns the workspace the token belongs to; integrators use it
// to check a token.
func (a *api) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := a.store.Workspace(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

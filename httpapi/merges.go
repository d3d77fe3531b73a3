package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"siyu.dev/siyu"
)

// undoMerge splits a merged customer back into the two it was made of.
func (a *api) undoMerge(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	err = a.store.Unmerge(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no merge %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	a.record(r, "merge.undo", "merge:"+strconv.FormatInt(id, 10), "")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

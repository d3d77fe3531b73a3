package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"siyu.dev/siyu"
)

// adminOnly restricts an endpoint to admin tokens: personal data in clear
// and its erasure are not for daily operations.
func adminOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if role := tokenFrom(r.Context()).Role; role != siyu.RoleAdmin {
			return &apiError{Status: http.StatusForbidden, Code: "forbidden",
				Message: fmt.Sprintf("a token with role %s cannot export or erase personal data", role)}
		}
		return h(w, r)
	}
}

// exportCustomer answers a data access request: everything stored about
// the person, phones and emails in clear.
func (a *api) exportCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	tok := tokenFrom(r.Context())
	data, err := a.store.ExportCustomer(r.Context(), tok.WorkspaceID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no customer %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	a.log.Info("personal data exported", "workspace", tok.WorkspaceID, "customer", id, "token", tok.Prefix)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="customer-%d.json"`, id))
	writeJSON(w, http.StatusOK, data)
	return nil
}

// eraseCustomer answers an erasure request.
func (a *api) eraseCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	tok := tokenFrom(r.Context())
	err = a.store.EraseCustomer(r.Context(), tok.WorkspaceID, id, "api:"+tok.Prefix)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no customer %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	a.log.Info("personal data erased", "workspace", tok.WorkspaceID, "customer", id, "token", tok.Prefix)
	a.record(r, "customer.erase", "customer:"+strconv.FormatInt(id, 10), "")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

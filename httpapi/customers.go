package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"siyu.dev/siyu"
)

// listCustomers searches customers: GET /api/v1/customers?query=&limit=&offset=.
func (a *api) listCustomers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	query := q.Get("query")
	if utf8.RuneCountInString(query) > maxQueryLen {
		return badRequest("invalid_parameter", "query", "query is longer than %d characters", maxQueryLen)
	}
	limit, err := intParam(r, "limit", DefaultPageLimit, 1, MaxPageLimit)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	page, err := a.store.SearchCustomers(r.Context(), tokenFrom(r.Context()).WorkspaceID,
		siyu.CustomerQuery{Query: query, Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	if page.Customers == nil {
		page.Customers = []siyu.Customer{}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// getCustomer returns the 360 view. Ids of other workspaces are not found.
func (a *api) getCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	c, err := a.store.Customer360(r.Context(), tokenFrom(r.Context()).WorkspaceID, id)
	if errors.Is(err, siyu.ErrNotFound) {
		return notFound("no customer %d in this workspace", id)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, emptyListsNotNull(c))
	return nil
}

// emptyListsNotNull makes absent lists [] so that clients need not treat
// null and [] alike.
func emptyListsNotNull(c siyu.Customer360) siyu.Customer360 {
	orEmpty(&c.Identities)
	orEmpty(&c.Orders)
	orEmpty(&c.Contacts)
	orEmpty(&c.Groups)
	orEmpty(&c.Tags)
	orEmpty(&c.Timeline)
	orEmpty(&c.Merges)
	return c
}

func orEmpty[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest("invalid_parameter", name, "%s must be an integer from %d to %d, not %q", name, lo, hi, v)
	}
	return n, nil
}

// idParam reads the {id} path segment.
func idParam(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, badRequest("invalid_parameter", "id", "id must be a positive integer, not %q", v)
	}
	return id, nil
}

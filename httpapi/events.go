package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"siyu.dev/siyu"
)

// postEvents records a batch of events. Unlike orders, events have no
// natural key, so one invalid event rejects the whole batch rather than being
// skipped: a client could not tell what to resend.
func (a *api) postEvents(w http.ResponseWriter, r *http.Request) error {
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	evs, err := decodeBatch[siyu.EventInput](body, "events")
	if err != nil {
		return err
	}
	var bad []siyu.RowError
	for i := range evs {
		if err := evs[i].Prepare(); err != nil {
			bad = append(bad, rowError(err, "events", i+1))
		}
	}
	if len(bad) > 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_rows", Field: bad[0].Field, Rows: bad,
			Message: fmt.Sprintf("%d of %d events are invalid; nothing was recorded", len(bad), len(evs))}
	}
	n := 0
	if len(evs) > 0 {
		n, err = a.store.RecordEvents(r.Context(), tokenFrom(r.Context()).WorkspaceID, evs)
		var re siyu.RowError
		if errors.As(err, &re) {
			// An event the store refused, such as a customer_id of another
			// workspace: name it like the events Prepare refused.
			bad := rowError(re, "events", re.Line)
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_rows", Field: bad.Field, Rows: []siyu.RowError{bad},
				Message: "the batch was refused: " + re.Msg}
		}
		if err != nil {
			return err
		}
		a.afterEvents(r.Context(), tokenFrom(r.Context()).WorkspaceID)
	}
	writeJSON(w, http.StatusOK, struct {
		Recorded int `json:"recorded"`
	}{n})
	return nil
}

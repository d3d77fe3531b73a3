package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"siyu.dev/siyu"
)

// handlerFunc is an endpoint. A returned error becomes the JSON error
// response; see apiErrorFor.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// apiError is an error the client can act on. It is rendered as
//
//	{"error":{"code":"...","message":"...","field":"...","errors":[...]}}
type apiError struct {
	Status  int             `json:"-"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Field   string          `json:"field,omitempty"`
	Rows    []siyu.RowError `json:"errors,omitempty"` // every bad row of a rejected batch
	cause   error           // logged for 5xx, never shown
}

func (e *apiError) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

func badRequest(code, field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// apiErrorFor maps an error from a handler or the store to what the client
// sees. Store messages are passed on for invalid input and conflicts only;
// anything unexpected is a 500 with a generic message.
func apiErrorFor(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var re siyu.RowError
	if errors.As(err, &re) {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: re.Field, Message: re.Msg}
	}
	switch {
	case errors.Is(err, siyu.ErrNotFound):
		return notFound("not found")
	case errors.Is(err, siyu.ErrNoAccess):
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "this token may not do that"}
	case errors.Is(err, siyu.ErrConflict):
		return &apiError{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	case errors.Is(err, siyu.ErrInvalid):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: err.Error()}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &apiError{Status: http.StatusServiceUnavailable, Code: "cancelled", Message: "the request was cancelled or timed out", cause: err}
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; the server log has the details", cause: err}
}

// serve adapts an endpoint to http.Handler.
func (a *api) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec, ok := w.(*statusRecorder); ok && r.Pattern != "" {
			rec.route = r.Pattern
		}
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae := apiErrorFor(err)
	if ae.Status >= 500 {
		cause := ae.cause
		if cause == nil {
			cause = err
		}
		// r.Pattern, not the path: a path may carry whatever the caller typed.
		a.log.ErrorContext(r.Context(), "api error", "method", r.Method, "route", r.Pattern, "status", ae.Status, "err", cause)
	}
	writeJSON(w, ae.Status, struct {
		Error *apiError `json:"error"`
	}{ae})
}

// writeJSON encodes v before writing anything so that an encoding failure
// can still become a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"could not encode the response"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

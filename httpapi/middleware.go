package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/auth"
)

type tokenKey struct{}

// tokenFrom returns the authenticated token of the request.
func tokenFrom(ctx context.Context) siyu.APIToken {
	t, _ := ctx.Value(tokenKey{}).(siyu.APIToken)
	return t
}

// authenticate resolves the bearer token to its workspace and role. Only the
// token's hash is looked up, and neither the token nor its hash is logged.
func (a *api) authenticate(next http.Handler) http.Handler {
	return a.serve(func(w http.ResponseWriter, r *http.Request) error {
		secret, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			return unauthorized(w, "missing API token: send Authorization: Bearer <token>")
		}
		tok, err := a.store.APITokenByHash(r.Context(), auth.HashToken(secret))
		if errors.Is(err, siyu.ErrNotFound) {
			return unauthorized(w, "unknown or revoked API token")
		}
		if err != nil {
			return err
		}
		if !tok.Role.Valid() {
			return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "this token has no valid role"}
		}
		if rec, ok := w.(*statusRecorder); ok {
			rec.workspaceID = tok.WorkspaceID
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok)))
		return nil
	})
}

func unauthorized(w http.ResponseWriter, msg string) error {
	w.Header().Set("WWW-Authenticate", "Bearer") // RFC 6750: every 401 carries the challenge
	return &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg}
}

// bearerToken extracts the token from an Authorization header. The scheme is
// case-insensitive (RFC 7235).
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// writer restricts an endpoint to roles that may change data.
func writer(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if role := tokenFrom(r.Context()).Role; !role.CanWrite() {
			return &apiError{Status: http.StatusForbidden, Code: "forbidden",
				Message: fmt.Sprintf("a token with role %s can only read (GET)", role)}
		}
		return h(w, r)
	}
}

// statusRecorder remembers what was answered, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	workspaceID int64
	route       string // the mux pattern, set by serve
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs one line per request. It logs the route pattern rather
// than the path and never the query string: both may carry phone numbers.
func (a *api) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		a.log.InfoContext(r.Context(), "api request",
			"method", r.Method,
			"route", rec.route,
			"status", rec.status,
			"bytes", rec.bytes,
			"workspace", rec.workspaceID,
			"duration", time.Since(start))
	})
}

// recoverPanics turns a panic into a 500 rather than a dropped connection.
func (a *api) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.ErrorContext(r.Context(), "api panic", "method", r.Method, "panic", v, "stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, struct {
					Error *apiError `json:"error"`
				}{&apiError{Code: "internal", Message: "internal error; the server log has the details"}})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

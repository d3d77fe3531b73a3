package siyu

import "errors"

// Errors shared by the store and its callers, so that the HTTP layers can map
// them to status codes without knowing the store.
var (
	ErrNotFound = errors.New("not found")         // also returned for rows of another workspace
	ErrConflict = errors.New("already exists")    // a unique key is taken
	ErrInvalid  = errors.New("invalid input")     // wrapped with details
	ErrNoAccess = errors.New("permission denied") // the role may not do this
)

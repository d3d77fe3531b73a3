package wecom

import (
	"errors"
	"fmt"

	"siyu.dev/siyu"
)

// APIError is a business error: WeCom answered with a non-zero errcode.
// Branch on Code; Msg is for people (it carries a hint and the caller's IP,
// and WeCom may change its wording).
type APIError struct {
	Code int
	Msg  string
	Path string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wecom %s: errcode %d: %s", e.Path, e.Code, e.Msg)
}

// HTTPError is an answer that was not HTTP 200 and carried no errcode.
type HTTPError struct {
	Status int
	Path   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("wecom %s: HTTP status %d", e.Path, e.Status)
}

// ErrorCode returns the errcode of err, or 0 when err is not an *APIError.
func ErrorCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// IsRetryable reports whether err is a WeCom error that the same call may
// succeed after waiting: the rate limits (45009, 45033), system busy (-1),
// and a welcome message still being distributed (41096, retry only a few
// times). 41051 (already delivered) is not retryable.
func IsRetryable(err error) bool {
	switch ErrorCode(err) {
	case ErrCodeAPIFreqOutOfLimit, ErrCodeAPIConcurrentOutOfLimit, ErrCodeSystemBusy, ErrCodeWelcomeMsgDistributing:
		return true
	}
	return false
}

// IsTokenError reports whether err says the access token is invalid or
// expired, so that a new token may fix it.
func IsTokenError(err error) bool {
	switch ErrorCode(err) {
	case ErrCodeInvalidAccessToken, ErrCodeAccessTokenExpired:
		return true
	}
	return false
}

// isCredentialError reports whether gettoken failed because of the corpid
// or secret. Such calls are never retried: repeated failures get the
// caller's IP blocked for an hour.
func isCredentialError(err error) bool {
	switch ErrorCode(err) {
	case ErrCodeInvalidSecret, ErrCodeInvalidCorpID, ErrCodeSecretMismatch:
		return true
	}
	return false
}

// invalid reports a request that breaks a documented limit before it is sent.
// It wraps siyu.ErrInvalid so that HTTP layers answer 400.
func invalid(api, format string, args ...any) error {
	return fmt.Errorf("%w: wecom %s: %s", siyu.ErrInvalid, api, fmt.Sprintf(format, args...))
}

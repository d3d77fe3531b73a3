package douyin

import (
	"errors"
	"fmt"
)

// Error codes the client branches on. Only 0 (success) is certain; the
// others are the values of the platform's public error-code list that the
// emulator also answers with. Branch on Code, never on Description.
const (
	ErrCodeOK                 = 0
	ErrCodeSystemBusy         = 2100004 // 系统繁忙, retry later
	ErrCodeInvalidParam       = 2100005 // 参数不合法
	ErrCodeInvalidAccessToken = 2190002 // access_token 无效
	ErrCodeNoPermission       = 2190004 // 应用未获得该能力 (scope missing or closed)
	ErrCodeAccessTokenExpired = 2190008 // access_token 过期
	ErrCodeOpenIDMismatch     = 2190015 // access_token 与 open_id 不匹配

	// The reply window and cap of private messages are not documented in
	// the pages available; the emulator answers these codes for them.
	ErrCodeIMWindowClosed = 40001 // the message replied to is older than the reply window
	ErrCodeIMCapReached   = 40002 // too many replies since the user's last message
	ErrCodeIMUnknownMsg   = 40003 // msg_id is not a message of that user in that conversation
)

// APIError is a business error: Douyin answered with a non-zero error_code.
type APIError struct {
	Code        int
	SubCode     int
	Description string
	LogID       string
	Path        string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("douyin %s: error_code %d: %s (logid %s)", e.Path, e.Code, e.Description, e.LogID)
}

// HTTPError is an answer that was not HTTP 200 and carried no error_code.
type HTTPError struct {
	Status int
	Path   string
}

func (e *HTTPError) Error() string { return fmt.Sprintf("douyin %s: HTTP status %d", e.Path, e.Status) }

// ErrorCode returns the error_code of err, or 0 when err is not an *APIError.
func ErrorCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// IsTokenError reports whether err says the access token is invalid or
// expired: the user must authorise again or the token be refreshed.
func IsTokenError(err error) bool {
	c := ErrorCode(err)
	return c == ErrCodeInvalidAccessToken || c == ErrCodeAccessTokenExpired
}

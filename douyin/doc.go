// Package douyin is a typed client for the parts of the Douyin open platform
// (抖音开放平台, open.douyin.com) that comment mining needs — video comments,
// private-message replies and the fans list — and the receiver for its
// signed webhooks.
//
// The request and response types in types.go and event.go are the wire
// format: the client encodes and decodes them and the local emulator
// (package emulator/douyinemu) serves them, so the two cannot drift apart.
//
// Every call carries the user access token in the access-token header and
// names the business account by its open_id in the query. Answers are
// {data:{error_code, description, ...}, extra:{logid, ...}}; a non-zero
// error_code comes back as *APIError.
//
// Douyin gates most of this: private messages are for enterprise accounts
// and closed to new applications, and the comment scope of enterprise
// accounts is not open. Keep callers behind an interface and expect
// best-effort outbound calls.
package douyin

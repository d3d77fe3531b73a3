// Package wecom is a typed client for the customer-contact (客户联系) part of
// the WeCom (企业微信) server API, plus the receiver for its encrypted
// callbacks.
//
// The request and response types in types_*.go are the wire format: the
// client encodes and decodes them, and the local emulator serves them, so the
// two cannot drift apart. Field names and JSON tags follow the official
// documentation; optional request fields carry omitempty, and fields whose
// zero value means something different from "absent" are pointers.
//
// Every call puts access_token in the query string. Business errors come back
// as *APIError; branch on its Code, never on its message.
package wecom

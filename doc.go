// Package siyu holds the domain types of Siyu (私域), the private-domain traffic
// operating system: workspaces, customers and the identifiers that resolve to
// them, orders, events, the brand's WeCom accounts, contacts, groups and tags.
//
// Every other package imports this one; it imports nothing of the project.
// Money is integer fen (Fen). Times are stored in UTC and shown in Asia/Shanghai
// (see Shanghai).
package siyu

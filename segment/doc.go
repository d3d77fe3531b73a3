// Package segment is the rule language of segments: who is in an audience.
//
// A rule is a boolean expression over a customer's profile, the analytics
// values of the latest refresh (RFM, lifecycle stage, CLV), tags, events
// counted over time windows, WeCom contacts and groups, and consent:
//
//	stage == "silent" and monetary >= 500元 and has_tag("护肤")
//	count("moment.liked", 30d, "topic", "skincare") >= 3 and not opted_out
//	city in ["上海", "杭州"] and created_at >= "2026-01-01"
//
// Parse checks a rule completely (syntax, field names, types, known values),
// and every error carries the line and column it is about. A checked Rule
// is used two ways that must agree: compiled to SQL (Rule.Where) to select a
// whole audience in the database, SQLite or PostgreSQL, and evaluated in Go
// for one person (Rule.Eval) when an event arrives. The language is small on
// purpose: no arithmetic, no user functions, only the fields and functions
// listed in docs/SEGMENTS.md, so every rule compiles to indexed SQL and
// every value the user typed becomes a query parameter.
//
// The language has its own parser rather than a general expression library:
// it needs literals such as 30d and 500元 that general syntaxes lack, exact
// positions for every error, and a whitelist small enough that the SQL
// compiler and the evaluator cover all of it.
package segment

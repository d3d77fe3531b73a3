// Package rfm scores customers by recency, frequency and monetary value
// (RFM) and puts them in segments, to pick whom to reach: "add the 500 best
// customers on WeChat" is Top(report.Results, 500, nil) written out with
// WriteCSV.
//
// It also holds the order stream shared by the analytics packages (rfm,
// lifecycle, cohort): Order, Day and Summarize, which turns orders sorted by
// customer into one Summary per customer without building maps, so that ten
// million orders stream straight from a database cursor.
//
// # Definitions
//
// Days are Asia/Shanghai calendar days (Day). Orders are paid orders, net of
// refunds; the caller filters.
//
//   - As-of day: Config.AsOf's Shanghai day; by default the day after the
//     last order in the data. Orders paid on or after the as-of day are left
//     out, as if the data were taken at the start of that day.
//   - Recency: whole days from the last order's day to the as-of day (≥ 1).
//   - Frequency: number of orders.
//   - Monetary: total net paid, in fen.
//
// # Scores
//
// By default (Quintiles) each metric is scored by how many customers are
// strictly worse (larger recency, fewer orders, less money):
//
//	score = 1 + floor(5 × worse / N)
//
// so ties share a score and the best get 5 (once at least 4N/5 customers
// are strictly worse than them). When most customers have one order they
// all score F=1, and F=2 jumps straight to a high score: scores that no
// value falls into stay empty rather than splitting ties.
//
// With Fixed scoring each metric has four bounds (Thresholds, defaults in
// DefaultThresholds): a customer scores 1 plus the number of bounds met,
// e.g. recency ≤ 30 days scores 5, ≤ 90 4, ≤ 180 3, ≤ 365 2, else 1.
//
// # Segments
//
// Segments come from R and F (the widely used ten-segment map; every one of
// the 25 cells belongs to exactly one segment; potential_loyal is potential_loyalists):
//
//	       F1              F2               F3               F4         F5
//	R5  new_customers   potential_loyal  potential_loyal  champions  champions
//	R4  promising       potential_loyal  potential_loyal  loyal      loyal
//	R3  about_to_sleep  about_to_sleep   need_attention   loyal      loyal
//	R2  hibernating     hibernating      at_risk          at_risk    cant_lose
//	R1  hibernating     hibernating      at_risk          at_risk    cant_lose
//
// # Top
//
// Top ranks with a Ranking; the default ByScore orders by R+F+M, then
// monetary, then recency, then frequency, and always last by customer id,
// so the same data gives the same list.
package rfm

// Package lifecycle puts customers in lifecycle stages and follows how they
// move between them over time, for funnel and flow (sankey) charts.
//
// # Stages
//
// A customer's stage on a day is taken at the end of that day (orders paid
// that day count), in Asia/Shanghai days. With d the days from the last
// order on or before the day, S = Config.SilentAfter (default 90) and
// C = Config.ChurnedAfter (default 180):
//
//	none         not known yet (before Customer.Since and the first order)
//	new          新用户  known, no paid order yet
//	first_order  首单    exactly one order, d ≤ S
//	repeat       回购    two or more orders, d ≤ S
//	silent       沉默    S < d ≤ C
//	churned      流失    d > C
//
// So with the defaults a customer whose only order was on 2024-01-10 is
// first_order through 2024-04-09 (d = 90), silent from 2024-04-10 (d = 91)
// through 2024-07-08 (d = 180) and churned from 2024-07-09. Two orders
// on one day make a repeat customer at once. A silent or churned customer
// who orders again is repeat (the count is then at least two).
//
// # Timelines and flows
//
// Stages only change on order days and when S or C elapses after the last
// order, so each customer's whole timeline is a handful of changes
// (AppendChanges). Flows walks each timeline once and sums the changes per
// day, week (Monday to Sunday) or calendar month: for every bucket the
// stage counts at open and close, the customers' flow from the stage at
// open to the stage at close (a sankey, stays included), and the day-level
// moves inside the bucket. Cost: customers plus their changes, never
// customers × days.
//
// Input is one Customer per customer, sorted by id; Join builds them from
// rfm.Summarize and the customers' known-since times.
package lifecycle

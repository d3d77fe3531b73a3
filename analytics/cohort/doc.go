// Package cohort groups customers by the month of their first order and
// follows each group: retention and revenue triangles, the repurchase rate
// (复购率) and the time between orders.
//
// # Definitions
//
// Months and days are Asia/Shanghai calendar months and days. Orders are
// paid orders, net of refunds; orders paid after the Through day (default:
// the day of the last order) are left out. The last month is usually not
// over: its numbers are partial.
//
//   - Cohort: the customers whose first order was in a month.
//   - Month k of a cohort: the k-th calendar month after the cohort month
//     (k = 0 is the cohort month itself; an order on 31 January and one on
//     1 February of a January customer are in months 0 and 1).
//   - Retention[k]: the share of the cohort with at least one order in
//     month k (1 for k = 0).
//   - Revenue[k]: the cohort's net revenue in month k; cumulative revenue
//     per customer is the sum over months 0..k divided by the cohort size,
//     rounded to the fen.
//   - Repurchase rate: customers with two or more orders / customers.
//   - Repurchase within N days: among the customers whose first order is at
//     least N days before Through (the whole window is in the data), the
//     share whose second order came at most N days after the first (a
//     second order on the same day counts). Customers who have not had N
//     days yet are left out rather than counted as not repeating.
//   - Inter-purchase time: days between consecutive orders of one customer
//     (0 for two orders on one day), over all customers; also just the
//     first-to-second gap. Histogram buckets (DefaultGapBounds): 0, 1–7,
//     8–14, 15–30, 31–60, 61–90, 91–180, 181–365, 366+; the median is the
//     mean of the two middle values when the count is even.
//
// Input is rfm.Summarize's stream: one summary per customer, with its
// purchases, sorted by customer id. Memory is one small record per
// customer plus the cohort triangle.
package cohort

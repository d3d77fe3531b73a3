// Package clv estimates customer lifetime value from purchase histories with
// the "buy till you die" models of Fader, Hardie and Lee:
//
//   - BG/NBD (beta-geometric / negative binomial distribution, 2005) for how
//     many purchases a customer will make: while alive a customer buys as a
//     Poisson process with rate λ ~ Gamma(r, α); after each repeat purchase
//     the customer drops out for good with probability p ~ Beta(a, b).
//   - Gamma-Gamma (Fader and Hardie's note on spend) for how much a repeat
//     customer spends per purchase: spend ~ Gamma(p, ν), ν ~ Gamma(q, γ).
//
// Both are fitted by maximum likelihood with a BFGS optimiser on the
// logarithms of the parameters (so they stay positive), using analytic
// gradients. Identical (x, t_x, T) histories are folded into one weighted
// row before fitting, so a million customers whose times are whole days fit
// in about a second.
//
// A customer is summarised as in the papers (see Summarize): X is the number
// of repeat purchases (distinct purchase days minus one), Tx the time of the
// last purchase since the first, T the time from the first purchase to the
// end of the observation period, all in one time unit (weeks in the papers),
// and Monetary the mean spend of the repeat purchases. The zero Customer is a
// customer who has just made a first purchase, so predictions for it are
// those for a new customer.
//
// The formulas, the reproduction of the published CDNOW results and the
// numerical choices are written up in docs/CLV.md.
package clv

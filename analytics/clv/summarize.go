package clv

import (
	"fmt"
	"sort"
	"time"

	"siyu.dev/siyu"
)

// Transaction is one purchase: who, when, how much.
type Transaction struct {
	CustomerID string
	// At is the purchase time; its calendar day in At's own location decides
	// which purchases fall on the same day, so convert to the business's
	// zone first (siyu.Shanghai).
	At     time.Time
	Amount siyu.Fen
}

// Summarize turns transactions into the per-customer summaries the models
// fit, the way the BG/NBD and Gamma-Gamma papers summarise CDNOW:
//
//   - purchases on the same calendar day are one purchase (amounts added);
//   - X = distinct purchase days − 1 (repeat purchases);
//   - Tx = days from the first to the last purchase day, in units of unit;
//   - T = days from the first purchase day to the calibration end day;
//   - Monetary = mean amount of the repeat purchase days, in fen (0 if X = 0).
//
// Only purchases on or before the calendar day of calibrationEnd (in its
// location) count, and customers whose first purchase is after it are left
// out. Times are whole days divided by unit in days, so unit = 7×24h gives
// weeks such as 30.43 (213 days). The result is sorted by customer ID.
func Summarize(txs []Transaction, calibrationEnd time.Time, unit time.Duration) ([]Customer, error) {
	if unit <= 0 {
		return nil, fmt.Errorf("clv: unit %v: want a positive duration", unit)
	}
	unitDays := unit.Hours() / 24
	end := dayNumber(calibrationEnd)

	type history struct {
		spendByDay map[int64]siyu.Fen
	}
	byCustomer := make(map[string]*history)
	for i, tx := range txs {
		switch {
		case tx.CustomerID == "":
			return nil, fmt.Errorf("clv: transaction %d: empty customer ID", i)
		case tx.At.IsZero():
			return nil, fmt.Errorf("clv: transaction %d (customer %q): missing time", i, tx.CustomerID)
		case tx.Amount < 0:
			return nil, fmt.Errorf("clv: transaction %d (customer %q): negative amount %v", i, tx.CustomerID, tx.Amount)
		}
		day := dayNumber(tx.At)
		if day > end {
			continue
		}
		h := byCustomer[tx.CustomerID]
		if h == nil {
			h = &history{spendByDay: make(map[int64]siyu.Fen)}
			byCustomer[tx.CustomerID] = h
		}
		h.spendByDay[day] += tx.Amount
	}

	out := make([]Customer, 0, len(byCustomer))
	for id, h := range byCustomer {
		days := make([]int64, 0, len(h.spendByDay))
		for d := range h.spendByDay {
			days = append(days, d)
		}
		sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
		first, last := days[0], days[len(days)-1]
		c := Customer{
			ID: id,
			X:  float64(len(days) - 1),
			Tx: float64(last-first) / unitDays,
			T:  float64(end-first) / unitDays,
		}
		if c.X > 0 {
			var repeat siyu.Fen
			for _, d := range days[1:] {
				repeat += h.spendByDay[d]
			}
			c.Monetary = float64(repeat) / c.X
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// dayNumber is the calendar day of t in t's location, counted in days since
// 1970-01-01; differences are whole days whatever the zone's offsets.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

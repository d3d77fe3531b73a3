package demo

import (
	"math/rand/v2"
	"time"

	"siyu.dev/siyu"
)

// festival marks days whose orders follow their own hour-of-day pattern.
type festival uint8

const (
	ordinaryDay  festival = iota
	midnightSale          // 双11 and 618: a rush right after midnight
)

// springFestival is 春节 (lunar new year's day) by year. Couriers stop for
// about two weeks around it, so online orders fall off.
var springFestival = map[int]string{
	2019: "02-05", 2020: "01-25", 2021: "02-12", 2022: "02-01", 2023: "01-22",
	2024: "02-10", 2025: "01-29", 2026: "02-17", 2027: "02-06", 2028: "01-26",
	2029: "02-13", 2030: "02-03", 2031: "01-23", 2032: "02-11", 2033: "01-31",
	2034: "02-19", 2035: "02-08",
}

// calendar holds the relative order volume of every day in the window.
// Positions in "weighted days" (cum) let a customer's purchases follow the
// seasonality: a Poisson process in weighted days is a seasonal process in
// real days.
type calendar struct {
	first  time.Time // Shanghai midnight of the first day
	now    time.Time
	weight []float64 // mean 1 over the window
	cum    []float64 // cum[d] = weight[0] + ... + weight[d]
	acqCum []float64 // the same for first purchases: growth trend, festival boost
	kind   []festival
	promo  []bool  // a sales event: bigger baskets, deeper discounts
	month  []uint8 // 1..12
}

func newCalendar(now time.Time, years int) *calendar {
	local := now.In(siyu.Shanghai)
	y, m, d := local.AddDate(-years, 0, 1).Date()
	first := time.Date(y, m, d, 0, 0, 0, 0, siyu.Shanghai)
	days := int(local.Sub(first)/(24*time.Hour)) + 1
	c := &calendar{
		first:  first,
		now:    now,
		weight: make([]float64, days),
		cum:    make([]float64, days),
		acqCum: make([]float64, days),
		kind:   make([]festival, days),
		promo:  make([]bool, days),
		month:  make([]uint8, days),
	}
	acq := make([]float64, days)
	total := 0.0
	for i := range days {
		day := first.AddDate(0, 0, i)
		w, boost, kind, promo := dayWeight(day)
		if i == days-1 {
			// Only part of today has happened.
			w *= float64(local.Sub(day)) / float64(24*time.Hour)
		}
		c.weight[i], c.kind[i], c.promo[i], c.month[i] = w, kind, promo, uint8(day.Month())
		trend := 0.7 + 0.6*float64(i)/float64(days) // the brand is growing
		acq[i] = w * boost * trend
		total += w
	}
	mean := total / float64(days)
	sum, asum := 0.0, 0.0
	for i := range days {
		c.weight[i] /= mean
		sum += c.weight[i]
		asum += acq[i]
		c.cum[i], c.acqCum[i] = sum, asum
	}
	return c
}

func (c *calendar) days() int           { return len(c.weight) }
func (c *calendar) total() float64      { return c.cum[len(c.cum)-1] }
func (c *calendar) dayAt(x float64) int { return searchCum(c.cum, x) }

// dayStart is Shanghai midnight of day d (Shanghai has no daylight saving).
func (c *calendar) dayStart(d int) time.Time { return c.first.Add(time.Duration(d) * 24 * time.Hour) }

// dayOf is the day index of t, clamped to the window.
func (c *calendar) dayOf(t time.Time) int {
	return min(max(int(t.Sub(c.first)/(24*time.Hour)), 0), c.days()-1)
}

// acquisitionDay draws the day of somebody's first purchase.
func (c *calendar) acquisitionDay(r *rand.Rand) int {
	return searchCum(c.acqCum, r.Float64()*c.acqCum[len(c.acqCum)-1])
}

// at returns a time on day d, before now, drawn from the channel's
// hour-of-day pattern.
func (c *calendar) at(r *rand.Rand, d int, ch siyu.Channel) time.Time {
	h := &onlineHours
	switch {
	case ch == siyu.ChannelOffline:
		h = &storeHours
	case c.kind[d] == midnightSale:
		h = &festivalHours
	case ch == siyu.ChannelDouyin:
		h = &liveHours
	}
	start := c.dayStart(d)
	t := start.Add(time.Duration(h.pick(r))*time.Hour + time.Duration(r.Int64N(int64(time.Hour))))
	if !t.Before(c.now) {
		t = start.Add(time.Duration(r.Int64N(int64(c.now.Sub(start)) + 1)))
		if !t.Before(c.now) {
			t = c.now.Add(-time.Second)
		}
	}
	return t.Truncate(time.Second)
}

// dayWeight gives a day's relative order volume, how much more than usual it
// brings new customers, its hour pattern and whether a sales event runs.
func dayWeight(day time.Time) (w, newcomers float64, kind festival, promo bool) {
	monthly := [13]float64{0, 0.92, 0.85, 1.05, 1.0, 1.05, 1.0, 0.9, 0.85, 0.95, 1.0, 1.1, 1.05}
	_, mo, d := day.Date()
	w, newcomers = monthly[mo], 1
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		w *= 1.08
	}
	switch {
	case mo == time.November && d == 11: // 双11
		return w * 9, 1.5, midnightSale, true
	case mo == time.October && d == 31 || mo == time.November && d == 1: // 双11 first wave
		w, promo = w*2.2, true
	case mo == time.November && d >= 2 && d <= 9: // waiting for the day
		w *= 0.85
	case mo == time.November && d == 10:
		w, promo = w*1.6, true
	case mo == time.November && d == 12:
		w, promo = w*1.4, true
	case mo == time.June && d == 18: // 618
		return w * 6, 1.4, midnightSale, true
	case mo == time.May && d == 31 || mo == time.June && d == 1:
		w, promo = w*2, true
	case mo == time.June && (d == 17 || d == 19):
		w, promo = w*1.4, true
	case mo == time.March && d == 8: // 女王节
		w, newcomers, promo = w*2.5, 1.2, true
	case mo == time.March && d == 7:
		w, promo = w*1.5, true
	case mo == time.December && d == 12: // 双12
		w, promo = w*2, true
	case mo == time.May && d == 20: // 520
		w *= 1.4
	}
	if md, ok := springFestival[day.Year()]; ok {
		cny, _ := time.ParseInLocation("2006-01-02", day.Format("2006-")+md, day.Location())
		switch off := int(day.Sub(cny).Hours() / 24); {
		case off >= -25 && off <= -11: // 年货节
			w *= 1.15
		case off >= -10 && off <= -4:
			w *= 0.6
		case off >= -3 && off <= 6:
			w *= 0.3
		case off >= 7 && off <= 10:
			w *= 0.6
		}
	}
	return w, newcomers, ordinaryDay, promo
}

func hourPattern(w []float64) weighted[int] {
	hours := make([]int, 24)
	for i := range hours {
		hours[i] = i
	}
	return newWeighted(hours, func(h int) float64 { return w[h] })
}

var (
	// onlineHours: lunch break and the evening after work and dinner.
	onlineHours = hourPattern([]float64{3, 1.5, 0.8, 0.5, 0.4, 0.5, 1, 2, 3, 4.5, 5.5, 5.5, 5.5, 5.5, 5, 5, 4.8, 4.5, 4.5, 5.5, 7, 8, 7.5, 5})
	// festivalHours: a quarter of the day's orders are paid in the first hour.
	festivalHours = hourPattern([]float64{30, 8, 2, 0.8, 0.4, 0.5, 1, 2, 3, 4.5, 5.5, 5.5, 5.5, 5.5, 5, 5, 4.8, 4.5, 4.5, 5.5, 8, 9, 8, 6})
	// liveHours: Douyin live rooms are busiest in the evening.
	liveHours = hourPattern([]float64{3, 1.5, 0.5, 0.3, 0.2, 0.3, 0.5, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 7, 10, 12, 11, 7})
	// storeHours: shops open 10:00-22:00.
	storeHours = hourPattern([]float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 5, 4, 5, 6, 6, 5, 5, 7, 8, 7, 0, 0})
)

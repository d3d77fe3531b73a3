package web

import (
	"errors"
	"net/http"
	"time"

	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
)

// The trend card shows the snapshot's months unless the page asks for a
// range (?trend=day|week|month&from=&to=): then the flows are computed for
// it, and every transition listed.

// maxTrendDays bounds a range asked for on the page.
const maxTrendDays = 366

// maxTransitionRows is how many transitions the page lists, latest first.
const maxTransitionRows = 200

// trendForm is the trend card's form, as asked and as shown.
type trendForm struct {
	Period, From, To string
	Error            string // a catalogue key when the range was not valid
	Transitions      []transitionRow
	TransitionsMore  int
}

type transitionRow struct {
	Start, From, To string
	Customers       int
}

// trendRange fills the trend card for the range the request asks for, if
// any; a bad range is reported on the card, not as an error.
func (c *Console) trendRange(r *http.Request, ws int64, d *dashboardData, cat catalogue) error {
	q := r.URL.Query()
	today := rfm.DayOf(time.Now())
	d.Trend = trendForm{Period: "month", From: (today - 29).String(), To: today.String()}
	if q.Get("trend") == "" {
		return nil
	}
	f := &d.Trend
	f.Period, f.From, f.To = q.Get("trend"), q.Get("from"), q.Get("to")
	rng, err := lifecycle.ParseRange(f.Period, f.From, f.To, today)
	var bad *lifecycle.RangeError
	if errors.As(err, &bad) {
		f.Error = "dashboard.trend_bad_date"
		if bad.Field == "period" {
			f.Error = "dashboard.trend_bad_period"
		}
		return nil
	}
	if rng.To < rng.From || rng.To-rng.From >= maxTrendDays {
		f.Error = "dashboard.trend_bad_range"
		return nil
	}
	f.From, f.To = rng.From.String(), rng.To.String()
	flow, err := c.analytics.LifecycleFlows(r.Context(), ws, rng)
	if err != nil {
		return err
	}
	d.Charts.Trend = newStageTrend(flow, cat)
	moves := flow.Transitions()
	for i := len(moves) - 1; i >= 0 && len(f.Transitions) < maxTransitionRows; i-- {
		m := moves[i]
		f.Transitions = append(f.Transitions, transitionRow{Start: m.Start.String(), From: stageLabel(cat, m.From), To: stageLabel(cat, m.To), Customers: m.Count})
	}
	f.TransitionsMore = len(moves) - len(f.Transitions)
	return nil
}

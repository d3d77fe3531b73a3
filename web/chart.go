package web

import (
	"time"

	"siyu.dev/siyu"
)

// orderChart is a bar chart of orders per month, drawn as inline SVG on the
// server: no script, and it works under the strict CSP.
type orderChart struct {
	Width, Height int
	BaseY         int // the y of the axis
	Bars          []chartBar
}

type chartBar struct {
	X, Y, W, H int
	LabelX     int
	Month      string // 2006-01, Asia/Shanghai
	Count      int
	Amount     siyu.Fen // net paid
}

const (
	chartMonths = 12
	chartWidth  = 720
	chartHeight = 180
	chartTop    = 20 // room for the count above the highest bar
	chartBottom = 24 // room for the month labels
	chartGap    = 12
)

// buildOrderChart counts orders in the twelve months up to the latest order.
// It returns nil when there is nothing to draw.
func buildOrderChart(orders []siyu.Order) *orderChart {
	if len(orders) == 0 {
		return nil
	}
	monthOf := func(t time.Time) time.Time {
		t = t.In(siyu.Shanghai)
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, siyu.Shanghai)
	}
	last := monthOf(orders[0].PlacedAt)
	for _, o := range orders {
		if m := monthOf(o.PlacedAt); m.After(last) {
			last = m
		}
	}
	first := last.AddDate(0, -(chartMonths - 1), 0)
	bars := make([]chartBar, chartMonths)
	for i := range bars {
		bars[i].Month = first.AddDate(0, i, 0).Format("2006-01")
	}
	for _, o := range orders {
		m := monthOf(o.PlacedAt)
		if m.Before(first) {
			continue
		}
		i := (m.Year()-first.Year())*12 + int(m.Month()-first.Month())
		bars[i].Count++
		bars[i].Amount += o.Net()
	}
	maxCount := 1
	for _, b := range bars {
		maxCount = max(maxCount, b.Count)
	}
	ch := &orderChart{Width: chartWidth, Height: chartHeight, BaseY: chartHeight - chartBottom}
	slot := chartWidth / chartMonths
	plot := ch.BaseY - chartTop
	for i := range bars {
		b := &bars[i]
		b.W = slot - chartGap
		b.X = i*slot + chartGap/2
		b.LabelX = b.X + b.W/2
		b.H = b.Count * plot / maxCount
		if b.Count > 0 && b.H < 2 {
			b.H = 2
		}
		b.Y = ch.BaseY - b.H
	}
	ch.Bars = bars
	return ch
}

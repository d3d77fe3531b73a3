package web

import (
	"cmp"
	"slices"

	"siyu.dev/siyu"
)

// codeChart compares, per channel code, the contacts it brought with those
// that ended since: a horizontal bar chart drawn as inline SVG on the server,
// like orderChart, with the codes that brought the most.
type codeChart struct {
	Width, Height int
	LabelX        int // right edge of the code names
	BarX          int // where the bars start
	LegendY       int
	LegendDelX    int
	Rows          []codeChartRow
	More          int // codes with contacts that are not drawn
}

type codeChartRow struct {
	ID              int64
	Name            string // in full, for the tooltip
	Label           string // shortened to fit
	Adds, Deletions int
	Rate            string
	LabelY          int
	AddsY, DelsY    int
	AddsW, DelsW    int
	AddsValueX      int // where the numbers go, right of the bars
	DelsValueX      int
	BarH            int
}

const (
	codeChartRows      = 10
	codeChartWidth     = 960
	codeChartLabelW    = 150
	codeChartValueRoom = 44 // right of the longest bar, for its number
	codeChartTop       = 30 // room for the legend
	codeChartRowH      = 36
	codeChartBarH      = 12
	codeChartBarGap    = 3
	codeChartLabelLen  = 10 // characters of a code's name
)

// buildCodeChart draws the codes that brought the most contacts. It returns
// nil when no code brought any.
func buildCodeChart(codes []siyu.ChannelCode) *codeChart {
	var drawn []siyu.ChannelCode
	for _, c := range codes {
		if c.Stats.Adds > 0 {
			drawn = append(drawn, c)
		}
	}
	if len(drawn) == 0 {
		return nil
	}
	// Stable, so that ties keep the list's order (newest first).
	slices.SortStableFunc(drawn, func(a, b siyu.ChannelCode) int { return cmp.Compare(b.Stats.Adds, a.Stats.Adds) })
	ch := &codeChart{Width: codeChartWidth, LabelX: codeChartLabelW, BarX: codeChartLabelW + 10, LegendY: 12}
	ch.LegendDelX = ch.BarX + 90
	if len(drawn) > codeChartRows {
		ch.More = len(drawn) - codeChartRows
		drawn = drawn[:codeChartRows]
	}
	plot := codeChartWidth - ch.BarX - codeChartValueRoom
	most := drawn[0].Stats.Adds
	width := func(n int) int {
		w := n * plot / most
		if n > 0 && w < 2 {
			w = 2
		}
		return w
	}
	for i, c := range drawn {
		top := codeChartTop + i*codeChartRowH
		addsW, delsW := width(c.Stats.Adds), width(c.Stats.Deletions)
		ch.Rows = append(ch.Rows, codeChartRow{
			ID:         c.ID,
			Name:       c.Name,
			Label:      truncate(c.Name, codeChartLabelLen),
			Adds:       c.Stats.Adds,
			Deletions:  c.Stats.Deletions,
			Rate:       formatRate(c.Stats.Deletions, c.Stats.Adds),
			LabelY:     top + codeChartBarH + 2,
			AddsY:      top,
			DelsY:      top + codeChartBarH + codeChartBarGap,
			AddsW:      addsW,
			DelsW:      delsW,
			AddsValueX: ch.BarX + addsW + 5,
			DelsValueX: ch.BarX + delsW + 5,
			BarH:       codeChartBarH,
		})
	}
	ch.Height = codeChartTop + len(drawn)*codeChartRowH
	return ch
}

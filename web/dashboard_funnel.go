package web

// The channel funnels of the dashboard: the channel-code chart and table,
// and the chart by first-order channel.

import (
	"fmt"
	"slices"
	"sort"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
)

const (
	funnelChartCodes = 12 // codes drawn in the funnel chart
	funnelTableCodes = 15 // codes listed under it; the codes page has them all
)

// codeFunnelRow is one line of the channel-code table.
type codeFunnelRow struct {
	Key, Name  string
	Retained   int
	Ordered    int
	Conversion string
	DeleteRate string
	Revenue    siyu.Fen
	Cost       siyu.Fen
	LTV        siyu.Fen
	CAC        siyu.Fen
	HasCost    bool
	ROI        string
}

type funnelBar struct {
	Key        string  `json:"key"`
	Name       string  `json:"name"`
	Touched    int     `json:"touched"`
	Retained   int     `json:"retained"`
	Engaged    int     `json:"engaged"`
	Ordered    int     `json:"ordered"`
	Deleted    int     `json:"deleted"`
	DeleteRate float64 `json:"delete_rate"` // percent, one decimal
}

// codeFunnels returns the table of every channel code, most added first,
// and the bars of those that added anyone (the first funnelChartCodes).
func codeFunnels(snap *analytics.Snapshot) ([]codeFunnelRow, []funnelBar) {
	rows := slices.Clone(snap.ByCode)
	// sort.SliceStable names no type: the rows' type is the store's, which
	// the console does not import.
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Retained > rows[j].Retained })
	var table []codeFunnelRow
	var bars []funnelBar
	for _, r := range rows {
		row := codeFunnelRow{
			Key: r.Key, Name: r.Name, Retained: r.Retained, Ordered: r.Ordered,
			Conversion: formatRate(r.Ordered, r.Retained), DeleteRate: formatRate(r.Deleted, r.Retained),
			Revenue: r.Revenue, Cost: r.Cost, LTV: r.LTV, CAC: r.CAC, HasCost: r.Cost > 0, ROI: "—",
		}
		if row.HasCost {
			row.ROI = formatROI(r.Revenue, r.Cost)
		}
		table = append(table, row)
		if r.Retained > 0 && len(bars) < funnelChartCodes {
			bars = append(bars, funnelBar{
				Key: r.Key, Name: r.Name, Retained: r.Retained, Engaged: r.Engaged, Ordered: r.Ordered,
				Deleted: r.Deleted, DeleteRate: percent(r.Deleted, r.Retained),
			})
		}
	}
	return table, bars
}

func sourceFunnels(snap *analytics.Snapshot, cat catalogue) []funnelBar {
	var out []funnelBar
	for _, r := range snap.BySource {
		out = append(out, funnelBar{
			Key: r.Key, Name: cat.optional("channel."+r.Key, r.Name), Touched: r.Touched, Retained: r.Retained,
			Engaged: r.Engaged, Ordered: r.Ordered, Deleted: r.Deleted, DeleteRate: percent(r.Deleted, r.Retained),
		})
	}
	return out
}

// formatROI shows (revenue − cost) ÷ cost as a signed percentage with one
// decimal, rounded half away from zero in integer arithmetic.
func formatROI(revenue, cost siyu.Fen) string {
	if cost <= 0 {
		return "—"
	}
	num := int64(revenue-cost) * 1000
	half := int64(cost) / 2
	if num < 0 {
		half = -half
	}
	tenths := (num + half) / int64(cost)
	sign := ""
	if tenths < 0 {
		sign, tenths = "-", -tenths
	}
	return fmt.Sprintf("%s%d.%d%%", sign, tenths/10, tenths%10)
}

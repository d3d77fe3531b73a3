package web

// The charts of the dashboard other than the funnels and CLV: what
// dashboard.js draws for RFM, lifecycle stages and flows, and cohorts.

import (
	"cmp"
	"fmt"
	"slices"

	"siyu.dev/siyu/analytics/cohort"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
)

const (
	cohortChartRows   = 24 // latest cohorts drawn in the retention triangle
	cohortChartMonths = 12 // months after the first order drawn
)

type rfmChart struct {
	// Cells[r-1][f-1] is the cell of R score r and F score f.
	Cells [5][5]rfmCell `json:"cells"`
}

type rfmCell struct {
	Customers int    `json:"customers"`
	Monetary  string `json:"monetary"`
	Segment   string `json:"segment"`
}

type segmentBar struct {
	Code      string `json:"code"`
	Label     string `json:"label"`
	Customers int    `json:"customers"`
	Share     string `json:"share"`
	Monetary  string `json:"monetary"`
}

type stageBar struct {
	Code      string `json:"code"`
	Label     string `json:"label"`
	Customers int    `json:"customers"`
}

// flowChart is a sankey of one month: stage at its start (nodes "open:…")
// to stage at its end ("close:…").
type flowChart struct {
	Nodes []flowNode `json:"nodes"`
	Links []flowLink `json:"links"`
}

type flowNode struct {
	ID    string `json:"id"`
	Stage string `json:"stage"`
	Label string `json:"label"`
	Close bool   `json:"close"`
}

type flowLink struct {
	Source    string `json:"source"`
	Target    string `json:"target"`
	Customers int    `json:"customers"`
}

// stageTrend counts the customers per stage at the end of every period
// (the snapshot's months, or the days, weeks or months of a range asked for).
type stageTrend struct {
	Months []string      `json:"months"`
	Series []trendSeries `json:"series"`
}

type trendSeries struct {
	Code      string `json:"code"`
	Label     string `json:"label"`
	Customers []int  `json:"customers"`
}

// cohortChart is the retention triangle: one row per first-order month,
// one column per month after it (1 to Columns).
type cohortChart struct {
	Rows    []cohortRow  `json:"rows"`
	Columns int          `json:"columns"`
	Cells   []cohortCell `json:"cells"`
}

type cohortRow struct {
	Month     string `json:"month"`
	Customers int    `json:"customers"`
}

type cohortCell struct {
	Row       int     `json:"row"`
	Month     int     `json:"month"`     // months after the first order, 1..Columns
	Retention float64 `json:"retention"` // percent, one decimal
	Active    int     `json:"active"`
	Revenue   string  `json:"revenue"` // cumulative net revenue per customer up to this month
}

// dashboardStages are the stages a customer can be in; none (not known
// yet) only appears in flows.
var dashboardStages = []lifecycle.Stage{lifecycle.New, lifecycle.FirstOrder, lifecycle.Repeat, lifecycle.Silent, lifecycle.Churned}

func stageLabel(cat catalogue, s lifecycle.Stage) string {
	return cat.optional("stage."+s.String(), s.Label())
}

func segmentLabel(cat catalogue, s rfm.Segment) string {
	return cat.optional("segment."+s.String(), s.Label())
}

func newRFMChart(rep *rfm.Report, cat catalogue) *rfmChart {
	ch := &rfmChart{}
	for r := range 5 {
		for f := range 5 {
			cell := rep.Grid[r][f]
			ch.Cells[r][f] = rfmCell{
				Customers: cell.Customers,
				Monetary:  formatMoney(cell.Monetary),
				Segment:   segmentLabel(cat, rfm.SegmentOf(r+1, f+1)),
			}
		}
	}
	return ch
}

func newSegmentBars(rep *rfm.Report, cat catalogue) []segmentBar {
	out := make([]segmentBar, 0, len(rep.Segments))
	for _, s := range rep.Segments {
		out = append(out, segmentBar{
			Code:      s.Segment.String(),
			Label:     segmentLabel(cat, s.Segment),
			Customers: s.Customers,
			Share:     formatRate(s.Customers, rep.Customers),
			Monetary:  formatMoney(s.Monetary),
		})
	}
	return out
}

func newStageBars(counts lifecycle.Counts, cat catalogue) []stageBar {
	var out []stageBar
	total := 0
	for _, s := range dashboardStages {
		out = append(out, stageBar{Code: s.String(), Label: stageLabel(cat, s), Customers: counts[s]})
		total += counts[s]
	}
	if total == 0 {
		return nil
	}
	return out
}

// flowBucket picks the month the sankey shows: the latest one that is over.
// The last bucket ends today and is usually a month cut short, so the one
// before it is shown, unless it is the only one or today ends the month.
func flowBucket(f *lifecycle.Flow) *lifecycle.Bucket {
	last := &f.Buckets[len(f.Buckets)-1]
	if _, _, day := (last.End + 1).Date(); day == 1 || len(f.Buckets) == 1 {
		return last
	}
	return &f.Buckets[len(f.Buckets)-2]
}

func newFlowChart(b *lifecycle.Bucket, cat catalogue) *flowChart {
	ch := &flowChart{}
	seen := map[string]bool{}
	node := func(s lifecycle.Stage, close bool) string {
		id := "open:" + s.String()
		if close {
			id = "close:" + s.String()
		}
		if !seen[id] {
			seen[id] = true
			ch.Nodes = append(ch.Nodes, flowNode{ID: id, Stage: s.String(), Label: stageLabel(cat, s), Close: close})
		}
		return id
	}
	for _, l := range b.Links() {
		if l.From == lifecycle.None && l.To == lifecycle.None {
			continue // people not known at either end of the month
		}
		ch.Links = append(ch.Links, flowLink{Source: node(l.From, false), Target: node(l.To, true), Customers: l.Customers})
	}
	if len(ch.Links) == 0 {
		return nil
	}
	// Nodes in stage order on each side, so that the sankey reads the same
	// every month.
	slices.SortStableFunc(ch.Nodes, func(a, b flowNode) int {
		if a.Close != b.Close {
			if a.Close {
				return 1
			}
			return -1
		}
		return cmp.Compare(stageIndex(a.Stage), stageIndex(b.Stage))
	})
	return ch
}

func stageIndex(code string) int {
	for i, s := range lifecycle.Stages {
		if s.String() == code {
			return i
		}
	}
	return len(lifecycle.Stages)
}

func newStageTrend(f *lifecycle.Flow, cat catalogue) *stageTrend {
	tr := &stageTrend{}
	for _, b := range f.Buckets {
		if f.Range.Period != lifecycle.Monthly {
			tr.Months = append(tr.Months, b.Start.String())
			continue
		}
		y, m, _ := b.Start.Date()
		tr.Months = append(tr.Months, fmt.Sprintf("%04d-%02d", y, int(m)))
	}
	for _, s := range dashboardStages {
		ser := trendSeries{Code: s.String(), Label: stageLabel(cat, s)}
		for _, b := range f.Buckets {
			ser.Customers = append(ser.Customers, b.Close[s])
		}
		tr.Series = append(tr.Series, ser)
	}
	return tr
}

// newCohortChart draws the latest cohorts that have customers; more is how
// many earlier ones are left out. It returns nil when no cohort has a month
// after its first yet.
func newCohortChart(rep *cohort.Report) (ch *cohortChart, more int) {
	cohorts := slices.Clone(rep.Cohorts)
	cohorts = slices.DeleteFunc(cohorts, func(c cohort.Cohort) bool { return c.Customers == 0 })
	if len(cohorts) > cohortChartRows {
		more = len(cohorts) - cohortChartRows
		cohorts = cohorts[more:]
	}
	ch = &cohortChart{}
	for i := range cohorts {
		c := &cohorts[i]
		ch.Rows = append(ch.Rows, cohortRow{Month: c.Month.String(), Customers: c.Customers})
		for k := 1; k < len(c.Active) && k <= cohortChartMonths; k++ {
			ch.Cells = append(ch.Cells, cohortCell{
				Row:       i,
				Month:     k,
				Retention: percent(c.Active[k], c.Customers),
				Active:    c.Active[k],
				Revenue:   formatMoney(c.RevenuePerCustomer(k)),
			})
			ch.Columns = max(ch.Columns, k)
		}
	}
	if ch.Columns == 0 {
		return nil, 0
	}
	return ch, more
}

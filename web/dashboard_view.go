package web

import (
	"math"
	"reflect"
	"strings"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
)

// dashboardData is what the dashboard template gets: the numbers shown as
// HTML (KPIs, the channel-code table) and, in Charts, what dashboard.js
// draws, sent as a JSON data block.
type dashboardData struct {
	Unavailable bool // no AnalyticsSource is configured
	Empty       bool // the workspace has no customers yet
	CanRefresh  bool
	AsOf        time.Time // when the snapshot was computed; zero without one

	KPI          dashboardKPIs
	Codes        []codeFunnelRow // the codes that added the most
	CodesMore    int             // codes left out of the table
	CodesInChart int             // codes drawn in the funnel chart, when not all are
	FlowFrom     string
	FlowTo       string
	Trend        trendForm // the trend card's range
	CohortsShown int       // cohorts drawn, when not all are
	CohortsMore  int
	CohortMonths int        // the most months after the first order drawn
	ShowCLV      bool       // the snapshot has a CLV model
	CLVParams    []clvParam // the summary's own numbers
	CLVModel     []clvParam // the fitted models' parameters
	// CLVMonths and CLVHorizonDays are the periods of the CLV predictions.
	CLVMonths, CLVHorizonDays int

	Charts dashboardCharts
}

// HasCharts reports whether the page draws anything, so that it loads the
// chart scripts only then.
func (d dashboardData) HasCharts() bool { return !d.Unavailable && !d.Empty }

type dashboardKPIs struct {
	Customers  int
	Buyers     int
	Orders     int
	Repeaters  int
	Repurchase string // repeaters ÷ buyers, "12.5%"
	Revenue    siyu.Fen
}

// dashboardCharts is the JSON that dashboard.js reads. A chart without data
// is left out (null), and the page shows "no data" in its place. Money is
// sent formatted: the script does no arithmetic on amounts.
type dashboardCharts struct {
	// Labels holds the catalogue's "viz." messages, keyed without the
	// prefix: every word the script writes.
	Labels   map[string]string `json:"labels"`
	RFM      *rfmChart         `json:"rfm"`
	Segments []segmentBar      `json:"segments"`
	Stages   []stageBar        `json:"stages"`
	Flow     *flowChart        `json:"flow"`
	Trend    *stageTrend       `json:"trend"`
	Cohorts  *cohortChart      `json:"cohorts"`
	ByCode   []funnelBar       `json:"by_code"`
	BySource []funnelBar       `json:"by_source"`
	CLV      []clvBar          `json:"clv"`
}

// buildDashboard turns a snapshot into the page. snap may be nil (nothing
// computed yet): the page is then empty.
func buildDashboard(snap *analytics.Snapshot, cat catalogue) dashboardData {
	d := dashboardData{Charts: dashboardCharts{Labels: scriptLabels(cat)}}
	if snap == nil {
		d.Empty = true
		return d
	}
	d.AsOf = snap.ComputedAt
	if snap.Customers == 0 {
		d.Empty = true
		return d
	}
	d.KPI = dashboardKPIs{Customers: snap.Customers, Buyers: snap.Buyers, Orders: snap.Orders, Repurchase: "—"}
	if snap.RFM != nil {
		d.KPI.Revenue = snap.RFM.Monetary
	}
	if snap.Cohorts != nil {
		rep := snap.Cohorts.Repurchase
		d.KPI.Repeaters = rep.Repeaters
		d.KPI.Repurchase = formatRate(rep.Repeaters, rep.Customers)
	}
	if snap.RFM != nil && snap.RFM.Customers > 0 {
		d.Charts.RFM = newRFMChart(snap.RFM, cat)
		d.Charts.Segments = newSegmentBars(snap.RFM, cat)
	}
	d.Charts.Stages = newStageBars(snap.Stages, cat)
	if snap.Flow != nil && len(snap.Flow.Buckets) > 0 {
		b := flowBucket(snap.Flow)
		d.Charts.Flow = newFlowChart(b, cat)
		d.FlowFrom, d.FlowTo = b.Start.String(), b.End.String()
		d.Charts.Trend = newStageTrend(snap.Flow, cat)
	}
	d.CohortMonths = cohortChartMonths
	if snap.Cohorts != nil {
		d.Charts.Cohorts, d.CohortsMore = newCohortChart(snap.Cohorts)
		if d.CohortsMore > 0 {
			d.CohortsShown = len(d.Charts.Cohorts.Rows)
		}
	}
	d.Codes, d.Charts.ByCode = codeFunnels(snap)
	if n := len(d.Charts.ByCode); n > 0 && n < len(d.Codes) {
		d.CodesInChart = n
	}
	if len(d.Codes) > funnelTableCodes {
		d.CodesMore = len(d.Codes) - funnelTableCodes
		d.Codes = d.Codes[:funnelTableCodes]
	}
	d.Charts.BySource = sourceFunnels(snap, cat)
	d.ShowCLV = snap.CLV != nil
	d.CLVMonths, d.CLVHorizonDays = analytics.CLVMonths, analytics.PurchaseHorizonDays
	clv, err := decodeCLV(snap.CLV, cat)
	if err == nil {
		d.Charts.CLV, d.CLVParams, d.CLVModel = clv.Histogram, clv.Params, clv.Model
	}
	return d
}

// scriptLabels picks the messages of the script out of the catalogue.
func scriptLabels(cat catalogue) map[string]string {
	out := map[string]string{}
	for k, v := range cat {
		if name, ok := strings.CutPrefix(k, "viz."); ok {
			out[name] = v
		}
	}
	return out
}

// percent is part/whole in percent, rounded to one decimal; 0 when whole is
// not positive.
func percent(part, whole int) float64 {
	if whole <= 0 {
		return 0
	}
	return math.Round(float64(part)*1000/float64(whole)) / 10
}

// chartBox is a chart's place on the page: the element the script draws
// in, or "no data" when Has is false.
type chartBox struct {
	ID, Label, Class string
	Has              bool
}

// chartSlot is the template function that makes a chartBox; data is the
// chart's part of dashboardCharts (a pointer or a slice), which has data
// when it is neither nil nor empty.
func chartSlot(id, label string, data any, class string) chartBox {
	has := false
	if v := reflect.ValueOf(data); v.IsValid() {
		switch v.Kind() {
		case reflect.Pointer:
			has = !v.IsNil()
		case reflect.Slice:
			has = v.Len() > 0
		}
	}
	return chartBox{ID: id, Label: label, Class: class, Has: has}
}

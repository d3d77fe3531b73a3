package web

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"siyu.dev/siyu"
	"siyu.dev/siyu/analytics"
	"siyu.dev/siyu/analytics/cohort"
	"siyu.dev/siyu/analytics/lifecycle"
	"siyu.dev/siyu/analytics/rfm"
)

func testCatalogue(t *testing.T, lang string) catalogue {
	t.Helper()
	cats, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	return cats[lang]
}

func TestFormatROI(t *testing.T) {
	for _, tc := range []struct {
		revenue, cost siyu.Fen
		want          string
	}{
		{88800, 30000, "196.0%"},
		{30000, 30000, "0.0%"},
		{0, 30000, "-100.0%"},
		{10000, 30000, "-66.7%"},
		{1, 3, "-66.7%"},
		{5, 3, "66.7%"},
		{100, 0, "—"},
		{100, -5, "—"},
		{1_000_000_00, 1, "9999999900.0%"},
	} {
		if got := formatROI(tc.revenue, tc.cost); got != tc.want {
			t.Errorf("formatROI(%d, %d) = %q, want %q", tc.revenue, tc.cost, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		part, whole int
		want        float64
	}{{0, 0, 0}, {1, 3, 33.3}, {2, 3, 66.7}, {1, 8, 12.5}, {3, 3, 100}, {5, -1, 0}} {
		if got := percent(tc.part, tc.whole); got != tc.want {
			t.Errorf("percent(%d, %d) = %v, want %v", tc.part, tc.whole, got, tc.want)
		}
	}
}

func TestChartSlot(t *testing.T) {
	var nilChart *rfmChart
	for _, tc := range []struct {
		data any
		want bool
	}{
		{nil, false}, {nilChart, false}, {&rfmChart{}, true},
		{[]stageBar(nil), false}, {[]stageBar{}, false}, {[]stageBar{{Code: "new"}}, true},
	} {
		if got := chartSlot("x", "X", tc.data, "").Has; got != tc.want {
			t.Errorf("chartSlot(%#v).Has = %v", tc.data, got)
		}
	}
}

// Every label the script reads exists in both catalogues, and every "viz."
// message is read by the script.
func TestScriptLabelsMatchTheScript(t *testing.T) {
	src, err := embedded.ReadFile("static/dashboard.js")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\bL\.([a-z_]+)`).FindAllStringSubmatch(string(src), -1) {
		used[m[1]] = true
	}
	if len(used) < 10 {
		t.Fatalf("only %d labels found in the script", len(used))
	}
	for _, lang := range languages {
		labels := scriptLabels(testCatalogue(t, lang))
		for k := range used {
			if labels[k] == "" {
				t.Errorf("%s: the script reads L.%s, the catalogue has no viz.%s", lang, k, k)
			}
		}
		for k := range labels {
			if !used[k] {
				t.Errorf("%s: viz.%s is not used by the script", lang, k)
			}
		}
	}
}

func TestFlowBucket(t *testing.T) {
	d := rfm.Date
	month := func(from, to rfm.Day) lifecycle.Bucket { return lifecycle.Bucket{Start: from, End: to} }
	for _, tc := range []struct {
		name    string
		buckets []lifecycle.Bucket
		want    rfm.Day // Start of the bucket shown
	}{
		{"running month: the one before", []lifecycle.Bucket{
			month(d(2026, 9, 20), d(2026, 9, 30)), month(d(2026, 10, 1), d(2026, 10, 31)), month(d(2026, 11, 1), d(2026, 11, 20)),
		}, d(2026, 10, 1)},
		{"today ends the month", []lifecycle.Bucket{
			month(d(2026, 10, 1), d(2026, 10, 31)), month(d(2026, 11, 1), d(2026, 11, 30)),
		}, d(2026, 11, 1)},
		{"only one", []lifecycle.Bucket{month(d(2026, 11, 1), d(2026, 11, 20))}, d(2026, 11, 1)},
		{"February", []lifecycle.Bucket{month(d(2028, 1, 1), d(2028, 1, 31)), month(d(2028, 2, 1), d(2028, 2, 29))}, d(2028, 2, 1)},
	} {
		if got := flowBucket(&lifecycle.Flow{Buckets: tc.buckets}).Start; got != tc.want {
			t.Errorf("%s: shows %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestNewFlowChart(t *testing.T) {
	cat := testCatalogue(t, langZH)
	var b lifecycle.Bucket
	b.Flow[lifecycle.None][lifecycle.None] = 50 // not known at either end: left out
	b.Flow[lifecycle.None][lifecycle.FirstOrder] = 4
	b.Flow[lifecycle.Repeat][lifecycle.Silent] = 2
	b.Flow[lifecycle.FirstOrder][lifecycle.FirstOrder] = 7
	b.Flow[lifecycle.Churned][lifecycle.Repeat] = 1
	ch := newFlowChart(&b, cat)
	if ch == nil {
		t.Fatal("no chart")
	}
	var ids []string
	for _, n := range ch.Nodes {
		ids = append(ids, n.ID)
	}
	want := []string{"open:none", "open:first_order", "open:repeat", "open:churned", "close:first_order", "close:repeat", "close:silent"}
	if !slices.Equal(ids, want) {
		t.Errorf("nodes %v, want %v", ids, want)
	}
	total := 0
	for _, l := range ch.Links {
		total += l.Customers
		if l.Source == "open:none" && l.Target == "close:none" {
			t.Error("none → none is drawn")
		}
	}
	if total != 14 || len(ch.Links) != 4 {
		t.Errorf("links %+v", ch.Links)
	}
	if ch.Nodes[0].Label != "尚未加入" || ch.Nodes[len(ch.Nodes)-1].Label != "沉默" {
		t.Errorf("labels: %+v", ch.Nodes)
	}
	var quiet lifecycle.Bucket
	quiet.Flow[lifecycle.None][lifecycle.None] = 9
	if newFlowChart(&quiet, cat) != nil {
		t.Error("a month without customers has a chart")
	}
}

func TestCohortChartKeepsTheLatestCohorts(t *testing.T) {
	first := cohort.MonthFor(2023, time.January)
	rep := &cohort.Report{}
	const months = 30
	for i := range months {
		c := cohort.Cohort{Month: first + cohort.Month(i), Customers: 10}
		if i == months-5 {
			c.Customers = 0 // a month without new customers
		}
		k := months - i // months up to the last one
		c.Active = make([]int, k)
		c.Revenue = make([]siyu.Fen, k)
		if c.Customers > 0 {
			c.Active[0] = c.Customers
			c.Revenue[0] = 1000
		}
		if k > 1 && c.Customers > 0 {
			c.Active[1] = 3
			c.Revenue[1] = 500
		}
		rep.Cohorts = append(rep.Cohorts, c)
	}
	ch, more := newCohortChart(rep)
	if ch == nil || len(ch.Rows) != cohortChartRows || more != months-1-cohortChartRows {
		t.Fatalf("rows %d, more %d", len(ch.Rows), more)
	}
	if ch.Rows[len(ch.Rows)-1].Month != (first + months - 1).String() {
		t.Errorf("last row %+v", ch.Rows[len(ch.Rows)-1])
	}
	for _, r := range ch.Rows {
		if r.Customers == 0 {
			t.Errorf("an empty cohort is drawn: %+v", r)
		}
	}
	// Month 1 of a cohort of 10 with 3 back: 30%, and 1500 fen over 10
	// customers so far.
	c := ch.Cells[0]
	if c.Row != 0 || c.Month != 1 || c.Retention != 30 || c.Active != 3 || c.Revenue != "¥1.50" {
		t.Errorf("first cell %+v", c)
	}
	if ch.Columns != cohortChartMonths {
		t.Errorf("columns %d, want %d", ch.Columns, cohortChartMonths)
	}
	for _, c := range ch.Cells {
		if c.Month < 1 || c.Month > cohortChartMonths {
			t.Fatalf("cell of month %d", c.Month)
		}
	}

	// Only the running month: nothing to draw yet.
	one := &cohort.Report{Cohorts: []cohort.Cohort{{Month: first, Customers: 4, Active: []int{4}, Revenue: []siyu.Fen{100}}}}
	if ch, _ := newCohortChart(one); ch != nil {
		t.Errorf("a single month has a chart: %+v", ch)
	}
}

func TestBuildDashboardOfNothing(t *testing.T) {
	cat := testCatalogue(t, langZH)
	if d := buildDashboard(nil, cat); !d.Empty || d.HasCharts() || !d.AsOf.IsZero() {
		t.Errorf("nil snapshot: %+v", d)
	}
	at := time.Date(2026, 11, 20, 4, 0, 0, 0, time.UTC)
	if d := buildDashboard(&analytics.Snapshot{ComputedAt: at}, cat); !d.Empty || !d.AsOf.Equal(at) {
		t.Errorf("empty snapshot: %+v", d)
	}
}

func TestDecodeCLVJSON(t *testing.T) {
	cat := testCatalogue(t, langZH)
	v, err := decodeCLVJSON([]byte(`{
		"model": {"r": 0.243, "alpha": 4.414, "nested": {"deep": 1}},
		"customers": 1200,
		"converged": true,
		"note": "ok",
		"mean_clv_fen": 123456,
		"total_clv_fen": 1.5e3,
		"skipped": [1, 2],
		"none": null,
		"histogram": [{"label": "¥0–50", "customers": 10}, {"label": "¥50+", "customers": 2}, {"customers": 3}, "junk"]
	}`), cat)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Histogram, []clvBar{{"¥0–50", 10}, {"¥50+", 2}}) {
		t.Errorf("histogram %+v", v.Histogram)
	}
	want := []clvParam{
		{Name: "购买客户", Value: "1200"}, {Name: "模型收敛", Value: "是"}, {Name: "note", Value: "ok"},
		{Name: "人均预测价值", Value: "¥1,234.56"}, {Name: "预测总价值", Value: "¥15.00"},
	}
	if !slices.Equal(v.Params, want) {
		t.Errorf("params\n got %+v\nwant %+v", v.Params, want)
	}
	wantModel := []clvParam{
		{Name: "model.r", Value: "0.243", nested: true}, {Name: "model.alpha", Value: "4.414", nested: true},
		{Name: "model.nested.deep", Value: "1", nested: true},
	}
	if !slices.Equal(v.Model, wantModel) {
		t.Errorf("model\n got %+v\nwant %+v", v.Model, wantModel)
	}

	v, err = decodeCLVJSON([]byte(`{"histogram": [{"label": "a", "customers": 0}], "histogram_x": 1}`), cat)
	if err != nil || v.Histogram != nil || len(v.Params) != 1 {
		t.Errorf("all-zero histogram: %+v %v", v, err)
	}
	for _, bad := range []string{`[]`, `"x"`, `{"a":`, ``, `null`} {
		if _, err := decodeCLVJSON([]byte(bad), cat); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The summary the analytics package makes today reads as a list of named
// parameters.
func TestDecodeCLVOfTheAnalyticsSummary(t *testing.T) {
	v, err := decodeCLV(&analytics.CLVSummary{}, testCatalogue(t, langEN))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(v.Params, v.Model...) {
		if strings.HasPrefix(p.Name, "clv.") || p.Value == "" {
			t.Errorf("param %+v", p)
		}
	}
	if v, err := decodeCLV(nil, testCatalogue(t, langEN)); err != nil || v.Params != nil || v.Histogram != nil {
		t.Errorf("nil summary: %+v %v", v, err)
	}
}

func FuzzDecodeCLVJSON(f *testing.F) {
	f.Add([]byte(`{"histogram":[{"label":"x","customers":1}],"a":{"b":1.5},"c":"d","e":true}`))
	f.Add([]byte(`{"a":{"b":{"c":{"d":{"e":1}}}}}`))
	f.Add([]byte(`{"histogram":{"label":"x"},"n":1e400,"m_fen":-1e300}`))
	cat := catalogue{"dashboard.yes": "yes", "dashboard.no": "no"}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeCLVJSON(b, cat)
		if err != nil {
			return
		}
		if len(v.Params) > maxCLVParams {
			t.Errorf("%d params", len(v.Params))
		}
		for _, h := range v.Histogram {
			if h.Label == "" || h.Customers < 0 {
				t.Errorf("bar %+v", h)
			}
		}
	})
}
